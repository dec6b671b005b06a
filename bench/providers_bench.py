"""Provider benchmark: list 5,000 repositories of one GitHub user (50 pages of 100) from a fake
GitHub on loopback that answers each request after a realistic latency, with GitFleet's
native transport, its Python (httpx) transport, and the anchors installed here: PyGithub,
githubkit and GitFleet 0.2.8 (each in its own environment, in a subprocess). Prints the median
time of --runs and the ratios (> 1: GitFleet's native transport is faster).

    bash bench/run.sh providers [--repos 5000] [--latency 0.05] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from anchors import ROOT, machine_line, run_in_venv  # noqa: E402
from GitFleet.providers import GitHubClient  # noqa: E402

TOKEN = "good-token"

PYGITHUB = """
import json, sys, time
from github import Auth, Github
gh = Github(auth=Auth.Token(sys.argv[2]), base_url=sys.argv[1], per_page=100)
t = time.perf_counter()
n = sum(1 for _ in gh.get_user("alice").get_repos())
print(json.dumps({"seconds": time.perf_counter() - t, "repos": n}))
"""

GITHUBKIT = """
import json, sys, time
from githubkit import GitHub
gh = GitHub(sys.argv[2], base_url=sys.argv[1])
t = time.perf_counter()
# map_func: the fake's repositories carry the fields GitFleet reads, not all of GitHub's schema
n = sum(1 for _ in gh.paginate(gh.rest.repos.list_for_user, map_func=lambda r: r.json(), username="alice",
                               per_page=100))
print(json.dumps({"seconds": time.perf_counter() - t, "repos": n}))
"""

GITFLEET_028 = """
import asyncio, json, sys, time
from GitFleet import GitHubClient
async def main():
    client = GitHubClient(sys.argv[2], base_url=sys.argv[1])
    t = time.perf_counter()
    repos = await client.fetch_repositories("alice")
    print(json.dumps({"seconds": time.perf_counter() - t, "repos": len(repos)}))
asyncio.run(main())
"""


async def ours(base_url: str, python: bool) -> tuple[float, int]:
    async with GitHubClient(TOKEN, base_url=base_url, use_python_impl=python) as gh:
        t = time.perf_counter()
        repos = await gh.fetch_repositories("alice")
        return time.perf_counter() - t, len(repos)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repos", type=int, default=5000)
    ap.add_argument("--latency", type=float, default=0.05, help="seconds the fake server takes per request")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print(machine_line())
    print(f"listing {args.repos} repositories ({-(-args.repos // 100)} pages of 100) from a fake GitHub on "
          f"loopback, {args.latency * 1000:.0f} ms per request; median of {args.runs} runs")
    # The fake serves from its own process, so that no client shares an interpreter with it.
    server = subprocess.Popen([sys.executable, str(ROOT / "tests/python/fake_providers.py"), "github", "--repos",
                               str(args.repos), "--latency", str(args.latency)], stdout=subprocess.PIPE, text=True)
    base_url = server.stdout.readline().strip()
    try:
        results: dict[str, float | str] = {}
        for label, python in (("GitFleet native (libcurl)", False), ("GitFleet Python (httpx)", True)):
            runs = [asyncio.run(ours(base_url, python)) for _ in range(args.runs)]
            assert all(n == args.repos for _, n in runs), runs
            results[label] = statistics.median(t for t, _ in runs)
        for label, venv, code in (("PyGithub", ".venv-bench", PYGITHUB), ("githubkit", ".venv-bench", GITHUBKIT),
                                  ("GitFleet 0.2.8", ".venv-gitfleet-0.2.8", GITFLEET_028)):
            times = []
            for _ in range(args.runs):
                out = run_in_venv(venv, code, base_url, TOKEN)
                if isinstance(out, str):
                    results[label] = out
                    break
                if out["repos"] != args.repos:  # a wrong answer is not a time
                    results[label] = f"listed {out['repos']} of the {args.repos} repositories (in {out['seconds']:.2f} s)"
                    break
                times.append(out["seconds"])
            else:
                results[label] = statistics.median(times)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait()
    best = results["GitFleet native (libcurl)"]
    for label, value in results.items():
        if isinstance(value, str):
            print(f"  {label:<28} not measured: {value[:120]}")
        else:
            print(f"  {label:<28} {value:7.2f} s   native is {value / best:5.2f}x faster")


if __name__ == "__main__":
    main()
