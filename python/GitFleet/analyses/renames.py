"""Files under their names at the analysed commit: history is read newest first, so a file's
later name is known when its rename is reached, and its older commits count under that name."""

from __future__ import annotations

__all__ = ["CurrentNames"]


class CurrentNames:
    def __init__(self) -> None:
        self.later: dict[str, str] = {}  # a name a file had before a rename -> its current one

    def of(self, path: str, old_path: str | None, change_type: str) -> str:
        """The current name of ``path`` as a commit changed it (commits given newest first)."""
        current = self.later.get(path, path)
        if change_type == "R" and old_path:
            self.later[old_path] = current
        return current
