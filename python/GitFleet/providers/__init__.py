"""Provider clients: work in progress (issue 5). Available so far: the result models, the
TokenManager, the GitProviderClient interface, GitHubClient, GitLabClient and BitBucketClient
on the pure-Python (httpx) transport. The native (C++) transport is not built yet."""

from ._session import RetryPolicy
from .base import GitProviderClient
from .bitbucket import BitBucketClient
from .credentials import CredentialInfo, CredentialManager
from .github import GitHubClient
from .gitlab import GitLabClient
from .models import (
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
from .utils import (
    RateLimiter,
    flatten_dataframe,
    rate_limited,
    to_dataframe,
    to_dict,
    to_json,
)

__all__ = ["ProviderType", "UserInfo", "RepoInfo", "RepoDetails", "RateLimitInfo", "BranchInfo", "ContributorInfo",
           "CommitRef", "TokenManager", "TokenInfo", "TokenStatus", "GitProviderClient", "GitHubClient", "GitLabClient", "BitBucketClient", "RetryPolicy", "CredentialManager",
           "CredentialInfo", "RateLimiter", "rate_limited", "to_dict", "to_json", "to_dataframe", "flatten_dataframe"]
