"""The copy server as a real process on loopback (``eacopy serve``), for the tests that drive it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

TOKEN = "loopback-only-secret-6f1c"


class Server:
    """``eacopy serve`` in a subprocess; the token travels in the environment only."""

    def __init__(self, root: Path, *extra: str) -> None:
        env = {**os.environ, "EACOPY_TOKEN": TOKEN}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "py_eacopy", "serve", "--root", str(root), "--port", "0", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        line = self.proc.stdout.readline()
        assert "serving" in line, line + self.proc.stderr.read()
        self.port = int(line.rsplit(":", 1)[1])

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        out, _ = self.proc.communicate(timeout=30)
        return out

    def open_temporaries(self, root: Path) -> list[str]:
        """The server's open, not yet published files under root (O_TMPFILE shows as deleted)."""
        found = []
        for fd in os.listdir(f"/proc/{self.proc.pid}/fd"):
            try:
                target = os.readlink(f"/proc/{self.proc.pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith(str(root)) and "(deleted)" in target:
                found.append(target)
        return found
