"""Bitbucket Cloud's REST API 2.0 (``base_url`` for another server speaking it)."""

from __future__ import annotations

import collections
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..exceptions import ProviderError
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

__all__ = ["BitBucketClient"]

P = ProviderType.BITBUCKET


def _repo_fields(d: dict[str, Any]) -> dict[str, Any]:
    clone = next((c["href"] for c in d.get("links", {}).get("clone", []) if c.get("name") == "https"), "")
    return dict(provider_type=P, name=d["slug"], full_name=d["full_name"],
                owner=(d.get("workspace") or {}).get("slug") or d["full_name"].split("/")[0], clone_url=clone,
                description=d.get("description") or None, default_branch=(d.get("mainbranch") or {}).get("name"),
                language=d.get("language") or None, fork="parent" in d, private=bool(d.get("is_private")),
                created_at=d.get("created_on"), updated_at=d.get("updated_on"), raw_data=d)


class BitBucketClient(GitProviderClient):
    provider_type = P
    default_base_url = "https://api.bitbucket.org/2.0"

    def _auth_header(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def _parse_rate_limit(self, headers: Mapping[str, str]) -> RateLimitInfo | None:
        # Bitbucket Cloud states the limit but not what is left; a server that does is used.
        try:
            return RateLimitInfo(provider_type=P, limit=int(headers["x-ratelimit-limit"]),
                                 remaining=int(headers["x-ratelimit-remaining"]),
                                 reset_time=int(headers["x-ratelimit-reset"]))
        except (KeyError, ValueError):
            return None

    page_size_param = "pagelen"

    def _page_items(self, data: Any) -> list[Any]:
        if not isinstance(data, dict) or not isinstance(data.get("values"), list):
            raise ProviderError("bitbucket: expected a values/next envelope")
        return data["values"]

    def _remaining_pages(self, data: Any, headers: Mapping[str, str], url: str) -> PageUrls | None:
        """The values/next envelope: with ``size`` and ``pagelen`` every page is known."""
        if not data.get("next"):
            return []
        try:
            pages = math.ceil(int(data["size"]) / int(data["pagelen"]))
            page = int(data.get("page", 1))
        except (KeyError, TypeError, ValueError):
            return None
        return PageUrls(url, range(page + 1, pages + 1))

    def _next_page(self, data: Any, headers: Mapping[str, str]) -> str | None:
        return data.get("next")

    def _repo(self, owner: str, repo: str) -> str:
        return f"/repositories/{quote(owner, safe='')}/{quote(repo, safe='')}"

    async def fetch_repositories(self, owner: str) -> list[RepoInfo]:
        """Every repository of a workspace, all pages."""
        return await self._list(f"/repositories/{quote(owner, safe='')}", lambda d: RepoInfo(**_repo_fields(d)))

    async def fetch_user_info(self) -> UserInfo:
        return await self._fetch(f"{self.base_url}/user", lambda d: UserInfo(
            provider_type=P, id=d.get("uuid") or d.get("account_id", ""), login=d.get("username") or d.get("nickname", ""),
            name=d.get("display_name"), avatar_url=(d.get("links", {}).get("avatar") or {}).get("href"), raw_data=d))

    async def get_rate_limit(self) -> RateLimitInfo:
        _, headers = await self._get(f"{self.base_url}/user")
        limit = self._parse_rate_limit(headers)
        if limit is None:
            raise ProviderError("bitbucket: the server does not report the remaining quota "
                                "(Bitbucket Cloud answers 429 when it is used up)")
        return limit

    async def fetch_repository_details(self, owner: str, repo: str) -> RepoDetails:
        return await self._fetch(self.base_url + self._repo(owner, repo), lambda d: RepoDetails(
            **_repo_fields(d), homepage=d.get("website") or None, size=(d.get("size") or 0) // 1024 or None))

    async def fetch_contributors(self, owner: str, repo: str) -> list[ContributorInfo]:
        """Bitbucket has no contributors endpoint: commit authors, counted over every commit."""
        counts: collections.Counter[str] = collections.Counter()
        users: dict[str, dict[str, Any]] = {}
        for author in await self._list(self._repo(owner, repo) + "/commits", lambda c: c.get("author") or {}):
            key = (author.get("user") or {}).get("nickname") or author.get("raw", "")
            counts[key] += 1
            users.setdefault(key, author)
        return [ContributorInfo(provider_type=P, login=key, id=(users[key].get("user") or {}).get("uuid"),
                                contributions=n, raw_data=users[key]) for key, n in counts.most_common()]

    async def fetch_branches(self, owner: str, repo: str) -> list[BranchInfo]:
        return await self._list(self._repo(owner, repo) + "/refs/branches", lambda d: BranchInfo(
            provider_type=P, name=d["name"], commit=CommitRef(
                provider_type=P, sha=d["target"]["hash"],
                url=(d["target"].get("links", {}).get("html") or {}).get("href")), raw_data=d))

    async def fetch_file_content(self, owner: str, repo: str, path: str, ref: str | None = None) -> str:
        if ref is None:
            ref = (await self.fetch_repository_details(owner, repo)).default_branch or "HEAD"
        body, _ = await self._session.get_json(
            f"{self.base_url}{self._repo(owner, repo)}/src/{quote(ref, safe='')}/{quote(path.lstrip('/'))}",
            decode=False)
        return body.decode("utf-8", errors="replace")
