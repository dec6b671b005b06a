"""The fleet store's incremental update against a full one: a repository is stored as it was
--behind commits ago (a full update), then brought to its HEAD (an incremental update: only
the new commits read, only the files they touched blamed again). Each update is one process
(wall time, peak RSS); the repository is a shared clone of --repo, whose branch is moved.
Then the same for `gitfleet analyze` (which reads through the store): its first run behind
HEAD, its second at HEAD, and a run at HEAD without a store (--no-db) for reference.
Run through `bash bench/run.sh store --repo PATH [--behind 20]`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from anchors import machine_line  # noqa: E402
from object_store_bench import OURS, measure  # noqa: E402

UPDATE = """
import asyncio, sys
from GitFleet import RepoManager
from GitFleet.fleet_store import FleetStore
with FleetStore(sys.argv[1]) as store:
    u = asyncio.run(store.update(RepoManager(), sys.argv[2], "bench"))
print(u.mode, u.commits_read, u.files_blamed)
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--behind", type=int, default=20, help="commits the first update is behind HEAD")
    args = parser.parse_args()
    print(machine_line())
    with tempfile.TemporaryDirectory() as tmp:
        clone = Path(tmp) / "repo.git"
        subprocess.run(["git", "clone", "-q", "--bare", "--shared", str(args.repo), str(clone)], check=True)
        head = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
        branch = subprocess.run(["git", "-C", str(clone), "symbolic-ref", "HEAD"], capture_output=True, text=True,
                                check=True).stdout.strip()
        db = str(Path(tmp) / "fleet.duckdb")
        subprocess.run(["git", "-C", str(clone), "update-ref", branch, f"{head}~{args.behind}"], check=True)
        full = measure([OURS, "-c", UPDATE, db, str(clone)])
        subprocess.run(["git", "-C", str(clone), "update-ref", branch, head], check=True)
        incremental = measure([OURS, "-c", UPDATE, db, str(clone)])
        unchanged = measure([OURS, "-c", UPDATE, db, str(clone)])
        analyze = [OURS, "-m", "GitFleet", "analyze", str(clone), "-q", "--out", str(Path(tmp) / "report")]
        subprocess.run(["git", "-C", str(clone), "update-ref", branch, f"{head}~{args.behind}"], check=True)
        first = measure([*analyze, "--db", str(Path(tmp) / "analyze.duckdb")])
        subprocess.run(["git", "-C", str(clone), "update-ref", branch, head], check=True)
        second = measure([*analyze, "--db", str(Path(tmp) / "analyze.duckdb")])
        direct = measure([*analyze, "--no-db"])
    print(f"\n=== {args.repo}: first update {args.behind} commits behind HEAD, then to HEAD (first-parent steps)")
    for label, m in (("full update", full), ("incremental update", incremental), ("unchanged", unchanged)):
        print(f"  {label:20} " + (m.error or f"{m.seconds:8.2f} s {m.rss_mb:7.0f} MB   ({m.output})"))
    if not (full.error or incremental.error):
        print(f"  the incremental update took {incremental.seconds / full.seconds:.1%} of the full one's time")
    print(f"\n=== gitfleet analyze {args.repo}: first run {args.behind} commits behind HEAD, second at HEAD")
    for label, m in (("first (store filled)", first), ("second (incremental)", second), ("--no-db, at HEAD", direct)):
        print(f"  {label:20} " + (m.error or f"{m.seconds:8.2f} s {m.rss_mb:7.0f} MB"))
    if not (first.error or second.error):
        print(f"  the second analyze took {second.seconds / first.seconds:.1%} of the first one's time")


if __name__ == "__main__":
    main()
