"""A README-style script, run 100 times in fresh interpreters: clone (left running in the
background at exit, and never cleaned up by hand), history kept in a global, blame, a provider
listing, a copy and a copy through the server. Every run must exit 0 with nothing at all on
stderr: no "terminate called", no nanobind leak report, no warning."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import py_eacopy
from fake_providers import FakeGitHub
from git_servers import git_daemon
from gitrepo import GitRepo, git

RUNS = 100
TOKEN = "copy-secret-for-the-exit-test"

SCRIPT = """
import asyncio, os, sys
import py_eacopy
from GitFleet import RepoManager
from GitFleet.providers import GitHubClient

URL, API, COPY_PORT, WORK = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
HISTORY = None  # a global holding native results until the interpreter ends


async def main():
    global HISTORY
    manager = RepoManager([URL, URL + "-missing"], max_concurrency=2)
    await manager.clone_all()
    clone = (await manager.fetch_clone_tasks())[URL].temp_dir
    HISTORY = await manager.extract_commits(clone, include_files=True)
    lines = await manager.blame(clone, "app.py")
    by_file = await manager.blame_repository(clone)
    async with GitHubClient("good-token", base_url=API) as gh:
        repos = await gh.fetch_repositories("alice")
    py_eacopy.copytree(clone, os.path.join(WORK, "copy"), dirs_exist_ok=True)
    summary = py_eacopy.copy_with_server(clone, os.path.basename(WORK), "127.0.0.1", COPY_PORT,
                                         token=os.environ["EACOPY_TOKEN"])
    assert len(HISTORY) == 3 and len(lines) == 3 and "app.py" in by_file and len(repos) == 3, (HISTORY, lines)
    assert summary.files_failed == 0
    RepoManager([URL]).clone_all()  # started, never awaited: still running when the script ends
    print("ok", len(HISTORY))


asyncio.run(main())
"""


def test_readme_style_script_exits_cleanly_every_time(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "work")
    for i in range(3):
        repo.write("app.py", "".join(f"line {j}\n" for j in range(i + 1)))
        repo.commit(f"commit {i}")
    served = tmp_path / "served"
    served.mkdir()
    git(tmp_path, "clone", "-q", "--bare", str(repo.path), str(served / "app.git"))
    script = tmp_path / "readme_style.py"
    script.write_text(SCRIPT)
    root = tmp_path / "root"
    root.mkdir()
    with git_daemon(served) as (port, _), FakeGitHub(owners={"alice": 3}) as api, \
            py_eacopy.create_server(port=0, root=root, token=TOKEN) as server:
        url = f"git://127.0.0.1:{port}/app.git"

        def run(i: int) -> subprocess.CompletedProcess:
            work = tmp_path / f"run{i}"
            work.mkdir()
            return subprocess.run([sys.executable, str(script), url, api.base_url, str(server.port), str(work)],
                                  capture_output=True, text=True, timeout=120,
                                  env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "EACOPY_TOKEN": TOKEN,
                                       "XDG_CONFIG_HOME": str(tmp_path / "config")})

        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(run, range(RUNS)))
    bad = [(i, r.returncode, r.stderr[-2000:]) for i, r in enumerate(results) if r.returncode or r.stderr]
    assert not bad, f"{len(bad)} of {RUNS} runs were not clean; the first: {bad[0]}"
    assert all(r.stdout.strip() == "ok 3" for r in results)
