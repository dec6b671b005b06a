"""Columnar results against objects: a repository's history with per-file counts as
``CommitRecord`` objects, as one Arrow table, and streamed as Arrow batches; with --blame, every
file's blame as ``BlameLine`` objects and as an Arrow table. Each figure is one process on a
warm page cache (wall time and peak RSS from wait4), `git log --numstat` the reference.
Run through `bash bench/run.sh columnar --repo PATH [--repo PATH ...] [--blame]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from anchors import machine_line  # noqa: E402
from object_store_bench import OURS, best, measure, table  # noqa: E402

OBJECTS = """
import asyncio, sys
from GitFleet import RepoManager
records = asyncio.run(RepoManager().extract_commits(sys.argv[1], include_files=True))
print(len(records), sum(len(c.files) for c in records))
"""
TABLES = """
import asyncio, sys
from GitFleet import RepoManager
t = asyncio.run(RepoManager().history_tables(sys.argv[1], include_files=True))
print(t.commits.num_rows, t.file_changes.num_rows)
"""
# Every column but the commit messages (most of a history's bytes, held whole by both forms).
NO_MESSAGE = ["repo_name", "sha", "author_name", "author_email", "author_time", "author_offset", "committer_name",
              "committer_email", "committer_time", "committer_offset", "parents", "additions", "deletions",
              "files_changed", "is_merge"]
TABLES_NO_MESSAGE = TABLES.replace("include_files=True", f"include_files=True, columns={NO_MESSAGE!r}")
# In runs of their own (trimming the heap takes time): the resident memory a result keeps once
# the engine's caches are gone (RSS after the call, released memory trimmed, minus RSS before
# it; both import pyarrow first), and for Arrow the size of its buffers. What glibc keeps in the
# engine threads' arenas counts in both RSS figures: a second pair of runs with one arena
# (MALLOC_ARENA_MAX=1) shows the results without it.
HELD = """
import asyncio, ctypes, gc, psutil, pyarrow, sys
from GitFleet import RepoManager
def rss(): return psutil.Process().memory_info().rss
before = rss()
manager = RepoManager()
columns = None if sys.argv[2] == "tables" else sys.argv[3:]
result = asyncio.run(manager.extract_commits(sys.argv[1], include_files=True) if sys.argv[2] == "objects"
                     else manager.history_tables(sys.argv[1], include_files=True, columns=columns))
gc.collect(); ctypes.CDLL("libc.so.6").malloc_trim(0)
print((rss() - before) >> 20, 0 if sys.argv[2] == "objects" else
      (result.commits.nbytes + result.file_changes.nbytes) >> 20)
"""
STREAMED = """
import asyncio, sys
from GitFleet import RepoManager
async def main():
    commits = files = 0
    async for c, f in RepoManager().yield_history_batches(sys.argv[1], include_files=True):
        commits, files = commits + c.num_rows, files + f.num_rows
    return commits, files
print(*asyncio.run(main()))
"""
BLAME_OBJECTS = """
import asyncio, sys
from GitFleet import RepoManager
result = asyncio.run(RepoManager().blame_repository(sys.argv[1]))
print(sum(len(v) for v in result.values() if isinstance(v, list)))
"""
BLAME_TABLE = """
import asyncio, sys
from GitFleet import RepoManager
result = asyncio.run(RepoManager().blame_table(sys.argv[1]))
print(result.lines.num_rows)
"""


def bench_repo(repo: Path, args: argparse.Namespace) -> None:
    commits = int(subprocess.run(["git", "-C", str(repo), "rev-list", "--count", "HEAD"], capture_output=True,
                                 text=True, check=True).stdout)
    print(f"\n=== {repo} ({commits} commits)")
    git_log = best(args.repeat, ["git", "-C", str(repo), "log", "--numstat", "--diff-merges=first-parent",
                                 "--format=%H%x00%an%x00%ae%x00%at%x00%ct%x00%P"])
    runs = {label: best(args.repeat, [OURS, "-c", code, str(repo)])
            for label, code in (("CommitRecord objects", OBJECTS), ("Arrow tables (history_tables)", TABLES),
                                ("Arrow batches (yield_history_batches)", STREAMED),
                                ("Arrow tables, no message (columns=)", TABLES_NO_MESSAGE))}
    outputs = {m.output for m in runs.values() if not m.error}
    if len(outputs) > 1:
        raise SystemExit(f"the three ways disagree on (commits, file changes): {outputs}")
    table("history with per-file line counts", [("git log --numstat", git_log, commits),
                                                *((label, m, commits) for label, m in runs.items())],
          (git_log.seconds / commits, git_log.rss_mb))
    objects, arrow = runs["CommitRecord objects"], runs["Arrow tables (history_tables)"]
    if not (objects.error or arrow.error):
        print(f"  Arrow table vs objects: {objects.seconds / arrow.seconds:.2f}x the speed, "
              f"{arrow.rss_mb / objects.rss_mb:.2f}x the peak memory of the process")
        for arenas, label in ((None, "glibc's default arenas"), ("1", "one malloc arena")):
            env = {**os.environ, "MALLOC_ARENA_MAX": arenas} if arenas else None
            (held_objects, _), *arrow_forms = (
                map(int, (measure([OURS, "-c", HELD, str(repo), *kind], env=env).output or "0 0").split())
                for kind in (["objects"], ["tables"], ["no-message", *NO_MESSAGE]))
            for (held_arrow, buffers), form in zip(arrow_forms, ("Arrow", "Arrow without messages")):
                print(f"  the result itself, {label}: {form} holds {held_arrow} MB ({buffers} MB of buffers) "
                      f"against {held_objects} MB of objects ({held_arrow / max(held_objects, 1):.2f}x; buffers "
                      f"{buffers / max(held_objects, 1):.2f}x)")
    if args.blame:
        lines = {label: best(1, [OURS, "-c", code, str(repo)])
                 for label, code in (("BlameLine objects (blame_repository)", BLAME_OBJECTS),
                                     ("Arrow table (blame_table)", BLAME_TABLE))}
        print(f"\nblame of every file, {os.cpu_count()} cores")
        for label, m in lines.items():
            print(f"  {label:40} " + (m.error or f"{m.seconds:9.2f} s {m.rss_mb:8.0f} MB  ({m.output} lines)"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", action="append", type=Path, required=True, help="a repository (repeatable)")
    parser.add_argument("--repeat", type=int, default=2, help="runs per figure, best kept")
    parser.add_argument("--blame", action="store_true", help="also every file's blame, objects vs Arrow")
    args = parser.parse_args()
    print(machine_line())
    for repo in args.repo:
        bench_repo(repo, args)


if __name__ == "__main__":
    main()
