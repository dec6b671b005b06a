"""`python -m GitFleet`: summarise a repository's commit history and who owns its lines
today (default: the repository the current directory belongs to)."""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import time

from .exceptions import GitFleetError
from .repo_manager import RepoManager
from .report import HistorySummary


def _default_repo() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        raise SystemExit("gitfleet: not inside a git repository; pass a repository path") from None
    return out.stdout.strip()


async def _summarise(args: argparse.Namespace) -> HistorySummary:
    summary = HistorySummary()
    start = time.perf_counter()
    async for batch in RepoManager().yield_commits(args.repo, batch_size=500, rev=args.rev,
                                                   max_count=args.max_count, include_files=True):
        summary.add(batch)
        if not args.quiet:
            print(f"\r  {summary.commits} commits read", end="", file=sys.stderr, flush=True)
    if not args.quiet:
        print(f"\r  {summary.commits} commits read in {time.perf_counter() - start:.2f}s", file=sys.stderr)
    start = time.perf_counter()
    summary.add_blame(await RepoManager().blame_repository(args.repo, rev=args.rev))
    if not args.quiet:
        print(f"  every file blamed in {time.perf_counter() - start:.2f}s", file=sys.stderr)
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m GitFleet", description=__doc__)
    parser.add_argument("repo", nargs="?", help="repository path (default: the current repository)")
    parser.add_argument("--rev", default="HEAD", help="revision to start from (default: HEAD)")
    parser.add_argument("--max-count", type=int, default=None, help="stop after this many commits")
    parser.add_argument("--top", type=int, default=10, help="rows per table")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")
    args = parser.parse_args(argv)
    args.repo = args.repo or _default_repo()
    try:
        summary = asyncio.run(_summarise(args))
    except GitFleetError as e:
        print(f"gitfleet: {e}", file=sys.stderr)
        return 1
    print(summary.render(args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
