"""A plain-text summary of a repository's history: the first analysis built on the history
engine (the command line's `history` command prints it)."""

from __future__ import annotations

import collections
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from .blame import BlameLine
from .exceptions import BlameError
from .history import CommitRecord


@dataclass
class HistorySummary:
    repo_name: str = ""
    commits: int = 0
    merges: int = 0
    additions: int = 0
    deletions: int = 0
    first: int | None = None
    last: int | None = None
    commits_by_author: collections.Counter[str] = field(default_factory=collections.Counter)
    lines_by_author: collections.Counter[str] = field(default_factory=collections.Counter)
    churn_by_file: collections.Counter[str] = field(default_factory=collections.Counter)
    commits_by_month: collections.Counter[str] = field(default_factory=collections.Counter)
    lines_owned: collections.Counter[str] = field(default_factory=collections.Counter)  # from blame at rev

    def add(self, batch: Iterable[CommitRecord]) -> None:
        for c in batch:
            self.repo_name = c.repo_name
            self.commits += 1
            self.merges += c.is_merge
            self.additions += c.additions
            self.deletions += c.deletions
            when = c.author_timestamp
            self.first = when if self.first is None else min(self.first, when)
            self.last = when if self.last is None else max(self.last, when)
            author = f"{c.author_name} <{c.author_email}>"
            self.commits_by_author[author] += 1
            self.lines_by_author[author] += c.additions + c.deletions
            self.commits_by_month[dt.datetime.fromtimestamp(when, dt.timezone.utc).strftime("%Y-%m")] += 1
            for f in c.files:
                self.churn_by_file[f.path] += f.additions + f.deletions

    def add_blame(self, blame: dict[str, list[BlameLine] | BlameError]) -> None:
        for lines in blame.values():
            if isinstance(lines, list):
                for line in lines:
                    self.lines_owned[f"{line.author_name} <{line.author_email}>"] += 1

    def render(self, top: int = 10) -> str:
        def day(ts: int | None) -> str:
            return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%d") if ts is not None else "-"

        lines = [
            f"Repository {self.repo_name}: {self.commits} commits ({self.merges} merges), "
            f"+{self.additions} -{self.deletions} lines, {day(self.first)} .. {day(self.last)}",
            "",
            "Authors by commits:",
        ]
        for author, n in self.commits_by_author.most_common(top):
            lines.append(f"  {n:6d} commits {self.lines_by_author[author]:9d} lines changed  {author}")
        if self.lines_owned:
            total = sum(self.lines_owned.values())
            lines += ["", f"Lines owned today (blame of {total} lines):"]
            for author, n in self.lines_owned.most_common(top):
                lines.append(f"  {n:9d} {100 * n / total:5.1f}%  {author}")
        lines += ["", "Most changed files (lines added + deleted):"]
        for path, n in self.churn_by_file.most_common(top):
            lines.append(f"  {n:9d}  {path}")
        if self.commits_by_month:
            lines += ["", "Commits per month:"]
            peak = max(self.commits_by_month.values())
            for month in sorted(self.commits_by_month)[-24:]:
                n = self.commits_by_month[month]
                lines.append(f"  {month} {n:6d} {'#' * max(1, round(40 * n / peak))}")
        return "\n".join(lines)
