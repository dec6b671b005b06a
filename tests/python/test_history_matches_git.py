"""extract_commits against git's own numstat: every commit, every file, every number."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import build_random_repo
import GitFleet
from GitFleet import CommitRecord, RepoManager
from gitrepo import GitCommitStats, git, git_log_numstat


def as_git_files(record: CommitRecord) -> list[tuple[int | None, int | None, str, str | None]]:
    return [
        (
            None if f.binary else f.additions,
            None if f.binary else f.deletions,
            f.path,
            f.old_path if f.change_type == "R" else None,
        )
        for f in record.files
    ]


def assert_same_as_git(records: list[CommitRecord], reference: list[GitCommitStats]) -> None:
    assert [r.sha for r in records] == [c.sha for c in reference], "commit order differs from git log"
    for record, expected in zip(records, reference):
        assert as_git_files(record) == expected.files, f"numstat differs at {record.sha}"
        assert (record.additions, record.deletions) == (expected.additions, expected.deletions), record.sha


async def extract(path: Path | str, **kwargs: object) -> list[CommitRecord]:
    return await RepoManager().extract_commits(path, include_files=True, **kwargs)


async def test_rich_repository_matches_numstat(rich_repo) -> None:
    records = await extract(rich_repo.path)
    assert len(records) > 20
    assert_same_as_git(records, git_log_numstat(rich_repo.path))


async def test_single_thread_gives_the_same_records(rich_repo) -> None:
    parallel = await extract(rich_repo.path)
    serial = await extract(rich_repo.path, threads=1)
    assert [r.to_dict() for r in serial] == [r.to_dict() for r in parallel]


async def test_without_rename_detection_matches_no_renames(rich_repo) -> None:
    records = await extract(rich_repo.path, detect_renames=False)
    assert_same_as_git(records, git_log_numstat(rich_repo.path, "--no-renames"))
    assert not any(f.change_type == "R" for r in records for f in r.files)


@pytest.mark.parametrize("seed", range(6))
async def test_random_histories_match_numstat(tmp_path: Path, seed: int) -> None:
    repo = build_random_repo(tmp_path / f"random-{seed}", seed)
    assert_same_as_git(await extract(repo.path), git_log_numstat(repo.path))
    assert_same_as_git(await extract(repo.path, first_parent=True), git_log_numstat(repo.path, "--first-parent"))


@pytest.mark.parametrize(
    "paths",
    [["src"], ["lib/main.py"], ["*.txt"], ["README.md", "data"], ["side"], ["ünïcödé"], ["does-not-exist"]],
)
async def test_paths_limit_like_git_log(rich_repo, paths: list[str]) -> None:
    records = await extract(rich_repo.path, paths=paths)
    assert_same_as_git(records, git_log_numstat(rich_repo.path, "--", *paths))


@pytest.mark.parametrize("seed", range(3))
async def test_paths_on_random_histories(tmp_path: Path, seed: int) -> None:
    repo = build_random_repo(tmp_path / f"random-paths-{seed}", seed + 100)
    for paths in (["a"], ["a/b", "c"], ["*f1*"]):
        assert_same_as_git(await extract(repo.path, paths=paths), git_log_numstat(repo.path, "--", *paths))


async def test_project_history_matches_numstat(project_repo: Path) -> None:
    records = await extract(project_repo)
    assert len(records) >= 1
    assert_same_as_git(records, git_log_numstat(project_repo))


async def test_metadata_matches_git_log(rich_repo) -> None:
    fmt = "%H%x00%an%x00%ae%x00%at%x00%ai%x00%cn%x00%ce%x00%ct%x00%ci%x00%P%x00%B%x01"
    out = git(rich_repo.path, "log", f"--format={fmt}").decode()
    expected = [e.lstrip("\n").split("\0") for e in out.split("\x01") if e.strip()]
    records = await RepoManager().extract_commits(rich_repo.path)

    def offset(iso: str) -> int:
        tz = iso.rsplit(" ", 1)[1]
        minutes = int(tz[1:3]) * 60 + int(tz[3:5])
        return -minutes if tz[0] == "-" else minutes

    assert len(records) == len(expected)
    for r, (sha, an, ae, at, ai, cn, ce, ct, ci, parents, body) in zip(records, expected):
        assert r.sha == sha
        assert (r.author_name, r.author_email, r.author_timestamp, r.author_offset) == (an, ae, int(at), offset(ai))
        assert (r.committer_name, r.committer_email, r.committer_timestamp, r.committer_offset) == (
            cn, ce, int(ct), offset(ci))
        assert r.parents == parents.split()
        assert r.is_merge == (len(r.parents) > 1)
        assert r.message.rstrip("\n") == body.rstrip("\n")
        assert r.repo_name == "rich-repo"
        assert r.files == []  # only with include_files


async def test_time_zones_and_offsets(tmp_path: Path) -> None:
    from gitrepo import GitRepo

    repo = GitRepo(tmp_path / "tz")
    repo.write("a", "1\n")
    repo.commit("east", tz="+0530")
    repo.write("a", "2\n")
    repo.commit("west", tz="-0800")
    records = await extract(repo.path)
    assert [r.author_offset for r in records] == [-480, 330]


def heavy_rewrite_history(path: Path, seed: int) -> Path:
    """Files of thousands of lines from small and large vocabularies, rewritten hard commit
    after commit: edit costs past xdiff's heuristic trigger and cost limit, many repeated
    lines (its multi-match discarding), last lines with and without a newline."""
    import random

    rnd = random.Random(seed)
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    vocabularies = {"few": 12, "many": 50_000}
    files = {name: [f"{name} {rnd.randrange(size)}\n" for _ in range(4000)] for name, size in vocabularies.items()}
    stream: list[bytes] = []
    for n in range(12):
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer Heavy <heavy@example.com> {1_600_000_000 + n * 60} +0000\n".encode())
        stream.append(b"data 7\nrewrite\n")
        for name, lines in files.items():
            for _ in range(rnd.randrange(50, 600)):
                at = rnd.randrange(len(lines) + 1)
                run = rnd.randint(1, 10)
                kind = rnd.random()
                if kind < 0.4:
                    lines[at:at + run] = [f"{name} {rnd.randrange(vocabularies[name] * 2)}\n" for _ in range(run)]
                elif kind < 0.7:
                    lines[at:at] = [f"{name} {rnd.randrange(vocabularies[name] * 2)}\n" for _ in range(run)]
                else:
                    del lines[at:at + run]
            data = "".join(lines).encode()
            if n % 3 == 1:
                data = data.rstrip(b"\n")
            stream.append(b"M 100644 inline %s.txt\ndata %d\n%s\n" % (name.encode(), len(data), data))
    git(path, "fast-import", "--quiet", input=b"".join(stream))
    return path


@pytest.mark.parametrize("seed", range(3))
async def test_heavy_rewrites_match_numstat(tmp_path: Path, seed: int) -> None:
    repo = heavy_rewrite_history(tmp_path / "heavy", seed)
    records = await extract(repo)
    assert len(records) == 12
    assert_same_as_git(records, git_log_numstat(repo))


@pytest.mark.parametrize("seed", range(3))
async def test_exclude_is_git_log_of_a_range(tmp_path: Path, seed: int) -> None:
    repo = build_random_repo(tmp_path / f"random-range-{seed}", seed + 200)
    order = git(repo.path, "log", "--format=%H").decode().split()
    # An old commit, a recent one, and two at once (one possibly on a side branch of a merge).
    for hidden in ([order[len(order) // 2]], [order[3]], [order[5], order[-10]]):
        expected = git_log_numstat(repo.path, "HEAD", *(f"^{h}" for h in hidden))
        assert_same_as_git(await extract(repo.path, exclude=hidden), expected)
        first_parent = git_log_numstat(repo.path, "--first-parent", "HEAD", *(f"^{h}" for h in hidden))
        assert_same_as_git(await extract(repo.path, exclude=hidden, first_parent=True), first_parent)
    assert await extract(repo.path, exclude="HEAD") == []
    with pytest.raises(GitFleet.GitFleetError):
        await extract(repo.path, exclude=["no-such-revision"])
