"""py_eacopy's tree copies: shutil.copytree's results, the engine's options, interruption."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import py_eacopy
import pytest
from py_eacopy import ErrorStrategy


def make_tree(root: Path, files_per_dir: int = 20) -> Path:
    """Nested directories, unicode names, modes, times, empty dirs, file and dir symlinks."""
    for d in ["", "a", "a/b", "a/b/c", "ünï 文件", "empty", "x/y"]:
        (root / d).mkdir(parents=True, exist_ok=True)
        for i in range(files_per_dir if d != "empty" else 0):
            f = root / d / f"f{i}{'.log' if i % 5 == 0 else '.txt'}"
            f.write_bytes(os.urandom(i * 37) + d.encode())
            os.utime(f, ns=(1_600_000_000_000_000_000 + i, 1_500_000_000_000_000_000 + i * 1001))
    (root / "a" / "run.sh").write_text("#!/bin/sh\n")
    (root / "a" / "run.sh").chmod(0o755)
    (root / "a" / "b" / "c").chmod(0o750)
    (root / "link_to_file").symlink_to("a/f1.txt")
    (root / "link_to_dir").symlink_to("a/b")
    os.utime(root / "x", ns=(1_400_000_000_000_000_000, 1_400_000_000_000_000_000))
    return root


def snapshot(root: Path, times: bool = True) -> dict:
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            rel = str(p.relative_to(root))
            if p.is_symlink():
                out[rel] = ("link", os.readlink(p))
            elif p.is_dir():
                out[rel] = ("dir", st.st_mode, st.st_mtime_ns if times else None)
            else:
                out[rel] = ("file", st.st_mode, st.st_mtime_ns if times else None, p.read_bytes())
    return out


@pytest.fixture
def tree(tmp_path):
    return make_tree(tmp_path / "src")


@pytest.mark.parametrize("symlinks", [False, True])
def test_copytree_matches_shutil(tmp_path, tree, symlinks):
    ours_returned = py_eacopy.copytree(tree, tmp_path / "ours", symlinks=symlinks)
    theirs_returned = shutil.copytree(tree, tmp_path / "theirs", symlinks=symlinks)
    assert (ours_returned, theirs_returned) == (tmp_path / "ours", tmp_path / "theirs")  # dst, as given
    ours, theirs = snapshot(tmp_path / "ours"), snapshot(tmp_path / "theirs")
    assert ours.keys() == theirs.keys()
    assert ours == theirs


def test_summary_counts_and_table(tmp_path, tree):
    summary = py_eacopy.EACopy(thread_count=3).copytree(tree, tmp_path / "dst")
    # EACopy's default (follow_symlinks=False) copies links as links: each counts as one file.
    expected = sum(1 for p in (tmp_path / "dst").rglob("*") if p.is_symlink() or not p.is_dir())
    assert summary.files_copied == summary.files_total == expected
    assert summary.bytes_copied == sum(p.stat().st_size for p in (tmp_path / "dst").rglob("*") if p.is_file()
                                       and not p.is_symlink())
    table = str(summary)
    assert "Files :" in table and "Bytes :" in table and "Times :" in table
    assert summary.to_dict()["files_copied"] == expected


def test_dangling_symlinks(tmp_path, tree):
    (tree / "dangling").symlink_to("nowhere")
    with pytest.raises(FileNotFoundError):
        py_eacopy.copytree(tree, tmp_path / "d1")
    py_eacopy.copytree(tree, tmp_path / "d2", ignore_dangling_symlinks=True)
    assert not os.path.lexists(tmp_path / "d2" / "dangling")
    py_eacopy.copytree(tree, tmp_path / "d3", symlinks=True)
    assert os.readlink(tmp_path / "d3" / "dangling") == "nowhere"


def test_destination_rules(tmp_path, tree):
    (tmp_path / "exists").mkdir()
    with pytest.raises(FileExistsError):
        py_eacopy.copytree(tree, tmp_path / "exists")
    py_eacopy.copytree(tree, tmp_path / "exists", dirs_exist_ok=True)
    assert (tmp_path / "exists" / "a" / "run.sh").exists()
    with pytest.raises(FileNotFoundError):
        py_eacopy.copytree(tmp_path / "missing", tmp_path / "x")
    with pytest.raises(NotADirectoryError):
        py_eacopy.copytree(tree / "a" / "run.sh", tmp_path / "x")
    with pytest.raises(ValueError, match="into itself"):
        py_eacopy.copytree(tree, tree / "a" / "inside")
    py_eacopy.copytree(tree, tmp_path / "deep" / "new" / "parents")
    assert (tmp_path / "deep" / "new" / "parents" / "a").is_dir()


def test_skip_unchanged_and_mirror(tmp_path, tree):
    eacopy = py_eacopy.EACopy(dirs_exist_ok=True)
    first = eacopy.copytree(tree, tmp_path / "dst")
    (tree / "a" / "f1.txt").write_text("changed")
    (tmp_path / "dst" / "extra.txt").write_text("not in the source")
    (tmp_path / "dst" / "extra_dir" / "sub").mkdir(parents=True)
    second = eacopy.copytree(tree, tmp_path / "dst", skip_unchanged=True, mirror=True)
    assert second.files_copied == 1
    assert second.files_skipped == first.files_copied - 1
    assert second.entries_purged == 3  # a file, a directory and its subdirectory
    assert snapshot(tmp_path / "dst") == snapshot(tree)


def test_include_exclude_and_file_lists(tmp_path, tree):
    eacopy = py_eacopy.EACopy()
    eacopy.copytree(tree, tmp_path / "logs", include=["*.log"], exclude=["x"])
    names = {p.name for p in (tmp_path / "logs").rglob("*") if p.is_file()}
    assert names == {f"f{i}.log" for i in range(0, 20, 5)}
    assert not (tmp_path / "logs" / "x").exists()
    eacopy.copytree(tree, tmp_path / "nob", exclude=["a/b"])
    assert (tmp_path / "nob" / "a").is_dir() and not (tmp_path / "nob" / "a" / "b").exists()
    summary = eacopy.copytree(tree, tmp_path / "listed", files=["a/b/c/f3.txt", "ünï 文件/f2.txt"])
    assert summary.files_copied == 2
    assert (tmp_path / "listed" / "a" / "b" / "c" / "f3.txt").read_bytes() == (tree / "a/b/c/f3.txt").read_bytes()
    with pytest.raises(ValueError, match="not a relative path"):
        eacopy.copytree(tree, tmp_path / "bad", files=["../etc/passwd"])
    with pytest.raises(TypeError, match="sequence of glob patterns"):
        eacopy.copytree(tree, tmp_path / "bad2", include="*.log")


def test_mirror_with_a_file_list_removes_nothing(tmp_path, tree):
    """A list names what to copy, not the whole source: nothing else at the destination is
    "lacking from the source", so mirror removes nothing there."""
    eacopy = py_eacopy.EACopy(dirs_exist_ok=True)
    eacopy.copytree(tree, tmp_path / "dst")
    (tmp_path / "dst" / "extra.txt").write_text("not in the source")
    (tree / "a" / "f1.txt").write_text("changed")
    before = snapshot(tmp_path / "dst", times=False)
    summary = eacopy.copytree(tree, tmp_path / "dst", files=["a/f1.txt"], mirror=True)
    assert (summary.files_copied, summary.entries_purged) == (1, 0)
    after = snapshot(tmp_path / "dst", times=False)
    assert (tmp_path / "dst" / "extra.txt").read_text() == "not in the source"
    assert {k for k in after if after[k] != before.get(k)} == {"a/f1.txt"}


def test_ignore_strategy_copies_the_rest(tmp_path, tree, caplog):
    os.mkfifo(tree / "a" / "pipe")
    with pytest.raises(shutil.SpecialFileError):
        py_eacopy.copytree(tree, tmp_path / "raised")
    eacopy = py_eacopy.EACopy(error_strategy=ErrorStrategy.IGNORE)
    with caplog.at_level("WARNING", logger="py_eacopy"):
        summary = eacopy.copytree(tree, tmp_path / "ignored")
    assert summary.files_failed == 1 and summary.failures[0].path == "a/pipe"
    assert "a/pipe" in caplog.text and "FAILED a/pipe" in str(summary)
    assert (tmp_path / "ignored" / "a" / "b" / "c" / "f19.txt").exists()


def test_progress_for_every_file(tmp_path, tree):
    calls = []
    py_eacopy.EACopy(progress_callback=lambda c, t, n: calls.append((c, t, n))).copytree(tree, tmp_path / "dst")
    files = {str(p.relative_to(tmp_path / "dst")) for p in (tmp_path / "dst").rglob("*")
             if p.is_file() and not p.is_symlink()}
    assert {n for _, _, n in calls} == files
    starts = [n for c, _, n in calls if c == 0]
    ends = [n for c, t, n in calls if c == t]
    assert set(starts) == set(ends) == files


def test_batch_copytree(tmp_path, tree):
    other = make_tree(tmp_path / "other", files_per_dir=3)
    summary = py_eacopy.batch_copytree([(tree, tmp_path / "o1"), (other, tmp_path / "o2")], symlinks=True)
    assert snapshot(tmp_path / "o1") == snapshot(tree)
    assert snapshot(tmp_path / "o2") == snapshot(other)
    assert summary.files_copied == len([1 for p in tree.rglob("*") if p.is_file() or p.is_symlink()]) + len(
        [1 for p in other.rglob("*") if p.is_file() or p.is_symlink()])


async def test_async_copytree_and_cancellation(tmp_path, tree):
    assert await py_eacopy.async_copytree(tree, tmp_path / "a") == tmp_path / "a"  # dst as given, as shutil
    shutil.copytree(tree, tmp_path / "shutil")
    assert snapshot(tmp_path / "a") == snapshot(tmp_path / "shutil")
    summary = await py_eacopy.EACopy().async_copytree(tree, tmp_path / "b", include=["*.txt"])
    # EACopy copies links as links (its default), and include patterns select files, not links
    expected = {rel for rel, entry in snapshot(tree).items()
                if entry[0] == "link" or (entry[0] == "file" and rel.endswith(".txt"))}
    copied = {rel for rel, entry in snapshot(tmp_path / "b").items() if entry[0] != "dir"}
    assert copied == expected and summary.files_copied == len(expected)

    big = tmp_path / "big"
    for i in range(200):
        (big / str(i % 10)).mkdir(parents=True, exist_ok=True)
        (big / str(i % 10) / f"{i}.bin").write_bytes(os.urandom(512 * 1024))
    task = asyncio.create_task(py_eacopy.EACopy(thread_count=1).async_copytree(big, tmp_path / "c"))
    await asyncio.sleep(0.02)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    for p in (tmp_path / "c").rglob("*.bin"):  # what was copied is complete
        assert p.read_bytes() == (big / p.relative_to(tmp_path / "c")).read_bytes()


def test_killed_tree_copy_then_rerun_completes(tmp_path):
    src = tmp_path / "src"
    for i in range(40):
        (src / str(i % 4)).mkdir(parents=True, exist_ok=True)
        (src / str(i % 4) / f"{i}.bin").write_bytes(os.urandom(4 * 1024 * 1024))
    dst = tmp_path / "dst"
    code = (
        "import py_eacopy, time\n"
        "seen = set()\n"
        "def progress(c, t, n):\n"
        "    if c == t: seen.add(n)\n"
        "    if len(seen) >= 5:\n"
        "        if 'told' not in seen: seen.add('told'); print('five done', flush=True)\n"  # once, whichever thread
        "        time.sleep(60)\n"
        f"py_eacopy.EACopy(thread_count=2, progress_callback=progress, buffer_size=1 << 20)"
        f".copytree({str(src)!r}, {str(dst)!r})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "five done"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    copied = [p for p in dst.rglob("*") if p.is_file()]
    assert 0 < len(copied) < 40
    for p in copied:  # every file under its final name is complete
        assert p.read_bytes() == (src / p.relative_to(dst)).read_bytes()

    summary = py_eacopy.EACopy(dirs_exist_ok=True).copytree(src, dst, skip_unchanged=True)
    assert summary.files_skipped >= len(copied) - 2  # files finished before the kill
    assert snapshot(dst) == snapshot(src)
    assert not [p for p in dst.rglob(".*")]  # no temporary left behind


def test_debug_logs_every_file_decision(tmp_path, caplog):
    """LogLevel.DEBUG: copied, skipped and failed files, one line each, locally and through
    a copy server (linked, delta); INFO logs none of them."""
    from copy_servers import TOKEN, Server

    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text("a")
    (src / "big.bin").write_bytes(os.urandom(200_000))
    os.mkfifo(src / "pipe")
    engine = py_eacopy.EACopy(log_level=py_eacopy.LogLevel.DEBUG, error_strategy=py_eacopy.ErrorStrategy.IGNORE)
    with caplog.at_level(logging.DEBUG, logger="py_eacopy"):
        engine.copytree(src, tmp_path / "dst")
        engine.copytree(src, tmp_path / "dst", dirs_exist_ok=True, skip_unchanged=True)
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert "copied a.txt (1 bytes)" in lines and "copied big.bin (200000 bytes)" in lines
    assert "skipped a.txt (1 bytes)" in lines
    assert any(line.startswith("failed pipe: ") and "named pipe" in line for line in lines)

    caplog.clear()
    root = tmp_path / "root"
    root.mkdir()
    server = Server(root)
    try:
        with caplog.at_level(logging.DEBUG, logger="py_eacopy"):
            (src / "pipe").unlink()
            engine.copy_with_server(src, "one", "127.0.0.1", server.port, token=TOKEN)
            engine.copy_with_server(src, "two", "127.0.0.1", server.port, token=TOKEN)
            with open(src / "big.bin", "r+b") as f:
                f.write(b"changed")
            engine.copy_with_server(src, "one", "127.0.0.1", server.port, token=TOKEN)
    finally:
        server.stop()
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG]
    assert "linked a.txt (1 bytes)" in lines and "delta big.bin (200000 bytes)" in lines
    assert "skipped a.txt (1 bytes)" in lines

    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="py_eacopy"):
        py_eacopy.EACopy(log_level=py_eacopy.LogLevel.INFO).copytree(src, tmp_path / "quiet")
    assert not [r for r in caplog.records if r.levelno == logging.DEBUG]
