"""Path arguments, checked the same way by py_eacopy and GitFleet."""

from __future__ import annotations

import os
from typing import Union

StrPath = Union[str, "os.PathLike[str]"]


def checked_path(
    value: object, name: str, *, type_error: type[Exception] = TypeError, value_error: type[Exception] = ValueError
) -> str:
    """``value`` as a non-empty ``str`` path (bytes are decoded as the filesystem does);
    the errors name the argument."""
    try:
        path = os.fspath(value)  # type: ignore[arg-type]
    except TypeError:
        raise type_error(f"{name} must be a path (str or os.PathLike), not {type(value).__name__}") from None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not path:
        raise value_error(f"{name} must not be empty")
    return path
