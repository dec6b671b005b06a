"""Commit history: argument checking and conversion for ``RepoManager.extract_commits`` and
``RepoManager.yield_commits``. The walk and the diffs run in the native core."""

from __future__ import annotations

import datetime as _dt
import math
import os
from collections.abc import AsyncIterator, Iterable
from typing import TypedDict, Union

from fleet_shared.paths import StrPath, checked_path
from typing_extensions import Unpack

from . import _native
from ._bridge import receive_all, run_native
from ._native import CommitRecord, FileChange
from .exceptions import InvalidArgumentError

__all__ = ["CommitRecord", "FileChange", "DateLike", "HistoryFilters", "extract_commits", "yield_commits"]

DateLike = Union[_dt.datetime, _dt.date, str, int, float]
PathLike = StrPath


def _timestamp(value: DateLike, name: str, *, round_up: bool) -> int:
    """Seconds since the epoch. Naive datetimes, dates and ISO strings without an offset are
    local time, as ``git log --since`` reads them."""
    if isinstance(value, bool):
        raise InvalidArgumentError(f"{name} must be a datetime, date, ISO 8601 string or timestamp, not bool")
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            value = _dt.datetime.fromisoformat(text)
        except ValueError:
            raise InvalidArgumentError(f"{name} is not an ISO 8601 date or datetime: {value!r}") from None
    if isinstance(value, _dt.datetime):
        seconds = value.timestamp()
    elif isinstance(value, _dt.date):
        seconds = _dt.datetime.combine(value, _dt.time()).timestamp()
    elif isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise InvalidArgumentError(f"{name} must be finite, got {value!r}")
        seconds = value
    else:
        raise InvalidArgumentError(
            f"{name} must be a datetime, date, ISO 8601 string or timestamp, not {type(value).__name__}"
        )
    # Commit times are whole seconds: since is inclusive from the next whole second, until up to
    # the previous one.
    return math.ceil(seconds) if round_up else math.floor(seconds)


def path_argument(value: object, name: str) -> str | bytes:
    """A path argument (str, bytes or os.PathLike) checked, or InvalidArgumentError naming it."""
    return checked_path(value, name, type_error=InvalidArgumentError, value_error=InvalidArgumentError)


def _repo_path(repo_path: PathLike) -> str | bytes:
    return path_argument(repo_path, "repo_path")


def checked_paths(value: PathLike | Iterable[PathLike], name: str) -> list[str | bytes]:
    """One path or several, each a str, bytes or os.PathLike naming a path inside the repository."""
    items = [value] if isinstance(value, (str, bytes, os.PathLike)) else list(value)
    return [path_argument(p, name) for p in items]


def checked_rev(rev: object) -> str:
    if not isinstance(rev, str) or not rev:
        raise InvalidArgumentError(f"rev must be a non-empty string, got {rev!r}")
    return rev


def string_list(value: object, error: str) -> list[str]:
    """The strings of any iterable of them (a bare string is not one); else InvalidArgumentError(error)."""
    try:
        listed = None if isinstance(value, (str, bytes)) else list(value)  # type: ignore[call-overload]
    except TypeError:
        listed = None
    if listed is None or not all(isinstance(s, str) for s in listed):
        raise InvalidArgumentError(error)
    return listed


def checked_commits(shas: object) -> list[str]:
    """exclude_commits: full SHAs, a list (the native side says which is not one)."""
    return string_list(shas, "exclude_commits must be a list of full commit SHAs")


def checked_batch_size(batch_size: object) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise InvalidArgumentError(f"batch_size must be a positive integer, got {batch_size!r}")
    return batch_size


def _non_negative_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidArgumentError(f"{name} must be a non-negative integer, got {value!r}")
    return value


class HistoryFilters(TypedDict, total=False):
    """Which commits, and what to compute for them (all optional)."""

    rev: str  #: where the walk starts (default "HEAD"); one commit, not a range
    max_count: int | None  #: stop after this many commits (git log -n)
    since: DateLike | None  #: committer date >= since; older history is not walked
    until: DateLike | None  #: committer date <= until
    paths: PathLike | Iterable[PathLike] | None  #: limit to these files/directories/globs (git log -- paths)
    exclude: str | Iterable[str] | None  #: leave out these commits and their ancestors (git log ^rev, old..rev)
    #: full SHAs left out as given, their ancestry not walked: for a set holding every ancestor of
    #: each (a history stored at an earlier HEAD), exclude= of them without its walk
    exclude_commits: Iterable[str]
    first_parent: bool  #: follow only first parents
    include_files: bool  #: add per-file FileChange records
    detect_renames: bool  #: git's default rename detection (default True)
    line_counts: bool  #: False: no diffs, only the commits and their order (counts stay 0)
    threads: int | None  #: at most this many commits diffed at once (1: one thread); default: every core


def history_options(
    *,
    rev: str = "HEAD",
    max_count: int | None = None,
    since: DateLike | None = None,
    until: DateLike | None = None,
    paths: PathLike | Iterable[PathLike] | None = None,
    exclude: str | Iterable[str] | None = None,
    exclude_commits: Iterable[str] = (),
    first_parent: bool = False,
    include_files: bool = False,
    detect_renames: bool = True,
    line_counts: bool = True,
    threads: int | None = None,
) -> _native.HistoryOptions:
    options = _native.HistoryOptions()
    options.rev = checked_rev(rev)
    if max_count is not None:
        options.max_count = _non_negative_int(max_count, "max_count")
    if since is not None:
        options.since = _timestamp(since, "since", round_up=True)
    if until is not None:
        options.until = _timestamp(until, "until", round_up=False)
    if since is not None and until is not None and options.since > options.until:
        raise InvalidArgumentError(f"since ({since!r}) is later than until ({until!r})")
    if paths is not None:
        options.paths = checked_paths(paths, "paths")
    if exclude is not None:
        options.exclude = [checked_rev(r) for r in ([exclude] if isinstance(exclude, str) else exclude)]
    options.exclude_commits = checked_commits(exclude_commits)
    options.first_parent = bool(first_parent)
    options.include_files = bool(include_files)
    options.detect_renames = bool(detect_renames)
    if include_files and not line_counts:
        raise InvalidArgumentError("include_files needs line_counts")
    options.line_counts = bool(line_counts)
    if threads is not None:
        options.threads = _non_negative_int(threads, "threads")
    return options


async def extract_commits(repo_path: PathLike, **filters: Unpack[HistoryFilters]) -> list[CommitRecord]:
    path = _repo_path(repo_path)
    options = history_options(**filters)
    return await run_native(lambda done: _native.start_extract_commits(path, options, done))


async def yield_commits(
    repo_path: PathLike, batch_size: int = 100, **filters: Unpack[HistoryFilters]
) -> AsyncIterator[list[CommitRecord]]:
    path = _repo_path(repo_path)
    checked_batch_size(batch_size)
    async for batch in receive_all(_native.CommitStream(path, history_options(**filters), batch_size)):
        yield batch
