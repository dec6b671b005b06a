"""History and blame as Apache Arrow tables, built in the native core and handed to pyarrow
through the Arrow C data interface (no copy, no Arrow library linked into the core). A fleet's
history this way holds a fraction of the memory of ``CommitRecord`` objects; ``to_pandas()``,
``pyarrow.parquet``, polars and DuckDB take the tables as they are. Columns: docs/columnar.md."""

from __future__ import annotations

import array
import itertools
import os
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from typing_extensions import Unpack

from . import _native, blame
from ._bridge import receive_all, run_native
from .blame import BlameProgress
from .exceptions import BlameError, InvalidArgumentError
from .history import HistoryFilters, PathLike, _repo_path, checked_batch_size, history_options, string_list

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["HistoryTables", "BlameTable", "history_tables", "yield_history_batches", "blame_table"]

DEFAULT_HISTORY_BATCH = 16_384  # commits
DEFAULT_BLAME_BATCH = 65_536  # lines


def require_pyarrow() -> Any:
    try:
        import pyarrow
    except ImportError:
        raise ImportError("Arrow tables need pyarrow: pip install 'GitFleet[arrow]'") from None
    return pyarrow


def string_array(values: Iterable[str]) -> pa.Array:
    """Python strings as an Arrow string array, made from its buffers: pyarrow's own conversion
    of Python values imports pandas first, a quarter of a second of a short command."""
    pa = require_pyarrow()
    encoded = [value.encode() for value in values]
    offsets = array.array("i", itertools.accumulate(map(len, encoded), initial=0))
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(encoded), buffers)


def positions(count: int) -> pa.Array:
    """0, 1, ... count - 1 as an Arrow int64 array (made from its buffer, as string_array)."""
    pa = require_pyarrow()
    return pa.Array.from_buffers(pa.int64(), count, [None, pa.py_buffer(array.array("q", range(count)))])


class HistoryTables(NamedTuple):
    """``commits``: one row per commit; ``file_changes``: one row per file of a commit (rows
    only with ``include_files=True``), joined to commits on ``sha``."""

    commits: pa.Table
    file_changes: pa.Table


class BlameTable(NamedTuple):
    """``lines``: one row per line of every file blamed; ``files``: one row per file blamed
    (``path``, ``lines``, ``binary``: a NUL in its first 8000 bytes, git's test), empty files
    too; ``failed``: the files that could not be blamed, each with its :class:`BlameError`
    (one bad file never fails the rest)."""

    lines: pa.Table
    files: pa.Table
    failed: dict[str | bytes, BlameError]


def checked_columns(columns: Sequence[str] | None) -> list[str]:
    """The commits table's columns asked for, in their order ([]: all of them)."""
    if columns is None:
        return []
    names = string_list(columns, "columns must be a list of column names (docs/columnar.md)")
    if not names:
        raise InvalidArgumentError("columns must name at least one column")
    twice = sorted({c for c in names if names.count(c) > 1})
    if twice:
        raise InvalidArgumentError(f"columns names {', '.join(map(repr, twice))} more than once")
    return names


async def yield_history_batches(
    repo_path: PathLike, batch_size: int = DEFAULT_HISTORY_BATCH, columns: Sequence[str] | None = None,
    **filters: Unpack[HistoryFilters]
) -> AsyncIterator[tuple[pa.RecordBatch, pa.RecordBatch]]:
    """(commits, file_changes) record batches of at most ``batch_size`` commits, in ``git log``
    order; the native side runs at most two batches ahead. ``columns``: only these columns of
    commits, in this order (the others are never built)."""
    pa = require_pyarrow()
    path = _repo_path(repo_path)
    names = checked_columns(columns)
    stream = _native.HistoryTableStream(path, history_options(**filters), checked_batch_size(batch_size), names)
    async for commits, file_changes in receive_all(stream):
        batch = pa.record_batch(commits)
        yield batch.select(names) if names else batch, pa.record_batch(file_changes)


async def history_tables(repo_path: PathLike, columns: Sequence[str] | None = None,
                         **filters: Unpack[HistoryFilters]) -> HistoryTables:
    pa = require_pyarrow()
    commits, file_changes = [], []
    async for c, f in yield_history_batches(repo_path, columns=columns, **filters):
        commits.append(c)
        file_changes.append(f)
    return HistoryTables(pa.Table.from_batches(commits), pa.Table.from_batches(file_changes))


async def blame_table(
    repo_path: PathLike,
    file_paths: Iterable[PathLike] | None,
    options: _native.BlameOptions,
    progress: Callable[[BlameProgress], object] | None = None,
    batch_size: int = DEFAULT_BLAME_BATCH,
) -> BlameTable:
    pa = require_pyarrow()
    path = _repo_path(repo_path)
    files = blame.checked_file_paths(file_paths)
    size = checked_batch_size(batch_size)
    on_progress = blame.progress_reporter(progress)
    batches, blamed, failures = await run_native(
        lambda done: _native.start_blame_table(path, files, options, size, done, on_progress))
    given = {os.fsencode(f): f for f in files or ()}
    failed = {given.get(os.fsencode(name), name): blame.file_error(name, error) for name, error in failures}
    return BlameTable(pa.Table.from_batches([pa.record_batch(b) for b in batches]),
                      pa.Table.from_batches([pa.record_batch(blamed)]), failed)
