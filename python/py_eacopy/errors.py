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
network / server          :class:`CopyServerError` (a ``ConnectionError``; also named
                          ``NetworkError``), with :class:`AuthenticationError` and
                          :class:`RefusedError`
========================  ==========================================================
"""

from __future__ import annotations

import asyncio
import shutil

__all__ = ["CopyServerError", "NetworkError", "AuthenticationError", "RefusedError", "from_native"]


class CopyServerError(ConnectionError):
    """A copy server could not be reached, or broke the protocol."""


NetworkError = CopyServerError  # the name py-eacopy's documentation uses


class AuthenticationError(CopyServerError):
    """The copy server refused the shared secret."""


class RefusedError(CopyServerError):
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
    if kind == "Network":
        return CopyServerError(message)
    if kind == "AuthenticationFailed":
        return AuthenticationError(message)
    if kind == "Refused":
        return RefusedError(message)
    if errno:
        if path2:
            return OSError(errno, message, path, None, path2)
        return OSError(errno, message, path or None)
    return OSError(message)
