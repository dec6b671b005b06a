"""Activity per author: commits, first and last commit, and the months with at least one
commit (in the window read; merges count, as in ``git shortlog``)."""

from __future__ import annotations

import collections
from collections.abc import Callable
from dataclasses import dataclass, field

from .dates import day, month

__all__ = ["ACTIVITY_COLUMNS", "AuthorActivity"]

ACTIVITY_COLUMNS = ("repo", "author", "commits", "first_commit", "last_commit", "active_months", "churn",
                    "lines_owned")


@dataclass
class _Author:
    commits: int = 0
    first: int = 0
    last: int = 0
    months: set[str] = field(default_factory=set)


class AuthorActivity:
    def __init__(self) -> None:
        self._authors: dict[str, _Author] = {}

    def add(self, author: str, when: int) -> None:
        a = self._authors.get(author)
        if a is None:
            a = self._authors[author] = _Author(first=when, last=when)
        a.commits += 1
        a.first, a.last = min(a.first, when), max(a.last, when)
        a.months.add(month(when))

    def __len__(self) -> int:
        return len(self._authors)

    def last_commit(self, author: str) -> int | None:
        a = self._authors.get(author)
        return a.last if a else None

    def commits(self) -> collections.Counter[str]:
        return collections.Counter({name: a.commits for name, a in self._authors.items()})

    def merge(self, other: "AuthorActivity") -> None:
        for name, b in other._authors.items():
            a = self._authors.get(name)
            if a is None:
                self._authors[name] = _Author(b.commits, b.first, b.last, set(b.months))
            else:
                a.commits += b.commits
                a.first, a.last = min(a.first, b.first), max(a.last, b.last)
                a.months |= b.months

    def state(self) -> dict[str, list]:
        """What the activity holds, as JSON data: author -> [commits, first, last, months]."""
        return {name: [a.commits, a.first, a.last, sorted(a.months)] for name, a in self._authors.items()}

    def add_state(self, state: dict[str, list], name_of: Callable[[str], str] = str) -> None:
        """Adds the commits a state was made of, each author under ``name_of(author)`` (two
        authors of the state may become one)."""
        for author, (commits, first, last, months) in state.items():
            name = name_of(author)
            a = self._authors.get(name)
            if a is None:
                self._authors[name] = _Author(commits, first, last, set(months))
            else:
                a.commits += commits
                a.first, a.last = min(a.first, first), max(a.last, last)
                a.months.update(months)

    def rows(self, repo: str, churn: collections.Counter[str], owned: collections.Counter[str]) -> list[tuple]:
        """One row per author, most commits first; authors who only own lines (their commits
        are outside the window) have 0 commits and no dates."""
        names = sorted(set(self._authors) | set(owned),
                       key=lambda n: (-(self._authors[n].commits if n in self._authors else 0), n))
        rows = []
        for name in names:
            a = self._authors.get(name)
            rows.append((repo, name, a.commits if a else 0, day(a.first) if a else "", day(a.last) if a else "",
                         len(a.months) if a else 0, churn[name], owned[name]))
        return rows
