"""Settings of the copy engine: :class:`Config`, the module-level :data:`config` that the
module functions read at call time, and the :class:`ErrorStrategy` / :class:`LogLevel` enums."""

from __future__ import annotations

import enum
import logging
import math
from dataclasses import dataclass, field, fields
from typing import Callable, Optional

from . import _eacopy

__all__ = ["Config", "ErrorStrategy", "LogLevel", "ProgressCallback", "config", "logger"]

#: ``(copied_bytes, total_bytes, filename)``: at the start and the end of every file, and
#: about ten times a second during big files. Called from the copying threads (GIL held
#: only for the call).
ProgressCallback = Callable[[int, int, str], None]

logger = logging.getLogger("py_eacopy")


class ErrorStrategy(enum.Enum):
    """What happens when one file of a batch or tree cannot be copied."""

    RAISE = "raise"  #: stop and raise the error
    RETRY = "retry"  #: try again ``retry_count`` times, ``retry_delay`` seconds apart, then raise
    IGNORE = "ignore"  #: log the failure, copy the rest, report it in the summary


class LogLevel(enum.IntEnum):
    """How much py_eacopy logs (to the ``py_eacopy`` logger)."""

    NONE = 0
    ERROR = 1
    WARNING = 2
    INFO = 3
    DEBUG = 4


_NATIVE_STRATEGY = {
    ErrorStrategy.RAISE: _eacopy.ErrorStrategy.RAISE,
    ErrorStrategy.RETRY: _eacopy.ErrorStrategy.RETRY,
    ErrorStrategy.IGNORE: _eacopy.ErrorStrategy.IGNORE,
}


@dataclass
class Config:
    """Defaults for copies. Module functions read the module-level :data:`config` each time
    they are called; :class:`~py_eacopy.EACopy` objects take theirs at construction and
    fall back to :data:`config` for what they were not given."""

    thread_count: int = 4
    compression_level: int = 0  #: network copies: zstd level 1-22, 0 to balance on throughput, -1 off
    buffer_size: int = 8 * 1024 * 1024
    error_strategy: ErrorStrategy = ErrorStrategy.RAISE
    retry_count: int = 3
    retry_delay: float = 1.0
    log_level: LogLevel = LogLevel.WARNING
    preserve_metadata: bool = True
    follow_symlinks: bool = False
    dirs_exist_ok: bool = False
    progress_callback: Optional[ProgressCallback] = field(default=None, repr=False)

    def copy(self, **changes: object) -> "Config":
        """A copy with some settings changed."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        unknown = set(changes) - set(values)
        if unknown:
            raise TypeError(f"unknown Config setting(s): {', '.join(sorted(unknown))}")
        values.update(changes)
        return Config(**values)  # type: ignore[arg-type]

    def to_native(self) -> _eacopy.Config:
        """The engine's view of these settings; raises ValueError naming a bad setting."""
        try:
            strategy = ErrorStrategy(self.error_strategy)  # the enum, or its value ("ignore")
        except ValueError:
            choices = ", ".join(repr(s.value) for s in ErrorStrategy)
            raise ValueError(f"error_strategy must be an ErrorStrategy ({choices}), not {self.error_strategy!r}") \
                from None
        if self.progress_callback is not None and not callable(self.progress_callback):
            raise ValueError("progress_callback must be callable or None")
        native = _eacopy.Config()  # the ranges are the engine's (Config::validate)
        native.thread_count = _whole("thread_count", self.thread_count, 1, 256)
        native.compression_level = _whole("compression_level", self.compression_level, -1, 22)
        native.buffer_size = _whole("buffer_size", self.buffer_size, 4096, 1 << 30)
        native.retry_count = _whole("retry_count", self.retry_count, 0, 100)
        try:
            delay = float(self.retry_delay)
        except (TypeError, ValueError):
            delay = math.nan
        if not 0 <= delay <= 3600:
            raise ValueError(f"retry_delay must be between 0 and 3600 seconds, not {self.retry_delay!r}")
        native.retry_delay = delay
        native.error_strategy = _NATIVE_STRATEGY[strategy]
        native.preserve_metadata = bool(self.preserve_metadata)
        native.follow_symlinks = bool(self.follow_symlinks)
        native.set_progress_callback(self.progress_callback)
        native.set_file_event_callback(_log_file_event if LogLevel(self.log_level) >= LogLevel.DEBUG else None)
        native.validate()
        return native


def _log_file_event(outcome: str, path: str, size: int, message: str) -> None:
    """LogLevel.DEBUG: every file's decision, as the engine makes it (from its threads)."""
    if message:
        logger.debug("%s %s: %s", outcome, path, message)
    else:
        logger.debug("%s %s (%d bytes)", outcome, path, size)


def _whole(name: str, value: object, low: int, high: int) -> int:
    """A setting that must be a whole number in [low, high]: the error names it and its range."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    return value


#: The module-level defaults, read by every module function at call time.
config = Config()
