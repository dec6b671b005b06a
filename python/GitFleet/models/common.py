"""The provider clients' results: pydantic v2 models, frozen, each keeping the provider's own
JSON in ``raw_data`` (left out of reprs and comparisons)."""

from __future__ import annotations

import enum
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ProviderType", "UserInfo", "RepoInfo", "RepoDetails", "RateLimitInfo", "BranchInfo",
           "ContributorInfo", "CommitRef"]


class ProviderType(str, enum.Enum):
    GITHUB = "github"
    GITLAB = "gitlab"
    BITBUCKET = "bitbucket"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    provider_type: ProviderType
    raw_data: dict[str, Any] = Field(default_factory=dict, repr=False)

    def _key(self) -> tuple[Any, ...]:
        return tuple(v for k, v in self.__dict__.items() if k != "raw_data")

    # Equal when the parsed fields are: two backends may keep different raw JSON (key order,
    # fields a provider adds) for the same object.
    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self._key() == other._key()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self._key()))


class UserInfo(_Model):
    id: str
    login: str
    name: Optional[str] = None
    email: Optional[str] = None
    avatar_url: Optional[str] = None


class RepoInfo(_Model):
    name: str
    full_name: str
    owner: str
    clone_url: str
    description: Optional[str] = None
    default_branch: Optional[str] = None
    language: Optional[str] = None
    fork: bool = False
    private: bool = False
    forks_count: Optional[int] = None
    stargazers_count: Optional[int] = None
    created_at: Optional[str] = None
    updated_at: Optional[str] = None


class RepoDetails(RepoInfo):
    topics: tuple[str, ...] = ()
    license: Optional[str] = None
    homepage: Optional[str] = None
    archived: bool = False
    open_issues_count: Optional[int] = None
    size: Optional[int] = None  # KiB, as the providers report it


class RateLimitInfo(_Model):
    limit: int
    remaining: int
    reset_time: int  # Unix seconds
    used: int = 0


class CommitRef(_Model):
    sha: str
    url: Optional[str] = None


class BranchInfo(_Model):
    name: str
    commit: CommitRef
    protected: bool = False


class ContributorInfo(_Model):
    login: str
    id: Optional[str] = None
    contributions: int = 0
    avatar_url: Optional[str] = None
