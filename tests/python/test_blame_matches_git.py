"""Blame against `git blame --line-porcelain`: same commit, original path and line for every
line of every file, plus the commit details and the line content."""

from __future__ import annotations

import threading
from pathlib import Path

import GitFleet
import pytest
from conftest import build_random_repo
from GitFleet import BlameError, RepoManager
from gitrepo import GitRepo, git, git_blame


def files_at(repo: Path, rev: str = "HEAD") -> list[str]:
    out = git(repo, "ls-tree", "-r", "-z", "--full-tree", rev)
    paths = []
    for entry in out.split(b"\0")[:-1]:
        meta, _, path = entry.partition(b"\t")
        if meta.split()[0] != b"160000":  # submodules are not files
            paths.append(path.decode("utf-8", "surrogateescape"))
    return paths


async def assert_blame_matches(repo: Path, paths: list[str], rev: str = "HEAD", *git_args: str,
                               first_parent: bool = False) -> int:
    result = await RepoManager().bulk_blame(repo, paths, rev=rev, first_parent=first_parent)
    total = 0
    for path in paths:
        ours = result[path]
        assert not isinstance(ours, Exception), f"{path}: {ours}"
        theirs = git_blame(repo, path, rev, *git_args)
        assert [(l.commit_id, l.orig_path, l.orig_line_no, l.final_line_no, l.boundary) for l in ours] == [
            (l.sha, l.filename, l.orig_line, l.final_line, l.boundary) for l in theirs], path
        total += len(ours)
    return total


async def test_rich_repository(rich_repo) -> None:
    assert await assert_blame_matches(rich_repo.path, files_at(rich_repo.path)) > 60000


@pytest.mark.parametrize("seed", range(6))
async def test_random_histories_with_renames_and_merges(tmp_path: Path, seed: int) -> None:
    repo = build_random_repo(tmp_path / f"blame-{seed}", seed + 200)
    await assert_blame_matches(repo.path, files_at(repo.path))
    await assert_blame_matches(repo.path, files_at(repo.path), "HEAD", "--first-parent", first_parent=True)


async def test_every_file_of_the_project(project_repo: Path) -> None:
    assert await assert_blame_matches(project_repo, files_at(project_repo)) > 1000


async def test_older_revision_and_commit_details(rich_repo) -> None:
    rev = "HEAD~6"
    paths = files_at(rich_repo.path, rev)
    await assert_blame_matches(rich_repo.path, paths, rev)
    (lines,) = [(await RepoManager().bulk_blame(rich_repo.path, ["crlf.txt"], rev=rev))["crlf.txt"]]
    for ours, theirs in zip(lines, git_blame(rich_repo.path, "crlf.txt", rev)):
        f = theirs.fields
        assert (ours.author_name, ours.author_email, ours.author_time, ours.author_tz) == (
            f["author"], f["author-mail"].strip("<>"), int(f["author-time"]), f["author-tz"])
        assert (ours.committer_name, ours.committer_email, ours.committer_time, ours.committer_tz) == (
            f["committer"], f["committer-mail"].strip("<>"), int(f["committer-time"]), f["committer-tz"])
        assert ours.summary == f["summary"]
        assert ours.line_content.encode() == theirs.content  # CR kept, as git prints it


async def test_content_comes_from_the_revision_not_the_work_tree(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "wt")
    repo.write("f.txt", "committed\n")
    repo.commit("one")
    repo.write("f.txt", "edited in the work tree\n")
    (line,) = await RepoManager().blame(repo.path, "f.txt")
    assert line.line_content == "committed"
    assert line.boundary  # the root commit


async def test_one_bad_file_never_fails_the_batch(rich_repo) -> None:
    result = await RepoManager().bulk_blame(rich_repo.path, ["README.md", "no/such/file", "vendor/sub", "empty-moved.txt"])
    assert isinstance(result["README.md"], list) and result["README.md"]
    assert isinstance(result["no/such/file"], BlameError) and "no/such/file" in str(result["no/such/file"])
    assert isinstance(result["vendor/sub"], BlameError)
    assert result["empty-moved.txt"] == []
    with pytest.raises(BlameError, match="no/such/file"):
        await RepoManager().blame(rich_repo.path, "no/such/file")
    with pytest.raises(GitFleet.RepositoryNotFoundError):
        await RepoManager().blame("/nonexistent", "x")
    with pytest.raises(GitFleet.InvalidArgumentError):
        await RepoManager().bulk_blame(rich_repo.path, "README.md")


async def test_lines_reaching_one_ancestor_line_twice(tmp_path: Path) -> None:
    """A merge whose file is both parents' files one after the other: each half goes to its
    parent, so the common ancestor is asked about the same lines twice (overlapping entries),
    and must still map both copies across its own changes."""
    repo = GitRepo(tmp_path / "twice")
    base = [f"line {i}\n" for i in range(12)]
    repo.write("f.txt", "".join(base))
    repo.commit("A")
    repo.write("f.txt", "".join(base[:2] + ["changed 2\n"] + base[3:]))
    repo.commit("B")
    repo.git("checkout", "-q", "-b", "x")
    repo.write("f.txt", "".join(base[:2] + ["changed 2\n"] + base[3:] + ["x tail\n"]))
    repo.commit("X")
    repo.git("checkout", "-q", "main")
    repo.write("f.txt", "".join(["y head\n"] + base[:2] + ["changed 2\n"] + base[3:]))
    repo.commit("Y")
    x = (repo.path / "f.txt").read_text()
    repo.git("merge", "-q", "-s", "ours", "--no-commit", "x")
    x_version = git(repo.path, "show", "x:f.txt").decode()
    repo.write("f.txt", x_version + x)
    repo.git("add", "f.txt")
    repo.git("commit", "-q", "-m", "both halves")
    assert await assert_blame_matches(repo.path, ["f.txt"]) == 26


async def test_ignore_whitespace_and_line_ranges(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "ws")
    lines = [f"value_{i} = {i}\n" for i in range(30)]
    repo.write("code.py", "".join(lines))
    repo.commit("first")
    lines[3] = "value_3  =   3\n"          # whitespace only
    lines[10] = "\tvalue_10 = 10\n"       # indentation only
    lines[20] = "value_20 = 'twenty'\n"   # a real change
    repo.write("code.py", "".join(lines).replace("\n", " \n", 5))  # trailing blanks too
    repo.commit("reformat and one change")
    manager = RepoManager()
    for ignore, args in ((False, ()), (True, ("-w",))):
        ours = await manager.blame(repo.path, "code.py", ignore_whitespace=ignore)
        theirs = git_blame(repo.path, "code.py", "HEAD", *args)
        assert [(l.commit_id, l.orig_line_no) for l in ours] == [(t.sha, t.orig_line) for t in theirs]
    ignored = await manager.blame(repo.path, "code.py", ignore_whitespace=True)
    assert len({l.commit_id for l in ignored}) == 2  # only the real change is the second commit's

    ranged = await manager.blame(repo.path, "code.py", line_range=(18, 22))
    theirs = git_blame(repo.path, "code.py", "HEAD", "-L", "18,22")
    assert [(l.commit_id, l.orig_line_no, l.final_line_no, l.line_content.encode()) for l in ranged] == [
        (t.sha, t.orig_line, t.final_line, t.content) for t in theirs]
    with pytest.raises(BlameError, match="outside"):
        await manager.blame(repo.path, "code.py", line_range=(25, 31))
    with pytest.raises(GitFleet.InvalidArgumentError, match="line_range"):
        await manager.blame(repo.path, "code.py", line_range=(0, 3))


async def test_line_ranges_agree_with_the_whole_file(rich_repo) -> None:
    whole = await RepoManager().blame(rich_repo.path, "lib/main.py")
    part = await RepoManager().blame(rich_repo.path, "lib/main.py", line_range=(5, 25))
    assert [l.final_line_no for l in part] == list(range(5, 26))
    assert [(l.commit_id, l.orig_line_no) for l in part] == [(l.commit_id, l.orig_line_no) for l in whole[4:25]]


@pytest.mark.parametrize("seed", range(3))
async def test_whole_repository_blame_equals_per_file_blame(tmp_path: Path, seed: int, rich_repo) -> None:
    for repo in (build_random_repo(tmp_path / f"whole-{seed}", seed + 300).path, rich_repo.path):
        whole = await RepoManager().blame_repository(repo)
        assert sorted(whole) == sorted(files_at(repo))
        for path, lines in whole.items():
            assert not isinstance(lines, Exception), f"{path}: {lines}"
            theirs = git_blame(repo, path)
            assert [(l.commit_id, l.orig_path, l.orig_line_no, l.final_line_no, l.boundary) for l in lines] == [
                (t.sha, t.filename, t.orig_line, t.final_line, t.boundary) for t in theirs], path


async def test_whole_repository_blame_reports_its_progress_on_the_loop(project_repo: Path) -> None:
    loop_thread = threading.get_ident()
    seen: list[tuple[int, GitFleet.BlameProgress]] = []
    whole = await RepoManager().blame_repository(project_repo, progress=lambda p: seen.append((threading.get_ident(), p)))
    files = len(whole)
    lines = sum(len(v) for v in whole.values() if not isinstance(v, Exception))
    assert {thread for thread, _ in seen} == {loop_thread}
    counts = [p for _, p in seen]
    assert counts[-1] == GitFleet.BlameProgress(files, files, lines, lines)
    assert all(p.files_total == files and p.lines_done <= p.lines_total == lines for p in counts[:-1])
    for before, after in zip(counts, counts[1:]):
        assert after.files_done >= before.files_done and after.lines_done >= before.lines_done
    with pytest.raises(GitFleet.InvalidArgumentError, match="progress must be callable"):
        await RepoManager().blame_repository(project_repo, progress=3)


async def test_whole_repository_blame_of_the_project(project_repo: Path) -> None:
    whole = await RepoManager().blame_repository(project_repo)
    for path in files_at(project_repo):
        theirs = git_blame(project_repo, path)
        assert [(l.commit_id, l.orig_path, l.orig_line_no) for l in whole[path]] == [
            (t.sha, t.filename, t.orig_line) for t in theirs], path


async def test_stream_blame_yields_the_same_lines_in_bounded_batches(rich_repo) -> None:
    manager = RepoManager()
    whole = await manager.blame(rich_repo.path, "big.txt")
    batches = [b async for b in manager.stream_blame(rich_repo.path, "big.txt", batch_size=7000)]
    assert [len(b) for b in batches[:-1]] == [7000] * (len(batches) - 1) and 0 < len(batches[-1]) <= 7000
    streamed = [line for b in batches for line in b]
    assert [(l.commit_id, l.orig_line_no, l.final_line_no) for l in streamed] == [
        (l.commit_id, l.orig_line_no, l.final_line_no) for l in whole]
    async for batch in manager.stream_blame(rich_repo.path, "big.txt", batch_size=10):
        assert len(batch) == 10
        break  # leaving early stops the native work
    with pytest.raises(BlameError, match="no/such"):
        async for _ in manager.stream_blame(rich_repo.path, "no/such"):
            pass


@pytest.mark.parametrize("seed", range(4))
async def test_ignore_revs_match_git(tmp_path: Path, seed: int) -> None:
    """Ignored commits hand even their changed lines to the parent line git's heuristic picks
    (fingerprint matching); whatever it cannot place stays with the ignored commit."""
    import random

    repo = build_random_repo(tmp_path / f"ignore-{seed}", seed + 600)
    commits = git(repo.path, "log", "--format=%H", "--no-merges").decode().split()
    rnd = random.Random(seed)
    ignore = rnd.sample(commits, 3)
    paths = files_at(repo.path)
    ours = await RepoManager().bulk_blame(repo.path, paths, ignore_revs=ignore)
    args = [a for rev in ignore for a in ("--ignore-rev", rev)]
    for path in paths:
        assert [(l.commit_id, l.orig_path, l.orig_line_no) for l in ours[path]] == [
            (t.sha, t.filename, t.orig_line) for t in git_blame(repo.path, path, "HEAD", *args)], path


async def test_reformatting_commit_is_seen_through(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "reformat")
    code = [f"def function_{i}(argument):\n    return argument * {i}\n" for i in range(8)]
    repo.write("m.py", "".join(code))
    first = repo.commit("write the module")
    repo.write("m.py", "".join(c.replace("argument", "arg").replace("    ", "\t") for c in code))
    reformat = repo.commit("rename the argument and use tabs")
    (tmp_path / "ignore").write_text(f"# formatting only\n{reformat}\n\n")
    lines = await RepoManager().blame(repo.path, "m.py", ignore_revs_file=tmp_path / "ignore")
    theirs = git_blame(repo.path, "m.py", "HEAD", "--ignore-rev", reformat)
    assert [(l.commit_id, l.orig_line_no) for l in lines] == [(t.sha, t.orig_line) for t in theirs]
    assert {l.commit_id for l in lines} == {first}
    with pytest.raises(GitFleet.InvalidArgumentError, match="not a full object name"):
        (tmp_path / "bad").write_text("HEAD~1\n")
        await RepoManager().blame(repo.path, "m.py", ignore_revs_file=tmp_path / "bad")
    with pytest.raises(GitFleet.RevisionNotFoundError):
        await RepoManager().blame(repo.path, "m.py", ignore_revs=["no-such-rev"])


async def test_moved_blocks_and_reverts(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "moves")
    block_a = [f"alpha {i}\n" for i in range(6)]
    block_b = [f"beta {i}\n" for i in range(6)]
    middle = [f"middle {i}\n" for i in range(4)]
    repo.write("f.txt", "".join(block_a + middle + block_b))
    repo.commit("three blocks")
    repo.write("f.txt", "".join(block_b + middle + block_a))
    moved = repo.commit("swap the outer blocks")
    repo.write("f.txt", "".join(block_b + ["inserted\n"] + middle + block_a))
    inserted = repo.commit("insert a line")
    repo.git("revert", "--no-edit", inserted, env={"GIT_AUTHOR_DATE": f"{repo.clock + 60} +0000",
                                                 "GIT_COMMITTER_DATE": f"{repo.clock + 60} +0000"})
    repo.clock += 60
    for rev in ("HEAD", "HEAD~1", "HEAD~2"):
        await assert_blame_matches(repo.path, ["f.txt"], rev)
    await assert_blame_matches(repo.path, ["f.txt"], "HEAD", "--ignore-rev", moved)


@pytest.mark.parametrize("seed", range(3))
async def test_a_range_is_git_blame_of_a_range(tmp_path: Path, seed: int) -> None:
    repo = build_random_repo(tmp_path / f"range-{seed}", seed + 500).path
    order = git(repo, "log", "--format=%H").decode().split()
    paths = files_at(repo)
    for old in (order[4], order[len(order) // 2]):
        ours = await RepoManager().bulk_blame(repo, paths, exclude=old)
        # The same range given as the whole set of old's history (as the fleet store does).
        known = await RepoManager().bulk_blame(repo, paths, exclude_commits=git(repo, "rev-list", old).decode().split())
        boundary = 0
        for path in paths:
            theirs = git_blame(repo, path, f"{old}..HEAD")
            assert [(l.commit_id, l.orig_path, l.orig_line_no, l.boundary) for l in ours[path]] == [
                (t.sha, t.filename, t.orig_line, t.boundary) for t in theirs], (old, path)
            assert [(l.commit_id, l.orig_path, l.orig_line_no, l.boundary) for l in known[path]] == \
                [(l.commit_id, l.orig_path, l.orig_line_no, l.boundary) for l in ours[path]]
            boundary += sum(l.boundary for l in ours[path])
        assert boundary > 0  # the range did cut the history


async def test_a_repository_replaced_at_the_same_path_is_blamed_as_it_is_now(tmp_path: Path) -> None:
    """Blame sessions are kept between calls; one must never serve a repository that was
    replaced at the same path. The sharpest case: the same commits, shallow one time and whole
    the next (a commit's parents differ), in both orders, and an unrelated repository."""
    import shutil

    source = build_random_repo(tmp_path / "source", 301)
    other = build_random_repo(tmp_path / "other", 302)
    here = tmp_path / "here"
    files = [f for f in files_at(source.path) if f.endswith(".txt")][:4]
    assert files
    for clone_args in (["--depth", "3"], [], ["--depth", "3"], None):
        shutil.rmtree(here, ignore_errors=True)
        if clone_args is None:
            shutil.copytree(other.path, here, symlinks=True)
            paths = [f for f in files_at(here) if f.endswith(".txt")][:4]
        else:
            git(tmp_path, "clone", "-q", "--no-local", *clone_args, f"file://{source.path}", str(here))
            paths = files
        await assert_each_blame_matches(here, paths, clone_args)
    # Made whole in place (same directory, same object store): the shallow file is gone.
    shutil.rmtree(here)
    git(tmp_path, "clone", "-q", "--no-local", "--depth", "2", f"file://{source.path}", str(here))
    await assert_each_blame_matches(here, files, "shallow")
    git(here, "fetch", "-q", "--unshallow")
    await assert_each_blame_matches(here, files, "unshallowed")


async def assert_each_blame_matches(repo: Path, paths: list[str], label: object) -> None:
    manager = RepoManager()
    for path in paths:  # one call per file: each goes through the kept sessions
        ours = await manager.blame(repo, path)
        theirs = git_blame(repo, path, "HEAD")
        assert [(l.commit_id, l.orig_line_no, l.boundary) for l in ours] == [
            (l.sha, l.orig_line, l.boundary) for l in theirs], (label, path)
