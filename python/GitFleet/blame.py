"""Blame: argument checking and the glue to the native blame engine (git's algorithm)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable, Iterable
from typing import NamedTuple, TypedDict

from . import _native
from ._bridge import receive_all, run_native
from ._native import BlameLine
from .exceptions import BlameError, GitFleetError, GitObjectError, InvalidArgumentError
from .history import (PathLike, _repo_path, checked_batch_size, checked_commits, checked_paths, checked_rev,
                      path_argument)

__all__ = ["BlameLine", "BlameFilters", "BlameProgress", "bulk_blame", "stream_blame", "find_files"]


class BlameProgress(NamedTuple):
    """How far a bulk blame has got: files whose every line is explained (or that failed) and
    lines explained, of all. ``lines_total`` grows while the files at ``rev`` are read, then
    stays; lines are the smoother measure (a file is done only once its oldest line is found)."""

    files_done: int
    files_total: int
    lines_done: int
    lines_total: int


def _ignore_revs_from_file(path: PathLike) -> list[str]:
    """git's --ignore-revs-file format: one full object name a line, '#' starts a comment."""
    revs = []
    try:
        text = open(path, encoding="utf-8").read()
    except OSError as e:
        raise InvalidArgumentError(f"cannot read ignore_revs_file {os.fspath(path)!r}: {e.strerror}") from None
    for number, line in enumerate(text.splitlines(), 1):
        name = line.split("#", 1)[0].strip()
        if not name:
            continue
        if len(name) not in (40, 64) or any(c not in "0123456789abcdefABCDEF" for c in name):
            raise InvalidArgumentError(f"{os.fspath(path)}:{number}: not a full object name: {name!r}")
        revs.append(name)
    return revs


class BlameFilters(TypedDict, total=False):
    """How to blame (all optional), as git blame's options."""

    rev: str  #: the revision to blame at (default "HEAD")
    first_parent: bool  #: --first-parent
    ignore_whitespace: bool  #: -w
    ignore_revs: Iterable[str]  #: --ignore-rev, each naming a commit
    ignore_revs_file: PathLike | None  #: --ignore-revs-file (full object names, '#' comments)
    mailmap: bool  #: authors and committers as the .mailmap names them, as git blame shows them (default True)
    exclude: str | Iterable[str]  #: git blame A..rev: lines from A's history stay with the commit they reach (boundary)
    exclude_commits: Iterable[str]  #: full SHAs: as exclude= of them, their ancestry not walked (HistoryFilters)


def blame_options(
    *,
    rev: str = "HEAD",
    first_parent: bool = False,
    ignore_whitespace: bool = False,
    line_range: tuple[int, int] | None = None,
    ignore_revs: Iterable[str] = (),
    ignore_revs_file: PathLike | None = None,
    mailmap: bool = True,
    exclude: str | Iterable[str] = (),
    exclude_commits: Iterable[str] = (),
) -> _native.BlameOptions:
    options = _native.BlameOptions()
    options.rev = checked_rev(rev)
    options.first_parent = bool(first_parent)
    options.ignore_whitespace = bool(ignore_whitespace)
    options.mailmap = bool(mailmap)
    options.exclude = [checked_rev(r) for r in ([exclude] if isinstance(exclude, str) else exclude)]
    options.exclude_commits = checked_commits(exclude_commits)
    if line_range is not None:
        try:
            first, last = (int(n) for n in line_range)
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"line_range must be (first, last), got {line_range!r}") from None
        if first < 1 or last < first:
            raise InvalidArgumentError(f"line_range must be 1 <= first <= last, got {line_range!r}")
        options.first_line, options.last_line = first, last
    if isinstance(ignore_revs, str):
        ignore_revs = [ignore_revs]
    revs = list(ignore_revs)
    if any(not isinstance(r, str) or not r for r in revs):
        raise InvalidArgumentError(f"ignore_revs must be revision names, got {revs!r}")
    if ignore_revs_file is not None:
        revs += _ignore_revs_from_file(ignore_revs_file)
    options.ignore_revs = revs
    return options


def checked_file_paths(file_paths: Iterable[PathLike] | None) -> list[str | bytes] | None:
    if isinstance(file_paths, (str, bytes, os.PathLike)):
        raise InvalidArgumentError("file_paths must be a list of paths, not a single path")
    return None if file_paths is None else checked_paths(file_paths, "file_paths")


def file_error(name: str, error: BaseException) -> BlameError:
    """One file of a bulk blame that failed: its entry is the error, as a BlameError (one bad
    file never fails the batch)."""
    blame_error = BlameError(f"{name}: {error}")
    blame_error.__cause__ = error if isinstance(error, GitFleetError) else None
    return blame_error


def progress_reporter(progress: Callable[[BlameProgress], object] | None) -> Callable[..., None] | None:
    """What the native side calls with a bulk blame's counts, from its threads: hands them to
    ``progress`` on the running event loop's thread."""
    if progress is None:
        return None
    if not callable(progress):
        raise InvalidArgumentError(f"progress must be callable, got {progress!r}")
    loop = asyncio.get_running_loop()

    def on_progress(*counts: int) -> None:
        try:
            loop.call_soon_threadsafe(progress, BlameProgress(*counts))
        except RuntimeError:  # the loop is closed: nobody is watching any more
            pass

    return on_progress


async def bulk_blame(
    repo_path: PathLike,
    file_paths: Iterable[PathLike] | None,
    options: _native.BlameOptions,
    progress: Callable[[BlameProgress], object] | None = None,
) -> dict[str | bytes, list[BlameLine] | BlameError]:
    """file_paths=None: every file at options.rev, in one walk of the history per core. The
    result is keyed by the paths as given (str or bytes), or by str names for every file.
    ``progress`` is called on the event loop's thread, a few times a second and once at the end."""
    path = _repo_path(repo_path)
    files = checked_file_paths(file_paths)
    on_progress = progress_reporter(progress)
    outcomes = await run_native(lambda done: _native.start_bulk_blame(path, files, options, done, on_progress))
    result: dict[str | bytes, list[BlameLine] | BlameError] = {}
    for i, (name, lines, error) in enumerate(outcomes):
        file_path = name if files is None else files[i]
        if error is None:
            result[file_path] = lines
        else:
            result[file_path] = file_error(name, error)
    return result


async def stream_blame(
    repo_path: PathLike, file_path: PathLike, batch_size: int, options: _native.BlameOptions
) -> AsyncIterator[list[BlameLine]]:
    path = _repo_path(repo_path)
    checked_batch_size(batch_size)
    batches = receive_all(_native.BlameStream(path, path_argument(file_path, "file_path"), options, batch_size))
    try:
        while True:
            try:
                batch = await anext(batches)
            except StopAsyncIteration:
                return
            except (InvalidArgumentError, GitObjectError) as e:  # about this file, as bulk_blame reports it
                raise BlameError(f"{os.fsdecode(file_path)}: {e}") from e
            yield batch
    finally:
        await batches.aclose()


async def find_files(repo_path: PathLike, patterns: PathLike | Iterable[PathLike], rev: str) -> list[str | bytes]:
    """The files at ``rev`` that git pathspecs select (``git ls-files -- <patterns>``), as str,
    or as bytes when ``repo_path`` is bytes (as os.listdir answers)."""
    path = _repo_path(repo_path)
    items = checked_paths(patterns, "pattern")
    names = await run_native(lambda done: _native.start_find_files(path, checked_rev(rev), items, done))
    return [os.fsencode(n) for n in names] if isinstance(path, bytes) else names
