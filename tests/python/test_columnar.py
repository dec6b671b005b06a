"""History and blame as Arrow tables: equal to the object results row for row, valid Arrow
(full validation), batched as asked, and names that are not UTF-8 made valid UTF-8."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import sys
from pathlib import Path

import pyarrow as pa
import pytest
from conftest import build_random_repo
from gitrepo import GitRepo

import GitFleet
from GitFleet import InvalidArgumentError, RepoManager
from GitFleet.analyses import is_binary

UTC = dt.timezone.utc


def commit_rows(commits: list[GitFleet.CommitRecord]) -> list[dict]:
    return [{
        "repo_name": c.repo_name, "sha": c.sha, "author_name": c.author_name, "author_email": c.author_email,
        "author_time": dt.datetime.fromtimestamp(c.author_timestamp, UTC), "author_offset": c.author_offset,
        "committer_name": c.committer_name, "committer_email": c.committer_email,
        "committer_time": dt.datetime.fromtimestamp(c.committer_timestamp, UTC), "committer_offset": c.committer_offset,
        "message": c.message, "parents": list(c.parents), "additions": c.additions, "deletions": c.deletions,
        "files_changed": c.files_changed, "is_merge": c.is_merge} for c in commits]


def file_rows(commits: list[GitFleet.CommitRecord]) -> list[dict]:
    return [{"sha": c.sha, "path": f.path, "old_path": f.old_path, "change_type": f.change_type,
             "additions": f.additions, "deletions": f.deletions, "binary": f.binary}
            for c in commits for f in c.files]


def minutes(tz: str) -> int:
    """git's "+0130" as minutes east of UTC."""
    return (-1 if tz[0] == "-" else 1) * (int(tz[1:3]) * 60 + int(tz[3:5]))


def validated(table: pa.Table) -> pa.Table:
    table.validate(full=True)
    return table


@pytest.mark.parametrize("seed", [11, 12])
async def test_history_tables_equal_the_commit_records(tmp_path: Path, seed: int, rich_repo: GitRepo) -> None:
    manager = RepoManager()
    for repo in (build_random_repo(tmp_path / "r", seed).path, rich_repo.path):
        objects = await manager.extract_commits(repo, include_files=True)
        tables = await manager.history_tables(repo, include_files=True)
        assert validated(tables.commits).to_pylist() == commit_rows(objects)
        assert validated(tables.file_changes).to_pylist() == file_rows(objects)
        assert any(c.files for c in objects) and any(c.is_merge for c in objects)


async def test_schema_names_times_and_offsets(rich_repo: GitRepo) -> None:
    commits = await RepoManager().commits_table(rich_repo.path, include_files=True)
    assert commits.schema.field("author_time").type == pa.timestamp("s", tz="UTC")
    assert commits.schema.field("author_offset").type == pa.int16()
    assert commits.schema.field("parents").type == pa.list_(pa.field("item", pa.string(), nullable=False))
    assert not any(f.nullable for f in commits.schema)
    frame = commits.to_pandas()
    assert str(frame["committer_time"].dtype) == "datetime64[s, UTC]"
    assert len(frame) == len(await RepoManager().extract_commits(rich_repo.path))


async def test_repeated_strings_are_held_once_per_batch(rich_repo: GitRepo) -> None:
    manager = RepoManager()
    tables = await manager.history_tables(rich_repo.path, include_files=True)
    dictionary = pa.dictionary(pa.int32(), pa.string())
    for table, names in ((tables.commits, ["repo_name", "author_name", "author_email", "committer_name",
                                           "committer_email"]),
                         (tables.file_changes, ["sha", "path", "old_path", "change_type"])):
        for name in names:
            assert table.schema.field(name).type == dictionary, name
            column = table.column(name).combine_chunks()
            assert len(column.dictionary) == len(set(column.dictionary.to_pylist())), name  # each value once
    assert tables.commits.schema.field("sha").type == pa.string()  # unique per row: plain
    shas = tables.file_changes.column("sha").combine_chunks()
    assert len(shas.dictionary) < len(shas)
    assert str(tables.file_changes.to_pandas()["path"].dtype) == "category"
    decoded = tables.file_changes.column("path").cast(pa.string()).to_pylist()
    assert decoded == [f.path for c in await manager.extract_commits(rich_repo.path, include_files=True)
                       for f in c.files]
    blamed = await manager.blame_table(rich_repo.path)
    for name in ("path", "commit_id", "orig_path", "author_name", "summary"):
        assert blamed.lines.schema.field(name).type == dictionary, name
    assert blamed.lines.schema.field("line_content").type == pa.string()


async def test_batches_are_bounded_and_stop_early(tmp_path: Path) -> None:
    repo = build_random_repo(tmp_path / "r", 5, commits=40).path
    manager = RepoManager()
    n = len(await manager.extract_commits(repo))
    batches = [b async for b in manager.yield_history_batches(repo, 7, include_files=True)]
    assert [c.num_rows for c, _ in batches] == [7] * (n // 7) + ([n % 7] if n % 7 else [])
    assert pa.Table.from_batches([c for c, _ in batches]).equals((await manager.history_tables(repo)).commits)
    async for commits, _ in manager.yield_history_batches(repo, 3):
        assert commits.num_rows == 3
        break  # leaving early stops the native stream: no hang, no error
    with pytest.raises(InvalidArgumentError, match="batch_size"):
        async for _ in manager.yield_history_batches(repo, 0):
            pass


async def test_no_commits_is_an_empty_table_with_its_columns(rich_repo: GitRepo) -> None:
    tables = await RepoManager().history_tables(rich_repo.path, max_count=0, include_files=True)
    assert tables.commits.num_rows == 0 and tables.file_changes.num_rows == 0
    assert tables.commits.column_names[:2] == ["repo_name", "sha"]
    assert tables.file_changes.column_names == ["sha", "path", "old_path", "change_type", "additions", "deletions",
                                                "binary"]


async def test_only_the_columns_asked_for_in_their_order(tmp_path: Path) -> None:
    repo = build_random_repo(tmp_path / "r", 6, commits=30).path
    manager = RepoManager()
    full = await manager.history_tables(repo, include_files=True)
    columns = ["is_merge", "sha", "author_time", "parents", "author_name"]
    some = await manager.history_tables(repo, include_files=True, columns=columns)
    assert validated(some.commits).column_names == columns
    assert some.commits.equals(full.commits.select(columns))
    assert some.file_changes.equals(full.file_changes)  # only the commits table is projected
    assert some.commits.nbytes < full.commits.nbytes - full.commits.column("message").nbytes
    batches = [c async for c, _ in manager.yield_history_batches(repo, 7, columns=["message"])]
    assert len(batches) == 5 and all(b.schema.names == ["message"] for b in batches)
    assert pa.Table.from_batches(batches).column("message") == full.commits.column("message")
    empty = await manager.commits_table(repo, max_count=0, columns=["sha", "additions"])
    assert empty.num_rows == 0 and empty.column_names == ["sha", "additions"]


@pytest.mark.parametrize(("columns", "message"), [
    (["sha", "mesage"], r"unknown column 'mesage' \(the columns are: repo_name, sha, .*message"),
    ("sha", "a list of column names"),
    ([], "at least one column"),
    (["sha", "author_name", "sha"], "'sha' more than once"),
])
async def test_a_bad_column_list_is_refused_naming_what_is_wrong(rich_repo: GitRepo, columns: object,
                                                                 message: str) -> None:
    with pytest.raises(InvalidArgumentError, match=message):
        await RepoManager().commits_table(rich_repo.path, columns=columns)


async def test_a_walk_without_line_counts_gives_the_same_commits_in_order(rich_repo: GitRepo) -> None:
    manager = RepoManager()
    counted = await manager.commits_table(rich_repo.path, exclude=["HEAD~5"])
    walked = await manager.commits_table(rich_repo.path, exclude=["HEAD~5"], line_counts=False)
    assert walked.column("sha") == counted.column("sha") and walked.num_rows > 0
    assert walked.drop(["additions", "deletions", "files_changed"]) == \
        counted.drop(["additions", "deletions", "files_changed"])
    assert {n for c in ("additions", "deletions", "files_changed") for n in walked.column(c).to_pylist()} == {0}
    assert sum(counted.column("files_changed").to_pylist()) > 0
    with pytest.raises(InvalidArgumentError, match="include_files needs line_counts"):
        await manager.history_tables(rich_repo.path, include_files=True, line_counts=False)


async def test_blame_table_equals_bulk_blame(rich_repo: GitRepo) -> None:
    manager = RepoManager()
    objects = await manager.blame_repository(rich_repo.path)
    seen: list[GitFleet.BlameProgress] = []
    table = await manager.blame_table(rich_repo.path, progress=seen.append)
    assert table.failed == {}
    expected = [{
        "path": path, "final_line_no": l.final_line_no, "commit_id": l.commit_id, "orig_path": l.orig_path,
        "orig_line_no": l.orig_line_no, "author_name": l.author_name, "author_email": l.author_email,
        "author_time": dt.datetime.fromtimestamp(l.author_time, UTC), "author_offset": minutes(l.author_tz),
        "committer_name": l.committer_name, "committer_email": l.committer_email,
        "committer_time": dt.datetime.fromtimestamp(l.committer_time, UTC), "committer_offset": minutes(l.committer_tz),
        "summary": l.summary, "boundary": l.boundary,
        # Arrow strings are UTF-8: a binary file's bytes that are not become U+FFFD.
        "line_content": l.line_content.encode("utf-8", "surrogateescape").decode("utf-8", "replace"),
    } for path, lines in objects.items() for l in lines]
    assert validated(table.lines).to_pylist() == expected
    lines = sum(len(v) for v in objects.values())
    assert seen[-1] == GitFleet.BlameProgress(len(objects), len(objects), lines, lines)


async def test_blame_table_reports_bad_files_apart(rich_repo: GitRepo) -> None:
    table = await RepoManager().blame_table(rich_repo.path, ["lib/main.py", "missing.txt"])
    assert set(table.lines.column("path").to_pylist()) == {"lib/main.py"}
    assert list(table.failed) == ["missing.txt"]
    assert isinstance(table.failed["missing.txt"], GitFleet.BlameError)
    with pytest.raises(InvalidArgumentError, match="not a single path"):
        await RepoManager().blame_table(rich_repo.path, "lib/main.py")


async def test_names_that_are_not_utf8_become_valid_utf8(tmp_path: Path) -> None:
    raw = b"caf\xe9.txt"
    repo = GitRepo(tmp_path / "r")
    (repo.path / raw.decode("utf-8", "surrogateescape")).write_bytes(b"one\n\xfftwo\n")
    repo.commit("latin-1 name and content")
    tables = await RepoManager().history_tables(repo.path, include_files=True)
    assert validated(tables.file_changes).column("path").to_pylist() == ["caf\ufffd.txt"]
    lines = validated((await RepoManager().blame_table(repo.path)).lines)
    assert lines.column("line_content").to_pylist() == ["one", "\ufffdtwo"]


async def test_blame_table_files_say_lines_and_binary_as_the_objects_do(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    (repo.path / "empty.txt").write_bytes(b"")
    (repo.path / "text.txt").write_bytes(b"a\nb\nc")
    # A NUL at byte 7,500, after bytes that are not UTF-8: binary by its bytes, though the
    # repaired line (each \xff now three bytes) has it past 8,000.
    (repo.path / "late_nul.bin").write_bytes(b"\xff" * 3000 + b"\n" + b"x" * 4499 + b"\0\n")
    (repo.path / "nul_after_8000.txt").write_bytes(b"y" * 8000 + b"\0\n")
    repo.commit("files")
    manager = RepoManager()
    objects = await manager.blame_repository(repo.path)
    table = await manager.blame_table(repo.path)
    expected = sorted((path, len(lines), is_binary(lines)) for path, lines in objects.items())
    assert sorted(tuple(r.values()) for r in validated(table.files).to_pylist()) == expected
    assert ("late_nul.bin", 2, True) in expected and ("empty.txt", 0, False) in expected
    assert ("nul_after_8000.txt", 1, False) in expected


def test_a_batch_moves_once(rich_repo: GitRepo) -> None:
    from GitFleet import _native
    from GitFleet._bridge import run_native

    async def first_batch() -> object:
        batches, _, _ = await run_native(lambda done: _native.start_blame_table(
            str(rich_repo.path), ["lib/main.py"], _native.BlameOptions(), 100, done))
        return batches[0]

    batch = asyncio.run(first_batch())
    rows = batch.num_rows
    assert pa.record_batch(batch).num_rows == rows > 0
    with pytest.raises(ValueError, match="already imported"):
        pa.record_batch(batch)


@pytest.mark.parametrize("values", [[], ["a"], ["", "é 名", "x" * 1000, ""]])
def test_arrays_made_from_buffers_equal_pyarrows_conversion(values: list[str]) -> None:
    from GitFleet.columnar import positions, string_array

    assert validated(pa.table({"s": string_array(iter(values))})).column("s").combine_chunks() == pa.array(values,
                                                                                                         pa.string())
    assert validated(pa.table({"p": positions(len(values))})).column("p").to_pylist() == list(range(len(values)))


def test_without_pyarrow_the_error_says_what_to_install(rich_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with pytest.raises(ImportError, match=r"pip install 'GitFleet\[arrow\]'"):
        asyncio.run(RepoManager().history_tables(rich_repo.path))
