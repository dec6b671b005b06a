"""The history half of a repository's analysis (every figure :meth:`RepoAnalysis.add_commits`
sums), kept in the fleet store so that the next analysis of a repository whose HEAD moved reads
only the new commits and adds the kept figures after them.

The figures are sums over commits except where order counts: a rename re-keys a file's older
commits (history is read newest first), ties among equal counts keep the order their keys
came in, and ``merge_emails`` names a person after the newest commit. So kept figures are
taken up only when the result is, row for row, that of reading every commit again: the whole
history is analysed (no window) without ``merge_emails``; the options that shape the sums are
those the figures were made with; the older commits keep, in log's order, the order the
figures were made in (a digest of that order); either the new commits all come first (their
renames then re-key the kept figures' files as reading them again would; no two kept paths may
become one), or, when log shows some among the older ones (a side branch's commits dated before
the stored head), nothing up to the last new one renames a file; and every path and identity
the figures met is still judged as it was (scope under its current name, .mailmap). Otherwise
the history is read again, and the figures kept replaced. What reads the figures orders ties
by name, never by the order the counts came in."""

from __future__ import annotations

import collections
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .activity import AuthorActivity

if TYPE_CHECKING:
    from .repository import RepoAnalysis

__all__ = ["FIGURES_VERSION", "options_key", "walk_digest", "figures_of", "judged_alike", "add_older"]

FIGURES_VERSION = 1  # raised whenever what add_commits sums, or how, changes
_SUMS = ("commits", "merges", "additions", "deletions", "bot_commits")
_PATH_COUNTERS = ("churn_by_file", "revisions_by_file")
_COUNTERS = ("commits_by_month", "churn_by_author", *_PATH_COUNTERS)


def options_key(analysis: RepoAnalysis) -> str:
    """The options the figures depend on (the coupling's other thresholds apply later)."""
    from .. import __version__

    scope = analysis.scope
    return json.dumps({"figures": FIGURES_VERSION, "gitfleet": __version__, "include_merges": analysis.include_merges,
                       "exclude_bots": analysis.exclude_bots, "max_changeset": analysis.coupling.max_changeset,
                       "include": scope.include, "exclude": scope.exclude, "vendored": scope.vendored},
                      sort_keys=True)


def walk_digest(shas: Iterable[str]) -> str:
    """Which commits, in which order."""
    digest = hashlib.sha256()
    for sha in shas:
        digest.update(sha.encode("ascii") + b"\n")
    return digest.hexdigest()


def figures_of(analysis: RepoAnalysis) -> dict[str, Any]:
    """The history figures of ``analysis`` as JSON data, with the paths and identities they met
    and how they were judged."""
    return {"sums": {name: getattr(analysis, name) for name in _SUMS}, "first": analysis.first,
            "last": analysis.last, **{name: dict(getattr(analysis, name)) for name in _COUNTERS},
            "activity": analysis.activity.state(), "coupling": analysis.coupling.state(),
            "identities": [[name, email, who] for (name, email), who in analysis.identities.known().items()],
            "scope": analysis.scope.decisions()}


def judged_alike(analysis: RepoAnalysis, figures: dict[str, Any], renamed: dict[str, str]) -> bool:
    """Whether every path and identity the figures met is judged now as it was then, a path
    under the name ``renamed`` (the newer commits' renames) gives it; and no two of their
    paths become one (a commit changing both would count them once)."""
    paths = figures["scope"]
    current = {renamed.get(path, path) for path in paths}
    return len(current) == len(paths) and \
        all(analysis.scope(renamed.get(path, path)) == counted for path, counted in paths.items()) and \
        all(analysis.identities(name, email) == who for name, email, who in figures["identities"])


def add_older(analysis: RepoAnalysis, figures: dict[str, Any], renamed: dict[str, str]) -> None:
    """Adds the figures of older commits after the commits ``analysis`` holds, their files
    under the names ``renamed`` (the newer commits' renames) gives them."""
    if renamed:
        figures = {**figures, **{name: {renamed.get(path, path): n for path, n in figures[name].items()}
                                 for name in _PATH_COUNTERS}}
        coupling = figures["coupling"]
        figures["coupling"] = {**coupling, "paths": [renamed.get(path, path) for path in coupling["paths"]],
                               "revisions": {renamed.get(path, path): n for path, n in coupling["revisions"].items()}}
    for name in _SUMS:
        setattr(analysis, name, getattr(analysis, name) + figures["sums"][name])
    for bound, pick in (("first", min), ("last", max)):
        values = [v for v in (getattr(analysis, bound), figures[bound]) if v is not None]
        setattr(analysis, bound, pick(values) if values else None)
    for name in _COUNTERS:
        counter: collections.Counter[str] = getattr(analysis, name)
        counter.update(figures[name])
    analysis.activity.merge(AuthorActivity.from_state(figures["activity"]))
    analysis.coupling.add_state(figures["coupling"])
