"""Knowledge loss: lines whose author has been inactive for N months, meaning no commit in
the N calendar months before the analysed commit (among the commits read: with a window, an
author whose last commit is before it counts as inactive)."""

from __future__ import annotations

import collections
from dataclasses import dataclass

from .dates import months_before
from .activity import AuthorActivity
from .ownership import FileOwnership, main_owner

__all__ = ["KNOWLEDGE_LOSS_COLUMNS", "DEFAULT_INACTIVE_MONTHS", "KnowledgeLoss", "knowledge_loss"]

KNOWLEDGE_LOSS_COLUMNS = ("repo", "path", "lines", "inactive_lines", "inactive_share", "main_owner",
                          "main_owner_inactive")
DEFAULT_INACTIVE_MONTHS = 12


@dataclass
class KnowledgeLoss:
    months: int
    lines: int = 0
    inactive_lines: int = 0
    files: int = 0
    files_with_inactive_owner: int = 0  # the main owner is inactive
    inactive_authors: int = 0  # of the authors owning lines

    @property
    def share(self) -> float:
        return self.inactive_lines / self.lines if self.lines else 0.0

    def merge(self, other: "KnowledgeLoss") -> None:
        for name in ("lines", "inactive_lines", "files", "files_with_inactive_owner", "inactive_authors"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def knowledge_loss(repo: str, ownership: FileOwnership, activity: AuthorActivity, reference: int | None,
                   months: int) -> tuple[KnowledgeLoss, list[tuple]]:
    """The summary and one row per file, the most inactive lines first."""
    cutoff = months_before(reference, months) if reference is not None else None

    def inactive(author: str) -> bool:
        last = activity.last_commit(author)
        return last is None or (cutoff is not None and last < cutoff)

    summary = KnowledgeLoss(months)
    owners: set[str] = set()
    rows = []
    for path, by_author in ownership.files.items():
        total = sum(by_author.values())
        gone = sum(n for author, n in by_author.items() if inactive(author))
        owner, _ = main_owner(by_author)
        owner_gone = bool(owner) and inactive(owner)  # an empty file has no owner to lose
        owners.update(by_author)
        summary.lines += total
        summary.inactive_lines += gone
        summary.files += 1
        summary.files_with_inactive_owner += owner_gone
        rows.append((repo, path, total, gone, round(gone / total, 4) if total else 0.0, owner, owner_gone))
    summary.inactive_authors = sum(map(inactive, owners))
    rows.sort(key=lambda r: (-r[3], r[1]))
    return summary, rows
