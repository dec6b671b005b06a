"""py_eacopy's file functions against shutil: same results, same exceptions, atomic writes."""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
import stat
import subprocess
import sys

import py_eacopy
import pytest
from py_eacopy import _eacopy


def write(path, data: bytes | str = b"x", mode: int | None = None):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    if mode is not None:
        path.chmod(mode)
    return path


@pytest.fixture
def src_file(tmp_path):
    f = write(tmp_path / "src.bin", os.urandom(200_000), 0o640)
    os.utime(f, ns=(1_600_000_000_123_456_789, 1_500_000_000_987_654_321))
    return f


def test_copyfile_writes_content_only(tmp_path, src_file):
    dst = tmp_path / "out.bin"
    assert py_eacopy.copyfile(src_file, dst) == str(dst)
    assert dst.read_bytes() == src_file.read_bytes()
    assert stat.S_IMODE(dst.stat().st_mode) == 0o666 & ~_umask()
    assert dst.stat().st_mtime_ns != src_file.stat().st_mtime_ns


def test_copyfile_over_an_existing_file_keeps_its_mode(tmp_path, src_file):
    dst = write(tmp_path / "old", b"old content", 0o600)
    py_eacopy.copyfile(src_file, dst)
    assert dst.read_bytes() == src_file.read_bytes()
    assert stat.S_IMODE(dst.stat().st_mode) == 0o600


def test_copy_into_directory_keeps_mode(tmp_path, src_file):
    (tmp_path / "dir").mkdir()
    assert py_eacopy.copy(src_file, tmp_path / "dir") == str(tmp_path / "dir" / "src.bin")
    out = tmp_path / "dir" / "src.bin"
    assert out.read_bytes() == src_file.read_bytes()
    assert stat.S_IMODE(out.stat().st_mode) == 0o640


def test_copy2_matches_shutil_to_the_nanosecond(tmp_path, src_file):
    os.setxattr(src_file, "user.origin", b"test") if _xattrs_supported(tmp_path) else None
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    py_eacopy.copy2(src_file, ours)
    shutil.copy2(src_file, theirs)
    a, b = ours.stat(), theirs.stat()
    assert (a.st_mode, a.st_size, a.st_mtime_ns) == (b.st_mode, b.st_size, b.st_mtime_ns)
    assert a.st_mtime_ns == 1_500_000_000_987_654_321
    assert a.st_atime_ns == 1_600_000_000_123_456_789  # as it was before this copy read it
    if _xattrs_supported(tmp_path):
        assert os.getxattr(ours, "user.origin") == b"test"


def test_unicode_names(tmp_path):
    src = write(tmp_path / "dönüş 文件 🚀.txt", "ünïcødé")
    out = py_eacopy.copy2(src, tmp_path / "κόπια 📄.txt")
    assert open(out, encoding="utf-8").read() == "ünïcødé"


def test_symlink_source_followed_or_copied_as_link(tmp_path, src_file):
    link = tmp_path / "link"
    link.symlink_to(src_file.name)
    py_eacopy.copy(link, tmp_path / "followed")
    assert not (tmp_path / "followed").is_symlink()
    assert (tmp_path / "followed").read_bytes() == src_file.read_bytes()
    py_eacopy.copy(link, tmp_path / "as_link", follow_symlinks=False)
    assert os.readlink(tmp_path / "as_link") == src_file.name


def test_writes_through_a_symlink_at_the_destination_like_shutil(tmp_path, src_file):
    target = write(tmp_path / "target", b"old")
    (tmp_path / "dst_link").symlink_to("target")
    py_eacopy.copyfile(src_file, tmp_path / "dst_link")
    assert (tmp_path / "dst_link").is_symlink()
    assert target.read_bytes() == src_file.read_bytes()


def _shutil_and_ours(fn_name, *args):
    """The exception types shutil and py_eacopy raise for the same call."""
    kinds = []
    for module in (shutil, py_eacopy):
        try:
            getattr(module, fn_name)(*args)
            kinds.append(None)
        except Exception as e:  # noqa: BLE001 - compared below
            kinds.append(e)
    return kinds


@pytest.mark.parametrize("fn", ["copyfile", "copy", "copy2"])
def test_same_exceptions_as_shutil(tmp_path, src_file, fn):
    (tmp_path / "adir").mkdir()
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    cases = [
        (tmp_path / "missing", tmp_path / "x"),            # FileNotFoundError (src)
        (src_file, tmp_path / "no" / "such" / "dir"),      # FileNotFoundError (dst dir)
        (src_file, src_file),                              # SameFileError
        (tmp_path / "adir", tmp_path / "y"),               # IsADirectoryError
        (fifo, tmp_path / "z"),                            # SpecialFileError
    ]
    if fn == "copyfile":
        cases.append((src_file, tmp_path / "adir"))        # IsADirectoryError (dst)
    for src, dst in cases:
        theirs, ours = _shutil_and_ours(fn, src, dst)
        assert type(ours) is type(theirs), (src, dst, theirs, ours)
        if isinstance(theirs, OSError) and theirs.errno:
            assert (ours.errno, ours.filename) == (theirs.errno, theirs.filename)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adir", "fifo", "src.bin"]


def test_permission_error_when_unprivileged(tmp_path, src_file):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o555)
    code = (
        "import py_eacopy, sys\n"
        "try:\n"
        f"    py_eacopy.copy({str(src_file)!r}, {str(locked)!r})\n"
        "except PermissionError as e:\n"
        "    print('PermissionError', e.filename)\n"
    )
    result = _run_unprivileged(code)
    assert result.stdout.strip() == f"PermissionError {locked / 'src.bin'}", result.stderr


def test_no_space_left_raises_oserror_and_leaves_nothing(tmp_path):
    small = tmp_path / "small"
    small.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(small)],
                      capture_output=True).returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (the fault-injection test covers ENOSPC)")
    try:
        big = write(tmp_path / "big", os.urandom(1024 * 1024))
        with pytest.raises(OSError) as info:
            py_eacopy.copy(big, small / "big")
        assert info.value.errno == errno.ENOSPC
        assert type(info.value) is OSError
        assert os.listdir(small) == []
    finally:
        subprocess.run(["umount", str(small)], check=True)


def test_injected_no_space_fault_leaves_nothing(tmp_path, src_file):
    _eacopy.inject_write_faults(errno.ENOSPC, 1)
    try:
        with pytest.raises(OSError) as info:
            py_eacopy.copy(src_file, tmp_path / "dst")
    finally:
        _eacopy.inject_write_faults(0, 0)
    assert info.value.errno == errno.ENOSPC
    assert not (tmp_path / "dst").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["src.bin"]


def test_progress_reports_start_and_end_and_throttles_big_files(tmp_path):
    small = write(tmp_path / "small", b"abc")
    big = write(tmp_path / "big", os.urandom(64 * 1024 * 1024))
    calls = []
    eacopy = py_eacopy.EACopy(progress_callback=lambda c, t, n: calls.append((c, t, n)), buffer_size=1 << 20)
    eacopy.copy(small, tmp_path / "small2")
    assert calls == [(0, 3, str(small)), (3, 3, str(small))]
    calls.clear()
    eacopy.copy(big, tmp_path / "big2")
    assert calls[0] == (0, big.stat().st_size, str(big))
    assert calls[-1] == (big.stat().st_size,) * 2 + (str(big),)
    assert len(calls) < 64  # 64 chunks, reported at most ~10 times a second
    assert [c for c, _, _ in calls] == sorted(c for c, _, _ in calls)


def test_config_is_read_at_call_time(tmp_path, src_file):
    calls = []
    py_eacopy.config.progress_callback = lambda c, t, n: calls.append(n)
    try:
        py_eacopy.copy(src_file, tmp_path / "a")
        assert calls == [str(src_file)] * 2
        py_eacopy.config.progress_callback = None
        py_eacopy.copy(src_file, tmp_path / "b")
        assert len(calls) == 2
    finally:
        py_eacopy.config.progress_callback = None


def test_bad_settings_name_the_setting(tmp_path):
    with pytest.raises(ValueError, match="thread_count"):
        py_eacopy.EACopy(thread_count=0)
    with pytest.raises(ValueError, match="buffer_size"):
        py_eacopy.EACopy(buffer_size=10)
    with pytest.raises(ValueError, match="retry_delay"):
        py_eacopy.EACopy(retry_delay=-1)
    with pytest.raises(TypeError, match="src must be a path"):
        py_eacopy.copy(42, tmp_path / "x")


def test_retry_counts_attempts(tmp_path, src_file):
    eacopy = py_eacopy.EACopy(error_strategy=py_eacopy.ErrorStrategy.RETRY, retry_count=2, retry_delay=0)
    _eacopy.inject_write_faults(errno.EIO, 2)
    eacopy.copy(src_file, tmp_path / "ok")  # attempts 1 and 2 fail, 3 succeeds
    assert (tmp_path / "ok").read_bytes() == src_file.read_bytes()
    _eacopy.inject_write_faults(errno.EIO, 5)
    try:
        with pytest.raises(OSError) as info:
            eacopy.copy(src_file, tmp_path / "failed")
        assert info.value.errno == errno.EIO
        # Exactly 3 attempts consumed 3 of the 5 faults: the next two copies still fail.
        with pytest.raises(OSError):
            py_eacopy.copy(src_file, tmp_path / "f2")
        with pytest.raises(OSError):
            py_eacopy.copy(src_file, tmp_path / "f3")
        py_eacopy.copy(src_file, tmp_path / "f4")
    finally:
        _eacopy.inject_write_faults(0, 0)
    assert not (tmp_path / "failed").exists()


def test_ignore_copies_the_rest_and_logs_failures(tmp_path, caplog):
    pairs = [(write(tmp_path / f"s{i}", str(i)), tmp_path / f"d{i}") for i in range(10)]
    pairs.insert(5, (tmp_path / "missing", tmp_path / "d_missing"))
    eacopy = py_eacopy.EACopy(error_strategy=py_eacopy.ErrorStrategy.IGNORE)
    with caplog.at_level("WARNING", logger="py_eacopy"):
        summary = eacopy.batch_copy(pairs)
    assert (summary.files_copied, summary.files_failed) == (10, 1)
    assert summary.failures[0].path == str(tmp_path / "missing")
    assert summary.failures[0].errno == errno.ENOENT
    assert "missing" in caplog.text
    assert all((tmp_path / f"d{i}").read_text() == str(i) for i in range(10))


def test_raise_strategy_stops_a_batch(tmp_path):
    pairs = [(tmp_path / "missing", tmp_path / "d")]
    with pytest.raises(FileNotFoundError):
        py_eacopy.batch_copy2(pairs)
    with pytest.raises(ValueError, match=r"file_pairs\[0\] must be a \(src, dst\) pair"):
        py_eacopy.batch_copy([("only-one",)])


def test_batch_copy2_keeps_metadata(tmp_path, src_file):
    out = tmp_path / "out"
    out.mkdir()
    summary = py_eacopy.batch_copy2([(src_file, out), (src_file, tmp_path / "renamed")])
    assert summary.files_copied == 2
    for p in (out / "src.bin", tmp_path / "renamed"):
        assert p.stat().st_mtime_ns == src_file.stat().st_mtime_ns


async def test_async_file_functions(tmp_path, src_file):
    results = await asyncio.gather(
        py_eacopy.async_copyfile(src_file, tmp_path / "a"),
        py_eacopy.async_copy(src_file, tmp_path / "b"),
        py_eacopy.async_copy2(src_file, tmp_path / "c"),
    )
    assert results == [str(tmp_path / n) for n in "abc"]
    assert (tmp_path / "c").stat().st_mtime_ns == src_file.stat().st_mtime_ns
    with pytest.raises(FileNotFoundError):
        await py_eacopy.async_copy(tmp_path / "missing", tmp_path / "d")


def test_delta_copy_reads_what_differs(tmp_path):
    reference = os.urandom(4 * 1024 * 1024)
    changed = bytearray(reference)
    changed[1_000_000:1_000_100] = os.urandom(100)
    changed[3_000_000:3_000_000] = b"inserted"
    ref = write(tmp_path / "v1", reference)
    src = write(tmp_path / "v2", bytes(changed))
    stats = py_eacopy.delta_copy(src, tmp_path / "out", ref)
    assert (tmp_path / "out").read_bytes() == bytes(changed)
    assert stats.bytes_total == len(changed)
    assert stats.bytes_literal < 64 * 1024
    assert stats.bytes_matched + stats.bytes_literal == len(changed)
    with pytest.raises(FileNotFoundError):
        py_eacopy.delta_copy(src, tmp_path / "x", tmp_path / "no-reference")


async def test_async_delta_copy_in_place(tmp_path):
    ref = write(tmp_path / "file", b"a" * 100_000 + b"b" * 100_000)
    src = write(tmp_path / "new", b"a" * 100_000 + b"c" * 10 + b"b" * 100_000)
    stats = await py_eacopy.async_delta_copy(src, ref, ref)
    assert ref.read_bytes() == src.read_bytes()
    assert stats.bytes_literal < stats.bytes_total


def test_interrupted_copy_leaves_no_partial_file(tmp_path):
    """A process killed in the middle of a big file: nothing under the final name."""
    big = write(tmp_path / "big", os.urandom(32 * 1024 * 1024))
    # The callback holds the copy: first long enough for a mid-file report, then forever.
    code = (
        "import py_eacopy, time\n"
        "def progress(c, t, n):\n"
        "    if c == 0: time.sleep(0.3)\n"
        "    elif c < t: print('started', flush=True); time.sleep(60)\n"
        "py_eacopy.EACopy(progress_callback=progress, buffer_size=1 << 20)"
        f".copy({str(big)!r}, {str(tmp_path / 'copy')!r})\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "started"
    proc.kill()
    proc.wait()
    assert not (tmp_path / "copy").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _xattrs_supported(path) -> bool:
    probe = path / ".xattr-probe"
    probe.touch()
    try:
        os.setxattr(probe, "user.probe", b"1")
        return True
    except OSError:
        return False
    finally:
        probe.unlink()


def _run_unprivileged(code: str) -> subprocess.CompletedProcess:
    """Runs code where permission bits apply: as root, without the capabilities that bypass them."""
    argv = [sys.executable, "-c", code]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: permission bits cannot be tested")
        argv = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"] + argv
    return subprocess.run(argv, capture_output=True, text=True)


def test_nul_bytes_in_a_path_are_refused_not_truncated(tmp_path):
    src = tmp_path / "a.txt"
    src.write_text("x")
    for bad in (f"{src}\0.bak", os.fsencode(f"{src}\0.bak")):
        with pytest.raises(ValueError, match="NUL"):
            py_eacopy.copy(bad, tmp_path / "b.txt")
        with pytest.raises(ValueError, match="NUL"):
            py_eacopy.copy(src, bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]  # nothing written under a truncated name
    assert py_eacopy.copy(os.fsencode(src), os.fsencode(tmp_path / "c.txt")) and (tmp_path / "c.txt").read_text() == "x"
