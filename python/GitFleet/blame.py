"""Blame: argument checking and the glue to the native blame engine (git's algorithm)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterable
from typing import TypedDict

from . import _native
from ._bridge import run_native
from ._native import BlameLine
from .exceptions import BlameError, GitFleetError, GitObjectError, InvalidArgumentError
from .history import PathLike, _repo_path, checked_rev

__all__ = ["BlameLine", "BlameFilters", "bulk_blame", "stream_blame"]


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


def blame_options(
    *,
    rev: str = "HEAD",
    first_parent: bool = False,
    ignore_whitespace: bool = False,
    line_range: tuple[int, int] | None = None,
    ignore_revs: Iterable[str] = (),
    ignore_revs_file: PathLike | None = None,
) -> _native.BlameOptions:
    options = _native.BlameOptions()
    options.rev = checked_rev(rev)
    options.first_parent = bool(first_parent)
    options.ignore_whitespace = bool(ignore_whitespace)
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


async def bulk_blame(
    repo_path: PathLike, file_paths: Iterable[str] | None, options: _native.BlameOptions
) -> dict[str, list[BlameLine] | BlameError]:
    """file_paths=None: every file at options.rev, in one walk of the history per core."""
    path = _repo_path(repo_path)
    if isinstance(file_paths, (str, os.PathLike)):
        raise InvalidArgumentError("file_paths must be a list of paths, not a single path")
    files = None if file_paths is None else [os.fspath(p) for p in file_paths]
    outcomes = await run_native(lambda done: _native.start_bulk_blame(path, files, options, done))
    result: dict[str, list[BlameLine] | BlameError] = {}
    for file_path, lines, error in outcomes:
        if error is None:
            result[file_path] = lines
        else:
            # One bad file never fails the batch: its entry is the error, as a BlameError.
            cause = error if isinstance(error, GitFleetError) else None
            blame_error = BlameError(f"{file_path}: {error}")
            blame_error.__cause__ = cause
            result[file_path] = blame_error
    return result


async def stream_blame(
    repo_path: PathLike, file_path: str, batch_size: int, options: _native.BlameOptions
) -> AsyncIterator[list[BlameLine]]:
    path = _repo_path(repo_path)
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidArgumentError(f"batch_size must be a positive integer, got {batch_size!r}")
    stream = _native.BlameStream(path, os.fspath(file_path), options, batch_size)
    try:
        while True:
            try:
                batch = await run_native(stream.receive, stream.close)
            except (InvalidArgumentError, GitObjectError) as e:  # about this file, as bulk_blame reports it
                raise BlameError(f"{file_path}: {e}") from e
            if batch is None:
                return
            yield batch
    finally:
        stream.close()
