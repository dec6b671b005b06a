"""The deduplicating copy server (after EA's EACopyService) and the client side of it.

>>> with py_eacopy.create_server(root="/srv/builds", token=secret, port=31337) as server:
...     summary = py_eacopy.copy_with_server("build/out", "nightly/42", "127.0.0.1", token=secret)
...     print(summary)   # Files/Bytes by Total, Copied, Linked, Skipped, Failed; bytes sent

The server serves on native threads (the GIL is not involved); the secret is never sent over
the network (challenge-response) and never shown in a repr. Protocol: docs/copy_server.md.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from typing import Any

from fleet_shared.paths import StrPath, checked_path

from . import _eacopy
from .settings import logger

__all__ = ["EACopyServer", "ServerStats", "create_server", "DEFAULT_PORT", "token_from", "user_secret_path"]

DEFAULT_PORT = 31337
TOKEN_ENV = "EACOPY_TOKEN"


def user_secret_path() -> str:
    """Where the per-user secret lives: ``$XDG_CONFIG_HOME/py_eacopy/secret`` (by default
    ``~/.config/py_eacopy/secret``)."""
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "py_eacopy", "secret")


def user_secret() -> str:
    """The per-user secret, created once (random, 256 bits) in a 0600 file in a 0700 folder.
    A file that others could read or that another user owns is refused, never used."""
    path = user_secret_path()
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    if not os.path.lexists(path):
        # Written whole under a private name, then linked into place: a server and a client
        # starting together never read a partial file, and the first link wins.
        fd, staged = tempfile.mkstemp(dir=folder, prefix=".secret-")
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(32) + "\n")
            try:
                os.link(staged, path)
            except FileExistsError:
                pass
        finally:
            os.unlink(staged)
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(fd) as f:
        st = os.fstat(f.fileno())
        if st.st_uid != os.getuid() or st.st_mode & 0o077:
            raise PermissionError(f"refusing the copy server secret {path!r}: it must belong to you and be mode 0600")
        secret = f.read().strip()
    if not secret:
        raise ValueError(f"the copy server secret file {path!r} is empty: delete it to make a new one")
    return secret


def token_from(token: str | None, what: str) -> str:
    """The shared secret: ``token`` if given, else ``$EACOPY_TOKEN``, else the per-user secret
    (:func:`user_secret`), which lets one user's server and clients on one machine meet without
    configuration; a client on another machine needs the secret given explicitly."""
    if token is None:
        token = os.environ.get(TOKEN_ENV)
    if token is None:
        return user_secret()
    if not isinstance(token, str):
        raise TypeError("token must be a str")
    if not token:
        raise ValueError(f"{what}: the shared secret (token) must not be empty")
    return token


@dataclass(frozen=True)
class ServerStats:
    """A server's totals since it started."""

    connections: int
    active_connections: int
    connections_refused: int
    bytes_sent: int
    bytes_received: int
    files_sent: int
    files_received: int
    files_linked: int
    files_skipped: int
    history_entries: int


class EACopyServer:
    """A copy server serving the directory ``root`` (default: the current directory, as
    ``python -m http.server``); see :func:`create_server`."""

    def __init__(
        self,
        root: StrPath | None = None,
        token: str | None = None,
        port: int = DEFAULT_PORT,
        thread_count: int = 4,
        *,
        host: str = "127.0.0.1",
        max_connections: int = 64,
        idle_timeout: float = 30.0,
        history_size: int = 1_000_000,
        history_file: StrPath | None = None,
        handshake_timeout: float = 10.0,
        max_unauthenticated: int = 64,
        max_unauthenticated_per_address: int = 8,
        trust_metadata: bool = False,
    ) -> None:
        self.root = os.path.abspath(os.getcwd() if root is None else checked_path(root, "root", decode=True))
        if not os.path.isdir(self.root):
            raise NotADirectoryError(f"the copy server's root is not a directory: {self.root!r}")
        if not 0 <= port <= 65535:
            raise ValueError(f"port must be between 0 and 65535, not {port}")
        counts = (("thread_count", thread_count), ("max_connections", max_connections), ("history_size", history_size),
                  ("max_unauthenticated", max_unauthenticated),
                  ("max_unauthenticated_per_address", max_unauthenticated_per_address))
        for name, value in counts:
            if not isinstance(value, int) or not 1 <= value < 2**32:
                raise ValueError(f"{name} must be a whole number of at least 1, not {value!r}")
        self.host = host
        options = _eacopy.ServerOptions()
        options.host, options.port, options.root = host, port, self.root
        options.thread_count, options.max_connections = thread_count, max(max_connections, thread_count)
        options.idle_timeout, options.handshake_timeout = idle_timeout, handshake_timeout
        options.max_unauthenticated = max_unauthenticated
        options.max_unauthenticated_per_address = max_unauthenticated_per_address
        options.history_size, options.trust_metadata = history_size, trust_metadata
        if history_file is not None:
            options.history_file = os.path.abspath(checked_path(history_file, "history_file", decode=True))
        if token is None and TOKEN_ENV not in os.environ:
            logger.info("copy server: clients authenticate with the per-user secret in %s", user_secret_path())
        options.secret = token_from(token, "create_server")
        self._native = _eacopy.CopyServer(options)

    @property
    def port(self) -> int:
        """The port served (the one the system chose, once started with port 0)."""
        return self._native.port

    @property
    def thread_count(self) -> int:
        return self._native.thread_count

    def start(self) -> "EACopyServer":
        """Binds and serves on background threads; returns self."""
        self._native.start()
        return self

    def stop(self) -> None:
        """Stops serving: unfinished files are discarded, the history file (if any) saved."""
        self._native.stop()

    def is_running(self) -> bool:
        return self._native.is_running()

    def get_stats(self) -> ServerStats:
        return ServerStats(**self._native.stats())

    def __enter__(self) -> "EACopyServer":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.is_running() else "stopped"
        return f"EACopyServer(root={self.root!r}, host={self.host!r}, port={self.port}, " \
               f"thread_count={self.thread_count}, {state})"


def create_server(
    port: int = DEFAULT_PORT,
    thread_count: int = 4,
    root: StrPath | None = None,
    token: str | None = None,
    **options: Any,
) -> EACopyServer:
    """A copy server for the directory ``root`` (default: the current directory), not yet
    started (``start()`` it, or use it as a context manager). ``token`` is the shared secret
    (default: ``$EACOPY_TOKEN``, else the per-user secret file, see :func:`token_from`). Options:
    ``host`` (default ``"127.0.0.1"``), ``max_connections`` (served plus waiting; beyond it
    clients are told the server is busy), ``idle_timeout`` (seconds), ``history_size`` (files
    remembered for linking), ``history_file`` (keep the history across restarts; its directory
    must exist), ``handshake_timeout`` (seconds a peer has to prove the secret),
    ``max_unauthenticated`` and ``max_unauthenticated_per_address`` (peers still proving it),
    ``trust_metadata`` (link files known by name, size and mtime without hashing them; see
    docs/copy_server.md)."""
    return EACopyServer(root, token, port, thread_count, **options)
