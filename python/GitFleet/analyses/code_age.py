"""Code age: how long ago each surviving line was last changed (its blame commit's author
date), counted from the analysed commit's date; per file the median age and the newest and
oldest lines."""

from __future__ import annotations

import bisect
import collections

from .dates import day, months_before

__all__ = ["AGE_BUCKETS", "CODE_AGE_COLUMNS", "CodeAge"]

# (label, upper bound in months; None: no bound)
AGE_BUCKETS = (("under 1 month", 1), ("1-6 months", 6), ("6-12 months", 12), ("1-2 years", 24),
               ("2-5 years", 60), ("over 5 years", None))
CODE_AGE_COLUMNS = ("repo", "path", "lines", "median_age_days", "newest_line", "oldest_line")
_DAY = 86400


class CodeAge:
    def __init__(self, reference: int | None = None) -> None:
        self.reference = reference
        self.lines_by_age: collections.Counter[str] = collections.Counter()
        self._files: list[tuple[str, int, int, int, int]] = []  # path, lines, median time, newest, oldest
        self._bounds = [(label, months_before(reference, m) if m is not None and reference is not None else None)
                        for label, m in AGE_BUCKETS]

    def add(self, path: str, times: list[int]) -> None:
        """The author times of a file's lines."""
        if not times:
            return
        ordered = sorted(times)
        # Newest bucket first: a line is as young as the first bound it is not older than. The
        # bounds only grow older, so each bucket is the run of lines just below the previous one.
        younger_than_previous = len(ordered)
        for label, since in self._bounds:
            oldest_in_bucket = 0 if since is None else bisect.bisect_left(ordered, since, 0, younger_than_previous)
            if younger_than_previous > oldest_in_bucket:
                self.lines_by_age[label] += younger_than_previous - oldest_in_bucket
            younger_than_previous = oldest_in_bucket
        median_low = ordered[(len(ordered) - 1) // 2]
        self._files.append((path, len(ordered), median_low, ordered[-1], ordered[0]))

    def merge(self, other: "CodeAge") -> None:
        self.lines_by_age.update(other.lines_by_age)

    def distribution(self) -> list[tuple[str, int]]:
        return [(label, self.lines_by_age[label]) for label, _ in AGE_BUCKETS]

    def rows(self, repo: str) -> list[tuple]:
        ref = self.reference
        return [(repo, path, n, max(0, (ref - median) // _DAY) if ref is not None else None, day(newest), day(oldest))
                for path, n, median, newest, oldest in sorted(self._files)]
