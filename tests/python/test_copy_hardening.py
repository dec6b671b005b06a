"""The copy engine against a clumsy user (issue 15 items 7 and 8): names near NAME_MAX, files
that look like the engine's temporaries, a tree copied into itself, counts that add up under
IGNORE, sparse files, and a server told to save its history where it cannot."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import py_eacopy
import pytest
from copy_servers import TOKEN, Server

LONGEST = "n" * 250 + ".bin"  # 254 bytes: legal, and within 25 bytes of NAME_MAX
LOOKALIKE = ".eacopy-0123456789abcdef.tmp"  # the pattern of the engine's temporary names


def test_names_near_name_max_can_be_replaced_locally(tmp_path):
    src, dst = tmp_path / LONGEST, tmp_path / "out" / LONGEST
    dst.parent.mkdir()
    dst.write_bytes(b"old")
    src.write_bytes(b"new content")
    py_eacopy.copy2(src, dst)
    assert dst.read_bytes() == b"new content"
    shutil.copy2(src, tmp_path / "by-shutil")  # shutil can, so must we
    old = tmp_path / "old"
    old.write_bytes(b"n" * 100_000)
    stats = py_eacopy.delta_copy(src, dst, old)
    assert dst.read_bytes() == b"new content" and stats.bytes_total == len(b"new content")


def test_names_near_name_max_can_be_replaced_through_the_server(tmp_path):
    root = tmp_path / "root"
    (root / "d").mkdir(parents=True)
    (root / "d" / LONGEST).write_bytes(b"stale")
    src = tmp_path / "src"
    src.mkdir()
    (src / LONGEST).write_bytes(b"fresh")
    server = Server(root)
    try:
        summary = py_eacopy.copy_with_server(src, "d", "127.0.0.1", server.port, token=TOKEN)
        assert summary.files_copied == 1 and (root / "d" / LONGEST).read_bytes() == b"fresh"
        back = tmp_path / "back"
        back.mkdir()
        (back / LONGEST).write_bytes(b"older")
        py_eacopy.copy_with_server("d", back, "127.0.0.1", server.port, token=TOKEN, download=True)
        assert (back / LONGEST).read_bytes() == b"fresh"
    finally:
        server.stop()


def test_user_files_that_look_like_temporaries_are_copied_and_kept(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / LOOKALIKE).write_bytes(b"a user's file")
    (src / ".x.eacopy-0123456789ab.tmp").write_bytes(b"the old pattern")
    dst = tmp_path / "dst"
    dst.mkdir()
    (dst / LOOKALIKE).write_bytes(b"the user's copy in the destination")
    (dst / ".eacopy-fedcba9876543210.tmp").write_bytes(b"another user file")
    py_eacopy.copytree(src, dst, dirs_exist_ok=True)
    assert (dst / LOOKALIKE).read_bytes() == b"a user's file"
    assert (dst / ".x.eacopy-0123456789ab.tmp").read_bytes() == b"the old pattern"
    assert (dst / ".eacopy-fedcba9876543210.tmp").read_bytes() == b"another user file"  # not deleted

    root = tmp_path / "root"
    root.mkdir()
    server = Server(root)
    try:
        summary = py_eacopy.copy_with_server(src, "up", "127.0.0.1", server.port, token=TOKEN)
        assert summary.files_total == 2 and summary.files_copied == 2
        assert (root / "up" / LOOKALIKE).read_bytes() == b"a user's file"
    finally:
        server.stop()


def test_a_leftover_temporary_of_an_interrupted_run_is_still_removed(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    src.mkdir()
    dst.mkdir()
    (src / "a").write_text("a")
    leftover = dst / ".eacopy-00000000deadbeef.tmp"
    leftover.write_bytes(b"half a file")
    try:
        os.setxattr(leftover, "user.eacopy.temporary", b"1")
    except OSError:
        pytest.skip("this filesystem has no user extended attributes")
    summary = py_eacopy.EACopy().copytree(src, dst, dirs_exist_ok=True)
    assert not leftover.exists() and summary.entries_purged == 0
    assert (dst / "a").read_text() == "a"


def test_copytree_into_itself_refuses_before_creating_anything(tmp_path):
    d = tmp_path / "d"
    (d / "sub").mkdir(parents=True)
    (d / "f").write_text("f")
    with pytest.raises(ValueError, match="into itself"):
        py_eacopy.copytree(d, d / "sub" / "inner")
    assert not (d / "sub" / "inner").exists()
    with pytest.raises(ValueError, match="into itself"):
        py_eacopy.copytree(d, d / "new" / "deeper")
    assert not (d / "new").exists()


def test_ignore_counts_add_up(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    (src / "sub").mkdir(parents=True)
    (src / "a").write_text("a")
    (src / "sub" / "b").write_text("b")
    dst.mkdir()
    (dst / "sub").write_text("a file where the directory goes")
    engine = py_eacopy.EACopy(error_strategy=py_eacopy.ErrorStrategy.IGNORE)
    summary = engine.copytree(src, dst, dirs_exist_ok=True)
    assert summary.files_total == summary.files_copied + summary.files_skipped + summary.files_failed
    assert (summary.files_total, summary.files_copied, summary.files_failed, summary.dirs_failed) == (2, 1, 1, 1)
    assert {f.path for f in summary.failures} == {"sub", "sub/b"}
    assert not summary.ok


def test_sparse_files_keep_their_holes(tmp_path):
    sparse = tmp_path / "sparse.img"
    with open(sparse, "wb") as f:
        f.truncate(64 << 20)
        f.seek(32 << 20)
        f.write(b"x" * 8192)
    if os.stat(sparse).st_blocks * 512 >= 64 << 20:
        pytest.skip("this filesystem does not keep holes")
    py_eacopy.copy2(sparse, tmp_path / "copy.img")
    subprocess.run(["cp", "--sparse=auto", str(sparse), str(tmp_path / "cp.img")], check=True)
    ours, cps = os.stat(tmp_path / "copy.img"), os.stat(tmp_path / "cp.img")
    assert ours.st_size == 64 << 20
    assert ours.st_blocks <= cps.st_blocks + 8  # as cp: the holes stay holes
    assert (tmp_path / "copy.img").read_bytes() == sparse.read_bytes()


def test_a_history_file_in_a_missing_directory_refuses_to_start(tmp_path):
    with pytest.raises(FileNotFoundError, match="history file's directory does not exist"):
        py_eacopy.create_server(root=tmp_path, token=TOKEN, history_file=tmp_path / "missing" / "history")
    result = subprocess.run([sys.executable, "-m", "py_eacopy", "serve", "--root", str(tmp_path), "--port", "0",
                             "--history-file", str(tmp_path / "missing" / "history")],
                            capture_output=True, text=True, env={**os.environ, "EACOPY_TOKEN": TOKEN}, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "history file's directory does not exist" in result.stderr and "serving" not in result.stdout
