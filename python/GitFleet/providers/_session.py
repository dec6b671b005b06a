"""The request loop every provider client shares, whichever transport carries the bytes:
token choice and rotation, rate-limit bookkeeping (primary and secondary limits), bounded
retries with jittered backoff, ETag revalidation, and errors that never show a token."""

from __future__ import annotations

import asyncio
import collections
import json
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Optional, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from .._http import scrub_credentials
from ..exceptions import (
    AuthenticationError,
    NetworkError,
    NotFoundError,
    ProviderError,
    RateLimitError,
)
from ..models.common import ProviderType, RateLimitInfo
from .token_manager import TokenInfo, TokenManager

__all__ = ["Response", "Transport", "Session", "RetryPolicy", "link_header", "with_query", "safe_url"]

ETAG_CACHE_SIZE = 1024  # responses remembered per client for If-None-Match


@dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class Transport(Protocol):
    """Carries one GET; raises NetworkError when the server cannot be reached or hangs up;
    ``parse_json`` decodes bodies (each transport brings its parser)."""

    name: str
    parse_json: Callable[[bytes], Any]

    async def get(self, url: str, headers: Mapping[str, str]) -> Response: ...

    async def aclose(self) -> None: ...


@dataclass(frozen=True)
class RetryPolicy:
    retries: int = 3              # attempts after a 5xx, a dropped connection or a malformed body
    backoff: float = 0.5          # seconds before the first retry, doubled each time, jittered
    secondary_wait: float = 60.0  # a secondary limit without Retry-After (GitHub asks for >= 60 s)
    wait_for_reset: bool = True   # all tokens exhausted: wait for the earliest reset, or raise
    max_wait: float = 3600.0      # ... but never longer than this


def link_header(value: str | None) -> dict[str, str]:
    """RFC 8288 Link header -> {rel: url}."""
    links = {}
    for part in (value or "").split(","):
        m = re.match(r'\s*<([^>]*)>\s*;(.*)', part)
        if m:
            for rel in re.findall(r'rel="?([^";]+)"?', m.group(2)):
                for name in rel.split():
                    links[name] = m.group(1)
    return links


def with_query(url: str, **params: Any) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({k: str(v) for k, v in params.items() if v is not None})
    return urlunsplit(parts._replace(query=urlencode(query)))


RateLimitParser = Callable[[Mapping[str, str]], Optional[RateLimitInfo]]
AuthHeader = Callable[[str], dict[str, str]]


class Session:
    """Authenticated GETs for one provider: ``get_json(url)`` -> (decoded body, headers)."""

    def __init__(self, provider: ProviderType, base_url: str, transport: Transport, token: str | None,
                 token_manager: TokenManager | None, auth_header: AuthHeader, parse_rate_limit: RateLimitParser,
                 retry: RetryPolicy = RetryPolicy(), sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.provider = provider
        self._origin = origin(base_url)
        self.transport = transport
        self.retry = retry
        self._auth_header = auth_header
        self._parse_rate_limit = parse_rate_limit
        self._sleep = sleep
        self._manager = token_manager or TokenManager()
        if token:
            self._manager.add_token(token, provider)
        # Responses kept for revalidation, least recently used dropped first.
        self._etags: collections.OrderedDict[str, tuple[str, Any, Mapping[str, str]]] = collections.OrderedDict()
        self._parse = transport.parse_json

    async def _token(self) -> TokenInfo | None:
        info = self._manager.get_next_available_token(self.provider)
        if info is not None or not self._manager.get_all_tokens(self.provider):
            return info  # a token, or anonymous access (no tokens at all)
        reset = self._manager.get_earliest_reset_time(self.provider)
        if reset is None:
            raise AuthenticationError(f"{self.provider.value}: every token was refused (401)")
        wait = reset - time.time()
        if not self.retry.wait_for_reset or wait > self.retry.max_wait:
            raise RateLimitError(f"{self.provider.value}: every token is exhausted; the earliest reset is in "
                                 f"{max(0.0, wait):.0f} s")
        await self._sleep(max(0.0, wait) + 1)
        return await self._token()

    async def get_json(self, url: str, decode: bool = True) -> tuple[Any, Mapping[str, str]]:
        """The decoded JSON body (or with decode=False the raw bytes) and the headers."""
        if origin(url) != self._origin:  # a link elsewhere (pagination, ...) never gets the token
            scheme, host, port = self._origin
            raise ProviderError(f"{self.provider.value}: refusing {safe_url(url)}: not on the API's origin "
                                f"{scheme}://{host}:{port}, the only one credentials are sent to")
        attempt = 0
        while True:
            info = await self._token()
            headers = {"Accept": "application/json", "User-Agent": "GitFleet"}
            if info is not None:
                headers.update(self._auth_header(info.token))
            cached = self._etags.get(url)
            if cached:
                headers["If-None-Match"] = cached[0]
            try:
                response = await self.transport.get(url, headers)
            except NetworkError:
                attempt += 1
                if attempt > self.retry.retries:
                    raise
                await self._backoff(attempt)
                continue
            limit = self._parse_rate_limit(response.headers)
            if limit is not None and info is not None:
                self._manager.update_rate_limit(info.token, self.provider, limit)
            status = response.status
            if status == 304 and cached:
                self._etags.move_to_end(url)
                return cached[1], cached[2]
            if 200 <= status < 300:
                try:
                    data = (self._parse(response.body) if response.body else None) if decode else response.body
                except ValueError:
                    attempt += 1
                    if attempt > self.retry.retries:
                        raise ProviderError(f"{self.provider.value}: malformed JSON from {safe_url(url)}") from None
                    await self._backoff(attempt)
                    continue
                if etag := response.headers.get("etag"):
                    self._etags[url] = (etag, data, response.headers)
                    self._etags.move_to_end(url)
                    if len(self._etags) > ETAG_CACHE_SIZE:
                        self._etags.popitem(last=False)
                return data, response.headers
            message = _error_message(response)
            if status == 401:
                if info is None:
                    raise AuthenticationError(f"{self.provider.value}: authentication required: {message}")
                self._manager.mark_token_invalid(info.token, self.provider)
                if self._manager.count_available_tokens(self.provider) == 0 and not self._waiting_tokens():
                    raise AuthenticationError(f"{self.provider.value}: credentials refused: {message}")
                continue  # the next token
            if status in (403, 429):
                if limit is not None and limit.remaining == 0:
                    if info is None:
                        raise RateLimitError(f"{self.provider.value}: anonymous rate limit exhausted: {message}")
                    continue  # _token() rotates, or waits for the reset, or raises
                retry_after = response.headers.get("retry-after")
                if retry_after is not None or status == 429 or "secondary rate limit" in message.lower():
                    attempt += 1
                    if attempt > self.retry.retries:
                        raise RateLimitError(f"{self.provider.value}: rate limited ({status}): {message}")
                    wait = _seconds(retry_after) if retry_after is not None else self.retry.secondary_wait
                    await self._sleep(wait * (1 + random.random() * 0.1))
                    continue
                raise ProviderError(f"{self.provider.value}: forbidden ({status}) {safe_url(url)}: {message}")
            if status >= 500:
                attempt += 1
                if attempt > self.retry.retries:
                    raise ProviderError(f"{self.provider.value}: server error {status} from {safe_url(url)}: {message}")
                await self._backoff(attempt)
                continue
            error = NotFoundError if status == 404 else ProviderError
            raise error(f"{self.provider.value}: {status} from {safe_url(url)}: {message}")

    def _waiting_tokens(self) -> bool:
        return self._manager.get_earliest_reset_time(self.provider) is not None

    async def _backoff(self, attempt: int) -> None:
        await self._sleep(self.retry.backoff * 2 ** (attempt - 1) * (0.5 + random.random()))

    async def aclose(self) -> None:
        await self.transport.aclose()


def _seconds(value: str) -> float:
    try:
        return max(0.0, float(value))
    except ValueError:
        return 60.0


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) with the scheme's default port filled in, as browsers compare them."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: an origin of its own
        port = -1
    return scheme, (parts.hostname or "").lower(), port or {"http": 80, "https": 443}.get(scheme)


def safe_url(url: str) -> str:
    """A URL fit for a message: no userinfo, no query or fragment (tokens sometimes travel
    there); the core's one scrubber, which clone errors go through too."""
    return scrub_credentials(url)


def _error_message(response: Response) -> str:
    try:
        body = json.loads(response.body)
    except ValueError:
        return response.body[:200].decode("utf-8", "replace").strip() or f"HTTP {response.status}"
    if isinstance(body, dict):
        for key in ("message", "error", "error_description"):
            value = body.get(key)
            if isinstance(value, str):
                return value
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return value["message"]
    return f"HTTP {response.status}"
