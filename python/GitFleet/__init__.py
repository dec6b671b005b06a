"""GitFleet: Git repositories in bulk, with a C++ core.

>>> import asyncio
>>> from GitFleet import RepoManager
>>> commits = asyncio.run(RepoManager().extract_commits(".", include_files=True))  # doctest: +SKIP
"""

from . import exceptions
from .blame import BlameFilters, BlameLine
from .exceptions import *  # noqa: F403  (the documented hierarchy)
from .history import CommitRecord, FileChange, HistoryFilters
from .repo_manager import RepoManager

__version__ = "0.3.0.dev0"

_CLONE_MODELS = ("CloneOptions", "CloneStatus", "CloneStatusType", "CloneTask")


def __getattr__(name: str) -> object:
    # The clone models are pydantic models: loaded when first asked for, so that local work
    # (history, blame) starts without importing pydantic.
    if name in _CLONE_MODELS:
        from . import clone

        return getattr(clone, name)
    raise AttributeError(f"module 'GitFleet' has no attribute {name!r}")


__all__ = [
    "RepoManager", "CommitRecord", "FileChange", "HistoryFilters", "BlameLine", "BlameFilters",
    "CloneOptions", "CloneStatus", "CloneStatusType", "CloneTask", *exceptions.__all__,
]
