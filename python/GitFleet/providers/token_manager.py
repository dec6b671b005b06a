"""Several tokens per provider, rotated as they run out or are refused. Tokens of the same user
share that user's quota (GitHub counts per user, not per token): an update to one applies to
all of them. Thread-safe; tokens never appear in reprs."""

from __future__ import annotations

import enum
import threading
import time
from dataclasses import dataclass, field
from typing import Optional

from ..exceptions import InvalidArgumentError
from ..models.common import ProviderType, RateLimitInfo

__all__ = ["TokenManager", "TokenInfo", "TokenStatus"]


class TokenStatus(str, enum.Enum):
    VALID = "valid"
    EXHAUSTED = "exhausted"  # its quota is used up until reset_time
    INVALID = "invalid"      # refused (401): never used again


@dataclass
class TokenInfo:
    token: str = field(repr=False)
    provider: ProviderType
    username: Optional[str] = None
    status: TokenStatus = TokenStatus.VALID
    remaining: Optional[int] = None
    limit: Optional[int] = None
    reset_time: Optional[int] = None  # Unix seconds

    def __repr__(self) -> str:
        return (f"TokenInfo(token=<hidden ...{self.token[-4:] if len(self.token) > 8 else ''}>, "
                f"provider={self.provider.value!r}, username={self.username!r}, status={self.status.value!r}, "
                f"remaining={self.remaining}, reset_time={self.reset_time})")

    def available(self, now: float) -> bool:
        if self.status is TokenStatus.INVALID:
            return False
        if self.status is TokenStatus.EXHAUSTED or self.remaining == 0:
            return self.reset_time is not None and now >= self.reset_time
        return True


class TokenManager:
    """Tokens by provider, handed out round-robin among those with quota left."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[ProviderType, list[TokenInfo]] = {}
        self._next: dict[ProviderType, int] = {}

    def __repr__(self) -> str:
        with self._lock:
            counts = {p.value: len(t) for p, t in self._tokens.items()}
        return f"TokenManager({counts})"

    def add_token(self, token: str, provider: ProviderType | str, username: Optional[str] = None) -> TokenInfo:
        if not isinstance(token, str) or not token.strip():
            raise InvalidArgumentError("a token must be a non-empty string")
        provider = ProviderType(provider)
        with self._lock:
            tokens = self._tokens.setdefault(provider, [])
            for existing in tokens:
                if existing.token == token:
                    return existing
            info = TokenInfo(token=token, provider=provider, username=username)
            tokens.append(info)
            return info

    def get_next_available_token(self, provider: ProviderType | str) -> Optional[TokenInfo]:
        """The next usable token (round-robin), or None when all are exhausted or invalid."""
        provider = ProviderType(provider)
        now = time.time()
        with self._lock:
            tokens = self._tokens.get(provider, [])
            start = self._next.get(provider, 0)
            for i in range(len(tokens)):
                info = tokens[(start + i) % len(tokens)]
                if info.available(now):
                    if info.status is TokenStatus.EXHAUSTED:  # its reset time has passed
                        info.status, info.remaining = TokenStatus.VALID, None
                    self._next[provider] = (start + i + 1) % len(tokens)
                    return info
            return None

    def _same_quota(self, info: TokenInfo) -> list[TokenInfo]:
        tokens = self._tokens.get(info.provider, [])
        if info.username is None:
            return [t for t in tokens if t.token == info.token]
        return [t for t in tokens if t.username == info.username]

    def update_rate_limit(self, token: str, provider: ProviderType | str, limit: RateLimitInfo | None = None, *,
                          remaining: Optional[int] = None, reset_time: Optional[int] = None) -> None:
        """Records what a response said of a token's quota (and of its user's other tokens)."""
        provider = ProviderType(provider)
        if limit is not None:
            remaining, reset_time = limit.remaining, limit.reset_time
        with self._lock:
            owner = next((t for t in self._tokens.get(provider, []) if t.token == token), None)
            if owner is None:
                return
            for info in self._same_quota(owner):
                if info.status is TokenStatus.INVALID:
                    continue
                if limit is not None:
                    info.limit = limit.limit
                info.remaining = remaining
                info.reset_time = reset_time
                info.status = TokenStatus.EXHAUSTED if remaining == 0 else TokenStatus.VALID

    def mark_token_invalid(self, token: str, provider: ProviderType | str) -> None:
        provider = ProviderType(provider)
        with self._lock:
            for info in self._tokens.get(provider, []):
                if info.token == token:
                    info.status = TokenStatus.INVALID

    def get_all_tokens(self, provider: ProviderType | str | None = None) -> list[TokenInfo]:
        with self._lock:
            if provider is None:
                return [t for tokens in self._tokens.values() for t in tokens]
            return list(self._tokens.get(ProviderType(provider), []))

    def count_available_tokens(self, provider: ProviderType | str) -> int:
        now = time.time()
        with self._lock:
            return sum(t.available(now) for t in self._tokens.get(ProviderType(provider), []))

    def get_earliest_reset_time(self, provider: ProviderType | str) -> Optional[int]:
        """When the first exhausted token of the provider gets its quota back (None: none waits)."""
        with self._lock:
            resets = [t.reset_time for t in self._tokens.get(ProviderType(provider), [])
                      if t.status is not TokenStatus.INVALID and t.reset_time is not None
                      and (t.status is TokenStatus.EXHAUSTED or t.remaining == 0)]
        return min(resets) if resets else None
