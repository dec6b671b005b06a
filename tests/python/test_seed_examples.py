"""Every Python example of the seed documents (../shared/seeds), as its text stands: only URLs,
tokens, owner names and paths are substituted (a fake GitHub API, a git daemon and a copy server
on loopback stand in for the network). Each test asserts what the seed says its example shows.

Out of scope: the seeds' Rust, PyO3, maturin and nox build instructions (GitFleet's core is C++
built by scikit-build-core), and seed 000's Rust snippets.
"""

from __future__ import annotations

import asyncio
import importlib
import os
import time
from pathlib import Path

import pytest
from fake_providers import FakeGitHub
from git_servers import git_daemon
from gitrepo import GitRepo, git

TOKEN = "good-token"


def described(lines) -> list[tuple]:
    return [(ln.commit_id, ln.orig_path, ln.orig_line_no, ln.final_line_no, ln.line_content) for ln in lines]


@pytest.fixture(scope="module")
def repo_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    r = GitRepo(tmp_path_factory.mktemp("seed") / "repo")
    for i in range(6):
        r.write("file1.py", "".join(f"line {j} of {i}\n" for j in range(i + 3)))
        r.write("file2.py", f"two {i}\n")
        r.write("file3.py", "three\n")
        r.write("src/lib.rs", f"fn f{i}() {{}}\n")
        r.write("web/app.js", f"let x = {i};\n")
        r.commit(f"commit {i}")
    return str(r.path)


# -- seeds 000 and 001: the module layout ------------------------------------------------------

@pytest.mark.parametrize("module", ["GitFleet.providers.github", "GitFleet.providers.token_manager",
                                    "GitFleet.providers.base", "GitFleet.models.common", "GitFleet.models.repo",
                                    "GitFleet.utils.auth", "GitFleet.utils.converters", "GitFleet.utils.rate_limit"])
def test_the_python_modules_the_seeds_name_exist(module: str) -> None:
    importlib.import_module(module)


def test_exposed_classes_and_pydantic_wrappers() -> None:
    import GitFleet
    from GitFleet.models.repo import CloneStatus, CloneTask, to_pydantic_task

    assert GitFleet.CloneStatus is CloneStatus and GitFleet.CloneTask is CloneTask and callable(to_pydantic_task)
    assert GitFleet.RepoManager.__module__ == "GitFleet.repo_manager"


# -- seed 002: dual implementation -------------------------------------------------------------

async def test_seed_002_implementation_detection_and_forcing_python() -> None:
    with FakeGitHub() as fake:
        from GitFleet import GitHubClient

        # The client will use Rust implementation if available,
        # otherwise it will fall back to Python
        client = GitHubClient(token=TOKEN, base_url=fake.base_url)
        print(f"Rust available: {client._use_rust}")
        assert client._use_rust is True and client.implementation == "native"

        client = GitHubClient(token=TOKEN, base_url=fake.base_url, use_python_impl=True)
        assert client._use_rust is False and client.implementation == "python"

        rust_client = GitHubClient(token=TOKEN, base_url=fake.base_url)
        python_client = GitHubClient(token=TOKEN, base_url=fake.base_url, use_python_impl=True)
        a = await rust_client.fetch_repositories("alice")
        b = await python_client.fetch_repositories("alice")
        assert [r.name for r in a] == [r.name for r in b] and len(a) == 3


async def test_seed_002_token_manager() -> None:
    with FakeGitHub(tokens={"token1": "alice", "token2": "bob"}) as fake:
        from GitFleet import GitHubClient
        from GitFleet.providers import TokenManager

        # Create a token manager
        token_manager = TokenManager()
        token_manager.add_token("token1", "github")
        token_manager.add_token("token2", "github")

        # Use with Rust or Python implementation
        client = GitHubClient(token="token1", token_manager=token_manager, base_url=fake.base_url)
        assert len(await client.fetch_repositories("alice")) == 3
        assert {user for _, user in fake.log} <= {"alice", "bob"}


# -- seed 003: performance tips ----------------------------------------------------------------

async def test_seed_003_async_and_concurrent_api_operations() -> None:
    with FakeGitHub({"octocat": 4, "user1": 1, "user2": 2, "user3": 3}, tokens={TOKEN: "octocat"}) as fake:
        from GitFleet import GitHubClient, ProviderType, TokenManager

        github_client = GitHubClient(token=TOKEN, base_url=fake.base_url)

        async def process_repos():
            repos = await github_client.fetch_repositories("octocat")
            return repos

        assert len(await process_repos()) == 4

        async def analyze_multiple_repos():
            tasks = [
                github_client.fetch_repositories("user1"),
                github_client.fetch_repositories("user2"),
                github_client.fetch_repositories("user3"),
            ]
            results = await asyncio.gather(*tasks)
            return results

        assert [len(r) for r in await analyze_multiple_repos()] == [1, 2, 3]

        github_tokens = [TOKEN]
        token_manager = TokenManager()
        for token in github_tokens:
            token_manager.add_token(token, ProviderType.GITHUB)
        github = GitHubClient(token=github_tokens[0], token_manager=token_manager, base_url=fake.base_url)

        repo_cache = {}

        async def get_repo_info(repo_name):
            if repo_name in repo_cache:
                return repo_cache[repo_name]
            repo_info = await github.fetch_repository_details("octocat", repo_name)
            repo_cache[repo_name] = repo_info
            return repo_info

        first = await get_repo_info("repo-00001")
        calls = len(fake.log)
        assert await get_repo_info("repo-00001") is first and len(fake.log) == calls

        file_content = await github_client.fetch_file_content("octocat", "repo-00000", "README.md")
        assert file_content.startswith("# repo-00000")


async def test_seed_003_local_operations(repo_path: str) -> None:
    from GitFleet import RepoManager

    repo_manager = RepoManager()

    # Good: Batch operation
    results = await repo_manager.bulk_blame(repo_path, ["file1.py", "file2.py", "file3.py"])
    result1 = await repo_manager.blame(repo_path, "file1.py")
    assert described(results["file1.py"]) == described(result1) and len(result1) == 8

    seen = []

    def process_batch(batch):
        seen.extend(batch)

    async for commit_batch in repo_manager.yield_commits(repo_path, batch_size=100):
        process_batch(commit_batch)
    assert len(seen) == 6

    def analyze_blame(batch):
        return [line.commit_id for line in batch]

    async def process_large_file(repo_path, filename):
        results = []
        async for blame_batch in repo_manager.stream_blame(repo_path, filename, batch_size=1000):
            results.extend(analyze_blame(blame_batch))
        return results

    assert await process_large_file(repo_path, "file1.py") == [line.commit_id for line in result1]

    async def analyze_multiple_repos(repo_paths):
        tasks = [repo_manager.extract_commits(repo_path) for repo_path in repo_paths]
        results = await asyncio.gather(*tasks)
        return results

    assert [len(r) for r in await analyze_multiple_repos([repo_path, repo_path])] == [6, 6]

    file_patterns = ["*.py", "*.rs", "*.js"]
    relevant_files = []
    for pattern in file_patterns:
        pattern_files = await repo_manager.find_files(repo_path, pattern)
        relevant_files.extend(pattern_files)
    assert relevant_files == ["file1.py", "file2.py", "file3.py", "src/lib.rs", "web/app.js"]
    blame_results = await repo_manager.bulk_blame(repo_path, relevant_files)
    assert all(isinstance(v, list) for v in blame_results.values())

    recent_commits = await repo_manager.extract_commits(repo_path, max_count=100, since="2020-01-01")
    assert len(recent_commits) == 6

    blame_info = await repo_manager.bulk_blame(repo_path, ["file1.py"])
    assert described(blame_info["file1.py"]) == described(result1)


async def test_seed_003_monitoring_and_timing(repo_path: str, capsys: pytest.CaptureFixture[str]) -> None:
    import psutil

    from GitFleet import RepoManager

    repo_manager = RepoManager()
    file_paths = ["file1.py", "file2.py"]

    def log_memory_usage(label):
        process = psutil.Process(os.getpid())
        mem = process.memory_info().rss / 1024 / 1024
        print(f"Memory usage ({label}): {mem:.2f} MB")

    async def memory_intensive_operation():
        log_memory_usage("Before operation")
        result = await repo_manager.extract_commits(repo_path)
        log_memory_usage("After operation")
        return result

    assert len(await memory_intensive_operation()) == 6

    async def measure_execution_time(coroutine, *args, **kwargs):
        start_time = time.time()
        result = await coroutine(*args, **kwargs)
        end_time = time.time()
        execution_time = end_time - start_time
        print(f"{coroutine.__name__} took {execution_time:.2f} seconds")
        return result

    results = await measure_execution_time(repo_manager.bulk_blame, repo_path, file_paths)
    assert list(results) == file_paths
    out = capsys.readouterr().out
    assert "Memory usage (Before operation)" in out and "bulk_blame took" in out


async def test_seed_003_clone_with_polling(tmp_path: Path, repo_path: str) -> None:
    from GitFleet import RepoManager

    served = tmp_path / "served"
    served.mkdir()
    git(served, "clone", "-q", "--bare", repo_path, str(served / "repo.git"))
    with git_daemon(served) as (port, _):
        repo_manager = RepoManager(
            urls=[f"git://127.0.0.1:{port}/repo.git"],
            clone_options={"depth": 1},
        )
        clone_future = repo_manager.clone_all()
        polls = 0
        while not clone_future.done():
            clone_tasks = await repo_manager.fetch_clone_tasks()
            polls += 1
            await asyncio.sleep(0.01)
        clone_tasks = await repo_manager.fetch_clone_tasks()
    (task,) = clone_tasks.values()
    assert polls >= 1 and task.status.status_type.value == "completed"
    # A depth-1 clone is analysed as git shows it: one commit.
    assert len(await repo_manager.extract_commits(task.temp_dir)) == 1
    cleanup_results = repo_manager.cleanup()
    assert list(cleanup_results.values()) == [True] and not Path(task.temp_dir).exists()


# -- seed 004: py_eacopy -----------------------------------------------------------------------

def test_seed_004_basic_usage_and_the_eacopy_class(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import py_eacopy
    from py_eacopy import EACopy

    monkeypatch.chdir(tmp_path)
    Path("source.txt").write_text("text")
    Path("source_dir/sub").mkdir(parents=True)
    Path("source_dir/sub/a.txt").write_text("a")

    py_eacopy.copy("source.txt", "destination.txt")
    py_eacopy.copy2("source.txt", "destination.txt")
    py_eacopy.copytree("source_dir", "destination_dir")
    assert Path("destination.txt").read_text() == "text" and Path("destination_dir/sub/a.txt").read_text() == "a"

    eac = EACopy(
        thread_count=8,
        compression_level=5,
        buffer_size=16 * 1024 * 1024,
        preserve_metadata=True,
        follow_symlinks=True,
        dirs_exist_ok=True,
    )
    eac.copy("source.txt", "destination.txt")
    eac.copytree("source_dir", "destination_dir")
    assert Path("destination_dir/sub/a.txt").read_text() == "a"

    for i in (1, 2, 3):
        Path(f"source{i}.txt").write_text(str(i))
    py_eacopy.batch_copy([
        ("source1.txt", "destination1.txt"),
        ("source2.txt", "destination2.txt"),
        ("source3.txt", "destination3.txt"),
    ])
    Path("source_dir1").mkdir()
    Path("source_dir2").mkdir()
    Path("source_dir2/x").write_text("x")
    py_eacopy.batch_copytree([
        ("source_dir1", "destination_dir1"),
        ("source_dir2", "destination_dir2"),
    ])
    assert Path("destination3.txt").read_text() == "3" and Path("destination_dir2/x").read_text() == "x"

    async def copy_files():
        await py_eacopy.async_copy("source.txt", "destination_async.txt")
        await py_eacopy.async_copytree("source_dir", "destination_async_dir")

    asyncio.run(copy_files())
    assert Path("destination_async_dir/sub/a.txt").exists()


def test_seed_004_progress_and_log_level(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         caplog: pytest.LogCaptureFixture) -> None:
    import py_eacopy

    monkeypatch.chdir(tmp_path)
    Path("big.bin").write_bytes(os.urandom(3 << 20))
    calls = []

    def progress_callback(copied_bytes, total_bytes, filename):
        percent = (copied_bytes / total_bytes) * 100 if total_bytes > 0 else 0
        calls.append((copied_bytes, total_bytes, filename, percent))

    monkeypatch.setattr(py_eacopy.config, "progress_callback", progress_callback)
    monkeypatch.setattr(py_eacopy.config, "log_level", py_eacopy.config.log_level)
    py_eacopy.config.log_level = py_eacopy.LogLevel.DEBUG
    with caplog.at_level("DEBUG", logger="py_eacopy"):
        py_eacopy.copy("big.bin", "copy.bin")
    assert calls and calls[-1][0] == calls[-1][1] == 3 << 20 and calls[-1][3] == 100
    assert f"copied big.bin ({3 << 20} bytes)" in caplog.messages  # DEBUG: every file's decision


def test_seed_004_server_with_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """create_server(port=..., thread_count=...) with no root and no token: it serves the
    current directory, and copy_with_server without a token meets it through the per-user secret."""
    import py_eacopy
    from py_eacopy import EACopy

    monkeypatch.delenv("EACOPY_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    Path("source_dir").mkdir()
    Path("source_dir/f.txt").write_text("f")
    server = py_eacopy.create_server(port=0, thread_count=4)
    server.start()
    try:
        assert server.is_running() and server.thread_count == 4 and server.root == str(tmp_path)
        py_eacopy.copy_with_server("source_dir", "destination_dir", "127.0.0.1", port=server.port)
        assert Path("destination_dir/f.txt").read_text() == "f"
        stats = server.get_stats()
        assert stats.files_received == 1
    finally:
        server.stop()
    with EACopy().create_server(port=0) as other:
        assert other.is_running()
    with py_eacopy.EACopyServer(port=0, thread_count=2) as third:
        with pytest.raises(py_eacopy.NetworkError):
            py_eacopy.copy_with_server("source_dir", "x", "127.0.0.1", port=third.port, token="wrong")
