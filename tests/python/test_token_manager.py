"""TokenManager: rotation, exhaustion until reset, invalid tokens, shared quota per user, and
tokens kept out of reprs."""

from __future__ import annotations

import threading
import time

import pytest
from GitFleet.models.common import ProviderType, RateLimitInfo
from GitFleet.providers.token_manager import TokenManager, TokenStatus


def test_round_robin_and_exhaustion():
    m = TokenManager()
    m.add_token("ghp_aaaaaaaaaaaa", "github", "alice")
    m.add_token("ghp_bbbbbbbbbbbb", "github", "bob")
    assert [m.get_next_available_token("github").token for _ in range(4)] == [
        "ghp_aaaaaaaaaaaa", "ghp_bbbbbbbbbbbb", "ghp_aaaaaaaaaaaa", "ghp_bbbbbbbbbbbb"]
    reset = int(time.time()) + 3600
    m.update_rate_limit("ghp_aaaaaaaaaaaa", ProviderType.GITHUB, remaining=0, reset_time=reset)
    assert {m.get_next_available_token("github").token for _ in range(3)} == {"ghp_bbbbbbbbbbbb"}
    assert m.count_available_tokens("github") == 1
    assert m.get_earliest_reset_time("github") == reset
    m.update_rate_limit("ghp_bbbbbbbbbbbb", "github", RateLimitInfo(provider_type="github", limit=5000, remaining=0,
                                                                     reset_time=reset - 100))
    assert m.get_next_available_token("github") is None
    assert m.get_earliest_reset_time("github") == reset - 100


def test_quota_returns_after_reset():
    m = TokenManager()
    m.add_token("t1", "gitlab")
    m.update_rate_limit("t1", "gitlab", remaining=0, reset_time=int(time.time()) - 1)
    info = m.get_next_available_token("gitlab")
    assert info is not None and info.status is TokenStatus.VALID


def test_invalid_tokens_are_never_used_again():
    m = TokenManager()
    m.add_token("bad", "bitbucket")
    m.add_token("good", "bitbucket")
    m.mark_token_invalid("bad", "bitbucket")
    assert {m.get_next_available_token("bitbucket").token for _ in range(4)} == {"good"}
    m.update_rate_limit("bad", "bitbucket", remaining=100, reset_time=0)
    assert m.get_all_tokens("bitbucket")[0].status is TokenStatus.INVALID


def test_tokens_of_one_user_share_the_quota():
    m = TokenManager()
    m.add_token("a1", "github", "alice")
    m.add_token("a2", "github", "alice")
    m.add_token("b1", "github", "bob")
    m.update_rate_limit("a1", "github", remaining=0, reset_time=int(time.time()) + 60)
    assert {t.token: t.status for t in m.get_all_tokens("github")} == {
        "a1": TokenStatus.EXHAUSTED, "a2": TokenStatus.EXHAUSTED, "b1": TokenStatus.VALID}
    assert m.count_available_tokens("github") == 1


def test_tokens_stay_hidden_and_input_is_checked():
    m = TokenManager()
    info = m.add_token("ghp_secretsecretsecret1234", "github")
    assert "secretsecret" not in repr(info) and "secretsecret" not in repr(m)
    assert m.add_token("ghp_secretsecretsecret1234", "github") is info  # no duplicates
    with pytest.raises(ValueError):
        m.add_token("", "github")
    with pytest.raises(ValueError):
        m.add_token("x", "sourceforge")
    assert m.get_next_available_token("gitlab") is None and m.get_earliest_reset_time("gitlab") is None


def test_concurrent_rotation_hands_out_every_token_evenly():
    m = TokenManager()
    for i in range(4):
        m.add_token(f"t{i}", "github")
    seen: list[str] = []
    lock = threading.Lock()

    def take() -> None:
        for _ in range(250):
            token = m.get_next_available_token("github").token
            with lock:
                seen.append(token)

    threads = [threading.Thread(target=take) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen.count(f"t{i}") for i in range(4)) == [250, 250, 250, 250]


def test_models_are_frozen_and_compare_without_raw_data():
    from GitFleet.models.common import BranchInfo, CommitRef, RepoInfo
    from pydantic import ValidationError

    a = RepoInfo(provider_type="github", name="x", full_name="o/x", owner="o", clone_url="https://h/o/x.git",
                 raw_data={"id": 1})
    b = RepoInfo(provider_type="github", name="x", full_name="o/x", owner="o", clone_url="https://h/o/x.git",
                 raw_data={"id": 1, "extra": True})
    assert a == b and hash(a) == hash(b) and "raw_data" not in repr(a)
    with pytest.raises(ValidationError):
        a.name = "y"
    branch = BranchInfo(provider_type="gitlab", name="main", commit=CommitRef(provider_type="gitlab", sha="abc"))
    assert branch.commit.sha == "abc" and {branch} == {branch}
