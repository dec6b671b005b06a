"""Provider utilities: dict/JSON/pandas conversions, the rate limiter and its decorator."""

from __future__ import annotations

import asyncio
import json
import time

import pytest
from GitFleet import GitHubClient
from GitFleet.exceptions import GitFleetError, InvalidArgumentError
from GitFleet.providers import BranchInfo, CommitRef, RepoInfo, TokenManager
from GitFleet.utils.auth import CredentialManager
from GitFleet.utils import (
    RateLimiter,
    flatten_dataframe,
    rate_limited,
    to_dataframe,
    to_dict,
    to_json,
)

REPO = RepoInfo(provider_type="github", name="x", full_name="o/x", owner="o", clone_url="u", raw_data={"id": 1})
BRANCH = BranchInfo(provider_type="gitlab", name="main", commit=CommitRef(provider_type="gitlab", sha="abc"))


def test_dict_and_json():
    d = to_dict(REPO)
    assert d["provider_type"] == "github" and "raw_data" not in d
    assert to_dict(REPO, include_raw=True)["raw_data"] == {"id": 1}
    assert json.loads(to_json({"repos": [REPO]}))["repos"][0]["full_name"] == "o/x"


def test_dataframes():
    pd = pytest.importorskip("pandas")
    df = to_dataframe([REPO, REPO])
    assert isinstance(df, pd.DataFrame) and len(df) == 2 and "raw_data" not in df.columns
    flat = flatten_dataframe(to_dataframe(BRANCH))
    assert flat.loc[0, "commit.sha"] == "abc" and "commit" not in flat.columns


def test_rate_limiter_threads_and_tasks():
    limiter = RateLimiter(calls=3, period=0.3)
    calls = []

    @rate_limited(limiter)
    def work(i: int) -> int:
        calls.append(time.monotonic())
        return i

    assert [work(i) for i in range(6)] == list(range(6))
    assert calls[3] - calls[0] >= 0.28  # the 4th call waited for the window

    @rate_limited(RateLimiter(calls=2, period=0.2))
    async def awork() -> float:
        return time.monotonic()

    async def run() -> list[float]:
        return await asyncio.gather(*(awork() for _ in range(4)))

    stamps = sorted(asyncio.run(run()))
    assert stamps[2] - stamps[0] >= 0.18
    with pytest.raises(ValueError):
        RateLimiter(0, 1)


@pytest.mark.parametrize("make", [
    lambda: GitHubClient("t", max_concurrency=0),
    lambda: GitHubClient("t", max_pages=0),
    lambda: TokenManager().add_token(" ", "github"),
    lambda: RateLimiter(0, 1.0),
    lambda: CredentialManager(),
], ids=["max_concurrency", "max_pages", "token", "rate_limiter", "credential_manager"])
def test_bad_arguments_are_gitfleet_errors(make) -> None:
    """One hierarchy: a bad argument is an InvalidArgumentError, both a GitFleetError and the
    ValueError callers may already catch."""
    with pytest.raises(InvalidArgumentError) as caught:
        make()
    assert isinstance(caught.value, GitFleetError) and isinstance(caught.value, ValueError)
