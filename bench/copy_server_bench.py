"""Copy-server benchmark: a build tree uploaded through ``eacopy serve`` on loopback, three
times, as a build farm does it: the first upload, the same tree again to a new destination,
and the tree with 1% of its files changed to another new destination. Anchors: a plain local
copy (py_eacopy.copytree and cp -r: no deduplication), and rsync through its own daemon on
loopback (with --link-dest=<previous destination> from the second upload on, rsync's way of
hard-linking unchanged files). Prints time and bytes sent, and the ratios.

    bash bench/run.sh server [--files 5000] [--large 4] [--large-mib 32] [--dir PATH]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import socket
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=5000)
    ap.add_argument("--large", type=int, default=4)
    ap.add_argument("--large-mib", type=int, default=32)
    ap.add_argument("--dir", type=Path, default=None, help="where to build the trees (default: a temp dir)")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="eacopy-server-bench-", dir=args.dir) as tmp:
        work = Path(tmp)
        src = work / "src"
        n, size = make_source(src, args.files, args.large, args.large_mib)
        (work / "root").mkdir()
        (work / "local").mkdir()
        print(machine_line())
        print(f"tree: {n} files, {size / 2**20:.0f} MiB; server and clients on loopback, page cache warm")
        server = subprocess.Popen(
            [sys.executable, "-m", "py_eacopy", "serve", "--root", str(work / "root"), "--port", "0"],
            stdout=subprocess.PIPE, text=True, env={**os.environ, "EACOPY_TOKEN": TOKEN})
        port = int(server.stdout.readline().rsplit(":", 1)[1])
        rsync = RsyncDaemon(work) if shutil.which("rsync") else None
        try:
            rows = []
            for step, label in enumerate(("first upload", "same tree, new destination", "1% of files changed")):
                if step == 2:
                    changed = change_one_percent(src)
                    label += f" ({changed} files)"
                subprocess.run(["sync"], check=True)
                t0 = time.perf_counter()
                s = py_eacopy.copy_with_server(src, f"b{step}", "127.0.0.1", port, compression_level=-1, token=TOKEN)
                t_server = time.perf_counter() - t0
                t0 = time.perf_counter()
                py_eacopy.copytree(src, work / "local" / f"eacopy{step}")
                t_local = time.perf_counter() - t0
                t0 = time.perf_counter()
                subprocess.run(["cp", "-r", str(src), str(work / "local" / f"cp{step}")], check=True)
                t_cp = time.perf_counter() - t0
                r = rsync.upload(src, f"b{step}", f"b{step - 1}" if step else None) if rsync else None
                rows.append((label, s, t_server, t_local, t_cp, r))

            for label, s, t_server, t_local, t_cp, r in rows:
                print(f"\n{label}:")
                print(f"  copy server        {t_server:7.2f} s  sent {s.bytes_sent / 2**20:9.2f} MiB  "
                      f"({s.files_copied} copied, {s.files_linked} linked, {s.files_skipped} skipped)")
                print(f"  local copytree     {t_local:7.2f} s  ratio {t_local / t_server:6.2f}x")
                print(f"  cp -r              {t_cp:7.2f} s  ratio {t_cp / t_server:6.2f}x")
                if r:
                    print(f"  rsync daemon       {r[0]:7.2f} s  sent {r[1] / 2**20:9.2f} MiB  "
                          f"ratio {r[0] / t_server:6.2f}x time, {r[1] / max(s.bytes_sent, 1):6.2f}x bytes")
        finally:
            if rsync:
                rsync.stop()
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
