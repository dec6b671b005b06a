"""The pure-Python transport: one shared ``httpx.AsyncClient`` per provider client (connection
pooling and keep-alive), recreated only if the client is used from another event loop."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping

import httpx

from ..exceptions import NetworkError
from ._session import Response, safe_url

__all__ = ["HttpxTransport"]


class HttpxTransport:
    name = "python"
    parse_json = staticmethod(json.loads)

    def __init__(self, timeout: float = 30.0, max_connections: int = 16) -> None:
        self._timeout = timeout
        self._limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections)
        self._client: httpx.AsyncClient | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _session(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        if self._client is None or self._loop is not loop:
            self._client = httpx.AsyncClient(timeout=self._timeout, limits=self._limits, follow_redirects=True)
            self._loop = loop
        return self._client

    async def get(self, url: str, headers: Mapping[str, str]) -> Response:
        try:
            r = await self._session().get(url, headers=dict(headers))
        except httpx.TimeoutException:
            raise NetworkError(f"timed out: {safe_url(url)}") from None
        except httpx.TransportError as e:
            raise NetworkError(f"{type(e).__name__} for {safe_url(url)}") from None
        return Response(r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.content)

    async def aclose(self) -> None:
        if self._client is not None and self._loop is asyncio.get_running_loop():
            await self._client.aclose()
        self._client = None
