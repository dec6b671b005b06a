"""Fleet cloning against real git servers on loopback: git daemon and smart HTTP with auth."""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import GitFleet
import pytest
from git_servers import git_daemon, smart_http_server
from GitFleet import RepoManager
from GitFleet.models.repo import CloneStatusType
from gitrepo import fast_import_history, git

TOKEN = "gf-test-token-7c1d9e"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of bare repositories: small.git (40 commits) and big.git (slow enough to watch)."""
    base = tmp_path_factory.mktemp("served")
    small = fast_import_history(base / "work-small", commits=40)
    big = fast_import_history(base / "work-big", commits=2500, files=60, lines=200)
    for name, work in (("small.git", small), ("big.git", big)):
        git(base, "clone", "-q", "--bare", str(work), str(base / "srv" / name))
        git(base / "srv" / name, "config", "uploadpack.allowFilter", "true")
    return base / "srv"


def states(tasks: dict) -> dict[str, str]:
    return {url: t.status.status_type.value for url, t in tasks.items()}


async def test_clone_all_with_git_daemon(served: Path) -> None:
    with git_daemon(served) as (port, _):
        urls = [f"git://127.0.0.1:{port}/small.git", f"git://127.0.0.1:{port}/missing.git"]
        manager = RepoManager(urls, retry_backoff=0.05)
        assert states(await manager.fetch_clone_tasks()) == dict.fromkeys(urls, "queued")
        await manager.clone_all()
        tasks = await manager.fetch_clone_tasks()
    ok, missing = tasks[urls[0]], tasks[urls[1]]
    assert ok.status.status_type is CloneStatusType.COMPLETED and ok.status.progress == 100
    assert git(ok.temp_dir, "rev-list", "--count", "HEAD").strip() == b"40"
    parent = Path(ok.temp_dir).parent
    assert stat.S_IMODE(parent.stat().st_mode) == 0o700
    assert missing.status.status_type is CloneStatusType.FAILED
    assert "missing.git" in missing.status.error and missing.temp_dir is None
    assert manager.cleanup() == dict.fromkeys(urls, True)
    assert not parent.exists()


async def test_smart_http_with_a_good_token_leaves_no_trace_of_it(served: Path) -> None:
    with smart_http_server(served, ("alice", TOKEN)) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/small.git"
        manager = RepoManager([url], "alice", TOKEN)
        assert TOKEN not in repr(manager)
        task = await manager.clone(url)
    assert task.status.status_type is CloneStatusType.COMPLETED, task.status.error
    config = (Path(task.temp_dir) / ".git" / "config").read_text()
    assert f"url = {url}" in config
    for path in Path(task.temp_dir).rglob("*"):
        if path.is_file():
            assert TOKEN.encode() not in path.read_bytes(), path
    assert all(TOKEN not in p for p in server.seen_paths)  # never in a URL
    assert TOKEN not in repr(task)
    manager.cleanup()


@pytest.mark.parametrize("token", ["wrong-token", ""])
async def test_smart_http_refuses_a_bad_or_missing_token(served: Path, token: str) -> None:
    with smart_http_server(served, ("alice", TOKEN)) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/small.git"
        manager = RepoManager([url], "alice", token)
        await manager.clone_all()
        task = (await manager.fetch_clone_tasks())[url]
    assert task.status.status_type is CloneStatusType.FAILED
    assert task.status.error.startswith("authentication failed")
    assert task.temp_dir is None
    if token:
        assert token not in task.status.error


async def test_credentials_inside_the_url_are_moved_out_of_it(served: Path) -> None:
    with smart_http_server(served, ("alice", TOKEN)) as server:
        plain = f"http://127.0.0.1:{server.server_address[1]}/small.git"
        manager = RepoManager([plain.replace("http://", f"http://alice:{TOKEN}@")])
        assert manager.urls == [plain]
        await manager.clone_all()
        task = (await manager.fetch_clone_tasks())[plain]
    assert task.status.status_type is CloneStatusType.COMPLETED, task.status.error
    assert TOKEN not in (Path(task.temp_dir) / ".git" / "config").read_text()
    manager.cleanup()


async def test_token_never_appears_in_process_listings(served: Path) -> None:
    with smart_http_server(served, ("alice", TOKEN)) as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/big.git"
        manager = RepoManager([url], "alice", TOKEN)
        run = manager.clone_all()  # already started: poll run.done() or await it
        seen_git = False
        while not run.done():
            for proc in Path("/proc").iterdir():
                if proc.name.isdigit():
                    try:
                        cmdline = (proc / "cmdline").read_bytes()
                    except OSError:
                        continue
                    assert TOKEN.encode() not in cmdline
                    seen_git |= b"git" in cmdline and b"big.git" in cmdline
            await asyncio.sleep(0.01)
        await run
    assert seen_git, "the clone ended before its process could be inspected"
    manager.cleanup()


async def test_progress_is_monotonic_and_polling_never_blocks(served: Path) -> None:
    with git_daemon(served) as (port, _):
        urls = [f"git://127.0.0.1:{port}/big.git", f"git://127.0.0.1:{port}/small.git"]
        manager = RepoManager(urls, max_concurrency=2)
        history: dict[str, list[int]] = {u: [] for u in urls}
        run = manager.clone_all()  # already started: poll run.done() or await it
        polls = 0
        while not run.done():
            for url, task in (await manager.fetch_clone_tasks()).items():
                if task.status.progress is not None:
                    history[url].append(task.status.progress)
            polls += 1
            await asyncio.sleep(0.005)
        await run
        final = await manager.fetch_clone_tasks()
    assert polls > 3
    for url in urls:
        assert final[url].status.progress == 100
        seen = history[url] + [100]
        assert seen == sorted(seen), f"progress went backwards for {url}: {seen}"
    assert any(0 < p < 100 for p in history[urls[0]]), "no intermediate progress was reported"
    manager.cleanup()


async def test_server_killed_mid_clone_fails_cleanly(served: Path) -> None:
    with git_daemon(served) as (port, daemon):
        url = f"git://127.0.0.1:{port}/big.git"
        manager = RepoManager([url], retries=1, retry_backoff=0.05)
        run = manager.clone_all()  # already started: poll run.done() or await it
        while True:
            task = (await manager.fetch_clone_tasks())[url]
            if task.status.progress and task.status.progress > 0 or run.done():
                break
            await asyncio.sleep(0.002)
        directory = task.temp_dir
        os.killpg(daemon.pid, signal.SIGKILL)
        await run
    task = (await manager.fetch_clone_tasks())[url]
    assert task.status.status_type is CloneStatusType.FAILED
    assert task.status.error and "git clone failed" in task.status.error
    assert task.temp_dir is None
    assert directory is None or not Path(directory).parent.exists()


async def test_unreachable_port_and_unwritable_destination(served: Path, tmp_path: Path) -> None:
    from git_servers import free_port

    url = f"git://127.0.0.1:{free_port()}/small.git"
    manager = RepoManager([url], retries=1, retry_backoff=0.01)
    await manager.clone_all()
    task = (await manager.fetch_clone_tasks())[url]
    assert task.status.status_type is CloneStatusType.FAILED
    assert "Connection refused" in task.status.error or "unable to connect" in task.status.error

    with git_daemon(served) as (port, _):
        good = f"git://127.0.0.1:{port}/small.git"
        # sysfs refuses new folders even to root: a destination nobody can write.
        manager = RepoManager([good], dest_root="/sys/kernel")
        await manager.clone_all()
        task = (await manager.fetch_clone_tasks())[good]
    assert task.status.status_type is CloneStatusType.FAILED
    assert "/sys/kernel/small" in task.status.error


async def test_a_hundred_repositories_without_leaks(served: Path, tmp_path: Path) -> None:
    fleet_dir = tmp_path / "fleet"
    fleet_dir.mkdir()
    for i in range(100):
        git(tmp_path, "clone", "-q", "--bare", "--local", str(served / "small.git"), str(fleet_dir / f"r{i:03d}.git"))
    fds_before = len(os.listdir("/proc/self/fd"))
    with git_daemon(fleet_dir) as (port, _):
        urls = [f"git://127.0.0.1:{port}/r{i:03d}.git" for i in range(100)]
        manager = RepoManager(urls, max_concurrency=8, dest_root=tmp_path / "out")
        await manager.clone_all()
        tasks = await manager.fetch_clone_tasks()
    assert states(tasks) == dict.fromkeys(urls, "completed")
    assert len({t.temp_dir for t in tasks.values()}) == 100
    assert len(os.listdir("/proc/self/fd")) == fds_before
    children = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent_of(p) == os.getpid()]
    assert not children, f"processes left behind: {children}"
    assert set(manager.cleanup().values()) == {True}
    assert not any((tmp_path / "out").iterdir())


def _parent_of(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


async def test_existing_clone_is_updated_with_fetch(served: Path, tmp_path: Path) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "clone", "-q", "--bare", str(served / "small.git"), str(origin))
    with git_daemon(tmp_path) as (port, _):
        url = f"git://127.0.0.1:{port}/origin.git"
        first = RepoManager([url], dest_root=tmp_path / "dest")
        await first.clone_all()
        directory = (await first.fetch_clone_tasks())[url].temp_dir
        work = tmp_path / "work"
        git(tmp_path, "clone", "-q", str(origin), str(work))
        (work / "new.txt").write_text("new\n")
        git(work, "add", "new.txt")
        git(work, "-c", "user.name=T", "-c", "user.email=t@e", "commit", "-q", "-m", "new commit")
        git(work, "push", "-q", "origin", "HEAD:main")
        second = RepoManager([url], dest_root=tmp_path / "dest")
        await second.clone_all()
        task = (await second.fetch_clone_tasks())[url]
    assert task.status.status_type is CloneStatusType.COMPLETED, task.status.error
    assert task.temp_dir == directory
    assert git(directory, "log", "-1", "--format=%s", "origin/main").strip() == b"new commit"
    assert second.cleanup() == {url: True}  # it did not create the folder: it keeps it
    assert Path(directory).exists()


async def test_clone_options_reach_git(served: Path) -> None:
    with git_daemon(served) as (port, _):
        url = f"git://127.0.0.1:{port}/small.git"
        # The managers stay referenced: their temporary clones live as long as they do.
        shallow_manager = RepoManager(clone_options={"depth": 1, "branch": "main", "single_branch": True})
        partial_manager = RepoManager(clone_options={"filter": "blob:none"})
        shallow = await shallow_manager.clone(url)
        partial = await partial_manager.clone(url)
    assert shallow.status.status_type is CloneStatusType.COMPLETED, shallow.status.error
    assert git(shallow.temp_dir, "rev-list", "--count", "HEAD").strip() == b"1"
    assert partial.status.status_type is CloneStatusType.COMPLETED, partial.status.error
    assert git(partial.temp_dir, "config", "remote.origin.partialclonefilter").strip() == b"blob:none"
    assert shallow_manager.cleanup() == {url: True} and partial_manager.cleanup() == {url: True}
    assert not Path(shallow.temp_dir).exists() and not Path(partial.temp_dir).exists()


async def test_cancelling_clone_all_kills_git_and_leaves_nothing(served: Path) -> None:
    with git_daemon(served) as (port, _):
        url = f"git://127.0.0.1:{port}/big.git"
        manager = RepoManager([url])
        run = manager.clone_all()  # already started: poll run.done() or await it
        while (await manager.fetch_clone_tasks())[url].status.status_type is not CloneStatusType.CLONING:
            await asyncio.sleep(0.002)
        directory = (await manager.fetch_clone_tasks())[url].temp_dir
        run.cancel()
        with pytest.raises(asyncio.CancelledError):
            await run
        for _ in range(300):
            task = (await manager.fetch_clone_tasks())[url]
            if task.status.status_type is CloneStatusType.FAILED:
                break
            await asyncio.sleep(0.01)
    assert task.status.error == "cancelled"
    assert not Path(directory).parent.exists()


async def test_timeout_fails_the_task(served: Path) -> None:
    with git_daemon(served) as (port, _):
        url = f"git://127.0.0.1:{port}/big.git"
        manager = RepoManager([url], timeout=0.05)
        await manager.clone_all()
        task = (await manager.fetch_clone_tasks())[url]
    assert task.status.status_type is CloneStatusType.FAILED
    assert task.status.error.startswith("timed out")
    assert task.temp_dir is None


async def test_retry_failed_clones_once_the_server_is_back(served: Path) -> None:
    from git_servers import free_port

    port = free_port()
    url = f"git://127.0.0.1:{port}/small.git"
    manager = RepoManager([url], retries=0)
    await manager.clone_all()
    assert (await manager.fetch_clone_tasks())[url].status.status_type is CloneStatusType.FAILED
    with git_daemon(served, port=port):
        await manager.retry_failed_clones()
        task = (await manager.fetch_clone_tasks())[url]
    assert task.status.status_type is CloneStatusType.COMPLETED, task.status.error
    assert task.status.error is None
    manager.cleanup()


async def test_bad_arguments_and_missing_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    with pytest.raises(GitFleet.InvalidArgumentError, match="depth"):
        RepoManager(clone_options={"depth": 0})
    with pytest.raises(GitFleet.InvalidArgumentError, match="max_concurrency"):
        RepoManager(max_concurrency=0)
    with pytest.raises(GitFleet.InvalidArgumentError, match="clone_options"):
        RepoManager(clone_options={"dept": 1})
    with pytest.raises(GitFleet.InvalidArgumentError, match="URL"):
        RepoManager(["-oProxyCommand=evil"])
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(GitFleet.CloneError, match="git executable was not found"):
        RepoManager(["git://127.0.0.1:1/x.git"])


async def test_transient_failures_are_retried_then_reported() -> None:
    """A server that hangs up at once: git reports the remote hanging up (transient), so the
    clone is attempted 1 + retries times, then fails with git's reason."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    connections = 0

    def accept_and_hang_up() -> None:
        nonlocal connections
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            connections += 1
            conn.close()

    thread = threading.Thread(target=accept_and_hang_up, daemon=True)
    thread.start()
    url = f"git://127.0.0.1:{listener.getsockname()[1]}/any.git"
    manager = RepoManager([url], retries=2, retry_backoff=0.01)
    await manager.clone_all()
    listener.close()
    task = (await manager.fetch_clone_tasks())[url]
    assert task.status.status_type is CloneStatusType.FAILED
    assert connections == 3
    # Which words git uses depends on when the close reaches it; all of them are transient.
    assert any(w in task.status.error for w in ("hung up", "closed the connection", "Connection reset"))


async def test_submodules_are_cloned_when_asked(served: Path, tmp_path: Path) -> None:
    with git_daemon(tmp_path) as (port, _):
        git(tmp_path, "clone", "-q", "--bare", str(served / "small.git"), str(tmp_path / "sub.git"))
        work = tmp_path / "super-work"
        work.mkdir()
        git(work, "init", "-q", "-b", "main")
        git(work, "-c", "protocol.file.allow=always", "submodule", "add", "-q",
            f"git://127.0.0.1:{port}/sub.git", "sub")
        git(work, "-c", "user.name=T", "-c", "user.email=t@e", "commit", "-q", "-m", "with submodule")
        git(tmp_path, "clone", "-q", "--bare", str(work), str(tmp_path / "super.git"))
        url = f"git://127.0.0.1:{port}/super.git"
        managers = [RepoManager(clone_options={"submodules": True}), RepoManager()]
        with_subs, without = [await m.clone(url) for m in managers]
    assert with_subs.status.status_type is CloneStatusType.COMPLETED, with_subs.status.error
    assert (Path(with_subs.temp_dir) / "sub" / "src").is_dir()
    assert without.status.status_type is CloneStatusType.COMPLETED
    assert not (Path(without.temp_dir) / "sub" / "src").exists()
    for m in managers:
        m.cleanup()


async def test_a_retried_clone_keeps_its_place_under_dest_root(served: Path, tmp_path: Path) -> None:
    from git_servers import free_port

    port = free_port()
    url = f"git://127.0.0.1:{port}/small.git"
    manager = RepoManager([url], retries=0, dest_root=tmp_path / "dest")
    await manager.clone_all()
    assert (await manager.fetch_clone_tasks())[url].temp_dir is None
    with git_daemon(served, port=port):
        await manager.retry_failed_clones()
    assert (await manager.fetch_clone_tasks())[url].temp_dir == str(tmp_path / "dest" / "small")


async def test_two_repositories_of_one_name_get_a_directory_each(served: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere" / "small.git"  # same name, other content (big.git's history)
    git(tmp_path, "clone", "-q", "--bare", str(served / "big.git"), str(other))
    urls = [str(served / "small.git"), str(other)]
    manager = RepoManager(urls, dest_root=tmp_path / "dest")
    await manager.clone_all()
    tasks = await manager.fetch_clone_tasks()
    directories = [tasks[url].temp_dir for url in urls]
    assert directories == [str(tmp_path / "dest" / "small"), str(tmp_path / "dest" / "small-2")]
    for url, directory, commits in zip(urls, directories, (b"40", b"2500")):
        assert git(directory, "config", "remote.origin.url").strip().decode() == url
        assert git(directory, "rev-list", "--count", "HEAD").strip() == commits
    assert manager.cleanup() == dict.fromkeys(urls, True)
    assert not any(Path(d).exists() for d in directories)


async def test_cleanup_while_cloning_leaves_the_running_clone_alone(served: Path, tmp_path: Path) -> None:
    """The server is stopped (SIGSTOP) so that the clone is certainly still running when
    cleanup() is called: it reports the clone as still cloning and removes nothing; once the
    clone completed, cleanup() removes it."""
    with git_daemon(served) as (port, daemon):
        url = f"git://127.0.0.1:{port}/small.git"
        manager = RepoManager([url], dest_root=tmp_path / "dest")
        os.killpg(daemon.pid, signal.SIGSTOP)
        try:
            run = manager.clone_all()
            for _ in range(3000):
                state = (await manager.fetch_clone_tasks())[url].status.status_type
                if state is CloneStatusType.CLONING:
                    break
                await asyncio.sleep(0.01)
            assert state is CloneStatusType.CLONING
            assert manager.cleanup() == {url: "still cloning"}
        finally:
            os.killpg(daemon.pid, signal.SIGCONT)
        await run
    task = (await manager.fetch_clone_tasks())[url]
    assert task.status.status_type is CloneStatusType.COMPLETED
    assert git(task.temp_dir, "rev-list", "--count", "HEAD").strip() == b"40"
    assert manager.cleanup() == {url: True}
    assert not Path(task.temp_dir).exists()


def test_temporary_clones_go_with_the_manager_and_at_exit(served: Path, tmp_path: Path) -> None:
    """Seed 001: temporary directories are cleaned up automatically (cleanup() only does it early)."""
    url = str(served / "small.git")

    async def clone_one() -> str:
        manager = RepoManager([url])
        await manager.clone_all()
        directory = (await manager.fetch_clone_tasks())[url].temp_dir
        assert directory and Path(directory).is_dir()
        return directory

    directory = asyncio.run(clone_one())  # the manager is gone once the coroutine returns
    gc.collect()
    assert not Path(directory).parent.exists()

    # Still referenced at interpreter exit (a global), never cleaned up by the script.
    script = tmp_path / "script.py"
    script.write_text(
        "import asyncio\n"
        "from GitFleet import RepoManager\n"
        f"manager = RepoManager([{url!r}])\n"
        "asyncio.run(manager.clone_all())\n"
        f"print(asyncio.run(manager.fetch_clone_tasks())[{url!r}].temp_dir)\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True)
    assert result.stderr == ""
    assert not Path(result.stdout.strip()).parent.exists()


def test_exit_with_a_clone_still_running_stops_it_and_removes_it(served: Path, tmp_path: Path) -> None:
    """The atexit path: a script ends while its clone is running (the server is stopped, so it
    certainly is). The interpreter exits at once and silently, git is killed, nothing is left."""
    with git_daemon(served) as (port, daemon):
        url = f"git://127.0.0.1:{port}/small.git"
        script = tmp_path / "script.py"
        script.write_text(
            "import asyncio\n"
            "from GitFleet import RepoManager\n"
            "from GitFleet.models.repo import CloneStatusType\n"
            f"manager = RepoManager([{url!r}])\n"
            "async def main():\n"
            "    manager.clone_all()\n"
            "    while True:\n"
            f"        task = (await manager.fetch_clone_tasks())[{url!r}]\n"
            "        if task.status.status_type is CloneStatusType.CLONING and task.temp_dir:\n"
            "            return task.temp_dir\n"
            "        await asyncio.sleep(0.01)\n"
            "print(asyncio.run(main()), flush=True)\n"
        )
        os.killpg(daemon.pid, signal.SIGSTOP)
        try:
            result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
        finally:
            os.killpg(daemon.pid, signal.SIGCONT)
    assert (result.returncode, result.stderr) == (0, "")
    directory = Path(result.stdout.strip())
    assert directory.is_absolute() and not directory.parent.exists()
    assert [cmd for cmd in command_lines() if f"127.0.0.1:{port}".encode() in cmd] == []  # git is gone


def command_lines() -> list[bytes]:
    lines = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            lines.append((proc / "cmdline").read_bytes())
        except OSError:  # it ended meanwhile
            pass
    return lines


@pytest.mark.parametrize("scheme", ["http", "git"])
async def test_connection_refused_is_retried_and_reported_whole(scheme: str) -> None:
    """curl's "Failed to connect ... Couldn't connect to server" (http) and git's two-line
    "unable to connect to 127.0.0.1:" + "errno=Connection refused" (git://) are transient:
    retried, then reported with git's whole reason."""
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"{scheme}://127.0.0.1:{port}/x.git"
    manager = RepoManager([url], retries=2, retry_backoff=0.01)
    await manager.clone_all()
    error = (await manager.fetch_clone_tasks())[url].status.error
    assert "(after 3 attempts)" in error, error
    if scheme == "http":
        assert "Couldn't connect to server" in error or "Failed to connect" in error, error
    else:
        assert "unable to connect to 127.0.0.1: 127.0.0.1[0: 127.0.0.1]: errno=Connection refused" in error, error


async def test_a_repeated_git_error_is_reported_once(tmp_path: Path) -> None:
    source = tmp_path / "broken"
    git(tmp_path, "init", "-q", str(source))
    for i in range(3):
        (source / f"f{i}").write_text(str(i) * 100)
        git(source, "add", "-A")
        git(source, "-c", "user.name=T", "-c", "user.email=t@e", "commit", "-q", "-m", f"c{i}")
    git(source, "gc", "-q")
    pack = next((source / ".git/objects/pack").glob("*.pack"))
    pack.chmod(0o644)
    os.truncate(pack, pack.stat().st_size // 2)
    url = f"file://{source}"
    manager = RepoManager([url], retries=0)
    await manager.clone_all()
    error = (await manager.fetch_clone_tasks())[url].status.error
    assert error.count("does not match index") == 1, error
