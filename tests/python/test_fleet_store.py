"""The fleet store (DuckDB): a full update holds what git says; an incremental update after new
commits, renames, deletions and a merge equals a full run from scratch; a rewritten history is
read anew; a failed update leaves the previous state; writers are serialised."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
from conftest import build_random_repo
from gitrepo import GitRepo

import GitFleet
from GitFleet import FleetStore, InvalidArgumentError, RepoManager, StoreError
from GitFleet.analyses import RepoAnalysis, analyze_repository
from GitFleet.fleet_store import RepositoryChanges, RepositorySnapshot, StoreUpdate, _file_rows, read_update

TABLES = {"commits": "sha", "file_changes": "sha, path", "blame_lines": "path, final_line_no", "files": "path"}


def contents(store: FleetStore, repo: str) -> dict[str, list[dict]]:
    """Every stored row of a repository, in a fixed order."""
    return {table: store.query(f"SELECT * FROM {table} WHERE repo = ? ORDER BY {order}", [repo]).to_pylist()
            for table, order in TABLES.items()}


def fresh(tmp_path: Path, repo: GitRepo, name: str) -> dict[str, list[dict]]:
    with FleetStore(tmp_path / f"fresh-{len(list(tmp_path.iterdir()))}.duckdb") as store:
        asyncio.run(store.update(RepoManager(), repo.path, name))
        return contents(store, name)


def grow(repo: GitRepo) -> None:
    """Five new commits: edits, a rename with an edit, a deletion, new files (binary, empty, a
    name that is not UTF-8) and a merge."""
    files = sorted(p for p in repo.git("ls-files").split() if p.endswith(".txt"))
    repo.write(files[0], "changed\n" * 3)
    repo.write("image.bin", b"\x89PNG\0\x01\n\xff")
    repo.write("empty.txt", "")
    repo.write("caf\udce9 \udce2\udc82.txt", "a name that is not UTF-8, one byte a truncated sequence\n")
    repo.commit("edit")
    repo.git("mv", files[1], "renamed.txt")
    repo.write("renamed.txt", (repo.path / "renamed.txt").read_text() + "more\n")
    repo.commit("rename with an edit")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("side-new.txt", "from the side\n")
    repo.commit("side file")
    repo.git("checkout", "-q", "-")
    repo.remove(files[2])
    repo.commit("delete")
    repo.merge("side", "merge side")


def files_blamed_in_full(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Filled, per incremental update, with the files it had to blame again in full."""
    unresolved: list[list[str]] = []
    real = FleetStore._carry_over

    def spy(self: FleetStore, *args: object) -> object:
        carried, files = real(self, *args)
        unresolved.append(files)
        return carried, files

    monkeypatch.setattr(FleetStore, "_carry_over", spy)
    return unresolved


def test_full_update_holds_what_git_says(tmp_path: Path) -> None:
    repo = build_random_repo(tmp_path / "r", 7, commits=30)
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        update = asyncio.run(store.update(RepoManager(), repo.path, "r"))
        assert update.mode == "full" and update.head == repo.head()
        commits = int(repo.git("rev-list", "--count", "HEAD"))
        assert update.commits_read == commits
        files = [p for p in repo.git("ls-files").splitlines()]
        lines = sum(len(repo.git("show", f"HEAD:{p}").splitlines()) for p in files)
        (row,) = store.query("SELECT head, commits, files, lines, last_update FROM repositories").to_pylist()
        assert row == {"head": repo.head(), "commits": commits, "files": update.files_blamed, "lines": lines,
                       "last_update": "full"}
        assert asyncio.run(store.update(RepoManager(), repo.path, "r")).mode == "unchanged"


def test_incremental_update_equals_a_full_run(tmp_path: Path) -> None:
    repo = build_random_repo(tmp_path / "r", 8, commits=30)
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        asyncio.run(store.update(RepoManager(), repo.path, "r"))
        before = int(repo.git("rev-list", "--count", "HEAD"))
        grow(repo)
        update = asyncio.run(store.update(RepoManager(), repo.path, "r"))
        assert update.mode == "incremental"
        assert update.commits_read == int(repo.git("rev-list", "--count", "HEAD")) - before == 5
        files = len(repo.git("ls-files").splitlines())
        assert 0 < update.files_blamed < files  # only what the new commits touched
        assert contents(store, "r") == fresh(tmp_path, repo, "r")


def test_changes_read_elsewhere_store_as_an_update_would_and_only_onto_their_head(tmp_path: Path) -> None:
    repo = build_random_repo(tmp_path / "r", 9, commits=30)
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        asyncio.run(store.update(RepoManager(), repo.path, "r"))
        stored = store.stored_head("r")
        grow(repo)
        read = asyncio.run(read_update(RepoManager(), repo.path, "r", None, stored))
        assert isinstance(read, RepositoryChanges) and read.stored == stored and read.head == repo.head()
        update = store.put_read(read)
        assert (update.mode, update.commits_read, update.head) == ("incremental", 5, repo.head())
        assert 0 < update.files_blamed < len(repo.git("ls-files").splitlines())
        assert contents(store, "r") == fresh(tmp_path, repo, "r")
        with pytest.raises(StoreError, match="changed in the store while its changes were read"):
            store.put_read(read)  # the store has moved on from the head they were read against
        again = asyncio.run(read_update(RepoManager(), repo.path, "r", None, repo.head()))
        assert again == StoreUpdate("r", repo.head(), "unchanged", 0, 0)
        repo.git("reset", "-q", "--hard", f"{stored}~1")  # history rewritten: the stored head is gone
        repo.write("rewritten.txt", "x\n")
        repo.commit("rewritten")
        whole = asyncio.run(read_update(RepoManager(), repo.path, "r", None, stored))
        assert isinstance(whole, RepositorySnapshot) and store.put_read(whole).mode == "full"
        assert contents(store, "r") == fresh(tmp_path, repo, "r")


def test_lines_reaching_older_history_through_a_side_branch_are_blamed_in_full(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.write("f.txt", "".join(f"line {i}\n" for i in range(10)))
    repo.write("g.txt", "stays\n")
    repo.commit("start")
    repo.git("branch", "side")  # forks before the HEAD the store will hold
    repo.write("f.txt", "".join(f"line {i}\n" for i in range(10) if i != 5))
    repo.commit("main drops line 5")
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        asyncio.run(store.update(RepoManager(), repo.path, "r"))
        repo.git("checkout", "-q", "side")
        repo.write("f.txt", "".join(f"line {i}\n" if i != 9 else "line nine\n" for i in range(10)))
        repo.commit("side edits line 9")
        repo.git("checkout", "-q", "-")
        # The merge keeps line 5, which only the side has: it reaches "start" by the side.
        repo.git("merge", "-q", "--no-ff", "--no-commit", "side")
        repo.write("f.txt", "".join(f"line {i}\n" if i != 9 else "line nine\n" for i in range(10)))
        repo.commit("merge side")
        unresolved = files_blamed_in_full(monkeypatch)
        assert asyncio.run(store.update(RepoManager(), repo.path, "r")).mode == "incremental"
        assert unresolved == [["f.txt"]]
        assert contents(store, "r") == fresh(tmp_path, repo, "r")


def test_lines_reaching_a_fork_point_of_a_file_unchanged_since_take_its_stored_blame(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.write("h.txt", "".join(f"line {i}\n" for i in range(10)))
    repo.write("g.txt", "one\n")
    repo.commit("start")
    repo.write("h.txt", "".join(f"line {i}\n" if i != 3 else "line three\n" for i in range(10)))
    repo.commit("edit line 3")
    repo.git("branch", "side")  # forks here; main does not touch h.txt again
    repo.write("g.txt", "two\n")
    repo.commit("main edits g")
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("t.txt", "topic\n")
    repo.commit("topic file")
    repo.git("checkout", "-q", "-")
    repo.merge("topic", "merge topic")  # the stored HEAD: a merge, h.txt the same in both parents
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        asyncio.run(store.update(RepoManager(), repo.path, "r"))
        repo.git("checkout", "-q", "side")
        repo.write("h.txt", "".join({3: "line three\n", 7: "line 7!\n"}.get(i, f"line {i}\n") for i in range(10)))
        repo.commit("side edits line 7")
        repo.git("checkout", "-q", "-")
        repo.merge("side", "merge side")  # h.txt as the side has it: blame hands it to the side whole
        unresolved = files_blamed_in_full(monkeypatch)
        assert asyncio.run(store.update(RepoManager(), repo.path, "r")).mode == "incremental"
        assert unresolved == [[]]  # h.txt's lines that reached "edit line 3" took their stored blame
        assert contents(store, "r") == fresh(tmp_path, repo, "r")
        authors = store.query("SELECT DISTINCT commit_id FROM blame_lines WHERE path = 'h.txt'").num_rows
        assert authors == 3  # start, edit line 3, side edits line 7


def test_files_say_binary_empty_and_failed_and_people_are_as_committed(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "r")
    repo.write("a.txt", "one\ntwo\n")
    repo.write("image.bin", b"\x89PNG\0\x01\n")
    repo.write("empty.txt", "")
    repo.write(".mailmap", "Real Name <real@example.com> <alias@example.com>\n")
    repo.commit("start", author="Alias <alias@example.com>")
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        update = asyncio.run(store.update(RepoManager(), repo.path, "r"))
        rows = store.query('SELECT path, lines, "binary", error FROM files ORDER BY path').to_pylist()
        assert [tuple(r.values()) for r in rows] == [
            (".mailmap", 1, False, None), ("a.txt", 2, False, None), ("empty.txt", 0, False, None),
            ("image.bin", 1, True, None)]
        assert update.files_blamed == 4
        # Raw identities: the .mailmap is applied by whoever reads the store.
        assert store.query("SELECT DISTINCT author_name FROM blame_lines").to_pylist() == [{"author_name": "Alias"}]
    # A file that cannot be blamed is a row with why, and no counts.
    table = asyncio.run(RepoManager().blame_table(repo.path, ["a.txt", "gone.txt"]))
    rows = _file_rows(table).to_pylist()
    assert rows[0] == {"path": "a.txt", "lines": 2, "binary": False, "error": None}
    assert rows[1]["path"] == "gone.txt" and rows[1]["lines"] is None and "gone.txt" in rows[1]["error"]


def test_a_store_from_an_older_version_is_read_anew(tmp_path: Path) -> None:
    repo = build_random_repo(tmp_path / "r", 10, commits=10)
    db = duckdb.connect(str(tmp_path / "old.duckdb"))  # version 1: no files table, no version
    db.execute("CREATE TABLE repositories (repo VARCHAR PRIMARY KEY, source VARCHAR, path VARCHAR, head VARCHAR, "
               "commits BIGINT, files BIGINT, lines BIGINT, analysed_at TIMESTAMPTZ, last_update VARCHAR)")
    db.execute("INSERT INTO repositories VALUES ('r', 'r', 'r', ?, 0, 0, 0, now(), 'full')", [repo.head()])
    db.close()
    with FleetStore(tmp_path / "old.duckdb") as store:
        assert store.stored_head("r") is None
        assert asyncio.run(store.update(RepoManager(), repo.path, "r")).mode == "full"
        assert contents(store, "r") == fresh(tmp_path, repo, "r")
    with FleetStore(tmp_path / "old.duckdb") as store:  # migrated once: the head now stays
        assert store.stored_head("r") == repo.head()


@pytest.mark.parametrize("after", ["a new commit", "objects pruned", "nothing (HEAD moved back)"])
def test_rewritten_history_is_read_anew(tmp_path: Path, after: str) -> None:
    repo = build_random_repo(tmp_path / "r", 9, commits=30)
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        asyncio.run(store.update(RepoManager(), repo.path, "r"))
        repo.git("reset", "-q", "--hard", "HEAD~3")
        if after != "nothing (HEAD moved back)":
            repo.write("after-reset.txt", "new\n")
            repo.commit("after a force-push")
        if after == "objects pruned":  # the stored HEAD cannot even be named any more
            repo.git("reflog", "expire", "--expire=now", "--all")
            repo.git("gc", "-q", "--prune=now")
        update = asyncio.run(store.update(RepoManager(), repo.path, "r"))
        assert update.mode == "full"
        assert contents(store, "r") == fresh(tmp_path, repo, "r")


def test_a_failed_update_leaves_the_previous_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = build_random_repo(tmp_path / "r", 10, commits=20)
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        asyncio.run(store.update(RepoManager(), repo.path, "r"))
        kept = contents(store, "r")
        grow(repo)
        real_blame_table = RepoManager.blame_table

        async def unusable_lines(self: RepoManager, *args: object, **kwargs: object) -> GitFleet.BlameTable:
            # Lines the store cannot take: the insert fails after the new commits went in.
            table = await real_blame_table(self, *args, **kwargs)
            bad = table.lines.set_column(1, "final_line_no", pa.array(["x"] * table.lines.num_rows))
            return table._replace(lines=bad)

        monkeypatch.setattr(RepoManager, "blame_table", unusable_lines)
        with pytest.raises(StoreError, match="keeps its previous state") as failed:
            asyncio.run(store.update(RepoManager(), repo.path, "r"))
        assert isinstance(failed.value.__cause__, duckdb.ConversionException)
        assert contents(store, "r") == kept
        assert store.stored_head("r") != repo.head()


def test_updates_of_one_store_are_serialised(tmp_path: Path) -> None:
    repos = [build_random_repo(tmp_path / f"r{i}", 20 + i, commits=15) for i in range(3)]
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        async def all_at_once() -> list:
            manager = RepoManager()
            return await asyncio.gather(*(store.update(manager, r.path, f"r{i}") for i, r in enumerate(repos)))

        assert [u.mode for u in asyncio.run(all_at_once())] == ["full"] * 3
        for i, r in enumerate(repos):
            assert contents(store, f"r{i}") == fresh(tmp_path, r, f"r{i}")


def test_another_process_waits_for_the_writer_then_says_so(tmp_path: Path) -> None:
    path = tmp_path / "fleet.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from GitFleet.fleet_store import FleetStore\n"
        f"s = FleetStore({str(path)!r}); print('open', flush=True); sys.stdin.readline()")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="cannot open the fleet store"):
            FleetStore(path, lock_timeout=0.5)
    finally:
        holder.communicate("\n", timeout=30)
    with FleetStore(path) as store:  # free again
        assert store.query("SELECT count(*) AS n FROM repositories").to_pylist() == [{"n": 0}]


def test_queries_and_their_errors(tmp_path: Path) -> None:
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        assert store.query("SELECT ? + 1 AS n", [41]).to_pylist() == [{"n": 42}]
        with pytest.raises(InvalidArgumentError, match="query failed"):
            store.query("SELECT * FROM no_such_table")
    (tmp_path / "not-a-db").write_text("hello")
    with pytest.raises(StoreError):
        FleetStore(tmp_path / "not-a-db")


def figures(analysis: RepoAnalysis) -> tuple:
    return (analysis.tables(), analysis.commits, analysis.merges, analysis.additions, analysis.deletions,
            analysis.churn_by_file, analysis.lines_owned, analysis.files_blamed, analysis.binary_files,
            analysis.blame_failures, analysis.head)


@pytest.mark.parametrize("options", [{}, {"include_merges": True, "exclude_bots": True, "max_count": 20},
                                     {"since": "2020-09-13T12:50:00+00:00", "mailmap": False}])
def test_analysis_through_the_store_equals_the_direct_one_full_and_incremental(
        tmp_path: Path, options: dict) -> None:
    repo = build_random_repo(tmp_path / "r", 11, commits=40)
    repo.write(".mailmap", "Someone Else <else@example.com> <a@example.com>\n")
    repo.commit("mailmap", author="Bot [bot] <bot@example.com>")

    async def both() -> tuple[RepoAnalysis, RepoAnalysis]:
        manager = RepoManager()
        direct = await analyze_repository(manager, str(repo.path), "r", **options)
        with FleetStore(tmp_path / "fleet.duckdb") as store:
            stored = await analyze_repository(manager, str(repo.path), "r", store=store, **options)
        return direct, stored

    direct, stored = asyncio.run(both())
    assert stored.store_update.mode == "full" and direct.commits > 0
    assert figures(stored) == figures(direct)
    grow(repo)
    direct, stored = asyncio.run(both())
    assert stored.store_update.mode == "incremental"
    assert figures(stored) == figures(direct)
