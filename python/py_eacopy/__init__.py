"""py_eacopy: a fast file-copy engine with ``shutil``'s semantics.

>>> import py_eacopy
>>> py_eacopy.copy2("report.pdf", "/backup/")            # like shutil.copy2, atomic
>>> py_eacopy.copytree("build", "/share/build-42")        # like shutil.copytree, parallel
>>> py_eacopy.config.thread_count = 8                      # read at each call
>>> summary = py_eacopy.EACopy(dirs_exist_ok=True).copytree("build", "/share/latest", skip_unchanged=True)
>>> print(summary)                                         # Files/Bytes/Times table
>>> with py_eacopy.create_server(root="/srv/share", token=secret) as server:   # copy server
...     py_eacopy.copy_with_server("build", "nightly/42", "127.0.0.1", token=secret)

Every file is written under a temporary name and renamed, so an interrupted copy never
leaves a half-written file under its final name. Errors are the ``OSError`` family shutil
raises (see :mod:`py_eacopy.errors`).
"""

from __future__ import annotations

import atexit

from . import _eacopy
from .engine import EACopy
from .errors import CopyServerAuthenticationError, CopyServerError, CopyServerRefusedError, NetworkError, from_native
from .functions import (
    async_copy,
    async_copy2,
    async_copy_with_server,
    async_copyfile,
    async_copytree,
    async_delta_copy,
    batch_copy,
    batch_copy2,
    batch_copytree,
    copy,
    copy2,
    copy_with_server,
    copyfile,
    copytree,
    delta_copy,
)
from .server import EACopyServer, ServerStats, create_server
from .settings import Config, ErrorStrategy, LogLevel, ProgressCallback, config
from .summary import CopyFailure, CopySummary, DeltaStats, format_summary

_eacopy.set_error_factory(from_native)
atexit.register(_eacopy.shutdown)

__all__ = [
    "copy",
    "copy2",
    "copyfile",
    "copytree",
    "batch_copy",
    "batch_copy2",
    "batch_copytree",
    "delta_copy",
    "async_copy",
    "async_copy2",
    "async_copyfile",
    "async_copytree",
    "async_delta_copy",
    "copy_with_server",
    "async_copy_with_server",
    "create_server",
    "EACopyServer",
    "ServerStats",
    "EACopy",
    "Config",
    "config",
    "ErrorStrategy",
    "LogLevel",
    "ProgressCallback",
    "CopySummary",
    "CopyFailure",
    "DeltaStats",
    "format_summary",
    "CopyServerError",
    "NetworkError",
    "CopyServerAuthenticationError",
    "CopyServerRefusedError",
]
