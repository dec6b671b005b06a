"""Progress of a long copy for the ``eacopy`` command: files done and bytes copied so far,
from the engine's per-file progress callback (called from several copy threads at once), on
stderr at most once a second: one line rewritten in place on a terminal, plain lines when
piped. Copies that end within a second print nothing until the final line."""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

__all__ = ["CopyProgress"]

_INTERVAL = 1.0


def _mib(n: int) -> str:
    return f"{n / (1 << 20):,.1f} MiB"


class CopyProgress:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._terminal = self._stream.isatty()
        self._lock = threading.Lock()
        self._partial: dict[str, int] = {}  # files being copied: bytes so far
        self.files = 0
        self.bytes_done = 0  # of finished files
        self._start = self._last = time.monotonic()

    def __call__(self, copied: int, total: int, name: str) -> None:
        with self._lock:
            if copied >= total:
                self._partial.pop(name, None)
                self.files += 1
                self.bytes_done += total
            else:
                self._partial[name] = copied
            now = time.monotonic()
            if now - self._last >= _INTERVAL:
                self._last = now
                self._show(self._line(now), final=False)

    def _line(self, now: float) -> str:
        copied = self.bytes_done + sum(self._partial.values())
        rate = copied / max(now - self._start, 1e-9)
        files = f"{self.files:,} file{'' if self.files == 1 else 's'}"
        return f"eacopy: {files} and {_mib(copied)} copied ({_mib(int(rate))}/s)"

    def _show(self, line: str, final: bool) -> None:
        if self._terminal:
            self._stream.write("\r\x1b[K" + line + ("\n" if final else ""))
        else:
            self._stream.write(line + "\n")
        self._stream.flush()

    def finish(self) -> None:
        """The last line: what was copied in all."""
        with self._lock:
            self._show(self._line(time.monotonic()), final=True)
