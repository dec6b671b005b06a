"""The module-level functions: ``shutil``'s signatures and return values, the engine's speed.
Each reads :data:`py_eacopy.config` when it is called (threads, buffer size, error strategy,
progress callback, ...)."""

from __future__ import annotations

from .engine import EACopy, PathPairs, StrPath
from .server import DEFAULT_PORT
from .summary import CopySummary, DeltaStats

__all__ = [
    "copyfile",
    "copy",
    "copy2",
    "copytree",
    "batch_copy",
    "batch_copy2",
    "batch_copytree",
    "delta_copy",
    "async_copyfile",
    "async_copy",
    "async_copy2",
    "async_copytree",
    "async_delta_copy",
    "copy_with_server",
    "async_copy_with_server",
]


def copyfile(src: StrPath, dst: StrPath, *, follow_symlinks: bool = True) -> str | bytes:
    """As :func:`shutil.copyfile` (atomic: ``dst`` appears complete or not at all)."""
    return EACopy(follow_symlinks=follow_symlinks).copyfile(src, dst)


def copy(src: StrPath, dst: StrPath, *, follow_symlinks: bool = True) -> str | bytes:
    """As :func:`shutil.copy`."""
    return EACopy(follow_symlinks=follow_symlinks).copy(src, dst)


def copy2(src: StrPath, dst: StrPath, *, follow_symlinks: bool = True) -> str | bytes:
    """As :func:`shutil.copy2` (timestamps to the nanosecond)."""
    return EACopy(follow_symlinks=follow_symlinks).copy2(src, dst)


def copytree(
    src: StrPath, dst: StrPath, symlinks: bool = False, ignore_dangling_symlinks: bool = False,
    dirs_exist_ok: bool = False,
) -> StrPath:
    """As :func:`shutil.copytree` (with copy2, or copy when ``config.preserve_metadata`` is
    off), in parallel. Returns ``dst``; :meth:`EACopy.copytree` returns the summary."""
    EACopy().copytree(src, dst, symlinks, ignore_dangling_symlinks, dirs_exist_ok)
    return dst  # as shutil: what the caller passed


def batch_copy(file_pairs: PathPairs) -> CopySummary:
    """:func:`copy` for each ``(src, dst)`` pair, in parallel."""
    return EACopy(follow_symlinks=True).batch_copy(file_pairs)


def batch_copy2(file_pairs: PathPairs) -> CopySummary:
    """:func:`copy2` for each ``(src, dst)`` pair, in parallel."""
    return EACopy(follow_symlinks=True).batch_copy2(file_pairs)


def batch_copytree(
    dir_pairs: PathPairs, symlinks: bool = False, ignore_dangling_symlinks: bool = False, dirs_exist_ok: bool = False
) -> CopySummary:
    """:func:`copytree` for each ``(src, dst)`` pair."""
    return EACopy().batch_copytree(dir_pairs, symlinks, ignore_dangling_symlinks, dirs_exist_ok)


def delta_copy(src: StrPath, dst: StrPath, reference: StrPath) -> DeltaStats:
    """Makes ``dst`` identical to ``src`` from the parts of ``reference`` it shares (rsync's
    algorithm); see :meth:`EACopy.delta_copy`."""
    return EACopy(follow_symlinks=True).delta_copy(src, dst, reference)


async def async_copyfile(src: StrPath, dst: StrPath, *, follow_symlinks: bool = True) -> str | bytes:
    return await EACopy(follow_symlinks=follow_symlinks).async_copyfile(src, dst)


async def async_copy(src: StrPath, dst: StrPath, *, follow_symlinks: bool = True) -> str | bytes:
    return await EACopy(follow_symlinks=follow_symlinks).async_copy(src, dst)


async def async_copy2(src: StrPath, dst: StrPath, *, follow_symlinks: bool = True) -> str | bytes:
    return await EACopy(follow_symlinks=follow_symlinks).async_copy2(src, dst)


async def async_copytree(
    src: StrPath, dst: StrPath, symlinks: bool = False, ignore_dangling_symlinks: bool = False,
    dirs_exist_ok: bool = False,
) -> StrPath:
    await EACopy().async_copytree(src, dst, symlinks, ignore_dangling_symlinks, dirs_exist_ok)
    return dst


async def async_delta_copy(src: StrPath, dst: StrPath, reference: StrPath) -> DeltaStats:
    return await EACopy(follow_symlinks=True).async_delta_copy(src, dst, reference)


def copy_with_server(
    src: StrPath, dst: StrPath, server_addr: str = "127.0.0.1", port: int = DEFAULT_PORT, compression_level: int = 0,
    *, token: str | None = None, download: bool = False, fallback_dst: StrPath | None = None, timeout: float = 60.0,
) -> CopySummary:
    """Uploads ``src`` into ``dst`` under the copy server's root (or with ``download=True``,
    the reverse); see :meth:`EACopy.copy_with_server`."""
    return EACopy().copy_with_server(src, dst, server_addr, port, compression_level, token=token, download=download,
                                     fallback_dst=fallback_dst, timeout=timeout)


async def async_copy_with_server(
    src: StrPath, dst: StrPath, server_addr: str = "127.0.0.1", port: int = DEFAULT_PORT, compression_level: int = 0,
    *, token: str | None = None, download: bool = False, fallback_dst: StrPath | None = None, timeout: float = 60.0,
) -> CopySummary:
    return await EACopy().async_copy_with_server(src, dst, server_addr, port, compression_level, token=token,
                                                 download=download, fallback_dst=fallback_dst, timeout=timeout)
