"""GitFleet: Git repositories in bulk, with a C++ core.

>>> import asyncio
>>> from GitFleet import RepoManager
>>> commits = asyncio.run(RepoManager().extract_commits(".", include_files=True))  # doctest: +SKIP
"""

from .exceptions import (
    AuthenticationError,
    BlameError,
    CloneError,
    GitFleetError,
    GitFleetOSError,
    GitObjectError,
    InvalidArgumentError,
    NetworkError,
    ProviderError,
    RateLimitError,
    RepositoryError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)
from .history import CommitRecord, FileChange
from .repo_manager import RepoManager

__version__ = "0.3.0.dev0"

__all__ = [
    "RepoManager",
    "CommitRecord",
    "FileChange",
    "GitFleetError",
    "InvalidArgumentError",
    "RepositoryError",
    "RepositoryNotFoundError",
    "RevisionNotFoundError",
    "GitObjectError",
    "GitFleetOSError",
    "CloneError",
    "BlameError",
    "AuthenticationError",
    "NetworkError",
    "RateLimitError",
    "ProviderError",
]
