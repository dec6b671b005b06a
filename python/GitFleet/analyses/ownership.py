"""Who owns each file and each directory: lines per author from blame at the analysed
commit; the main owner is the author of the most lines (ties: the name first in order)."""

from __future__ import annotations

import collections
import posixpath

__all__ = ["FILE_OWNER_COLUMNS", "DIRECTORY_OWNER_COLUMNS", "FileOwnership", "main_owner"]

FILE_OWNER_COLUMNS = ("repo", "path", "lines", "authors", "main_owner", "main_owner_lines", "main_owner_share")
DIRECTORY_OWNER_COLUMNS = ("repo", "directory", "files", "lines", "authors", "main_owner", "main_owner_lines",
                           "main_owner_share")


def main_owner(lines_by_author: collections.Counter[str]) -> tuple[str, int]:
    """(author, lines) of the largest owner, ("", 0) with no lines."""
    return min(lines_by_author.items(), key=lambda kv: (-kv[1], kv[0]), default=("", 0))


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


class FileOwnership:
    def __init__(self) -> None:
        self.files: dict[str, collections.Counter[str]] = {}  # text files in scope only

    def add(self, path: str, lines_by_author: collections.Counter[str]) -> None:
        self.files[path] = lines_by_author

    def lines(self, path: str) -> int:
        return sum(self.files[path].values()) if path in self.files else 0

    def merge(self, other: "FileOwnership", prefix: str) -> None:
        self.files.update({f"{prefix}/{p}": c for p, c in other.files.items()})

    def file_rows(self, repo: str) -> list[tuple]:
        rows = []
        for path in sorted(self.files):
            by_author = self.files[path]
            total = sum(by_author.values())
            owner, owned = main_owner(by_author)
            rows.append((repo, path, total, len(by_author), owner, owned, _share(owned, total)))
        return rows

    def directory_rows(self, repo: str) -> list[tuple]:
        """Every directory holding files, with the files beneath it at any depth; the
        repository's root is ".". Largest directories first."""
        per_dir: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
        files: collections.Counter[str] = collections.Counter()
        for path, by_author in self.files.items():
            d = posixpath.dirname(path)
            while True:
                per_dir[d or "."].update(by_author)
                files[d or "."] += 1
                if not d:
                    break
                d = posixpath.dirname(d)
        rows = []
        for d, by_author in per_dir.items():
            total = sum(by_author.values())
            owner, owned = main_owner(by_author)
            rows.append((repo, d, files[d], total, len(by_author), owner, owned, _share(owned, total)))
        rows.sort(key=lambda r: (-r[3], r[1]))
        return rows
