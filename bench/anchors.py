"""What the benchmarks share: the anchors' virtual environments and the machine line."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]


def run_in_venv(venv: str, code: str, *args: str, cwd: Path | None = None) -> dict | str:
    """Runs `code` with the interpreter of ROOT/venv; returns the JSON object it prints last,
    or the reason it could not run (the tool's own last error line)."""
    python = ROOT / venv / "bin" / "python"
    if not python.exists():
        return f"{venv} is missing (bench/setup_anchors.sh could not install it)"
    proc = subprocess.run([str(python), "-c", code, *args], capture_output=True, text=True, cwd=cwd)
    if proc.returncode:
        lines = [line for line in (proc.stderr or proc.stdout).splitlines() if line[:1].isalpha()]
        return lines[-1] if lines else f"exit {proc.returncode}"
    return json.loads(proc.stdout.strip().splitlines()[-1])


def anchor_line(label: str, result: float | str, measured: Callable[[float], str]) -> str:
    """`label` and the measured figures, or why the anchor could not be measured."""
    return f"{label} {measured(result)}" if isinstance(result, float) else f"{label} not measured: {result[:100]}"


def machine_line() -> str:
    git_version = subprocess.run(["git", "--version"], capture_output=True, text=True).stdout.strip()
    return (f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}, "
            f"python {platform.python_version()}, {git_version}")
