"""The history half of a repository's analysis (every figure :meth:`RepoAnalysis.add_commits`
sums), kept in the fleet store so that the next analysis of a repository whose HEAD moved reads
only the new commits and adds the kept figures after them.

The figures are sums over commits except where order counts: a rename re-keys a file's older
commits (history is read newest first), and ``merge_emails`` names a person after the newest
commit. So kept figures are taken up only when the result is, row for row, that of reading
every commit again:

- the whole history is analysed (no window), without ``merge_emails``, with the options that
  shape the sums the figures were made with;
- the older commits come, in log's order, in the order the figures were made in (a digest);
- the new commits come first (their renames then re-key the kept figures' files, and no two
  kept paths may become one), or, where log shows some among the older ones (a side branch's
  commits dated before the stored head), those rename nothing (an older commit's rename shown
  before one of them is followed, as reading every commit would);
- every path the figures met is in scope or not, under its current name, as it was.

Authors are kept as committed and named by the .mailmap of the analysis that takes them up.
Otherwise every commit is read again and the kept figures replaced. What reads the figures
orders ties by name, never by the order the counts came in."""

from __future__ import annotations

import collections
import hashlib
import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any


if TYPE_CHECKING:
    from .repository import RepoAnalysis

__all__ = ["FIGURES_VERSION", "options_key", "walk_digest", "figures_of", "judged_alike", "add_older"]

FIGURES_VERSION = 2  # raised whenever what add_commits sums, or how, changes
_SUMS = ("commits", "merges", "additions", "deletions", "bot_commits")
_PATH_COUNTERS = ("churn_by_file", "revisions_by_file")
_COUNTERS = ("commits_by_month", *_PATH_COUNTERS)


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
    """The history figures of ``analysis`` as JSON data, authors as committed, with the paths
    they met and whether each was in scope."""
    return {"sums": {name: getattr(analysis, name) for name in _SUMS}, "first": analysis.first,
            "last": analysis.last, **{name: dict(getattr(analysis, name)) for name in _COUNTERS},
            "activity": analysis.activity_as_committed.state(), "churn": dict(analysis.churn_as_committed),
            "coupling": analysis.coupling.state(), "scope": analysis.scope.decisions()}


def judged_alike(analysis: RepoAnalysis, figures: dict[str, Any], renamed: dict[str, str]) -> bool:
    """Whether every path the figures met is judged now as it was then, under the name
    ``renamed`` (the newer commits' renames) gives it; and no two of them become one (a commit
    changing both would count them once)."""
    paths = figures["scope"]
    current = {renamed.get(path, path) for path in paths}
    return len(current) == len(paths) and \
        all(analysis.scope(renamed.get(path, path)) == counted for path, counted in paths.items())


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
    # Authors as committed, named by this analysis' .mailmap (which may have changed since).
    def person(as_committed: str) -> str:
        return analysis.identities(*as_committed.split("\n", 1))

    analysis.activity.add_state(figures["activity"], person)
    analysis.activity_as_committed.add_state(figures["activity"])
    for as_committed, n in figures["churn"].items():
        analysis.churn_by_author[person(as_committed)] += n
    analysis.churn_as_committed.update(figures["churn"])
    analysis.coupling.add_state(figures["coupling"])
