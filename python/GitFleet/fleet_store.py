"""An embedded fleet store: a DuckDB file (no server) holding every analysed repository's
commits, file changes and line-by-line blame, and what was analysed when. Updates are
incremental: a repository whose HEAD moved forward gets only its new commits read and only the
files they touched blamed again; a rewritten history (force-push) is detected and read anew.
Each update is one transaction: a run killed midway leaves the previous state. Tables and
columns: docs/fleet_store.md."""

from __future__ import annotations

import asyncio
import collections
import contextlib
import datetime as dt
import itertools
import json
import os
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from . import _native
from .columnar import positions, require_pyarrow, string_array
from .exceptions import BlameError, GitFleetError, InvalidArgumentError, StoreError
from .history import PathLike

if TYPE_CHECKING:
    import duckdb

    from .analyses.repository import FileBlame
    from .blame import BlameProgress
    import pyarrow as pa

    from .columnar import BlameTable, HistoryTables
    from .repo_manager import RepoManager

__all__ = ["FleetStore", "KeptHistory", "RepositoryChanges", "RepositorySnapshot", "StoredChange", "StoredCommit",
           "StoredNames", "StoreUpdate", "read_repository", "read_update"]


# Columns as the Arrow tables give them (docs/columnar.md), each table keyed by `repo` first.
_SCHEMA = """
CREATE TABLE IF NOT EXISTS repositories (
    repo VARCHAR PRIMARY KEY, source VARCHAR, path VARCHAR, head VARCHAR, commits BIGINT,
    files BIGINT, lines BIGINT, analysed_at TIMESTAMPTZ, last_update VARCHAR);
CREATE TABLE IF NOT EXISTS commits (
    repo VARCHAR, sha VARCHAR, author_name VARCHAR, author_email VARCHAR, author_time TIMESTAMPTZ,
    author_offset SMALLINT, committer_name VARCHAR, committer_email VARCHAR, committer_time TIMESTAMPTZ,
    committer_offset SMALLINT, message VARCHAR, parents VARCHAR[], additions BIGINT, deletions BIGINT,
    files_changed BIGINT, is_merge BOOLEAN);
CREATE TABLE IF NOT EXISTS file_changes (
    repo VARCHAR, sha VARCHAR, path VARCHAR, old_path VARCHAR, change_type VARCHAR, additions BIGINT,
    deletions BIGINT, "binary" BOOLEAN);
CREATE TABLE IF NOT EXISTS blame_lines (
    repo VARCHAR, path VARCHAR, final_line_no BIGINT, commit_id VARCHAR, orig_path VARCHAR, orig_line_no BIGINT,
    author_name VARCHAR, author_email VARCHAR, author_time TIMESTAMPTZ, author_offset SMALLINT,
    committer_name VARCHAR, committer_email VARCHAR, committer_time TIMESTAMPTZ, committer_offset SMALLINT,
    summary VARCHAR, boundary BOOLEAN);
CREATE TABLE IF NOT EXISTS files (
    repo VARCHAR, path VARCHAR, lines BIGINT, "binary" BOOLEAN, error VARCHAR);
CREATE TABLE IF NOT EXISTS store_info (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS reports (
    repo VARCHAR PRIMARY KEY, head VARCHAR, options VARCHAR, written_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS kept_history (
    repo VARCHAR, options VARCHAR, head VARCHAR, walk VARCHAR, figures VARCHAR, PRIMARY KEY (repo, options));
"""
# Version 2: blame with identities as committed (the .mailmap applies when reading), and the
# files table. An older store's repositories are read anew at their next update.
_SCHEMA_VERSION = 2
_REPO_TABLES = ("commits", "file_changes", "blame_lines", "files")
# What a line carried over from the stored blame takes from it: all but where it is now.
_CARRIED = ("commit_id", "orig_path", "orig_line_no", "author_name", "author_email", "author_time", "author_offset",
            "committer_name", "committer_email", "committer_time", "committer_offset", "summary", "boundary")


class RepositorySnapshot(NamedTuple):
    """Everything the store keeps of one repository at one HEAD, as Arrow tables (picklable:
    a Dask worker reads it, the process owning the store writes it)."""

    repo: str
    source: str
    path: str
    head: str
    history: HistoryTables
    lines: pa.Table  # blame lines, without their text
    files: pa.Table  # every file at head: path, lines, binary, error (why it could not be blamed)


def _path_and_name(repo_path: PathLike, repo: str | None) -> tuple[str, str]:
    path = os.fsdecode(os.fspath(repo_path))
    return path, repo or os.path.basename(os.path.abspath(path).rstrip("/"))


async def _head_of(manager: RepoManager, path: str, rev: str = "HEAD") -> str:
    tip = await manager.commits_table(path, rev=rev, max_count=1, columns=["sha"])
    if tip.num_rows == 0:
        raise InvalidArgumentError(f"{path}: the repository has no commits")
    return str(tip.column("sha")[0].as_py())


def _file_rows(blamed: BlameTable, failed: dict[str | bytes, BlameError] | None = None) -> pa.Table:
    """The files table's rows for a blame: each file blamed, then each that failed with why."""
    pa = require_pyarrow()
    import pyarrow.compute as pc

    failed = {**blamed.failed, **(failed or {})}
    failed_paths = string_array(_utf8(p) for p in failed)
    ok = blamed.files.filter(pc.invert(pc.is_in(blamed.files.column("path"), failed_paths)))
    errors = pa.table({"path": failed_paths, "lines": pa.nulls(len(failed), pa.int64()),
                       "binary": pa.nulls(len(failed), pa.bool_()),
                       "error": string_array(map(str, failed.values()))})
    ok = ok.append_column("error", pa.nulls(ok.num_rows, pa.string()))
    return pa.concat_tables([ok.cast(errors.schema), errors])


def _whole_file_handovers(path: str, stored: str, recent: pa.Table) -> pa.Table:
    """(commit_id, orig_path) of the boundary lines of a blame over stored..head that reached
    another commit than the stored head (a side branch's fork point) where the stored head's
    own blame of that file hands the whole file to that commit: their stored blame is theirs
    (docs/fleet_store.md)."""
    pa = require_pyarrow()
    import pyarrow.compute as pc

    # With Arrow's kernels: most boundary lines reached the stored head, and a big file has many.
    reached_elsewhere = pc.not_equal(recent.column("commit_id"), string_array([stored])[0])
    elsewhere = recent.filter(pc.and_(recent.column("boundary"), reached_elsewhere))
    pairs = sorted(set(zip(*elsewhere.select(["commit_id", "orig_path"]).to_pydict().values())))
    handed = [pair for pair, whole in zip(pairs, _native.blame_hands_whole_file(path, stored, pairs)) if whole]
    return pa.table({"commit_id": string_array(c for c, _ in handed), "orig_path": string_array(p for _, p in handed)})


# The report's commits and file_changes rows of the stored commits in ``walk`` (docs/report.md):
# each column's expression and kind, then where they come from, in log's order.
_REPORT_TABLES = {
    "commits": (
        [("c.repo", "text"), ("c.sha", "text"), ("c.author_name", "text"), ("c.author_email", "text"),
         ("epoch(c.author_time)::BIGINT", "number"), ("epoch(c.committer_time)::BIGINT", "number"),
         ("c.additions", "number"), ("c.deletions", "number"), ("c.files_changed", "number"), ("c.is_merge", "bool"),
         ("split_part(c.message, chr(10), 1)", "text")],
        "FROM walk w JOIN commits c ON c.repo = $repo AND c.sha = w.sha ORDER BY w.pos"),
    "file_changes": (
        [("f.repo", "text"), ("f.sha", "text"), ("f.path", "text"), ("coalesce(f.old_path, '')", "text"),
         ("f.change_type", "text"), ("f.additions", "number"), ("f.deletions", "number"), ('f."binary"', "bool")],
        "FROM walk w JOIN file_changes f ON f.repo = $repo AND f.sha = w.sha ORDER BY w.pos, f.rowid"),
}


def _report_query(table: str, as_csv: bool = False) -> str:
    """The query of a report table's rows; ``as_csv``: each value as csv.writer writes it
    (True/False; an empty text unquoted, as DuckDB writes NULL and not as its "" for '')."""
    def shown(expression: str, kind: str) -> str:
        if as_csv and kind == "bool":
            return f"CASE {expression} WHEN true THEN 'True' WHEN false THEN 'False' END"
        return f"nullif({expression}, '')" if as_csv and kind == "text" else expression

    columns, source = _REPORT_TABLES[table]
    return f"SELECT {', '.join(shown(e, kind) for e, kind in columns)} {source}"


def _sql_type(values: list[Any]) -> str:
    """A column of a report table: its values' type; text when it has no value to say."""
    kinds = {type(v) for v in values if v is not None}
    if kinds == {bool}:
        return "BOOLEAN"
    if kinds == {int}:
        return "BIGINT"
    return "DOUBLE" if kinds and kinds <= {int, float} else "VARCHAR"


_NOT_UTF8 = dict.fromkeys(range(0xDC80, 0xDD00), "\ufffd")  # a byte os.fsdecode could not decode


def _utf8(path: str | bytes) -> str:
    """A path as the Arrow tables, and so the store, spell it: each byte that is not part of
    valid UTF-8 becomes U+FFFD (one per byte, as the core writes them)."""
    return os.fsdecode(path).translate(_NOT_UTF8)


async def read_repository(manager: RepoManager, repo_path: PathLike, repo: str | None = None,
                          source: str | None = None, *, head: str | None = None,
                          progress: Callable[[BlameProgress], object] | None = None) -> RepositorySnapshot:
    """A repository's whole history and the blame of every file at HEAD (or ``head``), people
    as committed (the .mailmap applies when the store is read)."""
    path, name = _path_and_name(repo_path, repo)
    head = head or await _head_of(manager, path)
    history = await manager.history_tables(path, rev=head, include_files=True)
    blamed = await manager.blame_table(path, rev=head, mailmap=False, progress=progress)
    return RepositorySnapshot(name, source or path, path, head, history, blamed.lines.drop(["line_content"]),
                              _file_rows(blamed))


async def _new_history(manager: RepoManager, path: str, head: str, stored: str,
                       known: Sequence[str] | None) -> HistoryTables | None:
    """The commits of ``head`` not in the history of ``stored`` (``known``, as stored: not
    walked again; None: walked), with their file changes; None when ``stored`` is not in the
    history of ``head`` (rewritten, or its objects gone). It is exactly when one of those
    commits has ``stored`` as a parent: the commit after it on any line of descent from
    ``head`` (one walk, where a separate ancestry check would be a second)."""
    left_out: dict[str, Any] = {"exclude": [stored]} if known is None else {"exclude_commits": known}
    try:
        history = await manager.history_tables(path, rev=head, include_files=True, **left_out)
    except GitFleetError:
        return None
    parents = history.commits.column("parents").to_pylist()
    return history if any(stored in p for p in parents) else None


async def _touched(manager: RepoManager, path: str, head: str,
                   history: HistoryTables) -> tuple[list[str], dict[str, str]]:
    """The paths the new commits touched (paths and rename sources), as the store spells them;
    and the repository's names at ``head`` by that spelling (a name that is not UTF-8 differs)."""
    changes = history.file_changes
    touched = set(changes.column("path").to_pylist()) | {p for p in changes.column("old_path").to_pylist() if p}
    present = {_utf8(p): os.fsdecode(p) for p in await manager.find_files(path, "*", rev=head)}
    return sorted(touched), present


class RepositoryChanges(NamedTuple):
    """What a repository gained since the store's ``stored`` head (:func:`read_update`, e.g. on
    a Dask worker): the new commits, and the blame in full of the files they touched (``touched``:
    their paths as stored, whose lines and file rows this replaces)."""

    repo: str
    source: str
    path: str
    head: str
    stored: str
    history: HistoryTables
    lines: pa.Table
    files: pa.Table
    touched: list[str]


async def read_update(manager: RepoManager, repo_path: PathLike, repo: str | None = None, source: str | None = None,
                      stored: str | None = None) -> RepositorySnapshot | RepositoryChanges | StoreUpdate:
    """What a store holding the repository at ``stored`` needs to reach its HEAD, read where
    the repository is: nothing (an "unchanged" StoreUpdate); the changes, when HEAD moved
    forward; else (nothing stored, history rewritten) the whole repository.
    :meth:`FleetStore.put_read` stores it."""
    path, name = _path_and_name(repo_path, repo)
    head = await _head_of(manager, path)
    if stored == head:
        return StoreUpdate(name, head, "unchanged", 0, 0)
    history = None if stored is None else await _new_history(manager, path, head, stored, None)
    if stored is None or history is None:
        return await read_repository(manager, path, name, source, head=head)
    touched, present = await _touched(manager, path, head, history)
    blamed = await manager.blame_table(path, [present[p] for p in touched if p in present], rev=head, mailmap=False)
    return RepositoryChanges(name, source or path, path, head, stored, history, blamed.lines.drop(["line_content"]),
                             _file_rows(blamed), touched)


class StoredChange(NamedTuple):
    """A file change as the store holds it (columns of ``file_changes``)."""

    path: str
    old_path: str | None
    change_type: str
    additions: int
    deletions: int
    binary: bool


class StoredCommit(NamedTuple):
    """A commit as the store holds it, with what the analyses read (times in seconds)."""

    sha: str
    author_name: str
    author_email: str
    author_timestamp: int
    committer_timestamp: int
    additions: int
    deletions: int
    files_changed: int
    is_merge: bool
    message: str
    files: list[StoredChange]


class StoredNames:
    """A repository's own names (str with surrogate escapes) for the spellings the store holds
    of names that are not UTF-8 (U+FFFD in place of each such byte). Only the names given (the
    files at the analysed commit) are known; a spelling two of them share stays as stored."""

    def __init__(self, names: Iterable[str]) -> None:
        spelled: dict[str, list[str]] = collections.defaultdict(list)
        for name in names:
            spelled[_utf8(name)].append(name)
        self._own = {stored: own[0] for stored, own in spelled.items() if len(own) == 1 and own[0] != stored}

    def __bool__(self) -> bool:
        return bool(self._own)

    def __call__(self, name: str) -> str:
        return self._own.get(name, name)

    def of_commits(self, commits: list[StoredCommit]) -> list[StoredCommit]:
        """The commits with their changes' paths re-spelled."""
        if not self._own:
            return commits
        return [c._replace(files=[f._replace(path=self(f.path), old_path=f.old_path and self(f.old_path))
                                  for f in c.files]) for c in commits]


class KeptHistory(NamedTuple):
    """An analysis' history figures as kept for ``repo`` (analyses/history_state.py): made at
    ``head`` from the commits whose order ``walk`` digests, with the options ``options``."""

    head: str
    walk: str
    figures: dict[str, Any]


class StoreUpdate(NamedTuple):
    """What an update did: ``mode`` "full" (first run, or history rewritten), "incremental"
    or "unchanged"; the commits read and the files blamed (again); for an incremental update,
    the new commits' SHAs and the head the store held before."""

    repo: str
    head: str
    mode: str
    commits_read: int
    files_blamed: int
    new_commits: tuple[str, ...] = ()
    previous: str | None = None


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise ImportError("the fleet store needs DuckDB: pip install 'GitFleet[store]'") from None
    return duckdb


class FleetStore:
    """``FleetStore("fleet.duckdb")``: opens (or creates) the store. One process writes a store
    file at a time: another process opening it waits up to ``lock_timeout`` seconds, then
    raises :class:`StoreError`. Within a process, updates are serialised."""

    def __init__(self, path: PathLike, *, read_only: bool = False, lock_timeout: float = 30.0) -> None:
        duckdb = _duckdb()
        self.path = os.fsdecode(os.fspath(path))
        deadline = time.monotonic() + lock_timeout
        while True:
            try:
                self._db: duckdb.DuckDBPyConnection = duckdb.connect(self.path, read_only=read_only)
                break
            except duckdb.IOException as e:
                if "lock" not in str(e).lower() or time.monotonic() >= deadline:
                    raise StoreError(f"cannot open the fleet store {self.path}: {e}") from None
                time.sleep(0.1)
            except duckdb.Error as e:
                raise StoreError(f"cannot open the fleet store {self.path}: {e}") from None
        if not read_only:
            try:
                self._migrate()
            except BaseException:
                self._db.close()
                raise
        self._writing = asyncio.Lock()

    def _migrate(self) -> None:
        """Creates the tables; a store from an older GitFleet keeps its rows, but its
        repositories are read anew at their next update (their stored head is forgotten)."""
        with self._transaction("the store's tables") as db:
            old = db.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = 'repositories'"
                             ).fetchone()[0]
            db.execute(_SCHEMA)
            version = db.execute("SELECT value FROM store_info WHERE key = 'schema_version'").fetchall()
            stored_version = int(version[0][0]) if version else (1 if old else _SCHEMA_VERSION)
            if stored_version < _SCHEMA_VERSION:
                db.execute("UPDATE repositories SET head = NULL")
            db.execute("INSERT OR REPLACE INTO store_info VALUES ('schema_version', ?)", [str(_SCHEMA_VERSION)])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> FleetStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, sql: str, parameters: list[Any] | None = None) -> pa.Table:
        """Runs SQL against the store; the result as an Arrow table."""
        duckdb = _duckdb()
        try:
            return self._db.sql(sql, params=parameters or None).to_arrow_table()
        except duckdb.Error as e:
            raise InvalidArgumentError(f"query failed: {e}") from None

    def stored_head(self, repo: str) -> str | None:
        rows = self._db.execute("SELECT head FROM repositories WHERE repo = ?", [repo]).fetchall()
        return rows[0][0] if rows else None

    async def update(self, manager: RepoManager, repo_path: PathLike, repo: str | None = None,
                     source: str | None = None, *, rev: str = "HEAD",
                     progress: Callable[[BlameProgress], object] | None = None) -> StoreUpdate:
        """Brings the store's copy of ``repo`` (default: the folder's name) up to the local
        repository's ``rev``: only new commits when it moved forward, everything when the
        stored head is no longer in its history. ``progress``: the blame's, as it goes."""
        path, name = _path_and_name(repo_path, repo)
        async with self._writing:
            head = await _head_of(manager, path, rev)
            stored = self.stored_head(name)
            if stored == head:
                return StoreUpdate(name, head, "unchanged", 0, 0)
            if stored is not None:
                # The stored head's history, as stored: new commits and their blame stop at it
                # without walking it in the repository again.
                known = await asyncio.to_thread(self._stored_commits, name)
                if (history := await _new_history(manager, path, head, stored, known)) is not None:
                    return await self._incremental(manager, path, name, source, head, stored, known, history,
                                                   progress)
            return await self._full(manager, path, name, source, head, progress)

    async def commits_in_order(self, repo: str, shas: Sequence[str] | pa.Array | pa.ChunkedArray,
                               batch_size: int = 1000) -> AsyncIterator[list[StoredCommit]]:
        """The stored commits of ``repo`` named by ``shas``, in that order (a walk's), each with
        its file changes as stored, in batches read as they are consumed."""
        db = self._db.cursor()
        try:
            self._walk(db, shas)
            reader = db.sql("""
                WITH changes AS (
                    SELECT sha, list(struct_pack(path, old_path, change_type, additions, deletions, "binary")
                                     ORDER BY rowid) AS files
                    FROM file_changes WHERE repo = $repo GROUP BY sha)
                SELECT c.sha, c.author_name, c.author_email, epoch(c.author_time)::BIGINT,
                       epoch(c.committer_time)::BIGINT, c.additions, c.deletions, c.files_changed, c.is_merge,
                       c.message, coalesce(f.files, [])
                FROM walk w JOIN commits c ON c.repo = $repo AND c.sha = w.sha
                LEFT JOIN changes f ON f.sha = c.sha
                ORDER BY w.pos""", params={"repo": repo}).to_arrow_reader(batch_size)

            def next_batch() -> pa.RecordBatch | None:
                try:
                    return reader.read_next_batch()
                except StopIteration:
                    return None

            while (batch := await asyncio.to_thread(next_batch)) is not None:
                # Column by column (a struct per change would make a dict of each first).
                files = batch.column(batch.num_columns - 1)
                changes = list(map(StoredChange._make, zip(*(f.to_pylist() for f in files.flatten().flatten()))))
                ends = itertools.accumulate(files.value_lengths().to_pylist(), initial=0)
                spans = itertools.pairwise(ends)
                yield [StoredCommit(*row, changes[begin:end]) for row, (begin, end)
                       in zip(zip(*(column.to_pylist() for column in batch.columns[:-1])), spans)]
        finally:
            db.close()

    def _walk(self, db: duckdb.DuckDBPyConnection, shas: Sequence[str] | pa.Array | pa.ChunkedArray) -> None:
        """Registers ``walk`` (sha, pos): the commits named, in that order."""
        pa = require_pyarrow()
        if not isinstance(shas, (pa.Array, pa.ChunkedArray)):
            shas = string_array(shas)
        db.register("walk", pa.table({"sha": shas, "pos": positions(len(shas))}))

    async def report_rows(self, repo: str, shas: pa.Array | pa.ChunkedArray, table: str,
                          batch_size: int = 10_000) -> AsyncIterator[list[tuple]]:
        """The rows of the report's ``commits`` or ``file_changes`` table (``table``;
        docs/report.md) for the stored commits named by ``shas``, in that order, in batches
        read as they are consumed."""
        db = self._db.cursor()
        try:
            self._walk(db, shas)
            db.execute(_report_query(table), {"repo": repo})
            while rows := await asyncio.to_thread(db.fetchmany, batch_size):
                yield rows
        finally:
            db.close()

    def report_csv(self, repo: str, shas: pa.Array | pa.ChunkedArray, table: str, path: str) -> int:
        """The rows :meth:`report_rows` gives, written to the file ``path`` as CSV without a
        header, byte for byte as Python's ``csv.writer`` writes them (by DuckDB: five times
        as fast); returns how many."""
        db = self._db.cursor()
        try:
            self._walk(db, shas)
            return db.execute(f"""COPY ({_report_query(table, as_csv=True)}) TO '{path.replace("'", "''")}'
                                  (HEADER false, NULLSTR '', NEW_LINE '\r\n', COMMENT '')""",
                              {"repo": repo}).fetchall()[0][0]
        finally:
            db.close()

    def renames_in_order(self, repo: str, shas: Sequence[str] | pa.Array | pa.ChunkedArray
                         ) -> list[tuple[str, str, str]]:
        """The renames in these stored commits, in their order (each commit's as stored):
        (sha, path, old_path)."""
        if not len(shas):
            return []
        db = self._db.cursor()
        try:
            self._walk(db, shas)
            return db.execute("""SELECT f.sha, f.path, f.old_path FROM walk w
                                 JOIN file_changes f ON f.repo = ? AND f.sha = w.sha
                                 WHERE f.change_type = 'R' ORDER BY w.pos, f.rowid""", [repo]).fetchall()
        finally:
            db.close()

    def _stored_commits(self, repo: str) -> list[str]:
        db = self._db.cursor()
        try:
            return [row[0] for row in db.execute("SELECT sha FROM commits WHERE repo = ?", [repo]).fetchall()]
        finally:
            db.close()

    def kept_history(self, repo: str, options: str) -> KeptHistory | None:
        """The history figures kept for ``repo`` made with ``options``, if any."""
        db = self._db.cursor()
        try:
            rows = db.execute("SELECT head, walk, figures FROM kept_history WHERE repo = ? AND options = ?",
                              [repo, options]).fetchall()
        finally:
            db.close()
        return KeptHistory(rows[0][0], rows[0][1], json.loads(rows[0][2])) if rows else None

    def keep_history(self, repo: str, options: str, kept: KeptHistory) -> None:
        """Keeps ``repo``'s history figures made with ``options``, in place of those kept with
        the same options and of any made at another head (they can no longer be taken up)."""
        with self._transaction(f"the history figures of {repo}") as db:
            db.execute("DELETE FROM kept_history WHERE repo = ? AND (options = ? OR head <> ?)",
                       [repo, options, kept.head])
            db.execute("INSERT INTO kept_history VALUES (?, ?, ?, ?, ?)",
                       [repo, options, kept.head, kept.walk, json.dumps(kept.figures)])

    async def file_blames(self, repo: str) -> dict[str, FileBlame | BlameError]:
        """The stored blame of every file of ``repo`` at its stored head, as the analyses read
        it: per file, binary or not, and its lines' author times per identity as committed;
        or, for a file that could not be blamed, why."""
        from .analyses.repository import FileBlame

        def read() -> dict[str, FileBlame | BlameError]:
            db = self._db.cursor()
            try:
                files = db.execute('SELECT path, "binary", error FROM files WHERE repo = ?', [repo]).fetchall()
                times: dict[str, dict[tuple[str, str], list[int]]] = {path: {} for path, _, _ in files}
                for path, name, email, when in db.execute("""
                        SELECT path, author_name, author_email, list(epoch(author_time)::BIGINT)
                        FROM blame_lines WHERE repo = ? GROUP BY ALL
                        ORDER BY path, min(final_line_no)""", [repo]).fetchall():
                    times[path][(name, email)] = when
            finally:
                db.close()
            return {path: BlameError(error) if error is not None else FileBlame(binary, times[path])
                    for path, binary, error in files}

        return await asyncio.to_thread(read)

    def put_report(self, repo: str, tables: dict[str, tuple[Sequence[str], list[tuple]]], head: str,
                   options: dict[str, Any]) -> None:
        """The report's tables of one repository (name -> (columns, rows), as ``gitfleet
        analyze`` makes them; docs/report.md) as ``report_<name>``, in place of what the store
        held for it, and in ``reports`` the commit analysed and the analysis' ``options``
        (JSON): one transaction. A table is created with the types of its first rows.
        The rows reach DuckDB as one list per column (pyarrow's conversion would import pandas)."""
        with self._transaction(f"the report of {repo}") as db:
            db.execute("INSERT OR REPLACE INTO reports VALUES (?, ?, ?, ?)",
                       [repo, head, json.dumps(options, sort_keys=True), dt.datetime.now(dt.timezone.utc)])
            for name, (columns, rows) in tables.items():
                values = {f"c{i}": [row[i] for row in rows] for i in range(len(columns))}
                new_rows = "SELECT " + ", ".join(f'unnest(${key}::{_sql_type(column)}[]) AS "{label}"'
                                                 for (key, column), label in zip(values.items(), columns))
                db.execute(f"CREATE TABLE IF NOT EXISTS report_{name} AS {new_rows} WHERE false", values)
                db.execute(f"DELETE FROM report_{name} WHERE repo = ?", [repo])
                db.execute(f"INSERT INTO report_{name} BY NAME {new_rows}", values)

    @contextlib.contextmanager
    def _transaction(self, what: str) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor in one transaction: committed whole, or rolled back on any failure (a
        DuckDB one becomes StoreError naming ``what``)."""
        duckdb = _duckdb()
        db = self._db.cursor()
        db.execute("BEGIN TRANSACTION")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException as e:
            db.execute("ROLLBACK")
            if isinstance(e, duckdb.Error):
                raise StoreError(f"could not store {what} (the store keeps its previous state): {e}") from e
            raise
        finally:
            db.close()

    async def _full(self, manager: RepoManager, path: str, name: str, source: str | None, head: str,
                    progress: Callable[[BlameProgress], object] | None) -> StoreUpdate:
        snapshot = await read_repository(manager, path, name, source, head=head, progress=progress)
        return await asyncio.to_thread(self.put, snapshot)

    def put(self, snapshot: RepositorySnapshot) -> StoreUpdate:
        """Stores a repository read elsewhere (:func:`read_repository`, e.g. on a Dask
        worker) in place of what the store held for it: one transaction."""
        self._write(snapshot.repo, snapshot.source, snapshot.path, snapshot.head, "full", snapshot.history,
                    snapshot.lines, snapshot.files, None)
        return StoreUpdate(snapshot.repo, snapshot.head, "full", snapshot.history.commits.num_rows,
                           snapshot.files.num_rows)

    def put_read(self, read: RepositorySnapshot | RepositoryChanges | StoreUpdate) -> StoreUpdate:
        """Stores what :func:`read_update` read elsewhere: one transaction. Changes are
        refused (StoreError) unless the store still holds the head they were read from."""
        if isinstance(read, StoreUpdate):
            return read
        if isinstance(read, RepositorySnapshot):
            return self.put(read)
        if self.stored_head(read.repo) != read.stored:
            raise StoreError(f"{read.repo} changed in the store while its changes were read: read it again")
        self._write(read.repo, read.source, read.path, read.head, "incremental", read.history, read.lines, read.files,
                    read.touched)
        return StoreUpdate(read.repo, read.head, "incremental", read.history.commits.num_rows, read.files.num_rows,
                           tuple(read.history.commits.column("sha").to_pylist()), read.stored)

    async def _incremental(self, manager: RepoManager, path: str, name: str, source: str | None, head: str,
                           stored: str, known: list[str], history: HistoryTables,
                           progress: Callable[[BlameProgress], object] | None) -> StoreUpdate:
        touched, present = await _touched(manager, path, head, history)
        reblame = [present[p] for p in touched if p in present]
        # Blamed over the new commits only (git blame stored..head): a line that reaches the
        # stored HEAD unchanged keeps the blame stored for it there.
        recent = await manager.blame_table(path, reblame, rev=head, exclude_commits=known, mailmap=False,
                                           progress=progress)
        handed = await asyncio.to_thread(_whole_file_handovers, path, stored, recent.lines)
        lines, unresolved = await asyncio.to_thread(self._carry_over, name, stored, recent.lines, handed)
        files = _file_rows(recent)
        if unresolved:
            pa = require_pyarrow()  # lines that reached older history another way: blamed in full
            again = await manager.blame_table(path, [present[p] for p in unresolved], rev=head, mailmap=False)
            lines = pa.concat_tables([lines, again.lines.drop(["line_content"]).cast(lines.schema)])
            files = _file_rows(recent, again.failed)
        await asyncio.to_thread(self._write, name, source, path, head, "incremental", history, lines, files,
                                touched)
        return StoreUpdate(name, head, "incremental", history.commits.num_rows, len(reblame),
                           tuple(history.commits.column("sha").to_pylist()), stored)

    def _carry_over(self, name: str, stored: str, recent: pa.Table, handed: pa.Table) -> tuple[pa.Table, list[str]]:
        """The lines of a blame over stored..head with those that reached the stored HEAD, or
        a commit to which the stored HEAD's blame hands the whole file (``handed``: commit_id,
        orig_path), replaced by their stored blame; and the files with lines that reached the
        old history some other way (through a side branch that forked earlier and a file
        changed since), or with no stored line to take: these need a full blame."""
        db = self._db.cursor()
        try:
            db.register("recent", recent.drop(["line_content"]))
            db.register("handed", handed)
            # Each recent line (``reached``: a boundary line at a stored commit; worked out once, not
            # per column) beside the stored line it came from at the stored HEAD, if any.
            beside_stored = """(SELECT *, boundary AND commit_id IN (SELECT sha FROM commits WHERE repo = $repo)
                                   AS reached FROM recent) r
                  LEFT JOIN blame_lines s
                  ON s.repo = $repo AND s.path = r.orig_path AND s.final_line_no = r.orig_line_no
                  LEFT JOIN handed h ON h.commit_id = r.commit_id AND h.orig_path = r.orig_path"""
            unresolved = [row[0] for row in db.execute(f"""
                SELECT DISTINCT r.path FROM {beside_stored}
                WHERE r.reached AND ((r.commit_id <> $stored AND h.commit_id IS NULL) OR s.commit_id IS NULL)""",
                {"repo": name, "stored": stored}).fetchall()]
            carried = db.sql(f"""
                SELECT r.path, r.final_line_no,
                       {", ".join(f"CASE WHEN r.reached THEN s.{c} ELSE r.{c} END AS {c}" for c in _CARRIED)}
                FROM {beside_stored}
                WHERE r.path NOT IN (SELECT unnest($unresolved::VARCHAR[]))
                ORDER BY r.path, r.final_line_no""",
                params={"repo": name, "unresolved": unresolved}).to_arrow_table()
            return carried, unresolved
        finally:
            db.close()

    def _write(self, name: str, source: str | None, path: str, head: str, mode: str, history: HistoryTables,
               lines: pa.Table, files: pa.Table, touched: list[str] | None) -> None:
        """One transaction: either all of it is in the store, or none. ``lines`` come without
        their text (as blame_lines holds them); ``touched``: the paths whose lines and file
        rows are replaced (None: everything of the repository)."""
        with self._transaction(name) as db:
            if touched is None:
                for table in _REPO_TABLES:
                    db.execute(f"DELETE FROM {table} WHERE repo = ?", [name])
            else:
                for table in ("blame_lines", "files"):
                    db.execute(f"DELETE FROM {table} WHERE repo = ? AND list_contains(?, path)", [name, touched])
            db.register("new_commits", history.commits)
            db.register("new_files", history.file_changes)
            db.register("new_lines", lines)
            db.register("new_blamed", files)
            db.execute("INSERT INTO commits SELECT ? AS repo, * EXCLUDE (repo_name) FROM new_commits", [name])
            db.execute("INSERT INTO file_changes SELECT ? AS repo, * FROM new_files", [name])
            db.execute("INSERT INTO blame_lines SELECT ? AS repo, * FROM new_lines", [name])
            db.execute("INSERT INTO files SELECT ? AS repo, * FROM new_blamed", [name])
            db.execute("""
                INSERT OR REPLACE INTO repositories
                SELECT ?, ?, ?, ?, (SELECT count(*) FROM commits WHERE repo = ?),
                       (SELECT count(*) FROM files WHERE repo = ? AND error IS NULL),
                       (SELECT count(*) FROM blame_lines WHERE repo = ?), ?, ?""",
                       [name, source or path, path, head, name, name, name, dt.datetime.now(dt.timezone.utc), mode])
