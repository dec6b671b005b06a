"""GitLab's REST API v4 (gitlab.com, or a self-hosted instance with ``base_url`` ending in
``/api/v4``)."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from ..exceptions import NotFoundError, ProviderError
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

__all__ = ["GitLabClient"]

P = ProviderType.GITLAB


def _project_fields(d: dict[str, Any]) -> dict[str, Any]:
    return dict(provider_type=P, name=d["path"], full_name=d["path_with_namespace"],
                owner=d["namespace"]["full_path"], clone_url=d["http_url_to_repo"], description=d.get("description"),
                default_branch=d.get("default_branch"), language=None, fork="forked_from_project" in d,
                private=d.get("visibility", "public") != "public", forks_count=d.get("forks_count"),
                stargazers_count=d.get("star_count"), created_at=d.get("created_at"),
                updated_at=d.get("last_activity_at"), raw_data=d)


class GitLabClient(GitProviderClient):
    provider_type = P
    default_base_url = "https://gitlab.com/api/v4"

    def _auth_header(self, token: str) -> dict[str, str]:
        return {"PRIVATE-TOKEN": token}

    def _parse_rate_limit(self, headers: Mapping[str, str]) -> RateLimitInfo | None:
        try:
            limit, remaining = int(headers["ratelimit-limit"]), int(headers["ratelimit-remaining"])
            return RateLimitInfo(provider_type=P, limit=limit, remaining=remaining,
                                 reset_time=int(headers["ratelimit-reset"]),
                                 used=int(headers.get("ratelimit-observed", limit - remaining)))
        except (KeyError, ValueError):
            return None

    def _remaining_pages(self, data: Any, headers: Mapping[str, str], url: str) -> PageUrls | None:
        """Offset pagination: x-total-pages (absent past 10,000 items) tells every page; keyset
        pagination and large sets give only the next one."""
        if not headers.get("x-next-page") and "next" not in link_header(headers.get("link")):
            return []
        try:
            page, total = int(headers.get("x-page", "1")), int(headers["x-total-pages"])
        except (KeyError, ValueError):
            return None
        return PageUrls(url, range(page + 1, total + 1))

    def _next_page(self, data: Any, headers: Mapping[str, str]) -> str | None:
        return link_header(headers.get("link")).get("next")

    def _project(self, owner: str, repo: str) -> str:
        return "/projects/" + quote(f"{owner}/{repo}", safe="")

    async def fetch_repositories(self, owner: str) -> list[RepoInfo]:
        """Every project of a group (with its subgroups) or of a user, all pages."""
        def convert(d: Any) -> RepoInfo:
            return RepoInfo(**_project_fields(d))

        try:
            await self._get(f"{self.base_url}/groups/{quote(owner, safe='')}")
            path = f"/groups/{quote(owner, safe='')}/projects"
            return await self._list(path, convert, include_subgroups="true", order_by="id", sort="asc")
        except NotFoundError:
            user = await self._fetch(with_query(f"{self.base_url}/users", username=owner),
                                     lambda users: users[0]["id"] if users else None)
            if user is None:
                raise ProviderError(f"gitlab: no group or user named {owner!r}") from None
            return await self._list(f"/users/{user}/projects", convert, order_by="id", sort="asc")

    async def fetch_user_info(self) -> UserInfo:
        return await self._fetch(f"{self.base_url}/user", lambda d: UserInfo(
            provider_type=P, id=str(d["id"]), login=d["username"], name=d.get("name"),
            email=d.get("email") or d.get("public_email"), avatar_url=d.get("avatar_url"), raw_data=d))

    async def get_rate_limit(self) -> RateLimitInfo:
        """GitLab has no rate-limit endpoint: the RateLimit-* headers of a light request."""
        _, headers = await self._get(f"{self.base_url}/version")
        limit = self._parse_rate_limit(headers)
        if limit is None:
            raise ProviderError("gitlab: the server sends no RateLimit headers (limits disabled?)")
        return limit

    async def fetch_repository_details(self, owner: str, repo: str) -> RepoDetails:
        return await self._fetch(self.base_url + self._project(owner, repo), lambda d: RepoDetails(
            **_project_fields(d), topics=tuple(d.get("topics") or d.get("tag_list") or ()),
            license=(d.get("license") or {}).get("key"), homepage=d.get("web_url"), archived=bool(d.get("archived")),
            open_issues_count=d.get("open_issues_count"),
            size=((d.get("statistics") or {}).get("repository_size") or 0) // 1024 or None))

    async def fetch_contributors(self, owner: str, repo: str) -> list[ContributorInfo]:
        return await self._list(self._project(owner, repo) + "/repository/contributors", lambda d: ContributorInfo(
            provider_type=P, login=d.get("name", ""), id=d.get("email"), contributions=d.get("commits", 0),
            raw_data=d))

    async def fetch_branches(self, owner: str, repo: str) -> list[BranchInfo]:
        return await self._list(self._project(owner, repo) + "/repository/branches", lambda d: BranchInfo(
            provider_type=P, name=d["name"], protected=bool(d.get("protected")),
            commit=CommitRef(provider_type=P, sha=d["commit"]["id"], url=d["commit"].get("web_url")), raw_data=d))

    async def fetch_file_content(self, owner: str, repo: str, path: str, ref: str | None = None) -> str:
        if ref is None:
            ref = (await self.fetch_repository_details(owner, repo)).default_branch or "HEAD"
        url = with_query(f"{self.base_url}{self._project(owner, repo)}/repository/files/"
                         f"{quote(path.lstrip('/'), safe='')}", ref=ref)
        def convert(d: Any) -> str:
            if d.get("encoding") != "base64":
                raise ProviderError(f"gitlab: unexpected encoding {d.get('encoding')!r} for {path!r}")
            return base64.b64decode(d["content"]).decode("utf-8", errors="replace")

        return await self._fetch(url, convert)
