"""GitHub's REST API (github.com, or GitHub Enterprise with ``base_url``)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from ..exceptions import ProviderError
from ._session import link_header, with_query
from .base import GitProviderClient, PageUrls
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

__all__ = ["GitHubClient"]

P = ProviderType.GITHUB


def _repo_fields(d: dict[str, Any]) -> dict[str, Any]:
    return dict(provider_type=P, name=d["name"], full_name=d["full_name"], owner=d["owner"]["login"],
                clone_url=d["clone_url"], description=d.get("description"), default_branch=d.get("default_branch"),
                language=d.get("language"), fork=bool(d.get("fork")), private=bool(d.get("private")),
                forks_count=d.get("forks_count"), stargazers_count=d.get("stargazers_count"),
                created_at=d.get("created_at"), updated_at=d.get("updated_at"), raw_data=d)


class GitHubClient(GitProviderClient):
    provider_type = P
    default_base_url = "https://api.github.com"

    def _auth_header(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "X-GitHub-Api-Version": "2022-11-28"}

    def _parse_rate_limit(self, headers: Mapping[str, str]) -> RateLimitInfo | None:
        try:
            return RateLimitInfo(provider_type=P, limit=int(headers["x-ratelimit-limit"]),
                                 remaining=int(headers["x-ratelimit-remaining"]),
                                 reset_time=int(headers["x-ratelimit-reset"]),
                                 used=int(headers.get("x-ratelimit-used", 0)))
        except (KeyError, ValueError):
            return None

    def _remaining_pages(self, data: Any, headers: Mapping[str, str], url: str) -> PageUrls | None:
        """The Link header: with rel="last" and a page number, every remaining page's URL."""
        links = link_header(headers.get("link"))
        if "next" not in links:
            return []
        last = links.get("last")
        pages = parse_qs(urlsplit(last).query).get("page") if last else None
        if not pages:
            return None  # cursor pagination: follow "next"
        first = int(parse_qs(urlsplit(url).query).get("page", ["1"])[0])
        return PageUrls(last, range(first + 1, int(pages[0]) + 1))

    def _next_page(self, data: Any, headers: Mapping[str, str]) -> str | None:
        return link_header(headers.get("link")).get("next")

    async def fetch_repositories(self, owner: str) -> list[RepoInfo]:
        """Every repository of a user or an organisation, all pages."""
        kind = await self._fetch(f"{self.base_url}/users/{quote(owner, safe='')}",
                                 lambda d: "orgs" if d.get("type") == "Organization" else "users")
        return await self._list(f"/{kind}/{quote(owner, safe='')}/repos", lambda d: RepoInfo(**_repo_fields(d)))

    async def fetch_user_info(self) -> UserInfo:
        return await self._fetch(f"{self.base_url}/user", lambda d: UserInfo(
            provider_type=P, id=str(d["id"]), login=d["login"], name=d.get("name"), email=d.get("email"),
            avatar_url=d.get("avatar_url"), raw_data=d))

    async def get_rate_limit(self) -> RateLimitInfo:
        def convert(d: Any) -> RateLimitInfo:
            core = d["resources"]["core"]
            return RateLimitInfo(provider_type=P, limit=core["limit"], remaining=core["remaining"],
                                 reset_time=core["reset"], used=core.get("used", 0), raw_data=d)

        return await self._fetch(f"{self.base_url}/rate_limit", convert)

    def _repo_path(self, owner: str, repo: str) -> str:
        return f"/repos/{quote(owner, safe='')}/{quote(repo, safe='')}"

    async def fetch_repository_details(self, owner: str, repo: str) -> RepoDetails:
        return await self._fetch(self.base_url + self._repo_path(owner, repo), lambda d: RepoDetails(
            **_repo_fields(d), topics=tuple(d.get("topics") or ()), license=(d.get("license") or {}).get("spdx_id"),
            homepage=d.get("homepage") or None, archived=bool(d.get("archived")),
            open_issues_count=d.get("open_issues_count"), size=d.get("size")))

    async def fetch_contributors(self, owner: str, repo: str) -> list[ContributorInfo]:
        return await self._list(self._repo_path(owner, repo) + "/contributors", lambda d: ContributorInfo(
            provider_type=P, login=d.get("login") or d.get("name") or "", id=str(d.get("id", "")) or None,
            contributions=d.get("contributions", 0), avatar_url=d.get("avatar_url"), raw_data=d))

    async def fetch_branches(self, owner: str, repo: str) -> list[BranchInfo]:
        return await self._list(self._repo_path(owner, repo) + "/branches", lambda d: BranchInfo(
            provider_type=P, name=d["name"], protected=bool(d.get("protected")),
            commit=CommitRef(provider_type=P, sha=d["commit"]["sha"], url=d["commit"].get("url")), raw_data=d))

    async def fetch_file_content(self, owner: str, repo: str, path: str, ref: str | None = None) -> str:
        url = with_query(f"{self.base_url}{self._repo_path(owner, repo)}/contents/{quote(path.lstrip('/'))}", ref=ref)
        def convert(d: Any) -> str:
            if not isinstance(d, dict) or d.get("type") != "file":
                raise ProviderError(f"github: {path!r} is not a file in {owner}/{repo}")
            if d.get("encoding") != "base64":
                raise ProviderError(f"github: {path!r} came without its content (too large for the contents API)")
            return base64.b64decode(d["content"]).decode("utf-8", errors="replace")

        return await self._fetch(url, convert)
