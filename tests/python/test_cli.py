"""The gitfleet command, run as a user runs it (a subprocess): every subcommand, its output
formats, its failures and exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from gitrepo import GitRepo, git

GITFLEET = [sys.executable, "-m", "GitFleet"]


def gitfleet(*args: object, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([*GITFLEET, *map(str, args)], capture_output=True, encoding="utf-8", errors="surrogateescape",
                          cwd=cwd, timeout=300,
                          env=env)


def git_out(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def assert_user_error(result: subprocess.CompletedProcess, code: int, text: str) -> None:
    assert result.returncode == code, (result.stdout, result.stderr)
    assert text in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_every_subcommand():
    result = gitfleet("--help")
    assert result.returncode == 0
    for command in ("clone", "commits", "blame", "analyze", "copy", "serve"):
        assert command in result.stdout
    assert gitfleet("analyze", "--help").stdout.count("--format") == 1
    assert_user_error(gitfleet("frobnicate"), 2, "No such command")
    installed = Path(sys.executable).parent / "gitfleet"
    assert subprocess.run([installed, "--version"], capture_output=True, text=True).returncode == 0


def test_clone_lists_repositories_through_the_provider_clients(tmp_path):
    from fake_providers import FakeGitHub

    for name in ("repo-00000", "repo-00001"):
        subprocess.run(["git", "init", "-q", "-b", "main", str(tmp_path / "src" / name)], check=True)
        subprocess.run(["git", "-C", str(tmp_path / "src" / name), "-c", "user.name=T", "-c", "user.email=t@e",
                        "commit", "-q", "--allow-empty", "-m", "init"], check=True)
    with FakeGitHub({"acme": 2}, orgs={"acme"}, clone_url=f"file://{tmp_path}/src/{{name}}") as fake:
        env = {**os.environ, "GITHUB_TOKEN": "good-token"}
        result = gitfleet("clone", "--github-org", "acme", "--api-url", fake.base_url, "--dest", tmp_path / "c",
                          "--json", env=env)
        assert result.returncode == 0, result.stderr
        assert sorted(Path(r["url"]).name for r in json.loads(result.stdout)) == ["repo-00000", "repo-00001"]
        assert (tmp_path / "c/repo-00001/.git").is_dir()
        assert ("/orgs/acme/repos", "alice") in fake.log
        refused = gitfleet("clone", "--github-user", "acme", "--api-url", fake.base_url,
                           env={**env, "GITHUB_TOKEN": "bad-token-xyz"})
        assert_user_error(refused, 1, "Bad credentials")
        assert "bad-token-xyz" not in refused.stderr


def test_commits_in_every_format(rich_repo, tmp_path):
    count = int(git_out(rich_repo.path, "rev-list", "--count", "HEAD"))
    table = gitfleet("commits", rich_repo.path)
    assert table.returncode == 0, table.stderr
    assert table.stdout.splitlines()[0].split()[:3] == ["repo", "sha", "author_name"]
    assert len(table.stdout.splitlines()) == count + 2  # header and rule

    jsonl = gitfleet("commits", rich_repo.path, "--format", "jsonl").stdout.splitlines()
    rows = [json.loads(line) for line in jsonl]
    assert [r["sha"] for r in rows] == git_out(rich_repo.path, "rev-list", "HEAD").split()
    numstat = git_out(rich_repo.path, "log", "-1", "--format=", "--numstat", rows[0]["sha"])
    added = sum(int(line.split()[0]) for line in numstat.splitlines() if line.split()[0] != "-")
    assert rows[0]["additions"] == added

    out = gitfleet("commits", rich_repo.path, "--format", "csv", "--files", "-o", tmp_path / "f.csv")
    assert out.returncode == 0 and out.stdout == ""
    changes = list(csv.DictReader(open(tmp_path / "f.csv", encoding="utf-8")))
    assert {"path", "change_type", "additions"} <= set(changes[0])
    assert any(r["change_type"] == "R" for r in changes)

    assert gitfleet("commits", rich_repo.path, "--format", "parquet", "-o", tmp_path / "c.parquet").returncode == 0
    assert pq.read_table(tmp_path / "c.parquet").num_rows == count
    assert_user_error(gitfleet("commits", rich_repo.path, "--format", "parquet"), 1, "needs a file")
    assert_user_error(gitfleet("commits", rich_repo.path, "--rev", "nope"), 1, "gitfleet: error:")
    assert_user_error(gitfleet("commits", tmp_path / "missing"), 2, "does not exist")
    two = gitfleet("commits", rich_repo.path, "-n", "2", "--since", "2000-01-01", "--format", "jsonl")
    assert len(two.stdout.splitlines()) == 2


def test_blame_one_file_and_all(rich_repo, tmp_path):
    one = gitfleet("blame", rich_repo.path, "lib/main.py", "--format", "jsonl")
    assert one.returncode == 0, one.stderr
    lines = [json.loads(line) for line in one.stdout.splitlines()]
    porcelain = git_out(rich_repo.path, "blame", "--porcelain", "lib/main.py")
    assert len(lines) == len((rich_repo.path / "lib/main.py").read_text().splitlines())
    assert lines[0]["commit"] in porcelain and lines[-1]["line"] == len(lines)
    every = gitfleet("blame", rich_repo.path, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(every.stdout)))
    tracked = [p for p in git_out(rich_repo.path, "-c", "core.quotePath=false", "ls-files").split("\n") if p]
    assert {r["path"] for r in rows} <= set(tracked) and "lib/main.py" in {r["path"] for r in rows}
    assert_user_error(gitfleet("blame", rich_repo.path, "no/such/file"), 1, "no/such/file")


def test_clone_progress_failures_and_exit_codes(rich_repo, tmp_path):
    good = rich_repo.path
    result = gitfleet("clone", good, "--dest", tmp_path / "clones")
    assert result.returncode == 0, result.stderr
    assert "1 of 1 cloned" in result.stdout and "all repositories" in result.stderr
    assert (tmp_path / "clones/rich-repo/.git").is_dir()
    url_file = tmp_path / "urls.txt"
    url_file.write_text(f"# a comment\n{good}\n{tmp_path / 'absent'}\n")
    failed = gitfleet("clone", "--file", url_file, "--dest", tmp_path / "clones2", "--json")
    assert failed.returncode == 1
    outcome = {Path(r["url"]).name: r for r in json.loads(failed.stdout)}
    assert outcome["rich-repo"]["status"] == "completed" and outcome["absent"]["status"] == "failed"
    assert "does not exist" in outcome["absent"]["error"]
    table = gitfleet("clone", tmp_path / "absent", "--dest", tmp_path / "clones3", "-q")
    assert table.returncode == 1 and "1 failed" in table.stderr and "Traceback" not in table.stderr
    assert_user_error(gitfleet("clone"), 2, "no repositories")
    assert_user_error(gitfleet("clone", good, "--depth", "0"), 2, "--depth")


def lines_at_head(repo: Path) -> int:
    """The lines of ownership: every line of every file at HEAD git does not call binary (a NUL
    in its first 8000 bytes); a last line without its newline counts."""
    total = 0
    for entry in git(repo, "ls-tree", "-r", "-z", "HEAD").split(b"\0"):
        meta, _, path = entry.partition(b"\t")
        if path and not meta.startswith(b"160000"):  # submodules are not files
            data = git(repo, "cat-file", "blob", b"HEAD:" + path)
            if b"\0" not in data[:8000]:
                total += data.count(b"\n") + (bool(data) and not data.endswith(b"\n"))
    return total


def test_analyze_writes_the_report_and_tables(rich_repo, tmp_path):
    out = tmp_path / "report"
    result = gitfleet("analyze", rich_repo.path, "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith(str(out / "report.html"))
    html = (out / "report.html").read_text()
    assert html.count("<svg") == 6 and "rich-repo" in html and "bus factor" in html
    commits = list(csv.DictReader(open(out / "commits.csv", encoding="utf-8")))
    assert len(commits) == int(git_out(rich_repo.path, "rev-list", "--count", "HEAD"))
    # Piped, the progress is plain lines saying what is being done, with its counts.
    n = len(commits)
    files = sum(not e.startswith("160000") for e in git_out(rich_repo.path, "ls-tree", "-r", "HEAD").splitlines())
    lines = result.stderr.splitlines()
    # Through the fleet store (by default): the store updated, then the figures read from it.
    assert lines[0] == "rich-repo: updating the fleet store: reading history"
    assert lines[1:4] == [f"rich-repo: done: {n:,} commits, {files:,} files blamed",
                          f"rich-repo: fleet store full: {n:,} commits read, {files:,} files blamed",
                          f"Writing 11 tables and the report to {out}"]
    direct = gitfleet("analyze", rich_repo.path, "--out", tmp_path / "direct", "--no-db").stderr.splitlines()
    assert direct[:4] == [f"rich-repo: reading history: {n:,} commits",
                      f"rich-repo: {n:,} commits read; blaming: 0 of {files:,} files done",
                      f"rich-repo: done: {n:,} commits, {files:,} files blamed",
                      f"Writing 11 tables and the report to {tmp_path / 'direct'}"]
    owned = list(csv.DictReader(open(out / "blame_ownership.csv", encoding="utf-8")))
    assert sum(int(r["lines"]) for r in owned) == lines_at_head(rich_repo.path)  # every line has an owner

    two = gitfleet("analyze", rich_repo.path, rich_repo.path, "--out", tmp_path / "two", "--format", "parquet",
                   "--json")
    summary = json.loads(two.stdout)
    assert [r["name"] for r in summary["repositories"]] == ["rich-repo", "rich-repo-2"]
    numstat_rows = sum(1 for line in git_out(rich_repo.path, "log", "--numstat", "--format=").splitlines() if line)
    assert pq.read_table(tmp_path / "two/file_changes.parquet").num_rows >= 2 * numstat_rows  # both copies
    assert (tmp_path / "two/report.html").read_text().count("<svg") == 18  # fleet + each repository

    partial = gitfleet("analyze", rich_repo.path, "file:///nonexistent/repo.git", "--out", tmp_path / "p", "-q")
    assert partial.returncode == 1 and "file:///nonexistent/repo.git" in partial.stderr
    assert "Not analysed" in (tmp_path / "p/report.html").read_text()
    assert_user_error(gitfleet("analyze", tmp_path / "missing", "--out", tmp_path / "m"), 1, "not a directory")


def test_analyze_without_arguments_clones_the_current_repository(rich_repo, tmp_path):
    result = gitfleet("analyze", "--out", tmp_path / "r", cwd=rich_repo.path / "lib")
    assert result.returncode == 0, result.stderr
    assert "Cloning 1 repository" in result.stderr and "files blamed" in result.stderr
    html = (tmp_path / "r/report.html").read_text()
    assert "rich-repo" in html
    # Provenance: the commit analysed, and the clone's source rather than its deleted temporary path.
    assert git_out(rich_repo.path, "rev-parse", "HEAD").strip() in html
    assert f"<small>{rich_repo.path}</small>" in html and f"{tempfile.gettempdir()}/gitfleet-" not in html
    assert "merge commits left out of churn" in html and "all commits at HEAD" in html
    outside = gitfleet("analyze", "--out", tmp_path / "x", cwd=tmp_path)
    assert_user_error(outside, 1, "not inside a git repository")


def test_copy_and_serve_pass_through_to_py_eacopy(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src/a.txt").write_text("a")
    result = gitfleet("copy", tmp_path / "src", tmp_path / "dst")
    assert result.returncode == 0 and "Files :" in result.stdout
    assert (tmp_path / "dst/a.txt").read_text() == "a"
    assert gitfleet("copy", tmp_path / "missing", tmp_path / "x").returncode == 2
    assert "--root" in gitfleet("serve", "--help").stdout
    # No token anywhere: the per-user secret, refused when others could read it.
    config = tmp_path / "config"
    (config / "py_eacopy").mkdir(parents=True)
    (config / "py_eacopy" / "secret").write_text("s3cret\n")
    (config / "py_eacopy" / "secret").chmod(0o644)
    env = {**{k: v for k, v in os.environ.items() if k != "EACOPY_TOKEN"}, "XDG_CONFIG_HOME": str(config)}
    assert_user_error(gitfleet("serve", "--root", tmp_path, "--port", "0", env=env), 2, "mode 0600")


@pytest.mark.parametrize("args", [("commits",), ("blame",), ("analyze", "--format", "xml")])
def test_usage_errors_exit_2(args):
    assert gitfleet(*args).returncode == 2


def test_an_output_that_cannot_be_written_is_one_line(rich_repo, tmp_path):
    """/proc/version opens for writing and fails when the rows are flushed at the end."""
    assert_user_error(gitfleet("commits", rich_repo.path, "-o", "/proc/version"), 1, "cannot write /proc/version")
    assert_user_error(gitfleet("blame", rich_repo.path, "--format", "csv", "-o", tmp_path / "no" / "such.csv"), 1,
                      "No such file or directory")


def test_blame_of_a_non_utf8_name_from_the_command_line(tmp_path):
    repo = GitRepo(tmp_path / "r")
    name = os.fsdecode(b"caf\xe9.txt")
    repo.write(name, "one\ntwo\n")
    repo.commit("latin-1 name")
    result = gitfleet("blame", repo.path, name, "--format", "csv")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["content"] for r in rows] == ["one", "two"] and rows[0]["path"] == name


def test_a_failed_export_leaves_no_file(rich_repo, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for fmt in ("csv", "jsonl", "parquet"):
        result = gitfleet("blame", rich_repo.path, "no/such/file.py", "--format", fmt, "-o", out / f"b.{fmt}")
        assert result.returncode == 1 and "Traceback" not in result.stderr
    assert list(out.iterdir()) == []  # neither a partial file nor a temporary one
    assert gitfleet("commits", rich_repo.path, "--format", "csv", "-o", out / "c.csv").returncode == 0
    assert [p.name for p in out.iterdir()] == ["c.csv"]


def test_analyze_progress_says_what_is_done_and_the_time_left():
    from GitFleet.analyses import AnalysisProgress
    from GitFleet.blame import BlameProgress
    from GitFleet.cli import _analysis_state

    assert _analysis_state(AnalysisProgress("history", 1200), 0) == "reading history: 1,200 commits"
    quarter = AnalysisProgress("blame", 1200, BlameProgress(10, 4846, 250, 1000))
    # A quarter of the lines in 30 s: three quarters left take about 90 s.
    assert _analysis_state(quarter, 30) == ("1,200 commits read; blaming: 10 of 4,846 files done, 25% of lines, "
                                            "about 1 min 30 s left")
    assert _analysis_state(quarter, 1).endswith("25% of lines")  # too early to tell
    done = AnalysisProgress("done", 1200, BlameProgress(4846, 4846, 1000, 1000))
    assert _analysis_state(done, 99) == "done: 1,200 commits, 4,846 files blamed"


def test_analyze_keeps_a_fleet_store_that_query_reads(tmp_path):
    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@x", "GIT_COMMITTER_NAME": "A",
           "GIT_COMMITTER_EMAIL": "a@x"}
    for i in range(3):
        (repo / f"f{i}.txt").write_text("line\n" * (i + 1))
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
        subprocess.run(["git", "-C", str(repo), "commit", "-qm", f"c{i}"], check=True, env=env)
    db = tmp_path / "fleet.duckdb"
    first = gitfleet("analyze", repo, "--out", tmp_path / "r1", "--db", db)
    assert first.returncode == 0, first.stderr
    assert "repo: fleet store full: 3 commits read, 3 files blamed" in first.stderr.splitlines()
    (repo / "f0.txt").write_text("changed\n")
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", "c3"], check=True, env=env)
    second = subprocess.run([sys.executable, "-X", "importtime", *GITFLEET[1:], "analyze", repo,
                             "--out", tmp_path / "r2", "--db", db], capture_output=True, text=True, timeout=300)
    assert "repo: fleet store incremental: 1 commits read, 1 files blamed" in second.stderr.splitlines()
    # pyarrow's conversion of Python values imports pandas (a quarter second): an update needs none.
    assert not re.search(r"\|\s+pandas$", second.stderr, re.M)
    direct = gitfleet("analyze", repo, "--out", tmp_path / "r3", "--no-db")
    assert direct.returncode == 0 and "fleet store" not in direct.stderr and not (tmp_path / "r3/fleet.duckdb").exists()
    for table in ("commits", "file_changes", "blame_ownership", "activity", "file_owners", "code_age", "hotspots"):
        assert (tmp_path / "r2" / f"{table}.csv").read_text() == (tmp_path / "r3" / f"{table}.csv").read_text(), table
    default = gitfleet("analyze", repo, "--out", tmp_path / "r4", "-q")  # the store beside the report
    assert default.returncode == 0 and (tmp_path / "r4/fleet.duckdb").is_file()
    assert_user_error(gitfleet("analyze", repo, "--out", tmp_path / "r5", "--db", db, "--no-db"), 1, "contradict")
    answer = gitfleet("query", "SELECT repo, commits, lines FROM repositories", "--db", db, "--format", "csv")
    assert answer.returncode == 0, answer.stderr
    assert answer.stdout.splitlines() == ["repo,commits,lines", "repo,4,6"]
    # The report's tables are in the store too, with their values' types, replaced (not added to) by the second run.
    types = gitfleet("query", "SELECT column_name, data_type FROM information_schema.columns "
                     "WHERE table_name = 'report_languages' ORDER BY ordinal_position", "--db", db, "--format", "csv")
    assert types.stdout.splitlines()[1:] == ["repo,VARCHAR", "language,VARCHAR", "files,BIGINT", "lines,BIGINT",
                                             "share,DOUBLE"]
    for table in ("activity", "file_owners", "code_age", "languages"):
        rows = gitfleet("query", f"SELECT * FROM report_{table} ORDER BY ALL", "--db", db, "--format", "csv").stdout
        with open(tmp_path / "r2" / f"{table}.csv", newline="") as f:
            expected = sorted(csv.reader(f))
        assert sorted(csv.reader(rows.splitlines())) == expected, table
    again = gitfleet("analyze", repo, "--out", tmp_path / "r6", "--db", db, "-q", "--exclude", "f1.txt",
                     "--inactive-months", "3")
    assert again.returncode == 0, again.stderr
    # Which analysis the report_* rows come from: the commit and the options, the last run's.
    (report,) = json.loads("[" + ",".join(gitfleet("query", "SELECT repo, head, options FROM reports", "--db", db,
                                                   "--format", "jsonl").stdout.splitlines()) + "]")
    assert report["repo"] == "repo" and report["head"] == git_out(repo, "rev-parse", "HEAD").strip()
    options = json.loads(report["options"])
    assert {k: options[k] for k in ("rev", "max_count", "exclude", "inactive_months", "mailmap")} == {
        "rev": "HEAD", "max_count": None, "exclude": ["f1.txt"], "inactive_months": 3, "mailmap": True}
    assert options["coupling"]["min_shared"] == 5
    assert_user_error(gitfleet("query", "SELECT nope", "--db", db), 1, "query failed")
    assert_user_error(gitfleet("query", "SELECT 1", "--db", tmp_path / "none.duckdb"), 1, "no fleet store at")


def test_store_fills_the_fleet_store_in_process_or_on_dask(rich_repo, tmp_path):
    db = tmp_path / "fleet.duckdb"
    first = gitfleet("store", rich_repo.path, "--db", db)
    assert first.returncode == 0, first.stderr
    assert f"{rich_repo.path}: full:" in first.stderr
    again = gitfleet("store", rich_repo.path, "--db", db)
    assert f"{rich_repo.path}: unchanged: 0 commits read" in again.stderr
    dask_db = tmp_path / "dask.duckdb"
    on_dask = gitfleet("store", rich_repo.path, tmp_path / "missing", "--db", dask_db, "--workers", "2")
    assert on_dask.returncode == 1
    assert f"gitfleet: failed: {tmp_path / 'missing'}:" in on_dask.stderr and "Traceback" not in on_dask.stderr
    same = "SELECT repo, head, commits, files, lines FROM repositories"
    assert gitfleet("query", same, "--db", db).stdout == gitfleet("query", same, "--db", dask_db).stdout
    again_on_dask = gitfleet("store", rich_repo.path, "--db", dask_db, "--workers", "2")
    assert f"{rich_repo.path}: stored unchanged: 0 commits, 0 files" in again_on_dask.stderr  # only what is new
    parts = tmp_path / "parts"
    written = gitfleet("store", rich_repo.path, "--db", tmp_path / "unused.duckdb", "--workers", "2",
                       "--partitions", parts)
    assert written.returncode == 0, written.stderr
    assert f"{rich_repo.path}: written to partitions:" in written.stderr
    assert sorted(p.name for p in (parts / "rich-repo").iterdir()) == [
        "blame_lines.parquet", "commits.parquet", "file_changes.parquet", "files.parquet", "repository.json"]
    assert not (tmp_path / "unused.duckdb").exists()  # the store is left alone
    assert pq.read_table(parts / "rich-repo" / "commits.parquet").num_rows == \
        int(git_out(rich_repo.path, "rev-list", "--count", "HEAD"))
    assert_user_error(gitfleet("store", rich_repo.path, "--partitions", parts), 1, "--partitions is for workers")


def test_analyze_on_dask_reports_what_one_process_does(rich_repo, tmp_path):
    (tmp_path / "not-a-repo").mkdir()
    on_dask = gitfleet("analyze", rich_repo.path, tmp_path / "not-a-repo", "--out", tmp_path / "d", "--workers", "2")
    assert on_dask.returncode == 1 and "Traceback" not in on_dask.stderr
    assert f"{rich_repo.path}: read on Dask" in on_dask.stderr
    assert f"gitfleet: failed: {tmp_path / 'not-a-repo'}:" in on_dask.stderr
    alone = gitfleet("analyze", rich_repo.path, "--out", tmp_path / "a", "--no-db", "-q")
    assert alone.returncode == 0, alone.stderr
    for table in ("commits", "file_changes", "blame_ownership", "activity", "file_owners", "coupling", "languages"):
        assert (tmp_path / "d" / f"{table}.csv").read_text() == (tmp_path / "a" / f"{table}.csv").read_text(), table
    assert_user_error(gitfleet("analyze", rich_repo.path, "--no-db", "--workers", "2", "--out", tmp_path / "x"),
                      1, "drop --no-db")
