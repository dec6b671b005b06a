"""GitFleet's side of the async bridge (shared with py_eacopy): the native error factory,
shutdown of native jobs at exit, and ``run_native``."""

from __future__ import annotations

import atexit

from py_eacopy._async_bridge import OnDone, run_native

from . import _native
from .exceptions import from_native

__all__ = ["OnDone", "run_native"]

_native.set_error_factory(from_native)
atexit.register(_native.shutdown)
