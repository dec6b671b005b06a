"""Commit history with per-file line stats: GitFleet against the tools people use for it.

Every tool does the same work: all commits reachable from HEAD, and for each the added and
deleted lines of every file against its first parent, renames detected. Times are the best
of --repeat runs on a warm page cache; the slow Python tools are timed on the first
--slow-limit commits and compared by throughput (commits per second).

Anchors: `git log --numstat --diff-merges=first-parent` (the reference output), pygit2 and
PyDriller (in .venv-bench), GitFleet 0.2.8 from PyPI (in .venv-gitfleet-0.2.8), each run in
its own interpreter. Run through bench/run.sh, which sets them up.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from anchors import machine_line, run_in_venv  # noqa: E402
from GitFleet import RepoManager, _native  # noqa: E402
from gitrepo import fast_import_history  # noqa: E402

PYGIT2 = """
import json, sys, time, pygit2
repo = pygit2.Repository(sys.argv[1]); limit = int(sys.argv[2])
empty = repo.TreeBuilder().write()
start = time.perf_counter(); n = 0
for commit in repo.walk(repo.head.target, pygit2.enums.SortMode.TIME):
    old = commit.parents[0].tree if commit.parents else repo[empty]
    diff = repo.diff(old, commit.tree); diff.find_similar()
    adds = dels = 0
    for patch in diff:
        _, a, d = patch.line_stats; adds += a; dels += d
    n += 1
    if n == limit: break
print(json.dumps({"commits": n, "seconds": time.perf_counter() - start}))
"""

PYDRILLER = """
import json, sys, time
from pydriller import Repository
limit = int(sys.argv[2]); start = time.perf_counter(); n = 0
for commit in Repository(sys.argv[1]).traverse_commits():
    adds = sum(m.added_lines for m in commit.modified_files)
    n += 1
    if n == limit: break
print(json.dumps({"commits": n, "seconds": time.perf_counter() - start}))
"""

GITFLEET_028 = """
import asyncio, json, sys, time
from GitFleet import RepoManager
if RepoManager is None:
    from GitFleet.GitFleet import RepoManager  # re-raises the extension's real import error
start = time.perf_counter()
result = asyncio.run(RepoManager([], "", "").extract_commits(sys.argv[1]))
if isinstance(result, str): raise SystemExit(result)
print(json.dumps({"commits": len(result), "seconds": time.perf_counter() - start}))
"""


def best_of(repeat: int, fn) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_anchor(venv: str, code: str, repo: Path, limit: int, repeat: int) -> dict:
    best: dict | None = None
    for _ in range(repeat):
        result = run_in_venv(venv, code, str(repo), str(limit))
        if isinstance(result, str):
            return {"error": result}
        if best is None or result["seconds"] < best["seconds"]:
            best = result
    return best or {"error": "no run"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, help="repository to measure (default: a generated one)")
    parser.add_argument("--commits", type=int, default=5000, help="size of the generated history")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--slow-limit", type=int, default=300, help="commits timed for pygit2/PyDriller")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="gitfleet-bench-") as tmp:
        env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
        os.environ.update(env)
        repo = args.repo or fast_import_history(Path(tmp) / "synthetic", commits=args.commits, files=40, lines=80)
        repo = repo.resolve()
        bare = subprocess.run(["git", "-C", str(repo), "rev-parse", "--is-bare-repository"], capture_output=True,
                              text=True, check=True).stdout.strip() == "true"
        if bare:  # PyDriller needs a work tree: every tool measures the same local clone
            subprocess.run(["git", "clone", "-q", str(repo), f"{tmp}/clone"], check=True)
            repo = Path(tmp) / "clone"
        git_cmd = ["git", "-C", str(repo), "log", "--numstat", "--diff-merges=first-parent",
                   "--format=%H%x00%an%x00%ae%x00%at%x00%ct%x00%P"]
        git_s, _ = best_of(args.repeat, lambda: subprocess.run(git_cmd, capture_output=True, check=True, env=env))
        commits = len(subprocess.run(["git", "-C", str(repo), "rev-list", "HEAD"], capture_output=True,
                                     text=True, check=True).stdout.split())
        git_rate = commits / git_s

        rows: list[tuple[str, int, float | None, str]] = [("git log --numstat (1 core)", commits, git_s, "")]
        manager = RepoManager()
        cores = _native.cpu_threads()
        for label, threads in (("GitFleet, 1 thread", 1), (f"GitFleet, {cores} threads", 0)):
            seconds, records = best_of(args.repeat, lambda: asyncio.run(
                manager.extract_commits(repo, include_files=True, threads=threads)))
            rows.append((label, len(records), seconds, ""))
        for label, venv, code in (("pygit2", ".venv-bench", PYGIT2), ("PyDriller", ".venv-bench", PYDRILLER),
                                  ("GitFleet 0.2.8 (PyPI)", ".venv-gitfleet-0.2.8", GITFLEET_028)):
            limit = args.slow_limit if label != "GitFleet 0.2.8 (PyPI)" else 0
            result = run_anchor(venv, code, repo, limit, 1 if label == "PyDriller" else args.repeat)
            if "error" in result:
                rows.append((label, 0, None, "not measured: " + result["error"][:110]))
            else:
                rows.append((label, result["commits"], result["seconds"], ""))

        print(f"repository: {repo} ({commits} commits)")
        print(machine_line())
        print(f"{'tool':32} {'commits':>8} {'seconds':>9} {'commits/s':>10} {'vs git':>8}")
        for label, n, seconds, note in rows:
            if seconds is None:
                print(f"{label:32} {'':>8} {'':>9} {'':>10} {'':>8}  {note}")
                continue
            rate = n / seconds if seconds else float("inf")
            print(f"{label:32} {n:8d} {seconds:9.3f} {rate:10.0f} {rate / git_rate:7.2f}x")
        print("vs git: throughput relative to git log --numstat (higher is faster).")


if __name__ == "__main__":
    main()
