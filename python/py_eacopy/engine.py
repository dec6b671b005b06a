"""The :class:`EACopy` engine object: settings held once, every copy operation blocking or
async, with a :class:`~py_eacopy.summary.CopySummary` for tree and batch copies."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from . import _eacopy, settings
from fleet_shared.async_bridge import run_native
from fleet_shared.paths import StrPath, checked_path
from .server import DEFAULT_PORT, EACopyServer, create_server, token_from
from .settings import Config, ErrorStrategy, LogLevel, ProgressCallback, logger
from .summary import CopySummary, DeltaStats

__all__ = ["EACopy", "StrPath", "PathPairs"]

PathPairs = Iterable[Sequence[StrPath]]


def _path(value: object, name: str) -> str:
    # As str, so that summaries and messages show names, not bytes reprs.
    return checked_path(value, name, decode=True)  # type: ignore[return-value]


def _pairs(pairs: PathPairs, what: str) -> list[tuple[str, str]]:
    out = []
    for i, pair in enumerate(pairs):
        try:
            src, dst = pair
        except (TypeError, ValueError):
            raise ValueError(f"{what}[{i}] must be a (src, dst) pair") from None
        out.append((_path(src, f"{what}[{i}][0]"), _path(dst, f"{what}[{i}][1]")))
    return out


@dataclass
class _Operation:
    """One engine call, prepared once for its blocking and its async form: the settings in
    effect, the native function's name and arguments, and what turns its result into ours."""

    config: Config
    name: str
    args: tuple[Any, ...]
    finish: Callable[[Any], Any] = lambda result: result


class EACopy:
    """A copy engine with its own settings. Settings left as None are read from the
    module-level :data:`py_eacopy.config` at each call.

    >>> eacopy = EACopy(thread_count=8, dirs_exist_ok=True)
    >>> summary = eacopy.copytree("build/out", "/mnt/share/build-42", skip_unchanged=True)
    >>> print(summary)          # EACopy's Files/Bytes/Times table
    """

    def __init__(
        self,
        thread_count: int | None = None,
        compression_level: int | None = None,
        buffer_size: int | None = None,
        preserve_metadata: bool | None = None,
        follow_symlinks: bool | None = None,
        dirs_exist_ok: bool | None = None,
        progress_callback: ProgressCallback | None = None,
        *,
        error_strategy: ErrorStrategy | None = None,
        retry_count: int | None = None,
        retry_delay: float | None = None,
        log_level: LogLevel | None = None,
    ) -> None:
        given = dict(
            thread_count=thread_count,
            compression_level=compression_level,
            buffer_size=buffer_size,
            preserve_metadata=preserve_metadata,
            follow_symlinks=follow_symlinks,
            dirs_exist_ok=dirs_exist_ok,
            progress_callback=progress_callback,
            error_strategy=error_strategy,
            retry_count=retry_count,
            retry_delay=retry_delay,
            log_level=log_level,
        )
        self._overrides = {k: v for k, v in given.items() if v is not None}
        self.config.to_native()  # bad settings fail here, naming the setting

    @property
    def config(self) -> Config:
        """The settings in effect now: this object's, then the module-level config's."""
        return settings.config.copy(**self._overrides)

    @property
    def thread_count(self) -> int:
        return self.config.thread_count

    def set_progress_callback(self, callback: ProgressCallback | None) -> None:
        """Sets (or with None, clears) the ``(copied_bytes, total_bytes, filename)`` callback."""
        if callback is not None and not callable(callback):
            raise TypeError("progress callback must be callable")
        if callback is None:
            self._overrides.pop("progress_callback", None)
        else:
            self._overrides["progress_callback"] = callback

    def __repr__(self) -> str:
        shown = {k: v for k, v in self._overrides.items() if k != "progress_callback"}
        return f"EACopy({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    # -- blocking ---------------------------------------------------------------------------

    def copyfile(self, src: StrPath, dst: StrPath) -> str | bytes:
        """``shutil.copyfile``: the content only, into the file ``dst``. Returns ``dst`` (bytes
        when ``dst`` was bytes, as shutil)."""
        return self._run(self._file_op("copyfile", src, dst))

    def copy(self, src: StrPath, dst: StrPath) -> str | bytes:
        """``shutil.copy``: content and permission bits; a directory ``dst`` receives
        ``dst/basename(src)``. Returns the file written."""
        return self._run(self._file_op("copy", src, dst))

    def copy2(self, src: StrPath, dst: StrPath) -> str | bytes:
        """``shutil.copy2``: as :meth:`copy`, plus timestamps (to the nanosecond) and
        extended attributes. Returns the file written."""
        return self._run(self._file_op("copy2", src, dst))

    def copytree(
        self,
        src: StrPath,
        dst: StrPath,
        symlinks: bool | None = None,
        ignore_dangling_symlinks: bool = False,
        dirs_exist_ok: bool | None = None,
        *,
        skip_unchanged: bool = False,
        mirror: bool = False,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        files: Sequence[str] | None = None,
    ) -> CopySummary:
        """``shutil.copytree`` in parallel (``thread_count`` threads). ``symlinks`` defaults to
        ``not follow_symlinks``. ``skip_unchanged`` skips files whose size and modification
        time already match; ``mirror`` removes what ``src`` does not have; ``include`` /
        ``exclude`` are globs (with a ``/``: matched against the relative path, else the
        name); ``files`` copies just these relative paths. Returns the summary."""
        return self._run(self._copytree_op(src, dst, symlinks, ignore_dangling_symlinks, dirs_exist_ok,
                                           skip_unchanged, mirror, include, exclude, files))

    def batch_copy(self, file_pairs: PathPairs) -> CopySummary:
        """:meth:`copy` for each ``(src, dst)`` pair, in parallel."""
        return self._run(self._batch_op("batch_copy", file_pairs))

    def batch_copy2(self, file_pairs: PathPairs) -> CopySummary:
        """:meth:`copy2` for each ``(src, dst)`` pair, in parallel."""
        return self._run(self._batch_op("batch_copy2", file_pairs))

    def batch_copytree(
        self,
        dir_pairs: PathPairs,
        symlinks: bool | None = None,
        ignore_dangling_symlinks: bool = False,
        dirs_exist_ok: bool | None = None,
    ) -> CopySummary:
        """:meth:`copytree` for each ``(src, dst)`` pair; one summary for all."""
        cfg = self.config
        options = _tree_options(cfg, symlinks, ignore_dangling_symlinks, dirs_exist_ok)
        pairs = _pairs(dir_pairs, "dir_pairs")
        return self._run(_Operation(cfg, "batch_copytree", (pairs, options), _summarize(cfg, "")))

    def delta_copy(self, src: StrPath, dst: StrPath, reference: StrPath) -> DeltaStats:
        """Makes ``dst`` byte-identical to ``src``, built from the blocks of ``reference``
        (an older version; may be ``dst`` itself) that ``src`` shares and the bytes it does
        not (the rsync algorithm). Returns how many bytes came from where."""
        return self._run(self._delta_op(src, dst, reference))

    def create_server(self, port: int = DEFAULT_PORT, thread_count: int | None = None, **options: Any) -> EACopyServer:
        """A copy server (see :func:`py_eacopy.create_server`: ``root``, ``token`` and the
        other options) serving with this engine's ``thread_count`` unless given."""
        return create_server(port, self.thread_count if thread_count is None else thread_count, **options)

    def copy_with_server(
        self,
        src: StrPath,
        dst: StrPath,
        server_addr: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        compression_level: int | None = None,
        *,
        token: str | None = None,
        download: bool = False,
        fallback_dst: StrPath | None = None,
        timeout: float = 60.0,
    ) -> CopySummary:
        """Copies through the copy server at ``server_addr:port``. Upload (default): the local
        ``src`` (a tree, or one file) into ``dst``, a directory relative to the server's root;
        the server skips what ``dst`` already holds, hard-links files it has written before
        and receives changed files as deltas. ``download=True``: ``src`` is the directory
        under the server's root, ``dst`` the local directory. ``compression_level``: 0
        self-balancing, -1 off, 1-22 fixed zstd (default: the config's). ``token``: the
        shared secret (default ``$EACOPY_TOKEN``). ``fallback_dst``: when no server answers an
        upload, copy there locally instead of raising :class:`CopyServerError`."""
        return self._run(self._server_op(src, dst, server_addr, port, compression_level, token, download,
                                         fallback_dst, timeout))

    # -- async ------------------------------------------------------------------------------

    async def async_copyfile(self, src: StrPath, dst: StrPath) -> str | bytes:
        return await self._arun(self._file_op("copyfile", src, dst))

    async def async_copy(self, src: StrPath, dst: StrPath) -> str | bytes:
        return await self._arun(self._file_op("copy", src, dst))

    async def async_copy2(self, src: StrPath, dst: StrPath) -> str | bytes:
        return await self._arun(self._file_op("copy2", src, dst))

    async def async_copytree(
        self,
        src: StrPath,
        dst: StrPath,
        symlinks: bool | None = None,
        ignore_dangling_symlinks: bool = False,
        dirs_exist_ok: bool | None = None,
        *,
        skip_unchanged: bool = False,
        mirror: bool = False,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        files: Sequence[str] | None = None,
    ) -> CopySummary:
        return await self._arun(self._copytree_op(src, dst, symlinks, ignore_dangling_symlinks, dirs_exist_ok,
                                                  skip_unchanged, mirror, include, exclude, files))

    async def async_batch_copy(self, file_pairs: PathPairs) -> CopySummary:
        return await self._arun(self._batch_op("batch_copy", file_pairs))

    async def async_batch_copy2(self, file_pairs: PathPairs) -> CopySummary:
        return await self._arun(self._batch_op("batch_copy2", file_pairs))

    async def async_delta_copy(self, src: StrPath, dst: StrPath, reference: StrPath) -> DeltaStats:
        return await self._arun(self._delta_op(src, dst, reference))

    async def async_copy_with_server(
        self,
        src: StrPath,
        dst: StrPath,
        server_addr: str = "127.0.0.1",
        port: int = DEFAULT_PORT,
        compression_level: int | None = None,
        *,
        token: str | None = None,
        download: bool = False,
        fallback_dst: StrPath | None = None,
        timeout: float = 60.0,
    ) -> CopySummary:
        return await self._arun(self._server_op(src, dst, server_addr, port, compression_level, token, download,
                                                fallback_dst, timeout))

    # -- plumbing: each operation is prepared once, then run blocking or awaited -----------

    def _file_op(self, name: str, src: StrPath, dst: StrPath) -> _Operation:
        written = _path(dst, "dst")
        # shutil answers in the caller's type: bytes for a bytes destination.
        as_given = os.fsencode if isinstance(os.fspath(dst), bytes) else str  # type: ignore[arg-type]
        return _Operation(self.config, name, (_path(src, "src"), written), as_given)

    def _batch_op(self, name: str, file_pairs: PathPairs) -> _Operation:
        cfg = self.config
        return _Operation(cfg, name, (_pairs(file_pairs, "file_pairs"),), _summarize(cfg, ""))

    def _copytree_op(
        self,
        src: StrPath,
        dst: StrPath,
        symlinks: bool | None,
        ignore_dangling_symlinks: bool,
        dirs_exist_ok: bool | None,
        skip_unchanged: bool,
        mirror: bool,
        include: Sequence[str],
        exclude: Sequence[str],
        files: Sequence[str] | None,
    ) -> _Operation:
        cfg = self.config
        dst_path = _path(dst, "dst")
        options = _tree_options(cfg, symlinks, ignore_dangling_symlinks, dirs_exist_ok, skip_unchanged, mirror,
                                include, exclude, files)
        return _Operation(cfg, "copytree", (_path(src, "src"), dst_path, options), _summarize(cfg, dst_path))

    def _delta_op(self, src: StrPath, dst: StrPath, reference: StrPath) -> _Operation:
        args = (_path(src, "src"), _path(dst, "dst"), _path(reference, "reference"))
        return _Operation(self.config, "delta_copy", args, DeltaStats.from_native)

    def _server_op(
        self,
        src: StrPath,
        dst: StrPath,
        server_addr: str,
        port: int,
        compression_level: int | None,
        token: str | None,
        download: bool,
        fallback_dst: StrPath | None,
        timeout: float,
    ) -> _Operation:
        cfg = self.config if compression_level is None else self.config.copy(compression_level=compression_level)
        if not 0 < port <= 65535:
            raise ValueError(f"port must be between 1 and 65535, not {port}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, not {timeout}")
        remote = _eacopy.RemoteOptions()
        remote.host = server_addr
        remote.port = port
        remote.secret = token_from(token, "copy_with_server")
        remote.timeout = timeout
        if fallback_dst is not None:
            if download:
                raise ValueError("fallback_dst applies to uploads only")
            remote.fallback_dst = _path(fallback_dst, "fallback_dst")
        local = _path(dst if download else src, "dst" if download else "src")
        remote_path = _remote_path(src if download else dst, "src" if download else "dst")
        args = (remote_path, local, remote) if download else (local, remote_path, remote)
        return _Operation(cfg, "download" if download else "upload", args,
                          _summarize(cfg, local if download else f"{server_addr}:{port}/{remote_path}"))

    @staticmethod
    def _run(op: _Operation) -> Any:
        return op.finish(getattr(_eacopy, op.name)(op.config.to_native(), *op.args))

    @staticmethod
    async def _arun(op: _Operation) -> Any:
        native = op.config.to_native()
        start = getattr(_eacopy, "start_" + op.name)
        return op.finish(await run_native(lambda on_done: start(native, *op.args, on_done)))


def _remote_path(path: StrPath, what: str) -> str:
    """A directory under the copy server's root, as the protocol names it ("" is the root)."""
    p = _path(path, what)
    return "" if p in (".", "./") else p


def _tree_options(
    cfg: Config,
    symlinks: bool | None,
    ignore_dangling_symlinks: bool,
    dirs_exist_ok: bool | None,
    skip_unchanged: bool = False,
    mirror: bool = False,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
    files: Sequence[str] | None = None,
) -> _eacopy.TreeCopyOptions:
    for name, value in (("include", include), ("exclude", exclude)):
        if isinstance(value, str):
            raise TypeError(f"{name} must be a sequence of glob patterns, not a single string")
    o = _eacopy.TreeCopyOptions()
    o.symlinks = (not cfg.follow_symlinks) if symlinks is None else bool(symlinks)
    o.ignore_dangling_symlinks = bool(ignore_dangling_symlinks)
    o.dirs_exist_ok = cfg.dirs_exist_ok if dirs_exist_ok is None else bool(dirs_exist_ok)
    o.skip_unchanged = bool(skip_unchanged)
    o.mirror = bool(mirror)
    o.include = list(include)
    o.exclude = list(exclude)
    o.files = None if files is None else [os.fspath(f) for f in files]
    return o


def _summarize(cfg: Config, destination: str) -> Callable[[Any], CopySummary]:
    """Turns the engine's summary into a CopySummary, logging failures at cfg's log level."""

    def finish(native: Any) -> CopySummary:
        summary = CopySummary.from_native(destination, native)
        if summary.failures and cfg.log_level >= LogLevel.ERROR:
            for f in summary.failures:
                logger.warning("could not copy %s: %s", f.path, f.message)
        if cfg.log_level >= LogLevel.INFO:
            logger.info("copied %d of %d files (%d skipped, %d failed) in %.2fs", summary.files_copied,
                        summary.files_total, summary.files_skipped, summary.files_failed, summary.seconds)
        return summary

    return finish
