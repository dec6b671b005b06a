"""The copy protocol (docs/copy_server.md) spoken by hand, for adversarial tests: a client and a
server that send any frame in any order at any pace, which the real ends never do."""

from __future__ import annotations

import hashlib
import hmac
import os
import socket
import struct

import xxhash

MAGIC = 0x50434145
VERSION = 1

HELLO, CHALLENGE, AUTH, AUTH_OK, ERROR, BUSY = 1, 2, 3, 4, 5, 6
UPLOAD_BEGIN, DOWNLOAD_BEGIN, READY, OFFER, DECISION, FILE_HASH = 10, 11, 12, 13, 14, 15
SIGNATURE_HEAD, SIGNATURE_BLOCKS, DATA, DELTA_COPY, FILE_END, FILE_RESULT = 16, 17, 18, 19, 20, 21
TRANSFER_END, SUMMARY, FILE_ABORT, UNSENT, FLUSH = 22, 23, 24, 25, 26

SKIP, LINK, COPY, DELTA, NEED_HASH, REFUSE = range(6)


def frame(kind: int, payload: bytes = b"") -> bytes:
    return struct.pack("<IB", len(payload), kind) + payload


def text(value: str | bytes) -> bytes:
    raw = value.encode() if isinstance(value, str) else value
    return struct.pack("<I", len(raw)) + raw


def proof(secret: str, role: bytes, client_nonce: bytes, server_nonce: bytes) -> bytes:
    return hmac.new(secret.encode(), role + client_nonce + server_nonce, hashlib.sha256).digest()


def content_hash(data: bytes) -> bytes:
    """XXH3-128 as the protocol sends it: the low 64 bits first, both little-endian."""
    h = xxhash.xxh3_128_intdigest(data)
    return struct.pack("<QQ", h & (2**64 - 1), h >> 64)


def offer(path: str | bytes, size: int, mtime_ns: int = 1_600_000_000 * 10**9, mode: int = 0o644) -> bytes:
    return text(path) + struct.pack("<QqI", size, mtime_ns, mode)


def data(raw: bytes) -> bytes:
    return struct.pack("<BI", 0, len(raw)) + raw


def decision(payload: bytes) -> tuple[int, str]:
    (length,) = struct.unpack_from("<I", payload, 1)
    return payload[0], payload[5:5 + length].decode(errors="replace")


class Peer:
    """One end of a connection: frames out, frames in."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def send(self, kind: int, payload: bytes = b"") -> None:
        self.sock.sendall(frame(kind, payload))

    def _exactly(self, n: int) -> bytes:
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise ConnectionError("the peer closed the connection")
            out += chunk
        return out

    def receive(self) -> tuple[int, bytes]:
        length, kind = struct.unpack("<IB", self._exactly(5))
        return kind, self._exactly(length)

    def expect(self, kind: int) -> bytes:
        got, payload = self.receive()
        if got != kind:
            raise AssertionError(f"expected frame {kind}, got {got}: {payload[:200]!r}")
        return payload

    def close(self) -> None:
        self.sock.close()


class RawClient(Peer):
    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 10) -> None:
        super().__init__(socket.create_connection((host, port), timeout=timeout))

    def handshake(self, secret: str, version: int = VERSION) -> None:
        nonce = os.urandom(32)
        self.send(HELLO, struct.pack("<IH", MAGIC, version) + nonce)
        challenge = self.expect(CHALLENGE)
        server_nonce = challenge[2:]
        self.send(AUTH, proof(secret, b"eacopy client", nonce, server_nonce))
        self.expect(AUTH_OK)

    def begin(self, kind: int, path: str = "", level: int = -1) -> None:
        self.send(kind, text(path) + struct.pack("<i", level))
        self.expect(READY)


class RawServer:
    """A listening socket on loopback whose connections the test answers frame by frame."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(30)
        self.port = self.listener.getsockname()[1]

    def accept(self) -> Peer:
        sock, _ = self.listener.accept()
        sock.settimeout(30)
        return Peer(sock)

    def handshake(self, peer: Peer, secret: str, version: int = VERSION) -> None:
        hello = peer.expect(HELLO)
        client_nonce = hello[6:]
        nonce = os.urandom(32)
        peer.send(CHALLENGE, struct.pack("<H", version) + nonce)
        if version != VERSION:
            return
        peer.expect(AUTH)
        peer.send(AUTH_OK, proof(secret, b"eacopy server", client_nonce, nonce))

    def close(self) -> None:
        self.listener.close()
