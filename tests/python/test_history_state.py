"""History figures kept in the fleet store (analyses/history_state.py): a second analysis adds
the new commits, then the kept figures, and its figures and tables (the report's commits and
file_changes rows too) equal a direct analysis that reads every commit, the new commits first
in log's order or among the old ones (after an old rename too), with a changed .mailmap, with
names and summaries CSV must quote and names that are not UTF-8; when
that cannot hold (a window, merge_emails, other options, a changed scope, a rename among new
commits shown among the old ones, or onto a name the old history had) the figures are not taken
up, and the result is still equal."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import build_random_repo
from gitrepo import GitRepo

from GitFleet import FleetStore, RepoManager
from GitFleet.fleet_store import read_update
from GitFleet.analyses import COMMIT_COLUMNS, FILE_CHANGE_COLUMNS, RepoAnalysis, analyze_repository
from GitFleet.analyses import repository
from GitFleet.tables import TableWriter


def figures(analysis: RepoAnalysis) -> tuple:
    return (analysis.tables(), analysis.commits, analysis.merges, analysis.additions, analysis.deletions,
            analysis.bot_commits, analysis.first, analysis.last, analysis.commits_by_month, analysis.churn_by_author,
            analysis.churn_by_file, analysis.revisions_by_file,
            analysis.lines_owned, analysis.head)


def taken_up(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Filled with whether each analysis through the store took up kept figures."""
    answers: list[bool] = []
    real = repository._take_up_kept_history

    async def spy(*args: object) -> bool:
        answers.append(await real(*args))
        return answers[-1]

    monkeypatch.setattr(repository, "_take_up_kept_history", spy)
    return answers


def analyse(repo: GitRepo, store: FleetStore | None, **options: object) -> tuple[RepoAnalysis, dict[str, str]]:
    """The analysis and the report's commits and file_changes tables as CSV."""
    sinks = {"commits": TableWriter("csv", COMMIT_COLUMNS, out=io.StringIO()),
             "file_changes": TableWriter("csv", FILE_CHANGE_COLUMNS, out=io.StringIO())}
    analysis = asyncio.run(analyze_repository(RepoManager(), str(repo.path), "r", store=store, sinks=sinks,
                                              **options))
    return analysis, {name: sink._out.getvalue() for name, sink in sinks.items()}


def new_commits(repo: GitRepo) -> None:
    """An edit, a rename with an edit, a new file, a bot's commit, and a side branch merged."""
    files = sorted(p for p in repo.git("ls-files").split() if p.endswith(".txt"))
    repo.write(files[0], "changed\n" * 3)
    repo.commit("edit")
    (repo.path / "moved").mkdir(exist_ok=True)
    repo.git("mv", files[1], "moved/renamed.txt")
    repo.write("moved/renamed.txt", (repo.path / "moved/renamed.txt").read_text() + "more\n")
    repo.commit("rename with an edit")
    repo.write("brand-new.txt", "new\n")
    repo.commit("new file", author="Dep Bot [bot] <bot@example.com>")
    repo.git("checkout", "-q", "-b", "side")
    repo.write("side.txt", "from the side\n")
    repo.commit("side file")
    repo.git("checkout", "-q", "-")
    repo.merge("side", "merge side")


def rename_onto_an_old_name(repo: GitRepo) -> None:
    """Old history had gone.txt (added, then deleted); a new commit renames another file to it."""
    files = sorted(p for p in repo.git("ls-files").split() if p.endswith(".txt") and p != "gone.txt")
    repo.git("mv", files[0], "gone.txt")
    repo.commit("rename onto an old name")


def dated_among_the_old(repo: GitRepo) -> None:
    """A side branch's commit dated long ago, merged: log shows it among the old commits."""
    repo.git("checkout", "-q", "-b", "side")
    repo.write("late.txt", "committed with an old date\n")
    repo.commit("old date", when=1_600_000_000 + 90)
    repo.git("checkout", "-q", "-")
    repo.merge("side", "merge side")


def side_branch_dated_before_the_stored_head(repo: GitRepo, rename: bool = False) -> None:
    """Log shows the side branch's commit after the stored head, among the old commits."""
    repo.git("checkout", "-q", "-b", "side")
    if rename:
        files = sorted(p for p in repo.git("ls-files").split() if p.endswith(".txt"))
        repo.git("mv", files[0], "side-renamed.txt")
    else:
        repo.write("side.txt", "from the side\n")
    repo.commit("side, dated before the stored head", when=repo.clock - 30)
    repo.git("checkout", "-q", "-")
    repo.merge("side", "merge side", when=repo.clock + 120)


def side_branch_renaming_dated_before_the_stored_head(repo: GitRepo) -> None:
    side_branch_dated_before_the_stored_head(repo, rename=True)


def side_branch_from_before_a_rename(repo: GitRepo) -> None:
    """A side branch forked before topic.txt was renamed edits it under its old name, dated
    before the rename: log shows the rename first, and the edit counts under the new name."""
    repo.git("checkout", "-q", "-b", "side", "HEAD~3")
    repo.write("topic.txt", "a topic\n" * 5 + "edited on the side\n")
    repo.commit("edit topic.txt on the side", when=repo.clock - 130)
    repo.git("checkout", "-q", "-")
    repo.merge("side", "merge side", when=repo.clock + 120)


def mailmap_changed(repo: GitRepo) -> None:
    repo.write(".mailmap", "Someone Else <else@example.com> <author@example.com>\n")
    repo.commit("mailmap")


def scope_changed(repo: GitRepo) -> None:
    files = sorted(p for p in repo.git("ls-files").split() if p.endswith(".txt"))
    repo.write(".gitattributes", f"{files[0]} linguist-generated\n")
    repo.commit("mark a file generated")


def awkward_text(repo: GitRepo) -> None:
    """Names and summaries CSV must quote (or must not): the report's rows come out of the
    store as DuckDB writes CSV, and must be csv.writer's bytes."""
    repo.write('a, "quoted" #1.txt', "x\n")
    repo.write(" leading space.txt", "y\n")
    repo.write("new\nline.txt", "z\n")
    repo.commit('  "Quoted", #hash; semi\tcolon ', author='Doe, Jane "JD" <jd@example.com>')
    repo.git("mv", " leading space.txt", "#renamed.txt")
    repo.commit("#")


def names_not_utf8(repo: GitRepo) -> None:
    """The store spells such names with U+FFFD; the analysis names a file of the analysed
    commit as the repository does (docs/fleet_store.md)."""
    repo.write("caf\udce9.txt", "a name that is not UTF-8\n")
    repo.write("a truncated \udce2\udc82 sequence.txt", "another\n")
    repo.commit("add")
    files = sorted(p for p in repo.git("ls-files").split() if p.endswith(".txt"))
    repo.git("mv", files[0], "moved \udcff.txt")
    repo.commit("rename")


def nothing(repo: GitRepo) -> None:
    pass


@pytest.mark.parametrize(("change", "options", "takes_up"), [
    (new_commits, {}, True),
    (new_commits, {"include_merges": True, "exclude_bots": True}, True),
    (nothing, {}, True),
    (awkward_text, {}, True),
    (names_not_utf8, {}, True),
    (new_commits, {"max_count": 30}, False),
    (new_commits, {"merge_emails": True}, False),
    (side_branch_dated_before_the_stored_head, {}, True),
    (rename_onto_an_old_name, {}, False),
    (side_branch_renaming_dated_before_the_stored_head, {}, False),
    (dated_among_the_old, {}, True),
    (side_branch_from_before_a_rename, {}, True),
    (mailmap_changed, {}, True),
    (scope_changed, {}, False),
])
def test_a_second_analysis_equals_reading_every_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       change: Callable[[GitRepo], None], options: dict,
                                                       takes_up: bool) -> None:
    repo = build_random_repo(tmp_path / "r", 21, commits=40)
    repo.write("topic.txt", "a topic\n" * 5)
    repo.commit("add topic.txt")
    repo.git("mv", "topic.txt", "moved-topic.txt")
    repo.commit("rename topic.txt")
    repo.write("gone.txt", "here a while\n")
    repo.commit("add gone.txt")
    repo.remove("gone.txt")
    repo.commit("delete gone.txt")
    answers = taken_up(monkeypatch)
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        analyse(repo, store, **options)
        change(repo)
        second, tables = analyse(repo, store, **options)
    direct, direct_tables = analyse(repo, None, **options)
    assert figures(second) == figures(direct) and second.commits > 0
    assert tables == direct_tables
    assert second.store_update.mode == ("unchanged" if change is nothing else "incremental")
    assert answers == ([False, takes_up] if "max_count" not in options and "merge_emails" not in options else [])


def test_figures_are_taken_up_after_the_store_was_updated_elsewhere(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """As `analyze --workers` does: the store brought up to date on Dask, then analysed."""
    repo = build_random_repo(tmp_path / "r", 23, commits=30)
    answers = taken_up(monkeypatch)
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        analyse(repo, store)
        new_commits(repo)
        before = store.stored_head("r")
        read = asyncio.run(read_update(RepoManager(), repo.path, "r", None, before))
        update = store.put_read(read)
        second, tables = analyse(repo, store, stored_elsewhere=update)
    assert answers == [False, True] and second.store_update == update and update.mode == "incremental"
    direct, direct_tables = analyse(repo, None)
    assert figures(second) == figures(direct) and tables == direct_tables


def test_other_options_keep_figures_of_their_own(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = build_random_repo(tmp_path / "r", 22, commits=30)
    answers = taken_up(monkeypatch)
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        analyse(repo, store)
        analyse(repo, store, include_merges=True)
        new_commits(repo)
        second, _ = analyse(repo, store, include_merges=True)
        again, _ = analyse(repo, store)  # its figures were made at a head the store has left
    assert answers == [False, False, True, False]
    assert figures(second) == figures(analyse(repo, None, include_merges=True)[0])
    assert figures(again) == figures(analyse(repo, None)[0])
