"""Provider clients for GitHub, GitLab and Bitbucket behind one interface (GitProviderClient),
each on two transports: native (the C++ core's libcurl client, JSON by simdjson, the GIL
free) by default, or pure Python (httpx) with ``use_python_impl=True``; ``client.implementation``
says which. Token rotation (TokenManager), rate limits, retries, ETags: docs/providers.md."""

from ._session import RetryPolicy
from .base import GitProviderClient
from .bitbucket import BitBucketClient
from .github import GitHubClient
from .gitlab import GitLabClient
from ..models.common import (
    BranchInfo,
    CommitRef,
    ContributorInfo,
    ProviderType,
    RateLimitInfo,
    RepoDetails,
    RepoInfo,
    UserInfo,
)
from .token_manager import TokenInfo, TokenManager, TokenStatus
from ..utils.auth import CredentialInfo, CredentialManager
from ..utils.converters import flatten_dataframe, to_dataframe, to_dict, to_json
from ..utils.rate_limit import RateLimiter, rate_limited

__all__ = ["ProviderType", "UserInfo", "RepoInfo", "RepoDetails", "RateLimitInfo", "BranchInfo", "ContributorInfo",
           "CommitRef", "TokenManager", "TokenInfo", "TokenStatus", "GitProviderClient", "GitHubClient", "GitLabClient", "BitBucketClient", "RetryPolicy", "CredentialManager",
           "CredentialInfo", "RateLimiter", "rate_limited", "to_dict", "to_json", "to_dataframe", "flatten_dataframe"]
