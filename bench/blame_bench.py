"""Blame: GitFleet against `git blame` (the reference), pygit2 (libgit2's blame) and GitFleet
0.2.8 (PyPI), on the most-changed files of a repository.

- per file: each file blamed alone, one after another (GitFleet's engine vs git's);
- bulk: all the files in one bulk_blame call (parallel on every core) vs git blame run per file;
- whole repository: blame_repository (every file, one walk per core) vs git blame on every file.
Anchors that are slow (pygit2) are timed on --slow-files files and compared per file.
Run through `bash bench/run.sh blame [--repo PATH]`.
"""

from __future__ import annotations

import argparse
import asyncio
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

from anchors import anchor_line, machine_line, run_in_venv  # noqa: E402
from GitFleet import RepoManager  # noqa: E402
from gitrepo import fast_import_history  # noqa: E402

PYGIT2 = """
import json, sys, time, pygit2
repo = pygit2.Repository(sys.argv[1]); files = sys.argv[2:]
start = time.perf_counter()
for f in files:
    blame = repo.blame(f)
    n = sum(h.lines_in_hunk for h in blame)
print(json.dumps({"seconds": time.perf_counter() - start}))
"""

# Peak memory of streaming one file's blame, in a fresh interpreter (VmHWM: the peak of this
# process image only; ru_maxrss would count the parent's size at fork).
PEAK_RSS = "int(next(l for l in open('/proc/self/status') if l.startswith('VmHWM')).split()[1])"
STREAM_MEMORY = f"""
import asyncio, json, sys
from GitFleet import RepoManager
async def main():
    lines = 0
    async for batch in RepoManager().stream_blame(sys.argv[1], sys.argv[2], batch_size=500):
        lines += len(batch)
    return lines
lines = asyncio.run(main())
print(json.dumps({{"lines": lines, "max_rss_kib": {PEAK_RSS}}}))
"""

GITFLEET_028 = """
import asyncio, json, sys, time
from GitFleet import RepoManager
if RepoManager is None:
    from GitFleet.GitFleet import RepoManager  # re-raises the extension's real import error
start = time.perf_counter()
asyncio.run(RepoManager([], "", "").bulk_blame(sys.argv[1], sys.argv[2:]))
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def files_at_head(repo: Path) -> list[str]:
    """Every file at HEAD, submodules aside (they cannot be blamed)."""
    entries = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "-z", "HEAD"], capture_output=True,
                             check=True).stdout.split(b"\0")[:-1]
    return [e.split(b"\t", 1)[1].decode("utf-8", "surrogateescape") for e in entries if not e.startswith(b"160000")]


def most_changed_files(repo: Path, count: int) -> list[str]:
    log = subprocess.run(["git", "-C", str(repo), "log", "--format=", "--name-only"], capture_output=True,
                         text=True, check=True).stdout.split("\n")
    at_head = set(files_at_head(repo))
    ranked = [f for f, _ in Counter(f for f in log if f).most_common() if f in at_head]
    return ranked[:count]


def commits_touching(repo: Path, path: str) -> int:
    return len(subprocess.run(["git", "-C", str(repo), "log", "--format=%H", "--", path], capture_output=True,
                              text=True, check=True).stdout.split())


def run_anchor(venv: str, code: str, repo: Path, files: list[str]) -> float | str:
    result = run_in_venv(venv, code, str(repo), *files)
    return result if isinstance(result, str) else result["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, help="repository (default: a generated one)")
    parser.add_argument("--files", type=int, default=40, help="how many of the most-changed files")
    parser.add_argument("--slow-files", type=int, default=5, help="files timed for pygit2")
    args = parser.parse_args()
    os.environ.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    with tempfile.TemporaryDirectory(prefix="gitfleet-blame-bench-") as tmp:
        repo = (args.repo or fast_import_history(Path(tmp) / "synthetic", commits=3000, files=40, lines=300)).resolve()
        files = most_changed_files(repo, args.files)
        manager = RepoManager()

        def git_blame(f: str) -> None:
            subprocess.run(["git", "-C", str(repo), "blame", "--porcelain", "HEAD", "--", f],
                           capture_output=True, check=True)

        per_file_git, per_file_ours = [], []
        for f in files:
            start = time.perf_counter()
            git_blame(f)
            per_file_git.append(time.perf_counter() - start)
            start = time.perf_counter()
            asyncio.run(manager.blame(repo, f))
            per_file_ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = asyncio.run(manager.bulk_blame(repo, files))
        bulk = time.perf_counter() - start
        assert all(isinstance(v, list) for v in result.values())
        lines = sum(len(v) for v in result.values())
        every = files_at_head(repo)
        start = time.perf_counter()
        for f in every:
            git_blame(f)
        git_every = time.perf_counter() - start
        start = time.perf_counter()
        whole = asyncio.run(manager.blame_repository(repo))
        ours_every = time.perf_counter() - start
        assert len(whole) == len(every)
        # Memory on the file with the longest history: GitFleet's stream against git blame.
        longest = files[0]
        streamed = subprocess.run([sys.executable, "-c", STREAM_MEMORY, str(repo), longest], capture_output=True,
                                  text=True, check=True)
        stream_memory = json.loads(streamed.stdout.strip().splitlines()[-1])
        baseline = subprocess.run([sys.executable, "-c", f"import GitFleet; print({PEAK_RSS})"],
                                  capture_output=True, text=True, check=True)
        git_memory = subprocess.run(["/usr/bin/time", "-f", "%M", "git", "-C", str(repo), "blame", "--porcelain",
                                     "HEAD", "--", longest], capture_output=True, text=True, check=True)
        git_memory.stdout = git_memory.stderr.strip().splitlines()[-1]
        slow = files[: args.slow_files]
        pygit2 = run_anchor(".venv-bench", PYGIT2, repo, slow)
        old = run_anchor(".venv-gitfleet-0.2.8", GITFLEET_028, repo, files)

    git_total, ours_total = sum(per_file_git), sum(per_file_ours)
    faster = sum(o <= g for o, g in zip(per_file_ours, per_file_git))
    print(f"repository: {repo}; {len(files)} most-changed files, {lines} lines")
    print(machine_line())
    print(f"per file  git blame {git_total:7.2f} s   GitFleet {ours_total:7.2f} s   ratio {git_total / ours_total:5.2f}x"
          f"   (GitFleet at most git's time on {faster}/{len(files)} files)")
    print(f"bulk      git blame per file {git_total:7.2f} s   GitFleet bulk_blame {bulk:7.2f} s   "
          f"ratio {git_total / bulk:5.2f}x")
    print(f"whole     git blame on all {len(every)} files {git_every:7.2f} s   GitFleet blame_repository "
          f"{ours_every:7.2f} s   ratio {git_every / ours_every:5.2f}x")
    print(f"memory    stream_blame of {longest} ({stream_memory['lines']} lines, "
          f"{commits_touching(repo, longest)} commits): peak {stream_memory['max_rss_kib'] / 1024:.0f} MiB for the "
          f"process ({int(baseline.stdout) / 1024:.0f} MiB of it is Python + GitFleet loaded); "
          f"git blame peak {int(git_memory.stdout) / 1024:.0f} MiB")
    slow_git = sum(per_file_git[: len(slow)])
    print(anchor_line("pygit2   ", pygit2,
                      lambda s: f"{len(slow)} files {s:7.2f} s vs git {slow_git:6.2f} s: {slow_git / s:5.2f}x of git"))
    print(anchor_line("GitFleet 0.2.8 ", old, lambda s: f"bulk {s:7.2f} s: {git_total / s:5.2f}x of git per file"))
    print("ratio: git's time / the tool's time (higher is faster).")


if __name__ == "__main__":
    main()
