"""Copy-server benchmark: a build tree uploaded through ``eacopy serve`` on loopback, three
times, as a build farm does it: the first upload, the same tree again to a new destination,
and the tree with 1% of its files changed to another new destination. Anchors: a plain local
copy (py_eacopy.copytree and cp -r: no deduplication), and rsync through its own daemon on
loopback (with --link-dest=<previous destination> from the second upload on, rsync's way of
hard-linking unchanged files). Prints time and bytes sent, and the ratios.

    bash bench/run.sh server [--files 5000] [--large 4] [--large-mib 32] [--runs 3] [--dir PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import py_eacopy  # noqa: E402
from anchors import machine_line  # noqa: E402
from copy_bench import make_source  # noqa: E402

TOKEN = "benchmark-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def change_one_percent(src: Path) -> int:
    files = sorted(p for p in src.rglob("*") if p.is_file())
    rng = random.Random(7)
    chosen = rng.sample(files, max(1, len(files) // 100))
    for p in chosen:
        data = bytearray(p.read_bytes())
        if len(data) > 1 << 20:  # a large file: a few edits in place, as a relinked binary would have
            for _ in range(4):
                at = rng.randrange(len(data) - 64)
                data[at:at + 64] = os.urandom(64)
        else:
            data += b"changed"
        p.write_bytes(bytes(data))
    return len(chosen)


class RsyncDaemon:
    def __init__(self, work: Path) -> None:
        self.root = work / "rsync-root"
        self.root.mkdir()
        self.port = free_port()
        conf = work / "rsyncd.conf"
        conf.write_text(f"use chroot = no\nuid = root\ngid = root\n[bench]\npath = {self.root}\nread only = no\n")
        self.proc = subprocess.Popen(["rsync", "--daemon", "--no-detach", f"--config={conf}", f"--port={self.port}",
                                      "--address=127.0.0.1"])
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the rsync daemon did not start")

    def upload(self, src: Path, dst: str, link_dest: str | None) -> tuple[float, int]:
        cmd = ["rsync", "-a", "--stats", f"{src}/", f"rsync://127.0.0.1:{self.port}/bench/{dst}/"]
        if link_dest:
            cmd[2:2] = [f"--link-dest=../{link_dest}"]
        t0 = time.perf_counter()
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        seconds = time.perf_counter() - t0
        sent = int(re.search(r"Total bytes sent: ([\d,.]+)", out).group(1).replace(",", "").replace(".", ""))
        return seconds, sent

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def timed(fn) -> tuple[float, object]:
    subprocess.run(["sync"], check=True)  # each measurement starts with no dirty pages pending
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def one_round(work: Path, args: argparse.Namespace) -> list[tuple[str, dict[str, float], object, int | None]]:
    """The three uploads against a fresh server, fresh rsync daemon and fresh source tree."""
    src = work / "src"
    make_source(src, args.files, args.large, args.large_mib)
    (work / "root").mkdir()
    (work / "local").mkdir()
    server = subprocess.Popen(
        [sys.executable, "-m", "py_eacopy", "serve", "--root", str(work / "root"), "--port", "0"],
        stdout=subprocess.PIPE, text=True, env={**os.environ, "EACOPY_TOKEN": TOKEN})
    port = int(server.stdout.readline().rsplit(":", 1)[1])
    rsync = RsyncDaemon(work) if shutil.which("rsync") else None
    rows = []
    try:
        for step, label in enumerate(("first upload", "same tree, new destination", "1% of files changed")):
            if step == 2:
                label += f" ({change_one_percent(src)} files)"
            times = {}
            times["copy server"], summary = timed(lambda: py_eacopy.copy_with_server(
                src, f"b{step}", "127.0.0.1", port, compression_level=-1, token=TOKEN))
            times["local copytree"], _ = timed(lambda: py_eacopy.copytree(src, work / "local" / f"eacopy{step}"))
            times["cp -r"], _ = timed(lambda: subprocess.run(["cp", "-r", str(src), str(work / "local" / f"cp{step}")],
                                                             check=True))
            rsync_sent = None
            if rsync:
                times["rsync daemon"], (_, rsync_sent) = timed(
                    lambda: rsync.upload(src, f"b{step}", f"b{step - 1}" if step else None))
            rows.append((label, times, summary, rsync_sent))
    finally:
        if rsync:
            rsync.stop()
        server.terminate()
        server.wait()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--large", type=int, default=4)
    ap.add_argument("--large-mib", type=int, default=32)
    ap.add_argument("--runs", type=int, default=3, help="rounds, each from scratch; medians are printed")
    ap.add_argument("--dir", type=Path, default=None, help="where to build the trees (default: a temp dir)")
    args = ap.parse_args()

    print(machine_line())
    rounds = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="eacopy-server-bench-", dir=args.dir) as tmp:
            rounds.append(one_round(Path(tmp), args))
    fs_type = subprocess.run(["stat", "-f", "-c", "%T", str(args.dir or tempfile.gettempdir())],
                             capture_output=True, text=True).stdout.strip()
    print(f"tree: {args.files} small files + {args.large} x {args.large_mib} MiB on {fs_type}; server and clients "
          f"on loopback; median of {args.runs} rounds, each from scratch, sync before each measurement")
    for i, (label, _, summary, _) in enumerate(rounds[0]):
        times = {tool: statistics.median(r[i][1][tool] for r in rounds) for tool in rounds[0][i][1]}
        ours = times["copy server"]
        rsync_sent = statistics.median(r[i][3] for r in rounds) if rounds[0][i][3] is not None else None
        sent = statistics.median(r[i][2].bytes_sent for r in rounds)
        print(f"\n{label}:")
        print(f"  {'copy server':<16} {ours:7.2f} s  sent {sent / 2**20:9.2f} MiB  "
              f"({summary.files_copied} copied, {summary.files_linked} linked, {summary.files_skipped} skipped)")
        for tool, seconds in times.items():
            if tool == "copy server":
                continue
            line = f"  {tool:<16} {seconds:7.2f} s  copy server faster by {seconds / ours:5.2f}x"
            if tool == "rsync daemon" and rsync_sent is not None:
                line += f"; rsync sent {rsync_sent / 2**20:.2f} MiB ({rsync_sent / max(sent, 1):.2f}x our bytes)"
            print(line)


if __name__ == "__main__":
    main()
