"""Each analysis of ``gitfleet analyze`` on a repository built so that its right answer is
known: four commits' worth of ownership, ages, revisions and co-changes worked out by hand.

History (T = 2020-09-13, days after it):
  T     alice  src/a.py (a0-a9), src/b.py (b0-b3), docs/guide.md (3 lines), Makefile (2 lines)
  T+30  bob    a0, a1 and b0 rewritten
  T+60  bob    a2 and b1 rewritten
  T+400 carol  docs/guide.md renamed docs/manual.md; a3 rewritten
  T+800 bob    b2 rewritten (HEAD)
At HEAD: a.py is alice 6, bob 3, carol 1; b.py bob 3, alice 1; manual.md alice 3; Makefile
alice 2 (19 lines); docs/empty.txt (from the start) has none."""

from __future__ import annotations

import asyncio
import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from GitFleet import RepoManager
from GitFleet.analyses import ChangeCoupling, analyze_repository, language_of
from gitrepo import GitRepo

T, DAY = 1_600_000_000, 86400
ALICE, BOB, CAROL = "alice <alice@example.com>", "bob <bob@example.com>", "carol <carol@example.com>"


def lines(prefix: str, n: int, rewritten: set[int] = frozenset()) -> str:
    return "".join(f"{prefix.upper() if i in rewritten else prefix}{i}\n" for i in range(n))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    r = GitRepo(tmp_path_factory.mktemp("answers") / "repo")
    r.write("src/a.py", lines("a", 10))
    r.write("src/b.py", lines("b", 4))
    r.write("docs/guide.md", "one\ntwo\nthree\n")
    r.write("Makefile", "all:\n\ttrue\n")
    r.write("docs/empty.txt", "")  # no lines, no owner: never an inactive owner
    r.commit("start", when=T, author=ALICE)
    r.write("src/a.py", lines("a", 10, {0, 1}))
    r.write("src/b.py", lines("b", 4, {0}))
    r.commit("first edits", when=T + 30 * DAY, author=BOB)
    r.write("src/a.py", lines("a", 10, {0, 1, 2}))
    r.write("src/b.py", lines("b", 4, {0, 1}))
    r.commit("second edits", when=T + 60 * DAY, author=BOB)
    r.git("mv", "docs/guide.md", "docs/manual.md")
    r.write("src/a.py", lines("a", 10, {0, 1, 2, 3}))
    r.commit("rename the guide", when=T + 400 * DAY, author=CAROL)
    r.write("src/b.py", lines("b", 4, {0, 1, 2}))
    r.commit("last edit", when=T + 800 * DAY, author=BOB)
    return r


def analyse(repo: GitRepo, **options):
    return asyncio.run(analyze_repository(RepoManager(), str(repo.path), "repo", **options))


@pytest.fixture(scope="module")
def analysis(repo: GitRepo):
    return analyse(repo)


def test_dated_from_the_analysed_commit(repo: GitRepo, analysis) -> None:
    assert analysis.head == repo.head()
    assert analysis.reference_time == T + 800 * DAY


def test_activity(analysis) -> None:
    assert analysis.tables()["activity"] == [
        ("repo", BOB, 3, "2020-10-13", "2022-11-22", 3, 12, 6),
        ("repo", ALICE, 1, "2020-09-13", "2020-09-13", 1, 19, 12),
        ("repo", CAROL, 1, "2021-10-18", "2021-10-18", 1, 2, 1),
    ]


def test_file_and_directory_owners(analysis) -> None:
    tables = analysis.tables()
    assert tables["file_owners"] == [
        ("repo", "Makefile", 2, 1, ALICE, 2, 1.0),
        ("repo", "docs/empty.txt", 0, 0, "", 0, 0.0),
        ("repo", "docs/manual.md", 3, 1, ALICE, 3, 1.0),
        ("repo", "src/a.py", 10, 3, ALICE, 6, 0.6),
        ("repo", "src/b.py", 4, 2, BOB, 3, 0.75),
    ]
    assert tables["directory_owners"] == [
        ("repo", ".", 5, 19, 3, ALICE, 12, round(12 / 19, 4)),
        ("repo", "src", 2, 14, 3, ALICE, 7, 0.5),
        ("repo", "docs", 2, 3, 1, ALICE, 3, 1.0),
    ]


def test_knowledge_loss(repo: GitRepo, analysis) -> None:
    # 12 months before HEAD is 2021-11-22: alice (2020-09) and carol (2021-10) are inactive.
    k = analysis.knowledge
    assert (k.months, k.lines, k.inactive_lines, k.files, k.files_with_inactive_owner, k.inactive_authors) == \
        (12, 19, 13, 5, 3, 2)
    assert analysis.tables()["knowledge_loss"] == [
        ("repo", "src/a.py", 10, 7, 0.7, ALICE, True),
        ("repo", "docs/manual.md", 3, 3, 1.0, ALICE, True),
        ("repo", "Makefile", 2, 2, 1.0, ALICE, True),
        ("repo", "src/b.py", 4, 1, 0.25, BOB, False),
        ("repo", "docs/empty.txt", 0, 0, 0.0, "", False),
    ]
    # 24 months before HEAD is 2020-11-22: carol is active again.
    k24 = analyse(repo, inactive_months=24).knowledge
    assert (k24.inactive_lines, k24.files_with_inactive_owner, k24.inactive_authors) == (12, 3, 1)


def test_code_age(analysis) -> None:
    assert analysis.code_age.distribution() == [
        ("under 1 month", 1), ("1-6 months", 0), ("6-12 months", 0), ("1-2 years", 1), ("2-5 years", 17),
        ("over 5 years", 0)]
    assert analysis.tables()["code_age"] == [
        ("repo", "Makefile", 2, 800, "2020-09-13", "2020-09-13"),
        ("repo", "docs/manual.md", 3, 800, "2020-09-13", "2020-09-13"),
        ("repo", "src/a.py", 10, 800, "2021-10-18", "2020-09-13"),  # median of 10 lines: the 5th oldest
        ("repo", "src/b.py", 4, 770, "2022-11-22", "2020-09-13"),
    ]


def test_code_age_buckets_lines_on_and_between_the_bounds() -> None:
    import random

    from GitFleet.analyses.code_age import CodeAge
    reference = T + 3000 * DAY
    age = CodeAge(reference)
    bounds = [since for _, since in age._bounds if since is not None]
    rng = random.Random(7)
    times = [rng.choice(bounds) + rng.choice((-1, 0, 1)) for _ in range(200)] + \
        [rng.randrange(T - 4000 * DAY, reference) for _ in range(300)]
    age.add("f", times)
    expected = {label: 0 for label, _ in age._bounds}
    for t in times:  # the definition: the first bucket, newest first, whose bound the line is not older than
        expected[next(label for label, since in age._bounds if since is None or t >= since)] += 1
    assert age.distribution() == list(expected.items())
    assert age._files == [("f", 500, sorted(times)[249], max(times), min(times))]
    undated = CodeAge(None)
    undated.add("f", times)
    assert undated.distribution()[0] == ("under 1 month", 500)


def test_hotspots_follow_renames(analysis) -> None:
    assert analysis.tables()["hotspots"] == [
        ("repo", "src/a.py", 4, 18, 10, 1.8),
        ("repo", "src/b.py", 4, 10, 4, 2.5),
        ("repo", "docs/manual.md", 2, 3, 3, 1.0),
        ("repo", "Makefile", 1, 2, 2, 1.0),
        ("repo", "docs/empty.txt", 1, 0, 0, 0.0),
    ]


def test_change_coupling(repo: GitRepo, analysis) -> None:
    assert analysis.tables()["coupling"] == []  # code-maat's thresholds: nothing changed 5 times together
    every = analyse(repo, coupling=ChangeCoupling(min_revisions=1, min_shared=1, min_degree=0))
    assert every.tables()["coupling"] == [
        ("repo", "Makefile", "docs/empty.txt", 1, 1.0, 100),
        ("repo", "src/a.py", "src/b.py", 3, 4.0, 75),
        ("repo", "docs/manual.md", "src/a.py", 2, 3.0, 66),  # a degree's ties: most shared first
        ("repo", "Makefile", "docs/manual.md", 1, 1.5, 66),
        ("repo", "docs/empty.txt", "docs/manual.md", 1, 1.5, 66),
        ("repo", "Makefile", "src/a.py", 1, 2.5, 40),
        ("repo", "Makefile", "src/b.py", 1, 2.5, 40),
        ("repo", "docs/empty.txt", "src/a.py", 1, 2.5, 40),
        ("repo", "docs/empty.txt", "src/b.py", 1, 2.5, 40),
        ("repo", "docs/manual.md", "src/b.py", 1, 3.0, 33),
    ]
    # The first commit changes 5 files: above a changeset limit of 3 it counts for nothing.
    small = analyse(repo, coupling=ChangeCoupling(max_changeset=3, min_revisions=1, min_shared=1, min_degree=0))
    assert small.tables()["coupling"] == [
        ("repo", "src/a.py", "src/b.py", 2, 3.0, 66),
        ("repo", "docs/manual.md", "src/a.py", 1, 2.0, 50),
    ]


def test_languages(analysis) -> None:
    assert analysis.tables()["languages"] == [
        ("repo", "Python", 2, 14, round(14 / 19, 4)),
        ("repo", "Markdown", 1, 3, round(3 / 19, 4)),
        ("repo", "Makefile", 1, 2, round(2 / 19, 4)),
        ("repo", "Text", 1, 0, 0.0),
    ]
    assert [language_of(p) for p in ("x/Makefile", "a.H", "CMakeLists.txt", "README", "t.tsx")] == \
        ["Makefile", "C", "CMake", "Other", "TypeScript"]


def test_cli_writes_every_table(repo: GitRepo, tmp_path: Path) -> None:
    out = tmp_path / "report"
    done = subprocess.run([sys.executable, "-m", "GitFleet", "analyze", str(repo.path), "--out", str(out), "--json",
                           "--inactive-months", "24"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    tables = {Path(p).stem for p in json.loads(done.stdout)["tables"]}
    assert {"activity", "file_owners", "directory_owners", "knowledge_loss", "code_age", "hotspots", "coupling",
            "languages"} <= tables
    with open(out / "knowledge_loss.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["path"], r["inactive_lines"]) for r in rows] == \
        [("src/a.py", "6"), ("docs/manual.md", "3"), ("Makefile", "2"), ("src/b.py", "1"), ("docs/empty.txt", "0")]
    html = (out / "report.html").read_text()
    assert "No pair of files changed together often enough" in html  # code-maat's thresholds
    loose = tmp_path / "loose"
    done = subprocess.run([sys.executable, "-m", "GitFleet", "analyze", str(repo.path), "--out", str(loose), "-q",
                           "--coupling-max-changeset", "3", "--coupling-min-revisions", "1",
                           "--coupling-min-shared", "1", "--coupling-min-degree", "60"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with open(loose / "coupling.csv", newline="") as f:
        assert [(r["path"], r["coupled_path"], r["degree"]) for r in csv.DictReader(f)] == \
            [("src/a.py", "src/b.py", "66")]
    for heading in ("Knowledge loss", "Code age", "Hotspots", "Change coupling", "Languages", "Authors"):
        assert f">{heading}<" in html, heading
