"""Fleet cloning: GitFleet's clone_all against the git command line run the way people run
it in bulk (`xargs -P <concurrency>` over `git clone`), with the same concurrency, on a fleet
of repositories served by `git daemon` on loopback.

Anchors: xargs -P over git clone (always), GitFleet 0.2.8 from PyPI (in .venv-gitfleet-0.2.8)
when it can run here. Run through `bash bench/run.sh clone`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "python"))

from anchors import anchor_line, machine_line, run_in_venv  # noqa: E402
from git_servers import git_daemon  # noqa: E402
from GitFleet import RepoManager  # noqa: E402
from gitrepo import fast_import_history, git  # noqa: E402

GITFLEET_028 = """
import asyncio, json, sys, time
from GitFleet import RepoManager
if RepoManager is None:
    from GitFleet.GitFleet import RepoManager  # re-raises the extension's real import error
urls = sys.argv[1:]
start = time.perf_counter()
manager = RepoManager(urls, "", "")
asyncio.run(manager.clone_all())
print(json.dumps({"seconds": time.perf_counter() - start}))
"""


def make_fleet(root: Path, repos: int, commits: int) -> Path:
    template = fast_import_history(root / "template", commits=commits, files=50, lines=120)
    served = root / "served"
    for i in range(repos):
        # --no-local: every repository has its own pack, as distinct repositories would.
        git(root, "clone", "-q", "--bare", "--no-local", str(template), str(served / f"repo{i:03d}.git"))
    return served


def time_xargs(urls: list[str], concurrency: int, out: Path) -> float:
    out.mkdir()
    start = time.perf_counter()
    subprocess.run(["xargs", "-P", str(concurrency), "-n", "1", "git", "clone", "-q"], input="\n".join(urls),
                   text=True, cwd=out, check=True)
    return time.perf_counter() - start


def time_gitfleet(urls: list[str], concurrency: int, out: Path) -> float:
    manager = RepoManager(urls, max_concurrency=concurrency, dest_root=out)
    start = time.perf_counter()
    asyncio.run(manager.clone_all())
    elapsed = time.perf_counter() - start
    tasks = asyncio.run(manager.fetch_clone_tasks())
    failed = [u for u, t in tasks.items() if t.status.status_type.value != "completed"]
    if failed:
        raise SystemExit(f"GitFleet failed to clone {failed[:3]}")
    return elapsed


def time_gitfleet_028(urls: list[str], out: Path) -> float | str:
    out.mkdir()
    result = run_in_venv(".venv-gitfleet-0.2.8", GITFLEET_028, *urls, cwd=out)
    return result if isinstance(result, str) else result["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repos", type=int, default=48)
    parser.add_argument("--commits", type=int, default=600, help="commits per repository")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.update({"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"})
    # Clones land on tmpfs when there is one: on ext4, creating thousands of files right after
    # deleting thousands sends the inode allocator scanning, and that noise dwarfs the tools.
    shm = Path("/dev/shm")
    out_base = Path(tempfile.mkdtemp(prefix="gitfleet-clone-out-", dir=shm if shm.is_dir() else None))
    with tempfile.TemporaryDirectory(prefix="gitfleet-clone-bench-") as tmp, \
            contextlib.ExitStack() as stack:
        stack.callback(shutil.rmtree, out_base, ignore_errors=True)
        root = Path(tmp)
        served = make_fleet(root, args.repos, args.commits)
        size = sum(f.stat().st_size for f in served.rglob("*") if f.is_file()) / args.repos / 1e6
        with git_daemon(served) as (port, _):
            urls = [f"git://127.0.0.1:{port}/repo{i:03d}.git" for i in range(args.repos)]
            best = {"xargs": float("inf"), "gitfleet": float("inf")}
            runners = [("xargs", lambda o: time_xargs(urls, args.concurrency, o)),
                       ("gitfleet", lambda o: time_gitfleet(urls, args.concurrency, o))]
            for r in range(args.repeat):  # alternate the order: neither always follows the other's clean-up
                for name, fn in (runners if r % 2 == 0 else runners[::-1]):
                    out = out_base / f"{name}-{r}"
                    best[name] = min(best[name], fn(out))
                    shutil.rmtree(out)
            old = time_gitfleet_028(urls, out_base / "gitfleet-0.2.8")
    print(f"fleet: {args.repos} repositories x {args.commits} commits (~{size:.1f} MB each), git daemon on "
          f"loopback, concurrency {args.concurrency}, best of {args.repeat}, clones written to {out_base.parent}")
    print(machine_line())
    x = best["xargs"]
    print(f"{'tool':34} {'seconds':>8} {'repos/s':>8} {'vs xargs':>9}")
    print(f"{'xargs -P git clone':34} {x:8.2f} {args.repos / x:8.1f} {1.0:8.2f}x")
    g = best["gitfleet"]
    print(f"{'GitFleet clone_all':34} {g:8.2f} {args.repos / g:8.1f} {x / g:8.2f}x")
    print(anchor_line(f"{'GitFleet 0.2.8 (PyPI)':34}", old, lambda s: f"{s:8.2f} {args.repos / s:8.1f} {x / s:8.2f}x"))
    print("vs xargs: speed relative to xargs -P over git clone (higher is faster).")


if __name__ == "__main__":
    main()
