"""Local copy benchmark: a tree of 20k small files plus a few large files, copied by
py_eacopy and by the anchors installed here (cp -r, cp -a, shutil.copytree, rsync -a).
Prints each one's time (median of --runs) and the ratio anchor / py_eacopy (> 1: faster).

    bash bench/run.sh copy [--files 20000] [--large 4] [--large-mib 128] [--runs 3] [--dir PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
import py_eacopy  # noqa: E402
from anchors import machine_line  # noqa: E402


def make_source(root: Path, files: int, large: int, large_mib: int) -> tuple[int, int]:
    rng = random.Random(42)
    total = 0
    root.mkdir(parents=True)
    for i in range(files):
        d = root / f"d{i % 200:03d}" / f"s{i % 7}"
        d.mkdir(parents=True, exist_ok=True)
        size = rng.choice([0, 100, 700, 1500, 4000, 9000, 30000])
        (d / f"file{i:05d}.dat").write_bytes(os.urandom(size))
        total += size
    for i in range(large):
        with open(root / f"large{i}.bin", "wb") as f:
            for _ in range(large_mib):
                f.write(os.urandom(1 << 20))
        total += large_mib << 20
    return files + large, total


def timed(copy: Callable[[Path, Path], object], src: Path, work: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        dst = work / "dst"
        if dst.exists():
            shutil.rmtree(dst)
        subprocess.run(["sync"], check=True)  # each run starts with no dirty pages pending
        t0 = time.perf_counter()
        copy(src, dst)
        times.append(time.perf_counter() - t0)
    shutil.rmtree(work / "dst")
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=20000)
    ap.add_argument("--large", type=int, default=4)
    ap.add_argument("--large-mib", type=int, default=128)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=None, help="where to build the trees (default: a temp dir)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="eacopy-bench-", dir=args.dir) as tmp:
        work = Path(tmp)
        src = work / "src"
        n, size = make_source(src, args.files, args.large, args.large_mib)
        fs_type = subprocess.run(["stat", "-f", "-c", "%T", str(work)], capture_output=True, text=True).stdout.strip()
        print(machine_line())
        print(f"tree: {n} files, {size / 2**20:.0f} MiB ({args.files} small, {args.large} x {args.large_mib} MiB) "
              f"on {fs_type} at {work}; median of {args.runs} runs, page cache warm")

        threads = os.cpu_count() or 2
        ours: dict[str, Callable[[Path, Path], object]] = {
            "py_eacopy.copytree (copy2 semantics)": lambda s, d: py_eacopy.copytree(s, d),
            f"EACopy(thread_count={threads * 2}).copytree": lambda s, d: py_eacopy.EACopy(
                thread_count=threads * 2, follow_symlinks=True).copytree(s, d),
        }
        anchors: dict[str, Callable[[Path, Path], object]] = {
            "cp -r": lambda s, d: subprocess.run(["cp", "-r", str(s), str(d)], check=True),
            "cp -a": lambda s, d: subprocess.run(["cp", "-a", str(s), str(d)], check=True),
            "shutil.copytree": lambda s, d: shutil.copytree(s, d),
        }
        if shutil.which("rsync"):
            anchors["rsync -a"] = lambda s, d: subprocess.run(["rsync", "-a", f"{s}/", str(d)], check=True)

        results = {name: timed(fn, src, work, args.runs) for name, fn in {**ours, **anchors}.items()}
        best_ours = min(results[name] for name in ours)
        for name, seconds in results.items():
            rate = size / seconds / 2**20
            line = f"  {name:<40} {seconds:7.2f} s  {n / seconds:9.0f} files/s  {rate:7.0f} MiB/s"
            if name in anchors:
                line += f"   py_eacopy is {seconds / best_ours:.2f}x faster"
            print(line)

        # Re-copy onto an up-to-date destination: what skip_unchanged saves.
        dst = work / "dst"
        py_eacopy.copytree(src, dst)
        t0 = time.perf_counter()
        summary = py_eacopy.EACopy(dirs_exist_ok=True, follow_symlinks=True).copytree(src, dst, skip_unchanged=True)
        t_skip = time.perf_counter() - t0
        t0 = time.perf_counter()
        if shutil.which("rsync"):
            subprocess.run(["rsync", "-a", f"{src}/", str(dst)], check=True)
            t_rsync = time.perf_counter() - t0
            print(f"  up-to-date re-copy: skip_unchanged {t_skip:.2f} s ({summary.files_skipped} skipped), "
                  f"rsync -a {t_rsync:.2f} s, ratio {t_rsync / t_skip:.2f}x")
        else:
            print(f"  up-to-date re-copy: skip_unchanged {t_skip:.2f} s ({summary.files_skipped} skipped)")


if __name__ == "__main__":
    main()
