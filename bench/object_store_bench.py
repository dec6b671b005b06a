"""Per core and per byte: history and blame on real repositories, every figure one process.

What our own object store (gitfleet::odb) is judged by: each tool runs in its own process on a
warm page cache; wall time and the peak RSS of that whole process are taken from wait4().
"1 core" pins the process to one CPU (taskset), whatever threads it starts; "N cores" lets
it use every core. git is the reference for every ratio.

Per repository (--repo, repeatable; bring real histories onto the machine first, e.g.
`git clone --bare https://github.com/redis/redis`; a generated one is used without --repo):
- history with per-file line counts: `git log --numstat`, GitFleet, pygit2 and PyDriller (on
  their first --slow-limit commits, compared by throughput), GitFleet 0.2.8 (PyPI);
- blame of one file, first call in a fresh process (--blame-file, default the most changed);
- bulk blame of the --files most-changed files: `git blame` per file vs one bulk_blame call
  (and GitFleet 0.2.8's bulk_blame);
- with --whole: blame of every file at HEAD (blame_repository).
Run through `bash bench/run.sh odb --repo PATH [--repo PATH ...]`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from anchors import machine_line  # noqa: E402
from gitrepo import fast_import_history  # noqa: E402

OURS = str(ROOT / ".venv" / "bin" / "python")
BENCH = str(ROOT / ".venv-bench" / "bin" / "python")
OLD = str(ROOT / ".venv-gitfleet-0.2.8" / "bin" / "python")

HISTORY = """
import asyncio, sys
from GitFleet import RepoManager
records = asyncio.run(RepoManager().extract_commits(sys.argv[1], include_files=True, threads=int(sys.argv[2])))
print(len(records))
"""
BLAME = """
import asyncio, sys
from GitFleet import RepoManager
result = asyncio.run(RepoManager().bulk_blame(sys.argv[1], sys.argv[2:]))
bad = [p for p, r in result.items() if isinstance(r, Exception)]
if bad: raise SystemExit(f"failed: {bad[:3]}")
print(sum(len(r) for r in result.values()))
"""
WHOLE = """
import asyncio, sys
from GitFleet import RepoManager
result = asyncio.run(RepoManager().blame_repository(sys.argv[1]))
print(len(result))
"""
PYGIT2 = """
import sys, pygit2
repo = pygit2.Repository(sys.argv[1]); limit = int(sys.argv[2]); n = 0
empty = repo.TreeBuilder().write()
for commit in repo.walk(repo.head.target, pygit2.enums.SortMode.TIME):
    old = commit.parents[0].tree if commit.parents else repo[empty]
    diff = repo.diff(old, commit.tree); diff.find_similar()
    for patch in diff: patch.line_stats
    n += 1
    if n == limit: break
print(n)
"""
PYDRILLER = """
import sys
from pydriller import Repository
limit = int(sys.argv[2]); n = 0
for commit in Repository(sys.argv[1]).traverse_commits():
    sum(m.added_lines for m in commit.modified_files)
    n += 1
    if n == limit: break
print(n)
"""
# GitFleet 0.2.8 crashes at interpreter exit: it prints its result and leaves with os._exit.
OLD_HISTORY = """
import asyncio, os, sys
from GitFleet import RepoManager
async def main():  # 0.2.8 wants its manager made on a running loop
    return await RepoManager([], "", "").extract_commits(sys.argv[1])
result = asyncio.run(main())
print(len(result) if not isinstance(result, str) else "error: " + result, flush=True)
os._exit(0)
"""
OLD_BLAME = """
import asyncio, os, sys
from GitFleet import RepoManager
async def main():  # 0.2.8 wants its manager made on a running loop
    return await RepoManager([], "", "").bulk_blame(sys.argv[1], sys.argv[2:])
result = asyncio.run(main())
print(sum(len(v) for v in result.values() if isinstance(v, list)), flush=True)
os._exit(0)
"""


class Measured:
    def __init__(self, seconds: float, rss_mb: float, output: str, error: str = "") -> None:
        self.seconds, self.rss_mb, self.output, self.error = seconds, rss_mb, output, error


def measure(cmd: list[str], *, one_core: bool = False, timeout: float | None = None,
            env: dict[str, str] | None = None) -> Measured:
    """Wall time and peak RSS of one process (and its children, none here)."""
    if one_core:
        cmd = ["taskset", "-c", "0", *cmd]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        deadline = None if timeout is None else start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if deadline and time.perf_counter() > deadline:
                proc.kill()
                os.wait4(proc.pid, 0)
                return Measured(timeout, 0, "", f"stopped after {timeout:.0f} s")
            time.sleep(0.005)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output = out.read().decode(errors="replace").strip()
        if proc.returncode:
            lines = [line for line in err.read().decode(errors="replace").splitlines() if line.strip()]
            return Measured(seconds, 0, "", (lines[-1] if lines else f"exit {proc.returncode}")[:100])
        return Measured(seconds, usage.ru_maxrss / 1024, output)


def best(repeat: int, cmd: list[str], **kwargs) -> Measured:
    runs = [measure(cmd, **kwargs) for _ in range(repeat)]
    ok = [r for r in runs if not r.error]
    return min(ok, key=lambda r: r.seconds) if ok else runs[0]


def table(title: str, rows: list[tuple[str, Measured, float]], reference: tuple[float, float]) -> None:
    """rows: (label, measurement, units of work); reference: git's (seconds per unit, MB)."""
    print(f"\n{title}")
    print(f"  {'tool':40} {'seconds':>9} {'peak MB':>8} {'vs git (speed)':>15} {'vs git (RSS)':>13}")
    git_per_unit, git_mb = reference
    for label, m, units in rows:
        if m.error:
            print(f"  {label:40} {'':>9} {'':>8}  not measured: {m.error}")
            continue
        speed = git_per_unit / (m.seconds / units) if units else 0
        print(f"  {label:40} {m.seconds:9.2f} {m.rss_mb:8.0f} {speed:14.2f}x {m.rss_mb / git_mb:12.2f}x")


def most_changed(repo: Path, count: int) -> list[str]:
    head = set(subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "--name-only", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.splitlines())
    log = subprocess.run(["git", "-C", str(repo), "log", "--format=", "--name-only", "--no-renames"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    counts = Counter(p for p in log if p in head)
    return [p for p, _ in counts.most_common(count)]


def bench_repo(repo: Path, args: argparse.Namespace) -> None:
    env_git = ["git", "-C", str(repo)]
    commits = int(subprocess.run([*env_git, "rev-list", "--count", "HEAD"], capture_output=True, text=True,
                                 check=True).stdout)
    print(f"\n=== {repo} ({commits} commits)")
    if "history" in args.parts:
        bench_history(repo, commits, args)
    if "blame" in args.parts:
        bench_blame(repo, args)
    if args.whole:
        whole = measure([OURS, "-c", WHOLE, str(repo)])
        print(f"\nwhole-repository blame ({whole.output or '?'} files), {os.cpu_count()} cores: "
              + (f"{whole.seconds:.1f} s, peak {whole.rss_mb:.0f} MB" if not whole.error else whole.error))


def bench_history(repo: Path, commits: int, args: argparse.Namespace) -> None:
    env_git = ["git", "-C", str(repo)]
    git_log = best(args.repeat, [*env_git, "log", "--numstat", "--diff-merges=first-parent",
                                 "--format=%H%x00%an%x00%ae%x00%at%x00%ct%x00%P"])
    rows = [("git log --numstat", git_log, commits),
            ("GitFleet, 1 core", best(args.repeat, [OURS, "-c", HISTORY, str(repo), "1"], one_core=True), commits),
            (f"GitFleet, {os.cpu_count()} cores", best(args.repeat, [OURS, "-c", HISTORY, str(repo), "0"]), commits)]
    for label, code in (("pygit2", PYGIT2), ("PyDriller", PYDRILLER)):
        m = measure([BENCH, "-c", code, str(repo), str(args.slow_limit)], timeout=args.timeout)
        rows.append((f"{label} (first {args.slow_limit} commits)", m, float(m.output or 0)))
    old = measure([OLD, "-c", OLD_HISTORY, str(repo)], timeout=args.timeout)
    rows.append(("GitFleet 0.2.8", old, float(old.output) if old.output.isdigit() else commits))
    table("history with per-file line counts", rows, (git_log.seconds / commits, git_log.rss_mb))


def bench_blame(repo: Path, args: argparse.Namespace) -> None:
    env_git = ["git", "-C", str(repo)]
    files = most_changed(repo, args.files)
    one = args.blame_file or files[0]
    git_one = best(args.repeat, [*env_git, "blame", "--porcelain", one])
    table(f"blame of {one}, first call in a process", [
        ("git blame", git_one, 1),
        ("GitFleet, 1 core", best(args.repeat, [OURS, "-c", BLAME, str(repo), one], one_core=True), 1),
        (f"GitFleet, {os.cpu_count()} cores", best(args.repeat, [OURS, "-c", BLAME, str(repo), one]), 1),
    ], (git_one.seconds, git_one.rss_mb))

    git_each = [measure([*env_git, "blame", "--porcelain", f]) for f in files]
    git_bulk = Measured(sum(m.seconds for m in git_each), max(m.rss_mb for m in git_each), "")
    old_bulk = measure([OLD, "-c", OLD_BLAME, str(repo), *files], timeout=args.timeout)
    table(f"bulk blame of the {len(files)} most-changed files", [
        ("git blame, one file after another", git_bulk, 1),
        ("GitFleet bulk_blame, 1 core", measure([OURS, "-c", BLAME, str(repo), *files], one_core=True), 1),
        (f"GitFleet bulk_blame, {os.cpu_count()} cores", measure([OURS, "-c", BLAME, str(repo), *files]), 1),
        ("GitFleet 0.2.8 bulk_blame", old_bulk, 1),
    ], (git_bulk.seconds, git_bulk.rss_mb))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, action="append", help="a repository (repeatable)")
    parser.add_argument("--blame-file", help="the file of the single-file blame (default: the most changed)")
    parser.add_argument("--files", type=int, default=40, help="how many most-changed files bulk blame takes")
    parser.add_argument("--repeat", type=int, default=3, help="runs per fast figure (the best is shown)")
    parser.add_argument("--slow-limit", type=int, default=300, help="commits timed for pygit2 and PyDriller")
    parser.add_argument("--timeout", type=float, default=600, help="seconds before a slow anchor is stopped")
    parser.add_argument("--whole", action="store_true", help="also blame every file at HEAD")
    parser.add_argument("--parts", default="history,blame", help="which of history,blame to run")
    args = parser.parse_args()
    os.environ.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="gitfleet-bench-") as tmp:
        repos = args.repo or [fast_import_history(Path(tmp) / "synthetic", commits=3000, files=40, lines=80)]
        for index, repo in enumerate(repos):
            repo = repo.resolve()
            bare = subprocess.run(["git", "-C", str(repo), "rev-parse", "--is-bare-repository"],
                                  capture_output=True, text=True, check=True).stdout.strip() == "true"
            if bare:  # PyDriller needs a work tree: every tool reads the same local clone
                clone = Path(tmp) / f"{index}-{repo.name}"
                subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
                repo = clone
            bench_repo(repo, args)
    print("\nspeed: git's time for the same work / the tool's (higher is faster); RSS: the tool's peak / git's.")


if __name__ == "__main__":
    main()
