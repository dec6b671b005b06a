"""The data models (pydantic): provider API answers (:mod:`.common`) and fleet cloning
(:mod:`.repo`)."""

from .common import (
    BranchInfo,
    CommitRef,
    ContributorInfo,
    ProviderType,
    RateLimitInfo,
    RepoDetails,
    RepoInfo,
    UserInfo,
)
from .repo import CloneOptions, CloneStatus, CloneStatusType, CloneTask

__all__ = ["ProviderType", "UserInfo", "RepoInfo", "RepoDetails", "RateLimitInfo", "BranchInfo", "ContributorInfo",
           "CommitRef", "CloneOptions", "CloneStatus", "CloneStatusType", "CloneTask"]
