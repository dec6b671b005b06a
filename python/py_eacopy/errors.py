"""How the copy engine's errors reach Python: as the built-in exceptions ``shutil`` raises, so
code written for ``shutil`` keeps working.

========================  ==========================================================
engine error              Python exception
========================  ==========================================================
not found, permission,    ``OSError(errno, strerror, filename, filename2)``, which Python
exists, is a directory,   turns into ``FileNotFoundError``, ``PermissionError``,
not a directory, no       ``FileExistsError``, ``IsADirectoryError``,
space, other I/O          ``NotADirectoryError``, ``OSError`` (ENOSPC) ...
same file                 :class:`shutil.SameFileError`
special file (fifo, ...)  :class:`shutil.SpecialFileError`
invalid argument          :class:`ValueError`
cancelled                 :class:`asyncio.CancelledError`
network / protocol        :class:`CopyServerError` (a ``ConnectionError``; also named
                          ``NetworkError``)
secret refused            :class:`CopyServerAuthenticationError` (a ``CopyServerError``)
request refused           :class:`CopyServerRefusedError` (a ``CopyServerError``)
========================  ==========================================================

The hierarchy of py_eacopy's own classes::

    ConnectionError (OSError)
    └── CopyServerError = NetworkError      a copy server unreachable, or it broke the protocol
        ├── CopyServerAuthenticationError   the server refused the shared secret
        └── CopyServerRefusedError          the server refused a request (outside its root, busy)

Their names are py_eacopy's alone: GitFleet's errors (``GitFleet.exceptions``) are a hierarchy
of their own, and network failures are a ``ConnectionError`` in both packages.
"""

from __future__ import annotations

import asyncio
import shutil

__all__ = [
    "CopyServerError",
    "NetworkError",
    "CopyServerAuthenticationError",
    "CopyServerRefusedError",
    "from_native",
]


class CopyServerError(ConnectionError):
    """A copy server could not be reached, or broke the protocol."""


NetworkError = CopyServerError  # the name py-eacopy's documentation uses


class CopyServerAuthenticationError(CopyServerError):
    """The copy server refused the shared secret."""


class CopyServerRefusedError(CopyServerError):
    """The copy server refused a request (a path outside its root, too busy, ...)."""


def from_native(kind: str, errno: int, message: str, path: str, path2: str) -> BaseException:
    """The Python exception for an engine error (installed into the native module)."""
    if kind == "SameFile":
        return shutil.SameFileError(message)
    if kind == "SpecialFile":
        return shutil.SpecialFileError(message)
    if kind == "InvalidArgument":
        return ValueError(message)
    if kind == "Cancelled":
        return asyncio.CancelledError(message)
    if kind in ("Network", "Protocol"):
        return CopyServerError(message)
    if kind == "AuthenticationFailed":
        return CopyServerAuthenticationError(message)
    if kind == "Refused":
        return CopyServerRefusedError(message)
    if errno:
        if path2:
            return OSError(errno, message, path, None, path2)
        return OSError(errno, message, path or None)
    return OSError(message)
