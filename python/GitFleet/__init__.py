"""GitFleet: Git repositories in bulk, with a C++ core.

>>> import asyncio
>>> from GitFleet import RepoManager
>>> commits = asyncio.run(RepoManager().extract_commits(".", include_files=True))  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from . import exceptions
from .exceptions import *  # noqa: F403  (the documented hierarchy)

if TYPE_CHECKING:
    from .blame import BlameFilters, BlameLine, BlameProgress
    from .columnar import BlameTable, HistoryTables
    from .fleet_store import FleetStore, StoreUpdate
    from .history import CommitRecord, FileChange, HistoryFilters
    from .repo_manager import RepoManager

__version__ = "0.3.0.dev0"

# Everything below loads when first asked for: the local API loads the native core (libgit2),
# the clone models pydantic, the providers pydantic and their transports (libcurl, or httpx),
# so that `import GitFleet.providers` never loads libgit2, and local work never loads httpx.
_LOCAL = {
    "RepoManager": "repo_manager", "CommitRecord": "history", "FileChange": "history",
    "HistoryFilters": "history", "BlameLine": "blame", "BlameFilters": "blame", "BlameProgress": "blame",
    "BlameTable": "columnar", "HistoryTables": "columnar", "FleetStore": "fleet_store", "StoreUpdate": "fleet_store",
}
_CLONE_MODELS = ("CloneOptions", "CloneStatus", "CloneStatusType", "CloneTask")
# The provider API at the top level too, as GitFleet 0.2.x and the seed documents import it.
_PROVIDER_NAMES = (
    "GitProviderClient", "GitHubClient", "GitLabClient", "BitBucketClient", "ProviderType", "UserInfo",
    "RepoInfo", "RepoDetails", "RateLimitInfo", "BranchInfo", "ContributorInfo", "CommitRef", "TokenManager",
    "TokenInfo", "TokenStatus", "CredentialManager", "CredentialInfo", "RateLimiter", "rate_limited", "to_dict",
    "to_json", "to_dataframe", "flatten_dataframe",
)


def __getattr__(name: str) -> object:
    if name in _LOCAL:
        return getattr(importlib.import_module(f".{_LOCAL[name]}", __name__), name)
    if name in _CLONE_MODELS:
        from .models import repo as clone

        return getattr(clone, name)
    if name in _PROVIDER_NAMES:
        from . import providers

        return getattr(providers, name)
    raise AttributeError(f"module 'GitFleet' has no attribute {name!r}")


__all__ = [*_LOCAL, *_CLONE_MODELS, *_PROVIDER_NAMES, *exceptions.__all__]
