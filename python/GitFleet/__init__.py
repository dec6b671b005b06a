"""GitFleet: Git repositories in bulk, with a C++ core.

>>> import asyncio
>>> from GitFleet import RepoManager
>>> commits = asyncio.run(RepoManager().extract_commits(".", include_files=True))  # doctest: +SKIP
"""

from . import exceptions
from .blame import BlameFilters, BlameLine, BlameProgress
from .columnar import BlameTable, HistoryTables
from .fleet_store import FleetStore, StoreUpdate
from .exceptions import *  # noqa: F403  (the documented hierarchy)
from .history import CommitRecord, FileChange, HistoryFilters
from .repo_manager import RepoManager

__version__ = "0.3.0.dev0"

_CLONE_MODELS = ("CloneOptions", "CloneStatus", "CloneStatusType", "CloneTask")
# The provider API at the top level too, as GitFleet 0.2.x and the seed documents import it.
_PROVIDER_NAMES = (
    "GitProviderClient", "GitHubClient", "GitLabClient", "BitBucketClient", "ProviderType", "UserInfo",
    "RepoInfo", "RepoDetails", "RateLimitInfo", "BranchInfo", "ContributorInfo", "CommitRef", "TokenManager",
    "TokenInfo", "TokenStatus", "CredentialManager", "CredentialInfo", "RateLimiter", "rate_limited", "to_dict",
    "to_json", "to_dataframe", "flatten_dataframe",
)


def __getattr__(name: str) -> object:
    # Both load pydantic (and the providers httpx): imported when first asked for, so that
    # local work (history, blame) starts without them.
    if name in _CLONE_MODELS:
        from .models import repo as clone

        return getattr(clone, name)
    if name in _PROVIDER_NAMES:
        from . import providers

        return getattr(providers, name)
    raise AttributeError(f"module 'GitFleet' has no attribute {name!r}")


__all__ = [
    "RepoManager", "CommitRecord", "FileChange", "HistoryFilters", "BlameLine", "BlameFilters", "BlameProgress",
    "BlameTable", "HistoryTables", "FleetStore", "StoreUpdate",
    *_CLONE_MODELS, *_PROVIDER_NAMES, *exceptions.__all__,
]
