"""GitLabClient against a fake GitLab on loopback: offset pagination with and without totals,
groups and users, endpoints, 401, 429 "Retry later", RateLimit-* headers."""

from __future__ import annotations

import pytest
from fake_providers import FakeGitLab
from GitFleet.exceptions import AuthenticationError, NotFoundError, RateLimitError
from GitFleet.providers._session import RetryPolicy
from GitFleet.providers.gitlab import GitLabClient

FAST = RetryPolicy(retries=3, backoff=0.01, secondary_wait=0.01)



def client(fake: FakeGitLab, impl: str, token: str = "good-token", **kw) -> GitLabClient:
    kw.setdefault("retry", FAST)
    return GitLabClient(token, base_url=fake.base_url + "/api/v4", use_python_impl=impl == "python", **kw)


@pytest.mark.parametrize("mode", ["totals", "no-totals", "keyset"])
async def test_group_and_user_projects_every_page_once(impl, mode):
    with FakeGitLab({"acme": 230, "alice": 5}, orgs={"acme"}) as fake:
        fake.totals_limit = 100 if mode == "no-totals" else fake.totals_limit  # as past 10,000 items
        fake.keyset_only = mode == "keyset"  # only Link rel="next" with id_after
        async with client(fake, impl) as gl:
            group = await gl.fetch_repositories("acme")
            assert [r.name for r in group] == [f"repo-{i:05d}" for i in range(230)]
            assert group[3].full_name == "acme/repo-00003" and group[0].private
            assert [p for p, _ in fake.log].count("/api/v4/groups/acme/projects") == 3
            user = await gl.fetch_repositories("alice")
            assert len(user) == 5
            with pytest.raises(Exception, match="no group or user"):
                await gl.fetch_repositories("nobody")


async def test_endpoints(impl):
    with FakeGitLab({"alice": 3}) as fake:
        async with client(fake, impl) as gl:
            me = await gl.fetch_user_info()
            assert (me.login, me.email) == ("alice", "alice@example.com")
            assert (await gl.get_rate_limit()).limit == 5000
            details = await gl.fetch_repository_details("alice", "repo-00002")
            assert details.license == "mit" and details.default_branch == "main"
            assert len(await gl.fetch_branches("alice", "repo-00001")) > 150
            assert [c.contributions for c in await gl.fetch_contributors("alice", "repo-00000")][:2] == [50, 49]
            assert await gl.fetch_file_content("alice", "repo-00000", "README.md") == "# repo-00000 at main\n\nünïcode ✓\n"
            assert "at v2" in await gl.fetch_file_content("alice", "repo-00000", "README.md", ref="v2")
            with pytest.raises(NotFoundError):
                await gl.fetch_repository_details("alice", "missing")


async def test_unauthorized_and_rate_limited(impl):
    with FakeGitLab({"alice": 1}, limit=2) as fake:
        async with client(fake, impl, token="wrong") as gl:
            with pytest.raises(AuthenticationError, match="401 Unauthorized"):
                await gl.fetch_user_info()
            assert not await gl.validate_credentials()
        async with client(fake, impl, retry=RetryPolicy(wait_for_reset=False)) as gl:
            await gl.fetch_user_info()
            await gl.fetch_user_info()  # a 304: revalidation costs no quota
            await gl.get_rate_limit()
            with pytest.raises(RateLimitError, match="exhausted"):
                await gl.fetch_repository_details("alice", "repo-00000")
