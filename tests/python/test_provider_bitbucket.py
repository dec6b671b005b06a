"""BitBucketClient against a fake Bitbucket Cloud on loopback: the values/next envelope with
and without size, endpoints, contributors from commits, raw file content, 401 and 429."""

from __future__ import annotations

import pytest
from fake_providers import FakeBitbucket
from GitFleet.exceptions import (
    AuthenticationError,
    NotFoundError,
    ProviderError,
    RateLimitError,
)
from GitFleet.providers._session import RetryPolicy
from GitFleet.providers.bitbucket import BitBucketClient

FAST = RetryPolicy(retries=2, backoff=0.01, secondary_wait=0.01)



def client(fake: FakeBitbucket, impl: str, token: str = "good-token", **kw) -> BitBucketClient:
    kw.setdefault("retry", FAST)
    return BitBucketClient(token, base_url=fake.base_url + "/2.0", use_python_impl=impl == "python", **kw)


@pytest.mark.parametrize("with_size", [True, False])
async def test_workspace_repositories_every_page_once(impl, with_size):
    with FakeBitbucket({"team": 205}) as fake:
        fake.with_size = with_size
        async with client(fake, impl) as bb:
            repos = await bb.fetch_repositories("team")
            assert [r.name for r in repos] == [f"repo-{i:05d}" for i in range(205)]
            assert repos[1].clone_url == "https://bitbucket.example/team/repo-00001.git"
            assert [p for p, _ in fake.log].count("/2.0/repositories/team") == 3
            with pytest.raises(NotFoundError):
                await bb.fetch_repositories("nobody")


async def test_endpoints(impl):
    with FakeBitbucket({"team": 3}) as fake:
        async with client(fake, impl) as bb:
            me = await bb.fetch_user_info()
            assert (me.login, me.name) == ("alice", "Alice Liddell")
            details = await bb.fetch_repository_details("team", "repo-00002")
            assert details.default_branch == "main" and details.language is None
            assert len(await bb.fetch_branches("team", "repo-00001")) > 150
            contributors = await bb.fetch_contributors("team", "repo-00000")
            assert [(c.login, c.contributions) for c in contributors] == [("dev0", 9), ("dev1", 8), ("dev2", 8)]
            assert await bb.fetch_file_content("team", "repo-00000", "README.md") == "# repo-00000 at main\n\nünïcode ✓\n"
            with pytest.raises(ProviderError, match="remaining quota"):
                await bb.get_rate_limit()


async def test_unauthorized_and_429(impl):
    with FakeBitbucket({"team": 1}, limit=1) as fake:
        async with client(fake, impl, token="expired") as bb:
            with pytest.raises(AuthenticationError, match="expired or invalid"):
                await bb.fetch_user_info()
        async with client(fake, impl) as bb:
            await bb.fetch_user_info()
            with pytest.raises(RateLimitError, match="429"):
                await bb.fetch_repository_details("team", "repo-00000")
