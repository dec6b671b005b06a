"""GitFleet: Git repositories in bulk, with a C++ core.

>>> import asyncio
>>> from GitFleet import RepoManager
>>> commits = asyncio.run(RepoManager().extract_commits(".", include_files=True))  # doctest: +SKIP
"""

from . import exceptions
from .blame import BlameFilters, BlameLine
from .clone import CloneOptions, CloneStatus, CloneStatusType, CloneTask
from .exceptions import *  # noqa: F403  (the documented hierarchy)
from .history import CommitRecord, FileChange, HistoryFilters
from .repo_manager import RepoManager

__version__ = "0.3.0.dev0"

__all__ = [
    "RepoManager", "CommitRecord", "FileChange", "HistoryFilters", "BlameLine", "BlameFilters",
    "CloneOptions", "CloneStatus", "CloneStatusType", "CloneTask", *exceptions.__all__,
]
