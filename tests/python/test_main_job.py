"""`python -m GitFleet`: the main job's history summary, run as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "GitFleet", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


def test_summary_of_a_repository(rich_repo) -> None:
    result = run(str(rich_repo.path), "--top", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Repository rich-repo: ")
    assert "Test Author <author@example.com>" in result.stdout
    assert "Most changed files" in result.stdout
    assert "Lines owned today (blame of" in result.stdout
    assert "commits read" in result.stderr and "every file blamed" in result.stderr


def test_defaults_to_the_current_repository(rich_repo) -> None:
    result = run("-q", cwd=rich_repo.path / "lib")  # a subdirectory of the work tree
    assert result.returncode == 0, result.stderr
    assert "Repository rich-repo:" in result.stdout
    assert result.stderr == ""


def test_errors_are_one_clear_line(tmp_path: Path, rich_repo) -> None:
    result = run(str(tmp_path / "missing"))
    assert result.returncode == 1
    assert result.stderr.strip() == f"gitfleet: repository path does not exist: {tmp_path / 'missing'}"
    result = run(str(rich_repo.path), "--rev", "nope")
    assert result.returncode == 1
    assert "unknown revision 'nope'" in result.stderr and "Traceback" not in result.stderr
