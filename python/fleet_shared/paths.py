"""Path arguments, taken as CPython's os functions take them and checked the same way by
py_eacopy and GitFleet."""

from __future__ import annotations

import os
from typing import Union

StrPath = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def checked_path(
    value: object,
    name: str,
    *,
    type_error: type[Exception] = TypeError,
    value_error: type[Exception] = ValueError,
    decode: bool = False,
) -> str | bytes:
    """``os.fspath(value)``: a ``str`` (undecodable bytes as surrogate escapes, as os.listdir
    returns them) or ``bytes`` (with ``decode``, bytes become such a str too), never empty and
    without NUL bytes; the errors name the argument. The native side takes either form and
    sees the file name's exact bytes."""
    try:
        path = os.fspath(value)  # type: ignore[arg-type]
    except TypeError:
        raise type_error(f"{name} must be a path (str, bytes or os.PathLike), not {type(value).__name__}") from None
    if not path:
        raise value_error(f"{name} must not be empty")
    if (b"\0" if isinstance(path, bytes) else "\0") in path:
        raise value_error(f"{name} contains a NUL byte: {path!r}")
    return os.fsdecode(path) if decode else path
