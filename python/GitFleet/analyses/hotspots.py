"""Hotspots: files that change often, against their size. Revisions are the commits that
changed a file and churn the lines they added and deleted (merges left out unless counted in
churn, renames followed under the current path); size is the file's lines today. Only files
that exist at the analysed commit, in scope and not binary."""

from __future__ import annotations

import collections

from .ownership import FileOwnership

__all__ = ["HOTSPOT_COLUMNS", "hotspots"]

HOTSPOT_COLUMNS = ("repo", "path", "revisions", "churn", "lines", "churn_per_line")


def hotspots(repo: str, revisions: collections.Counter[str], churn: collections.Counter[str],
             ownership: FileOwnership) -> list[tuple]:
    """Most revisions first (then most churn)."""
    rows = []
    for path in ownership.files:
        lines = ownership.lines(path)
        rows.append((repo, path, revisions[path], churn[path], lines,
                     round(churn[path] / lines, 2) if lines else 0.0))
    rows.sort(key=lambda r: (-r[2], -r[3], r[1]))
    return rows
