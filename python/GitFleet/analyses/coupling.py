"""Change coupling, as code-maat defines it: two files are coupled when commits change them
together. For each pair: the shared revisions, and the degree, 100 x shared / the average of
the two files' revisions (rounded down). Commits that change more than ``max_changeset``
files (mass edits, reformatting) are left out, and revisions are counted over the commits
kept; a pair is reported with an average of at least ``min_revisions``, at least
``min_shared`` shared revisions and a degree of at least ``min_degree`` (code-maat's
defaults: 5, 5, 30, 30). Paths are current paths (renames followed); only files that exist
at the analysed commit are reported."""

from __future__ import annotations

import collections
import itertools
from collections.abc import Collection, Iterable
from typing import Any

__all__ = ["COUPLING_COLUMNS", "ChangeCoupling"]

COUPLING_COLUMNS = ("repo", "path", "coupled_path", "shared_revisions", "average_revisions", "degree")


class ChangeCoupling:
    def __init__(self, max_changeset: int = 30, min_revisions: int = 5, min_shared: int = 5,
                 min_degree: int = 30) -> None:
        self.max_changeset, self.min_revisions, self.min_shared, self.min_degree = \
            max_changeset, min_revisions, min_shared, min_degree
        self.revisions: collections.Counter[str] = collections.Counter()
        # Pairs keyed by two path numbers in one int: a big history has millions of pairs.
        self._ids: dict[str, int] = {}
        self._shared: collections.Counter[int] = collections.Counter()

    def add_commit(self, paths: Iterable[str]) -> None:
        changed = set(paths)
        if not changed or len(changed) > self.max_changeset:
            return
        self.revisions.update(changed)
        ids = sorted(self._ids.setdefault(p, len(self._ids)) for p in changed)
        self._shared.update(a << 32 | b for a, b in itertools.combinations(ids, 2))

    def state(self) -> dict[str, Any]:
        """What the commits added so far left, as JSON data (the thresholds are the caller's)."""
        return {"revisions": dict(self.revisions), "paths": list(self._ids), "shared": list(self._shared.items())}

    def add_state(self, state: dict[str, Any]) -> None:
        """Adds the commits ``state`` was made of, as if added after those added so far."""
        self.revisions.update(state["revisions"])
        ids = [self._ids.setdefault(p, len(self._ids)) for p in state["paths"]]
        for key, shared in state["shared"]:
            a, b = sorted((ids[key >> 32], ids[key & 0xFFFFFFFF]))
            self._shared[a << 32 | b] += shared

    def rows(self, repo: str, current: Collection[str]) -> list[tuple]:
        """Pairs above the thresholds, the highest degree first (then most shared)."""
        paths = list(self._ids)
        rows = []
        for key, shared in self._shared.items():
            a, b = sorted((paths[key >> 32], paths[key & 0xFFFFFFFF]))
            if shared < self.min_shared or a not in current or b not in current:
                continue
            both = self.revisions[a] + self.revisions[b]
            degree = 200 * shared // both
            if both >= 2 * self.min_revisions and degree >= self.min_degree:
                rows.append((repo, a, b, shared, both / 2, degree))
        rows.sort(key=lambda r: (-r[5], -r[3], r[1], r[2]))
        return rows
