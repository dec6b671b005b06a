"""The Python API of commit history: async behaviour, streaming, filters, errors."""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import os
from pathlib import Path

import GitFleet
import pytest
from GitFleet import RepoManager, _native
from gitrepo import GitRepo, fast_import_history, git


@pytest.fixture(scope="module")
def bulk_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return fast_import_history(tmp_path_factory.mktemp("bulk") / "bulk", commits=1500)


async def wait_for_native_jobs_to_finish() -> None:
    for _ in range(500):
        if _native.active_jobs() == 0:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"{_native.active_jobs()} native jobs still running")


async def test_manager_without_urls_and_token_hidden_in_repr() -> None:
    manager = RepoManager(["https://example.com/a.git"], "user", "s3cret-token")
    assert "s3cret-token" not in repr(manager)
    assert RepoManager().urls == []


async def test_yield_commits_streams_the_same_commits_in_batches(bulk_repo: Path) -> None:
    manager = RepoManager()
    everything = await manager.extract_commits(bulk_repo, include_files=True)
    batches = [b async for b in manager.yield_commits(bulk_repo, batch_size=128, include_files=True)]
    assert all(len(b) == 128 for b in batches[:-1]) and 1 <= len(batches[-1]) <= 128
    streamed = [c for b in batches for c in b]
    assert [c.to_dict() for c in streamed] == [c.to_dict() for c in everything]
    assert len(everything) == 1500


async def test_leaving_a_stream_early_stops_the_native_work(bulk_repo: Path) -> None:
    async for batch in RepoManager().yield_commits(bulk_repo, batch_size=10):
        assert len(batch) == 10
        break
    await asyncio.sleep(0)  # let the generator's finally run
    await wait_for_native_jobs_to_finish()


async def test_cancelling_the_task_stops_the_native_work(bulk_repo: Path) -> None:
    task = RepoManager().extract_commits(bulk_repo, include_files=True, threads=1)
    for _ in range(1000):  # the task's first step starts the native job: cancel it while it runs
        if _native.active_jobs() == 1:
            break
        await asyncio.sleep(0)
    assert _native.active_jobs() == 1 and not task.done()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await wait_for_native_jobs_to_finish()


async def test_event_loop_keeps_running_during_extraction(bulk_repo: Path) -> None:
    ticks = 0
    done = False

    async def ticker() -> None:
        nonlocal ticks
        while not done:
            ticks += 1
            await asyncio.sleep(0)

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0)
    ticks_at_start = ticks
    commits = await RepoManager().extract_commits(bulk_repo, include_files=True)
    ticks_during = ticks - ticks_at_start
    done = True
    await ticking
    assert commits and ticks_during > 1, "the event loop was blocked while native work ran"


async def test_concurrent_extractions_agree_with_sequential(rich_repo, bulk_repo: Path) -> None:
    manager = RepoManager()
    sequential = [await manager.extract_commits(p, include_files=True) for p in (rich_repo.path, bulk_repo)]
    concurrent = await asyncio.gather(*(manager.extract_commits(p, include_files=True)
                                        for p in (rich_repo.path, bulk_repo, rich_repo.path)))
    assert [c.to_dict() for c in concurrent[0]] == [c.to_dict() for c in sequential[0]]
    assert [c.to_dict() for c in concurrent[1]] == [c.to_dict() for c in sequential[1]]
    assert [c.to_dict() for c in concurrent[2]] == [c.to_dict() for c in sequential[0]]


def git_shas(repo: Path, *args: str) -> list[str]:
    return git(repo, "log", "--format=%H", *args).decode().split()


async def test_since_until_and_max_count_select_like_git(bulk_repo: Path) -> None:
    manager = RepoManager()
    since, until = 1_500_000_000 + 300 * 60, 1_500_000_000 + 900 * 60
    cases = [
        ({"since": since}, [f"--since={since}"]),
        ({"until": until}, [f"--until={until}"]),
        ({"since": since, "until": until}, [f"--since={since}", f"--until={until}"]),
        ({"since": dt.datetime.fromtimestamp(since, dt.timezone.utc)}, [f"--since={since}"]),
        ({"since": dt.datetime.fromtimestamp(since, dt.timezone.utc).isoformat()}, [f"--since={since}"]),
        ({"until": dt.datetime.fromtimestamp(until, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
         [f"--until={until}"]),
        ({"max_count": 17}, ["-n", "17"]),
        ({"max_count": 0}, ["-n", "0"]),
        ({"rev": "HEAD~100", "max_count": 5}, ["-n", "5", "HEAD~100"]),
    ]
    for kwargs, args in cases:
        records = await manager.extract_commits(bulk_repo, **kwargs)
        assert [r.sha for r in records] == git_shas(bulk_repo, *args), kwargs


async def test_naive_datetimes_and_offsetless_strings_are_local_time_as_git_reads_them(
        bulk_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "Asia/Kolkata")  # +05:30: a naive time read as UTC would be 5.5 h off
    time.tzset()
    try:
        since = dt.datetime.fromtimestamp(1_500_000_000 + 300 * 60).replace(microsecond=0)  # local, naive
        text = since.strftime("%Y-%m-%d %H:%M:%S")
        expected = git_shas(bulk_repo, f"--since={text}")  # git, under the same TZ
        assert expected != git_shas(bulk_repo, f"--since={text} +0000")
        manager = RepoManager()
        for value in (since, since.isoformat(), text):
            assert [r.sha for r in await manager.extract_commits(bulk_repo, since=value)] == expected, value
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


async def test_clock_skew_orders_like_git(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "skew")
    for i, when in enumerate([1000, 5000, 3000, 2000, 9000, 4000]):
        repo.write("f.txt", f"{i}\n")
        repo.commit(f"c{i}", when=1_600_000_000 + when)
    repo.git("checkout", "-q", "-b", "side", "HEAD~3")
    for i, when in enumerate([8000, 100]):
        repo.write("g.txt", f"{i}\n")
        repo.commit(f"s{i}", when=1_600_000_000 + when)
    repo.git("checkout", "-q", "main")
    repo.merge("side", "merge", when=1_600_000_000 + 7000)
    records = await RepoManager().extract_commits(repo.path)
    assert [r.sha for r in records] == git_shas(repo.path)
    assert [r.sha for r in await RepoManager().extract_commits(repo.path, since=1_600_004_000)] == git_shas(
        repo.path, "--since=1600004000")


async def test_declared_commit_encoding_is_reencoded_like_git_log(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "latin1")
    repo.write("f", "x\n")
    msg = tmp_path / "msg"
    msg.write_bytes("Résumé naïve café\n".encode("latin-1"))
    repo.git("add", "-A")
    repo.git("-c", "i18n.commitEncoding=ISO-8859-1", "commit", "-q", "-F", str(msg))
    (record,) = await RepoManager().extract_commits(repo.path)
    assert record.message == "Résumé naïve café\n"
    assert record.message.rstrip("\n") == git(repo.path, "log", "-1", "--format=%B").decode().rstrip("\n")


async def test_undecodable_path_round_trips_through_fsencode(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "bytes")
    (repo.path / os.fsdecode(b"caf\xe9.txt")).write_text("x\n")
    repo.commit("latin-1 file name")
    (record,) = await RepoManager().extract_commits(repo.path, include_files=True)
    assert os.fsencode(record.files[0].path) == b"caf\xe9.txt"


async def test_records_expose_every_documented_field(rich_repo) -> None:
    (record,) = await RepoManager().extract_commits(rich_repo.path, max_count=1, include_files=True)
    expected = {"sha", "repo_name", "message", "author_name", "author_email", "author_timestamp",
                "author_offset", "committer_name", "committer_email", "committer_timestamp",
                "committer_offset", "parents", "additions", "deletions", "is_merge", "files"}
    assert set(record.to_dict()) == expected
    for field in expected:
        assert getattr(record, field) == record.to_dict()[field] or field == "files"
    assert set(record.files[0].to_dict()) == {"path", "old_path", "change_type", "additions", "deletions", "binary"}
    assert "CommitRecord(sha=" in repr(record)


@pytest.mark.parametrize(
    ("kwargs", "error", "needle"),
    [
        ({"repo_path": "/nonexistent/repo"}, GitFleet.RepositoryNotFoundError, "/nonexistent/repo"),
        ({"rev": "no-such-branch"}, GitFleet.RevisionNotFoundError, "no-such-branch"),
        ({"rev": "HEAD~1..HEAD"}, GitFleet.InvalidArgumentError, "range"),
        ({"rev": ""}, GitFleet.InvalidArgumentError, "rev"),
        ({"max_count": -3}, GitFleet.InvalidArgumentError, "max_count"),
        ({"max_count": True}, GitFleet.InvalidArgumentError, "max_count"),
        ({"since": "yesterday-ish"}, GitFleet.InvalidArgumentError, "since"),
        ({"until": object()}, GitFleet.InvalidArgumentError, "until"),
        ({"since": 2_000_000_000, "until": 1_000_000_000}, GitFleet.InvalidArgumentError, "later than"),
        ({"paths": ["/etc/passwd"]}, GitFleet.InvalidArgumentError, "/etc/passwd"),
        ({"paths": [""]}, GitFleet.InvalidArgumentError, "paths"),
        ({"threads": -1}, GitFleet.InvalidArgumentError, "threads"),
    ],
)
async def test_bad_input_raises_a_clear_error(rich_repo, kwargs, error, needle) -> None:
    kwargs = {"repo_path": rich_repo.path, **kwargs}
    with pytest.raises(error, match=None) as info:
        await RepoManager().extract_commits(**kwargs)
    assert needle in str(info.value)
    assert isinstance(info.value, GitFleet.GitFleetError)


async def test_not_a_repository_and_bad_batch_size(tmp_path: Path, rich_repo) -> None:
    with pytest.raises(GitFleet.RepositoryNotFoundError, match=str(tmp_path)):
        await RepoManager().extract_commits(tmp_path)
    with pytest.raises(GitFleet.RepositoryNotFoundError):
        async for _ in RepoManager().yield_commits(tmp_path):
            pass
    with pytest.raises(GitFleet.InvalidArgumentError, match="batch_size"):
        async for _ in RepoManager().yield_commits(rich_repo.path, batch_size=0):
            pass


async def test_corrupt_object_fails_loudly(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "corrupt")
    repo.write("f.txt", "one\n")
    repo.commit("one")
    repo.write("f.txt", "two\n")
    repo.commit("two")
    blob = repo.git("rev-parse", "HEAD~1:f.txt").strip()
    obj = repo.path / ".git" / "objects" / blob[:2] / blob[2:]
    obj.chmod(0o644)
    obj.unlink()
    with pytest.raises(GitFleet.GitObjectError, match=blob):
        await RepoManager().extract_commits(repo.path)


def test_exception_hierarchy_is_documented() -> None:
    assert issubclass(GitFleet.InvalidArgumentError, ValueError)
    assert issubclass(GitFleet.RevisionNotFoundError, LookupError)
    assert issubclass(GitFleet.GitFleetOSError, OSError)
    for name in ("CloneError", "BlameError", "AuthenticationError", "NetworkError", "RateLimitError",
                 "ProviderError", "RepositoryError"):
        assert issubclass(getattr(GitFleet, name), GitFleet.GitFleetError)
    assert "GitFleetError" in GitFleet.exceptions.__doc__


def test_native_errors_keep_their_code_errno_and_paths() -> None:
    from GitFleet.exceptions import from_native
    e = from_native("NotFound", errno.ENOENT, "No such file or directory", "a/b", "c")
    assert type(e) is GitFleet.GitFleetOSError
    assert (e.errno, e.filename, e.filename2) == (errno.ENOENT, "a/b", "c")
    assert type(from_native("Io", 0, "disk on fire", "", "")) is GitFleet.GitFleetOSError
    assert type(from_native("Network", 0, "refused", "", "")) is GitFleet.NetworkError
    assert type(from_native("AuthenticationFailed", 0, "no", "", "")) is GitFleet.AuthenticationError
    assert type(from_native("Internal", 0, "bug", "", "")) is GitFleet.GitFleetError
    assert type(from_native("Cancelled", 0, "stop", "", "")) is asyncio.CancelledError


def test_the_two_packages_share_no_error_name_but_network_error() -> None:
    import py_eacopy
    import py_eacopy.errors
    shared = set(GitFleet.exceptions.__all__) & (set(py_eacopy.errors.__all__) - {"from_native"})
    assert shared == {"NetworkError"}  # py_eacopy's keeps the seed's name; both are ConnectionError
    assert issubclass(GitFleet.NetworkError, ConnectionError)
    assert issubclass(py_eacopy.NetworkError, ConnectionError)
    assert not hasattr(py_eacopy, "AuthenticationError")


async def test_exclude_commits_is_exclude_of_a_whole_history_without_its_walk(tmp_path: Path) -> None:
    from conftest import build_random_repo

    repo = build_random_repo(tmp_path / "r", 41).path
    manager = RepoManager()
    order = git(repo, "log", "--format=%H").decode().split()
    for old in (order[3], order[len(order) // 2]):
        history = git(repo, "rev-list", old).decode().split()
        given = await manager.extract_commits(repo, include_files=True, exclude_commits=history)
        walked = await manager.extract_commits(repo, include_files=True, exclude=old)
        assert [(c.sha, c.additions, c.deletions, [(f.path, f.change_type) for f in c.files]) for c in given] == \
            [(c.sha, c.additions, c.deletions, [(f.path, f.change_type) for f in c.files]) for c in walked]
        assert 0 < len(given) < len(order)
    assert await manager.extract_commits(repo, exclude_commits=order) == []
    for bad, message in ((order[0], "a list of full commit SHAs"), ([order[0][:12]], "not a full commit SHA"),
                         ([b"x" * 40], "a list of full commit SHAs")):
        with pytest.raises(GitFleet.InvalidArgumentError, match=message):
            await manager.extract_commits(repo, exclude_commits=bad)
        with pytest.raises(GitFleet.InvalidArgumentError, match=message):
            await manager.blame_table(repo, exclude_commits=bad)
