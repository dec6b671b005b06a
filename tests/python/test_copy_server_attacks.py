"""The copy server and client under attack (issue 15's red-team cases, one test each): files
shrunk under a transfer, silent and slow peers before authentication, hostile modes, stale
links, unbounded offers, hostile servers, and valid frames in hostile orders. The server runs
as its own process, so a crash shows as its exit status rather than taking pytest down."""

from __future__ import annotations

import os
import socket
import stat
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import py_eacopy
import pytest
from copy_protocol import (COPY, DATA, DECISION, DELTA, DELTA_COPY, DOWNLOAD_BEGIN, ERROR, FILE_ABORT, FILE_END,
                           FILE_HASH, FILE_RESULT, FLUSH, LINK, NEED_HASH, OFFER, REFUSE, SIGNATURE_BLOCKS,
                           SIGNATURE_HEAD, SUMMARY, TRANSFER_END, UNSENT, UPLOAD_BEGIN, RawClient, RawServer,
                           content_hash, data, decision, offer)
from copy_servers import TOKEN, Server
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def up(src, dst, server, **kw):
    return py_eacopy.copy_with_server(src, dst, "127.0.0.1", server.port, token=TOKEN, **kw)


def alive_and_serving(server: Server, tmp_path: Path) -> None:
    assert server.proc.poll() is None, f"the server died with status {server.proc.returncode}"
    probe = tmp_path / f"probe-{time.monotonic_ns()}"
    probe.write_text("still serving")
    assert up(probe, "probes", server).files_copied == 1


def session(server: Server, kind: int, path: str) -> RawClient:
    c = RawClient(server.port)
    c.handshake(TOKEN)
    c.begin(kind, path)
    return c


def read_signature(c: RawClient) -> tuple[int, int, int]:
    block_size, file_size, count = struct.unpack("<IQI", c.expect(SIGNATURE_HEAD))
    got = 0
    while got < count:
        got += len(c.expect(SIGNATURE_BLOCKS)) // 20
    return block_size, file_size, count


# -- 1. files shrunk under a transfer --------------------------------------------------------

def test_delta_base_truncated_during_an_upload_fails_that_file_only(tmp_path, root, server):
    (root / "up").mkdir()
    old = os.urandom(8 << 20)
    (root / "up/big.bin").write_bytes(old)
    new = old[:-4096] + b"changed!" * 512
    c = session(server, UPLOAD_BEGIN, "up")
    c.send(OFFER, offer("big.bin", len(new)))
    c.send(FLUSH)
    assert decision(c.expect(DECISION))[0] == DELTA
    block_size, _, count = read_signature(c)
    os.truncate(root / "up/big.bin", 0)  # a local writer shrinks the base under the server
    copied = block_size * (len(new) // block_size - 1)
    c.send(DELTA_COPY, struct.pack("<QQ", 0, copied))
    c.send(DATA, data(new[copied:]))
    c.send(FILE_END, content_hash(new))
    outcome, message = decision(c.expect(FILE_RESULT))
    assert outcome == REFUSE and "changed" in message
    c.send(TRANSFER_END)
    c.expect(SUMMARY)
    c.close()
    alive_and_serving(server, tmp_path)


def test_source_truncated_during_a_download_fails_that_file_only(tmp_path, root, server):
    (root / "dl").mkdir()
    size = 64 << 20
    with open(root / "dl/big.bin", "wb") as f:
        f.write(os.urandom(size))
    c = session(server, DOWNLOAD_BEGIN, "dl")
    c.expect(OFFER)
    c.expect(FLUSH)
    c.send(DECISION, bytes([DELTA]) + struct.pack("<I", 0))
    # A base of one block that matches nothing: the server scans its whole file.
    c.send(SIGNATURE_HEAD, struct.pack("<IQI", 1024, 1024, 1))
    c.send(SIGNATURE_BLOCKS, b"\x01" * 20)
    time.sleep(1)  # not reading: the server blocks on a full socket mid-scan
    os.truncate(root / "dl/big.bin", 0)
    kinds = []
    while not kinds or kinds[-1] not in (FILE_ABORT, FILE_END):
        kinds.append(c.receive()[0])
    assert kinds[-1] == FILE_ABORT
    c.close()
    alive_and_serving(server, tmp_path)


def test_local_delta_copy_survives_its_source_shrinking(tmp_path):
    """The engine in a child process: SIGBUS would show as its exit status."""
    script = tmp_path / "shrink.py"
    script.write_text(f"""
import os, py_eacopy
base = {str(tmp_path)!r}
ref, src, dst = (os.path.join(base, n) for n in ("ref", "src", "dst"))
data = os.urandom(32 << 20)
open(ref, "wb").write(data[: 16 << 20])
open(src, "wb").write(data)
e = py_eacopy.EACopy()
e.set_progress_callback(lambda done, total, name: done == 0 and os.truncate(src, 4096))
try:
    e.delta_copy(src, dst, ref)
except OSError as err:
    print("failed:", err)
print("exists:", os.path.exists(dst))
""")
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "failed:" in result.stdout and "changed while being read" in result.stdout
    assert "exists: False" in result.stdout  # nothing half-written left behind


# -- 2. peers that never authenticate --------------------------------------------------------

def test_a_real_upload_completes_while_64_hostile_sockets_are_open(tmp_path, root):
    s = Server(root, "--threads", "4", "--handshake-timeout", "30")
    hostile = []
    try:
        for i in range(64):
            sock = socket.create_connection(("127.0.0.1", s.port))
            if i % 2:
                sock.sendall(b"\x26")  # a byte of a header, then silence: the old per-byte timeout kept it
            hostile.append(sock)
        time.sleep(0.5)
        (tmp_path / "a.txt").write_text("through the crowd")
        summary = up(tmp_path / "a.txt", "crowd", s, timeout=20)  # a wait of 20 s at most
        assert summary.files_copied == 1 and (root / "crowd/a.txt").read_text() == "through the crowd"
    finally:
        for sock in hostile:
            sock.close()
        s.stop()


def test_a_slow_handshake_is_cut_at_its_deadline_not_per_byte(tmp_path, root):
    s = Server(root, "--handshake-timeout", "1")
    try:
        slow = socket.create_connection(("127.0.0.1", s.port))
        slow.settimeout(10)
        started = time.monotonic()
        hello = struct.pack("<IBIH", 38, 1, 0x50434145, 1) + os.urandom(32)
        try:
            for byte in hello:  # a byte every 0.3 s restarted the old receive timeout each time
                slow.sendall(bytes([byte]))
                time.sleep(0.3)
            closed = slow.recv(64) == b""
        except OSError:
            closed = True
        assert closed and time.monotonic() - started < 4
        slow.close()
    finally:
        s.stop()


def test_unauthenticated_peers_never_take_a_worker(tmp_path, root):
    s = Server(root, "--threads", "1", "--max-connections", "1")
    try:
        silent = [socket.create_connection(("127.0.0.1", s.port)) for _ in range(4)]
        time.sleep(0.3)
        (tmp_path / "b.txt").write_text("b")
        assert up(tmp_path / "b.txt", "w", s, timeout=10).files_copied == 1
        for sock in silent:
            sock.close()
    finally:
        s.stop()


# -- 3. modes from the network --------------------------------------------------------------

def raw_upload(server: Server, path: str, content: bytes, mode: int, mtime_ns: int = 1_600_000_000 * 10**9) -> int:
    c = session(server, UPLOAD_BEGIN, "m")
    c.send(OFFER, offer(path, len(content), mtime_ns, mode))
    c.send(FLUSH)
    verdict = decision(c.expect(DECISION))[0]
    if verdict == NEED_HASH:
        c.send(FILE_HASH, content_hash(content))
        verdict = decision(c.expect(DECISION))[0]
    if verdict in (COPY, DELTA):
        if verdict == DELTA:
            read_signature(c)
        c.send(DATA, data(content))
        c.send(FILE_END, content_hash(content))
        assert decision(c.expect(FILE_RESULT))[0] != REFUSE
    c.send(TRANSFER_END)
    c.expect(SUMMARY)
    c.close()
    return verdict


@pytest.mark.parametrize("mode", [0o4755, 0o2755, 0o1777, 0o777, 0o666])
def test_setuid_setgid_sticky_and_world_writable_bits_are_stripped(root, server, mode):
    raw_upload(server, f"f{mode:o}", b"payload", mode)
    got = stat.S_IMODE(os.stat(root / f"m/f{mode:o}").st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert got == mode & 0o777 & ~umask
    assert not got & (stat.S_ISUID | stat.S_ISGID | stat.S_ISVTX | stat.S_IWOTH)


def test_a_deduplicated_file_keeps_the_mode_offered(root, server):
    assert raw_upload(server, "a/open.bin", b"same bytes", 0o755) == COPY
    assert raw_upload(server, "b/private.bin", b"same bytes", 0o600) == LINK  # no content travelled
    assert stat.S_IMODE(os.stat(root / "m/b/private.bin").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(root / "m/a/open.bin").st_mode) == 0o755
    assert (root / "m/b/private.bin").read_bytes() == b"same bytes"


# -- 4. same name, size and mtime, different content -----------------------------------------

def test_a_metadata_match_with_other_content_is_not_linked(tmp_path, root, server):
    src = tmp_path / "build"
    src.mkdir()
    (src / "app.bin").write_bytes(b"release 1 " * 100)
    os.utime(src / "app.bin", ns=(0, 315532800 * 10**9))  # the SOURCE_DATE_EPOCH of reproducible builds
    up(src, "r1", server)
    (src / "app.bin").write_bytes(b"release 2 " * 100)
    os.utime(src / "app.bin", ns=(0, 315532800 * 10**9))
    summary = up(src, "r2", server)
    assert summary.files_linked == 0 and summary.files_copied == 1
    assert (root / "r2/app.bin").read_bytes() == b"release 2 " * 100
    assert (root / "r1/app.bin").read_bytes() == b"release 1 " * 100


def test_trust_metadata_is_eacopys_rule_when_asked_for(tmp_path, root):
    s = Server(root, "--trust-metadata")
    try:
        src = tmp_path / "build"
        src.mkdir()
        (src / "app.bin").write_bytes(b"one")
        up(src, "r1", s)
        summary = up(src, "r1copy", s)  # a known file by name, size and mtime: linked at once
        assert summary.files_linked == 1
        assert os.stat(root / "r1copy/app.bin").st_ino == os.stat(root / "r1/app.bin").st_ino
    finally:
        s.stop()


# -- 5. offers without end ----------------------------------------------------------------------

def test_offers_without_a_flush_are_bounded(tmp_path, server):
    """30,000 offers without a flush grew the server by 118 MB; a connection now holds at most
    1,024 unsettled offers (4 batches) and is cut off beyond."""
    c = session(server, UPLOAD_BEGIN, "flood")
    c.sock.sendall(b"".join(struct.pack("<IB", len(o := offer(f"d/f{i}", 10**9)), OFFER) + o for i in range(1025)))
    kinds = []
    while not kinds or kinds[-1][0] == DECISION:
        kinds.append(c.receive())
    assert kinds.count((DECISION, kinds[0][1])) == 1024
    assert kinds[-1][0] == ERROR and b"more than 1024 offers without a flush" in kinds[-1][1]
    c.close()
    alive_and_serving(server, tmp_path)


# -- 6. hostile servers ---------------------------------------------------------------------------

def test_a_version_mismatch_is_answered_and_explained(server):
    c = RawClient(server.port)
    c.send(1, struct.pack("<IH", 0x50434145, 2) + os.urandom(32))
    c.expect(2)  # the challenge, carrying the server's version
    kind, payload = c.receive()
    assert kind == ERROR and b"version 2 is not supported" in payload
    c.close()


def serve_once(script) -> tuple[RawServer, threading.Thread]:
    hostile = RawServer()

    def run():
        peer = hostile.accept()
        try:
            script(hostile, peer)
        except (OSError, AssertionError):
            pass
        finally:
            peer.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return hostile, thread


def test_client_explains_a_server_of_another_version(tmp_path):
    hostile, thread = serve_once(lambda server, peer: server.handshake(peer, TOKEN, version=7))
    (tmp_path / "a").write_text("a")
    with pytest.raises(py_eacopy.CopyServerError, match="protocol version 7"):
        py_eacopy.copy_with_server(tmp_path / "a", "x", "127.0.0.1", hostile.port, token=TOKEN, timeout=10)
    thread.join(10)
    hostile.close()


def test_client_refuses_an_absurd_signature_cleanly(tmp_path):
    def script(server: RawServer, peer):
        server.handshake(peer, TOKEN)
        peer.expect(UPLOAD_BEGIN)
        peer.send(12)  # Ready
        peer.expect(OFFER)
        peer.expect(FLUSH)
        peer.send(DECISION, bytes([DELTA]) + struct.pack("<I", 0))
        block = 1 << 20
        peer.send(SIGNATURE_HEAD, struct.pack("<IQI", block, (2**32 - 1) * block, 2**32 - 1))
        time.sleep(2)

    hostile, thread = serve_once(script)
    (tmp_path / "big").write_bytes(os.urandom(200_000))
    with pytest.raises(py_eacopy.CopyServerError, match="broke the protocol: signature of too many blocks"):
        py_eacopy.copy_with_server(tmp_path / "big", "x", "127.0.0.1", hostile.port, token=TOKEN, timeout=10)
    thread.join(10)
    hostile.close()


# -- valid frames in hostile orders, after authentication -------------------------------------

def valid_frame(kind: int, i: int) -> bytes:
    """A well-formed payload for each frame type a peer may send after the handshake."""
    return {
        UPLOAD_BEGIN: struct.pack("<I", 1) + b"z" + struct.pack("<i", -1),
        DOWNLOAD_BEGIN: struct.pack("<I", 0) + struct.pack("<i", 3),
        OFFER: offer(f"o/{i % 3}", [0, 7, 70_000][i % 3], mode=[0o644, 0o4777, 0o600][i % 3]),
        FLUSH: b"",
        DATA: data(b"x" * (i % 5)),
        DELTA_COPY: struct.pack("<QQ", i, 2**63 - i),
        FILE_END: content_hash(b"x" * (i % 5)),
        FILE_HASH: content_hash(b""),
        FILE_ABORT: bytes([0]) + struct.pack("<I", 2) + b"no",
        TRANSFER_END: b"",
        DECISION: bytes([i % 6]) + struct.pack("<I", 0),
        SIGNATURE_HEAD: struct.pack("<IQI", 1024, 2048, 2),
        SIGNATURE_BLOCKS: b"\x00" * 40,
        FILE_RESULT: bytes([2]) + struct.pack("<I", 0),
        SUMMARY: b"\x00" * 64,
        UNSENT: struct.pack("<I", 1) + b"u" + struct.pack("<I", 1) + b"m",
    }[kind]


post_auth_kinds = st.sampled_from([UPLOAD_BEGIN, DOWNLOAD_BEGIN, OFFER, FLUSH, DATA, DELTA_COPY, FILE_END,
                                   FILE_HASH, FILE_ABORT, TRANSFER_END, DECISION, SIGNATURE_HEAD, SIGNATURE_BLOCKS,
                                   FILE_RESULT, SUMMARY, UNSENT])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=st.sampled_from([UPLOAD_BEGIN, DOWNLOAD_BEGIN]), kinds=st.lists(post_auth_kinds, max_size=12))
def hostile_sequences(server, first, kinds):
    c = RawClient(server.port, timeout=5)
    try:
        c.handshake(TOKEN)
        c.sock.sendall(b"".join(struct.pack("<IB", len(p := valid_frame(k, i)), k) + p
                                for i, k in enumerate([first, *kinds])))
        c.sock.shutdown(socket.SHUT_WR)
        while c.sock.recv(65536):
            pass
    except OSError:
        pass
    finally:
        c.close()
    assert server.proc.poll() is None


def test_server_survives_valid_frames_in_hostile_orders(tmp_path, root, server):
    (root / "z").mkdir()
    (root / "z/file").write_bytes(os.urandom(100_000))
    hostile_sequences(server)
    alive_and_serving(server, tmp_path)
    assert not (root / "o").exists() or all(not stat.S_IMODE(p.stat().st_mode) & 0o7000
                                            for p in (root / "o").rglob("*") if p.is_file())
