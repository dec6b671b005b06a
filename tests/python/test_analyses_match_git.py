"""The analyses' figures against git's own answers on a generated repository with merges, a
.mailmap of every form, a bot, a binary file and a non-UTF-8 name: churn = git log --no-merges
--numstat (and --diff-merges=first-parent with include_merges), authors = git shortlog -sne,
ownership = git blame --line-porcelain over the text files."""

from __future__ import annotations

import asyncio
import collections
import os
from pathlib import Path

import pytest
from GitFleet import RepoManager
from GitFleet.analyses import Mailmap, analyze_repository
from gitrepo import GitRepo

MAILMAP = """\
# every form git reads
Alice Proper <alice@example.com>
<bob@example.com> <bob@old.example.com>
Carol Canon <carol@example.com> <CAROL@laptop.example.com>
Dave Right <dave@example.com> dave wrong <dave@typo.example.com>
"""

AUTHORS = ["alice <alice@example.com>", "Bob <bob@old.example.com>", "Bob <bob@example.com>",
           "carol <carol@laptop.example.com>", "dave wrong <dave@typo.example.com>",
           "dave other <dave@typo.example.com>", "dependabot[bot] <49699333+dependabot[bot]@users.noreply.github.com>"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    r = GitRepo(tmp_path_factory.mktemp("analyses") / "repo")
    r.write(".mailmap", MAILMAP)
    r.write("logo.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + bytes(range(256)) * 4)
    r.write(os.fsdecode(b"caf\xe9.txt"), "un\ndeux\n")
    for i, author in enumerate(AUTHORS):
        r.write(f"src/f{i % 3}.py", "".join(f"line {j} by {i}\n" for j in range(5 + i)))
        r.commit(f"commit {i}", author=author)
        if i == 2:
            r.git("checkout", "-q", "-b", "topic")
            r.write("topic.txt", "a\nb\nc\n")
            r.commit("on the topic", author=AUTHORS[1])
            r.git("checkout", "-q", "main")
            r.write("main.txt", "x\n")
            r.commit("on main", author=AUTHORS[0])
            r.merge("topic", "merge topic")
    return r


def analyse(repo: GitRepo, **options) -> object:
    return asyncio.run(analyze_repository(RepoManager(), str(repo.path), "repo", **options))


def numstat(repo: GitRepo, *args: str) -> tuple[int, int]:
    added = deleted = 0
    for line in repo.git("log", "--format=", "--numstat", *args).splitlines():
        a, d, _ = line.split("\t", 2)
        if a != "-":
            added, deleted = added + int(a), deleted + int(d)
    return added, deleted


def test_churn_leaves_merges_out_as_git_log_no_merges(repo: GitRepo) -> None:
    analysis = analyse(repo)
    assert (analysis.additions, analysis.deletions) == numstat(repo, "--no-merges")
    assert analysis.merges == 1 and analysis.commits == int(repo.git("rev-list", "--count", "HEAD"))
    with_merges = analyse(repo, include_merges=True)
    assert (with_merges.additions, with_merges.deletions) == numstat(repo, "--diff-merges=first-parent")
    assert with_merges.additions > analysis.additions


def test_authors_are_git_shortlogs_with_the_mailmap(repo: GitRepo) -> None:
    shortlog = {}
    for line in repo.git("shortlog", "-sne", "HEAD").splitlines():
        count, who = line.strip().split("\t", 1)
        shortlog[who] = int(count)
    assert dict(analyse(repo).commits_by_author) == shortlog
    assert "Alice Proper <alice@example.com>" in shortlog and "Bob <bob@example.com>" in shortlog
    raw = analyse(repo, mailmap=False).commits_by_author
    assert "alice <alice@example.com>" in raw and len(raw) > len(shortlog)


def test_ownership_is_git_blame_over_text_files(repo: GitRepo) -> None:
    expected: collections.Counter[str] = collections.Counter()
    for path in repo.git("ls-files", "-z").split("\0"):
        if not path or path == "logo.png":
            continue
        name = mail = None
        for line in repo.git("blame", "--line-porcelain", "--", path).splitlines():
            if line.startswith("author "):
                name = line[7:]
            elif line.startswith("author-mail "):
                mail = line[12:]
            elif line.startswith("\t"):
                expected[f"{name} {mail}"] += 1
    analysis = analyse(repo)
    assert dict(analysis.lines_owned) == dict(expected)
    assert analysis.binary_files == 1


def test_bots_and_shared_emails(repo: GitRepo) -> None:
    analysis = analyse(repo, exclude_bots=True)
    assert not any("[bot]" in who for who in analysis.commits_by_author)
    assert not any("[bot]" in who for who in analysis.lines_owned)
    assert analysis.bot_commits == 1
    merged = analyse(repo, merge_emails=True, mailmap=False)
    dave = [who for who in merged.commits_by_author if "dave@typo.example.com" in who]
    # The name seen first wins: history is read newest first, so the most recent name.
    assert dave == ["dave other <dave@typo.example.com>"] and merged.commits_by_author[dave[0]] == 2


@pytest.mark.parametrize("name, email, expected", [
    ("alice", "ALICE@example.com", ("Alice Proper", "ALICE@example.com")),
    ("Bob", "bob@OLD.example.com", ("Bob", "bob@example.com")),
    ("carol", "carol@laptop.example.com", ("Carol Canon", "carol@example.com")),
    ("Dave Wrong", "dave@typo.example.com", ("Dave Right", "dave@example.com")),
    ("someone else", "dave@typo.example.com", ("someone else", "dave@typo.example.com")),
    ("nobody", "nobody@example.com", ("nobody", "nobody@example.com")),
])
def test_mailmap_forms_as_git_check_mailmap(repo: GitRepo, name: str, email: str, expected: tuple[str, str]) -> None:
    assert Mailmap(MAILMAP).map(name, email) == expected
    shown = repo.git("check-mailmap", f"{name} <{email}>").strip()
    assert shown == f"{expected[0]} <{expected[1]}>"


def test_blame_names_people_as_git_blame_does_with_the_mailmap(repo: GitRepo) -> None:
    manager = RepoManager()
    for path in ("src/f0.py", "src/f1.py", "src/f2.py", "topic.txt", "main.txt"):
        theirs = []
        for line in repo.git("blame", "--line-porcelain", "--", path).splitlines():
            key, _, value = line.partition(" ")
            if key in ("author", "author-mail", "committer", "committer-mail"):
                theirs.append(value)
        ours = asyncio.run(manager.blame(repo.path, path))
        assert [v for l in ours for v in (l.author_name, f"<{l.author_email}>", l.committer_name,
                                          f"<{l.committer_email}>")] == theirs, path
        raw = asyncio.run(manager.blame(repo.path, path, mailmap=False))
        assert {f"{l.author_name} <{l.author_email}>" for l in raw} <= set(AUTHORS), path
    mapped = {l.author_name for l in asyncio.run(manager.blame(repo.path, "main.txt"))}
    assert mapped == {"Alice Proper"}  # the mailmap did change something here


def test_mailmap_of_a_bare_repository_comes_from_head(repo: GitRepo, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    repo.git("clone", "-q", "--bare", str(repo.path), str(bare))
    analysis = asyncio.run(analyze_repository(RepoManager(), str(bare), "bare"))
    assert "Alice Proper <alice@example.com>" in analysis.commits_by_author


def test_files_changed_without_per_file_records(repo: GitRepo) -> None:
    expected: dict[str, int] = {}
    sha = None
    for line in repo.git("log", "--format=%H", "--numstat", "--diff-merges=first-parent").splitlines():
        if len(line) == 40 and "\t" not in line:
            sha = line
            expected[sha] = 0
        elif line:
            expected[sha] += 1
    commits = asyncio.run(RepoManager().extract_commits(str(repo.path)))
    assert {c.sha: c.files_changed for c in commits} == expected and not any(c.files for c in commits)


def test_files_are_followed_through_renames_and_deleted_ones_marked(tmp_path: Path) -> None:
    r = GitRepo(tmp_path / "renames")
    body = "".join(f"def f{i}():\n    return {i}\n" for i in range(40))
    r.write("flask/app.py", body)
    r.write("old.txt", "gone soon\n")
    r.commit("start")
    r.write("flask/app.py", body + "# more\n")
    r.commit("edit under the old name")
    r.git("mv", "flask/app.py", "app.py")
    r.commit("move")
    (r.path / "src/flask").mkdir(parents=True)
    r.git("mv", "app.py", "src/flask/app.py")
    r.write("src/flask/app.py", body + "# more\n# and more\n")
    r.remove("old.txt")
    r.commit("move again, edit, delete")
    analysis = analyse(r)
    follow = numstat(r, "--follow", "--", "src/flask/app.py")
    assert analysis.churn_by_file["src/flask/app.py"] == sum(follow)
    assert "flask/app.py" not in analysis.churn_by_file and "app.py" not in analysis.churn_by_file
    assert "old.txt" in analysis.churn_by_file and "old.txt" not in analysis.current_files

    from GitFleet.html_report import render_report
    html = render_report(analysis, [analysis])
    assert "old.txt (deleted)" in html and "src/flask/app.py (deleted)" not in html


def test_vendored_generated_and_excluded_files_are_left_out(tmp_path: Path) -> None:
    from GitFleet.analyses import Scope

    r = GitRepo(tmp_path / "scoped")
    r.write("src/main.c", "int main;\n" * 10)
    r.write("deps/jemalloc/configure", "#!/bin/sh\n" * 500)
    r.write("uv.lock", "lock\n" * 300)
    r.write("schema_pb2.py", "generated\n" * 50)
    r.write(".gitattributes", "schema_pb2.py linguist-generated\n")
    r.write("docs/guide.md", "words\n" * 7)
    r.commit("everything")
    r.write("src/main.c", "int main;\n" * 12)
    r.write("uv.lock", "lock\n" * 301)
    r.commit("later", when=r.clock + 86400 * 40)

    analysis = analyse(r)
    assert (analysis.additions, analysis.deletions) == numstat(
        r, "--no-merges", "--", ".", ":!deps", ":!uv.lock", ":!schema_pb2.py")
    assert set(analysis.churn_by_file) == {"src/main.c", ".gitattributes", "docs/guide.md"}
    assert analysis.lines == 12 + 1 + 7 and analysis.files_out_of_scope == 3

    everything = analyse(r, scope=Scope(vendored=True))
    assert (everything.additions, everything.deletions) == numstat(r, "--no-merges")
    only_src = analyse(r, scope=Scope(include=["src/*"], exclude=["docs"]))
    assert set(only_src.churn_by_file) == {"src/main.c"} and only_src.lines == 12
    not_docs = analyse(r, scope=Scope(exclude=["docs"]))
    assert "docs/guide.md" not in not_docs.churn_by_file

    since = r.git("log", "-1", "--format=%cI")
    recent = analyse(r, since=since)
    assert recent.commits == int(r.git("rev-list", "--count", f"--since={since}", "HEAD")) == 1
    assert recent.lines == analysis.lines  # ownership is of the commit, whatever the window
    assert "since" in recent.window
