"""The eacopy command: copies, prints EACopy's table, and exits with a meaningful status."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys

from py_eacopy import progress


def eacopy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "py_eacopy", *map(str, args)], capture_output=True, text=True)


def test_tree_copy_prints_the_summary_table(tmp_path):
    src = tmp_path / "src"
    (src / "sub").mkdir(parents=True)
    for i in range(5):
        (src / "sub" / f"{i}.txt").write_text(str(i) * 100)
    result = eacopy(src, tmp_path / "dst", "--threads", "2")
    assert result.returncode == 0, result.stderr
    assert "Files :" in result.stdout and "Bytes :" in result.stdout
    row = next(line for line in result.stdout.splitlines() if "Files :" in line).split()
    assert row[2:5] == ["5", "5", "0"]  # total, copied, linked
    assert (tmp_path / "dst" / "sub" / "3.txt").read_text() == "3" * 100

    again = eacopy(src, tmp_path / "dst", "--dirs-exist-ok", "--skip-unchanged", "--json")
    summary = json.loads(again.stdout)
    assert (summary["files_skipped"], summary["files_copied"]) == (5, 0)


def test_single_file_and_filters(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    result = eacopy(tmp_path / "a.txt", tmp_path / "b.txt", "--quiet")
    assert (result.returncode, result.stdout) == (0, "")
    assert (tmp_path / "b.txt").read_text() == "a"
    src = tmp_path / "tree"
    src.mkdir()
    (src / "keep.py").write_text("")
    (src / "drop.log").write_text("")
    assert eacopy(src, tmp_path / "out", "--exclude", "*.log", "--quiet").returncode == 0
    assert os.listdir(tmp_path / "out") == ["keep.py"]


def test_errors_exit_2_without_a_traceback(tmp_path):
    result = eacopy(tmp_path / "missing", tmp_path / "x")
    assert result.returncode == 2
    assert result.stderr.startswith("eacopy: error: [Errno 2] No such file or directory")
    assert "Traceback" not in result.stderr
    (tmp_path / "exists").mkdir()
    (tmp_path / "src").mkdir()
    result = eacopy(tmp_path / "src", tmp_path / "exists")
    assert result.returncode == 2 and "File exists" in result.stderr
    assert eacopy(tmp_path / "src", tmp_path / "y", "--threads", "0").returncode == 2


def test_failed_files_exit_1_and_are_listed(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "fine.txt").write_text("ok")
    os.mkfifo(src / "pipe")
    result = eacopy(src, tmp_path / "dst", "--on-error", "ignore")
    assert result.returncode == 1
    assert "FAILED pipe" in result.stdout
    assert (tmp_path / "dst" / "fine.txt").read_text() == "ok"


def test_bad_numbers_are_named_not_nanobinds(tmp_path):
    (tmp_path / "a").write_text("a")
    result = eacopy(tmp_path / "a", tmp_path / "b", "--threads", "-5")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "thread_count must be a whole number from 1 to 256, not -5" in result.stderr
    assert "Invoked with types" not in result.stderr
    env = {**os.environ, "EACOPY_TOKEN": "t"}
    result = subprocess.run([sys.executable, "-m", "py_eacopy", "serve", "--port", "0", "--idle-timeout", "1e300"],
                            capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 2 and "idle_timeout must be more than 0 and at most a year" in result.stderr


def test_download_errors_name_the_path(tmp_path):
    from copy_servers import TOKEN, Server

    root = tmp_path / "root"
    (root / "y").mkdir(parents=True)
    (root / "y" / "a").write_text("a")
    locked = tmp_path / "locked"
    locked.mkdir()
    if subprocess.run(["chattr", "+i", str(locked)], capture_output=True).returncode != 0:
        locked = None  # no immutable attribute here: the unwritable case is not testable as root
    server = Server(root)
    env = {**os.environ, "EACOPY_TOKEN": TOKEN}
    try:
        at = f"127.0.0.1:{server.port}"
        result = subprocess.run([sys.executable, "-m", "py_eacopy", "missing/dir", tmp_path / "o", "--server", at,
                                 "--download"], capture_output=True, text=True, env=env)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert "No such file or directory: 'missing'" in result.stderr
        if locked is not None:
            result = subprocess.run([sys.executable, "-m", "py_eacopy", "y", locked / "new", "--server", at,
                                     "--download"], capture_output=True, text=True, env=env)
            assert result.returncode != 0 and "Traceback" not in result.stderr
            assert "Operation not permitted" in result.stderr and str(locked / "new") in result.stderr
    finally:
        server.stop()
        if locked is not None:
            subprocess.run(["chattr", "-i", str(locked)])


def test_progress_on_request(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("a.bin", "b.bin"):
        (src / name).write_bytes(os.urandom(1 << 20))
    (src / "c.txt").write_text("abc")
    result = eacopy(src, tmp_path / "dst", "--progress", "--quiet")
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"eacopy: 3 files and 2\.0 MiB copied \([\d,.]+ MiB/s\)", result.stderr.splitlines()[-1])
    assert eacopy(src, tmp_path / "dst2").stderr == ""  # piped, not asked for: no progress


def test_progress_through_a_copy_server(tmp_path):
    from copy_servers import TOKEN, Server

    src = tmp_path / "src"
    src.mkdir()
    for name in ("a.bin", "b.bin"):
        (src / name).write_bytes(os.urandom(1 << 20))
    (src / "c.txt").write_text("abc")
    (tmp_path / "root").mkdir()
    server = Server(tmp_path / "root")
    env = {**os.environ, "EACOPY_TOKEN": TOKEN}
    try:
        for args in ([src, "up"], ["up", tmp_path / "down", "--download"]):
            result = subprocess.run([sys.executable, "-m", "py_eacopy", *args, "--server", f"127.0.0.1:{server.port}",
                                     "--progress", "--quiet"], capture_output=True, text=True, env=env)
            assert result.returncode == 0, result.stderr
            assert re.fullmatch(r"eacopy: 3 files and 2\.0 MiB copied \([\d,.]+ MiB/s\)",
                                result.stderr.splitlines()[-1]), result.stderr
    finally:
        server.stop()
    assert (tmp_path / "down" / "c.txt").read_text() == "abc"


class _Stream(io.StringIO):
    def __init__(self, terminal: bool) -> None:
        super().__init__()
        self.terminal = terminal

    def isatty(self) -> bool:
        return self.terminal


def test_progress_counts_files_and_bytes_across_threads(monkeypatch):
    monkeypatch.setattr(progress, "_INTERVAL", 0.0)  # a line on every call
    piped = _Stream(terminal=False)
    shown = progress.CopyProgress(piped)
    mib = 1 << 20
    for copied, total, name in ((0, 2 * mib, "a"), (0, mib, "b"), (mib, 2 * mib, "a"), (mib, mib, "b"),
                                (2 * mib, 2 * mib, "a")):
        shown(copied, total, name)
    shown.finish()
    lines = [line.split(" copied")[0] for line in piped.getvalue().splitlines()]
    assert lines == ["eacopy: 0 files and 0.0 MiB", "eacopy: 0 files and 0.0 MiB", "eacopy: 0 files and 1.0 MiB",
                     "eacopy: 1 file and 2.0 MiB", "eacopy: 2 files and 3.0 MiB", "eacopy: 2 files and 3.0 MiB"]

    terminal = _Stream(terminal=True)
    shown = progress.CopyProgress(terminal)
    shown(0, 10, "x")
    shown.finish()
    out = terminal.getvalue()
    assert out.startswith("\r\x1b[K") and out.count("\n") == 1 and out.endswith("\n")  # one line, rewritten
