"""A fleet into the fleet store: one process reading the repositories one after another
(`gitfleet store PATHS`) against a local Dask cluster of worker processes (`--workers N`),
on --repos generated repositories served by `git daemon` on loopback (each cloned by whoever
reads it); then both again with nothing new (the workers read only what the store lacks).
Also reports what a task costs the cluster beyond its own work (an empty
repository's round trip) and the data a repository sends back, the figures an estimate for
larger fleets rests on. Run through `bash bench/run.sh fleet [--repos 48] [--workers 2]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from anchors import machine_line  # noqa: E402
from git_servers import git_daemon  # noqa: E402
from gitrepo import fast_import_history, git  # noqa: E402

GITFLEET = [str(ROOT / ".venv" / "bin" / "python"), "-m", "GitFleet"]
TASK_COST = """
import pickle, sys, time
from distributed import Client, LocalCluster
from GitFleet.fleet_distributed import read_target
if __name__ == "__main__":
    with LocalCluster(n_workers=int(sys.argv[2]), threads_per_worker=1, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as c, Client(c) as client:
        client.submit(read_target, sys.argv[1], "warm", pure=False).result()
        start = time.perf_counter()
        snapshots = client.gather([client.submit(read_target, sys.argv[1], f"t{i}", pure=False) for i in range(20)])
        per_task = (time.perf_counter() - start) / 20
    print(f"{per_task:.3f} {len(pickle.dumps(snapshots[0]))}")
"""


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode:
        raise SystemExit(f"{' '.join(cmd[:4])}...: {result.stderr.strip()[-300:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=48)
    parser.add_argument("--commits", type=int, default=400, help="commits per repository")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args()
    print(machine_line())
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for i in range(args.repos):
            work = fast_import_history(base / "work" / f"repo{i:02d}", args.commits, seed=i)
            git(work, "clone", "-q", "--bare", str(work), str(base / "served" / f"repo{i:02d}.git"))
        empty = base / "empty"
        git(base, "init", "-q", "-b", "main", str(empty))
        git(empty, "-c", "user.name=x", "-c", "user.email=x@x", "commit", "-q", "--allow-empty", "-m", "one")
        with git_daemon(base / "served") as (port, _):
            urls = [f"git://127.0.0.1:{port}/repo{i:02d}.git" for i in range(args.repos)]
            one_process = [*GITFLEET, "store", *urls, "--db", str(base / "one.duckdb"), "-q"]
            on_dask = [*GITFLEET, "store", *urls, "--db", str(base / "dask.duckdb"), "--workers", str(args.workers),
                       "-q"]
            one, dask = timed(one_process), timed(on_dask)
            # Again, nothing new: each repository cloned again and compared with the stored head.
            one_again, dask_again = timed(one_process), timed(on_dask)
        cost = subprocess.run([GITFLEET[0], "-c", TASK_COST, str(empty), str(args.workers)], capture_output=True,
                              text=True, check=True).stdout.split()
    print(f"\n{args.repos} repositories of {args.commits} commits into the fleet store, cloned from git daemon")
    print(f"  one process (gitfleet store)              {one:8.2f} s  ({one / args.repos:.3f} s a repository)")
    print(f"  Dask, {args.workers} worker processes (--workers)   {dask:8.2f} s  ({one / dask:.2f}x)")
    print(f"  again, nothing new: one process {one_again:.2f} s, Dask {dask_again:.2f} s "
          f"({one_again / dask_again:.2f}x)")
    print(f"  a task's round trip on an empty repository: {float(cost[0]) * 1000:.0f} ms; "
          f"one repository's results pickled: {int(cost[1]) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
