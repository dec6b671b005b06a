"""GitHubClient against a fake GitHub on loopback: pagination, every endpoint, errors, token
rotation, rate limits, retries and ETags. Parametrized over the transports that exist (the
native one is not built yet)."""

from __future__ import annotations

import time

import pytest
from fake_providers import FakeGitHub
from GitFleet.exceptions import AuthenticationError, ProviderError, RateLimitError
from GitFleet.providers import TokenManager
from GitFleet.providers._session import RetryPolicy
from GitFleet.providers.github import GitHubClient

FAST = RetryPolicy(retries=3, backoff=0.01, secondary_wait=0.01)



def client(fake: FakeGitHub, impl: str, token: str | None = "good-token", **kw) -> GitHubClient:
    kw.setdefault("retry", FAST)
    return GitHubClient(token, base_url=fake.base_url, use_python_impl=impl == "python", **kw)


async def test_every_page_once_fetched_concurrently(impl):
    with FakeGitHub({"alice": 250, "acme": 7}, orgs={"acme"}) as fake:
        async with client(fake, impl) as gh:
            assert gh.implementation == impl
            repos = await gh.fetch_repositories("alice")
            assert [r.name for r in repos] == [f"repo-{i:05d}" for i in range(250)]
            assert len({r.full_name for r in repos}) == 250
            assert [p for p, _ in fake.log].count("/users/alice/repos") == 3  # 100 + 100 + 50
            org = await gh.fetch_repositories("acme")
            assert len(org) == 7 and ("/orgs/acme/repos", "alice") in fake.log
            assert repos[0].raw_data["id"] == fake.repos["alice"][0]["id"] and repos[0].owner == "alice"


async def test_endpoints(impl):
    with FakeGitHub({"alice": 3}) as fake:
        async with client(fake, impl) as gh:
            me = await gh.fetch_user_info()
            assert (me.login, me.name, me.id) == ("alice", "Alice Liddell", "1")
            limit = await gh.get_rate_limit()
            assert limit.limit == 5000 and limit.remaining <= 5000 and limit.reset_time > time.time()
            details = await gh.fetch_repository_details("alice", "repo-00002")
            assert details.topics == ("fleet", "t2") and details.license == "MIT" and details.language is None
            branches = await gh.fetch_branches("alice", "repo-00001")
            assert len(branches) > 150 and branches[0].name == "main" and branches[0].protected
            assert branches[3].commit.sha == f"{3:040x}"
            contributors = await gh.fetch_contributors("alice", "repo-00000")
            assert [c.contributions for c in contributors] == [50, 49, 48, 47, 46]
            text = await gh.fetch_file_content("alice", "repo-00000", "README.md", ref="v1")
            assert text == "# repo-00000 at v1\n\nünïcode ✓\n"
            assert await gh.validate_credentials()
            with pytest.raises(ProviderError, match="404"):
                await gh.fetch_repository_details("alice", "nope")
            with pytest.raises(ProviderError, match="404"):
                await gh.fetch_file_content("alice", "repo-00000", "missing.txt")


async def test_bad_credentials_never_show_the_token(impl):
    with FakeGitHub() as fake:
        async with client(fake, impl, token="ghp_wrongwrongwrong") as gh:
            with pytest.raises(AuthenticationError, match="Bad credentials") as info:
                await gh.fetch_user_info()
            assert "ghp_wrong" not in str(info.value) and "ghp_wrong" not in repr(gh)
            assert not await gh.validate_credentials()


async def test_rotation_past_invalid_and_exhausted_tokens(impl):
    with FakeGitHub({"alice": 450}, tokens={"a-token": "alice", "b-token": "bob"}, limit=3) as fake:
        manager = TokenManager()
        manager.add_token("revoked", "github", "carol")
        manager.add_token("a-token", "github", "alice")
        manager.add_token("b-token", "github", "bob")
        async with client(fake, impl, token=None, token_manager=manager, max_concurrency=1) as gh:
            repos = await gh.fetch_repositories("alice")  # 1 + 5 requests: 3 per user
            assert len(repos) == 450
        users = [u for _, u in fake.log]
        assert users.count("alice") >= 3 and users.count("bob") >= 3 - 1
        statuses = {t.token: t.status.value for t in manager.get_all_tokens("github")}
        assert statuses["revoked"] == "invalid"


async def test_all_tokens_exhausted_waits_for_reset_or_raises(impl):
    with FakeGitHub({"alice": 1}, limit=1) as fake:
        fake.reset_in = 2
        async with client(fake, impl, retry=RetryPolicy(wait_for_reset=False)) as gh:
            await gh.fetch_user_info()
            with pytest.raises(RateLimitError, match="exhausted"):
                await gh.fetch_user_info()
        started = time.monotonic()
        async with client(fake, impl, retry=RetryPolicy(wait_for_reset=True, max_wait=30)) as gh:
            await gh.fetch_user_info()  # refused, waits for the reset, then served
        assert time.monotonic() - started >= 0.5


async def test_the_etag_cache_is_bounded_least_recently_used_first(impl, monkeypatch):
    from GitFleet.providers import _session

    monkeypatch.setattr(_session, "ETAG_CACHE_SIZE", 3)
    with FakeGitHub({"alice": 5}) as fake:
        async with client(fake, impl) as gh:
            for i in range(5):
                await gh.fetch_repository_details("alice", f"repo-{i:05d}")

            async def quota_of(name: str) -> int:
                before = (await gh.get_rate_limit()).remaining
                await gh.fetch_repository_details("alice", name)
                return before - (await gh.get_rate_limit()).remaining

            assert await quota_of("repo-00004") == 0  # still cached: a free 304
            assert await quota_of("repo-00000") == 1  # dropped from the 3 kept: fetched again


@pytest.mark.parametrize("fault", ["500", "502", "drop", "badjson", "secondary", "retry-after:0", "429", "slow:0.2"])
async def test_transient_faults_are_retried(impl, fault):
    with FakeGitHub({"alice": 120}) as fake:
        async with client(fake, impl) as gh:
            fake.faults.extend([fault, fault])
            repos = await gh.fetch_repositories("alice")
            assert [r.name for r in repos] == [f"repo-{i:05d}" for i in range(120)]
            assert fake.faults_served == [fault, fault]  # both met, both retried past


async def test_persistent_faults_end_in_a_clear_error(impl):
    with FakeGitHub() as fake:
        async with client(fake, impl) as gh:
            fake.faults.extend(["502"] * 10)
            with pytest.raises(ProviderError, match="server error 502"):
                await gh.fetch_user_info()
            fake.faults.clear()
            fake.faults.extend(["secondary"] * 10)
            with pytest.raises(RateLimitError, match="rate limited"):
                await gh.fetch_user_info()


async def test_etag_revalidation_costs_no_quota(impl):
    with FakeGitHub({"alice": 2}) as fake:
        async with client(fake, impl) as gh:
            first = await gh.fetch_repository_details("alice", "repo-00001")
            before = (await gh.get_rate_limit()).remaining
            again = await gh.fetch_repository_details("alice", "repo-00001")
            assert again == first
            assert (await gh.get_rate_limit()).remaining == before
