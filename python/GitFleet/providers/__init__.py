"""Provider clients (GitHub, GitLab, Bitbucket): work in progress (issue 5). Available so far:
the result models and the TokenManager."""

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

__all__ = ["ProviderType", "UserInfo", "RepoInfo", "RepoDetails", "RateLimitInfo", "BranchInfo", "ContributorInfo",
           "CommitRef", "TokenManager", "TokenInfo", "TokenStatus"]
