"""The native transport: GETs carried by the C++ core's libcurl client on its own thread
(concurrent transfers over reused connections, the GIL free meanwhile), completing into
asyncio through the shared bridge; JSON bodies parsed by simdjson. Its extension
(``GitFleet._http``) loads no libgit2."""

from __future__ import annotations

import atexit
from collections.abc import Mapping
from typing import Any

from fleet_shared.async_bridge import run_native

from .. import _http
from ..exceptions import NetworkError, from_native
from ._session import Response, safe_url

__all__ = ["NativeTransport"]

_http.set_error_factory(from_native)
atexit.register(_http.shutdown)


class NativeTransport:
    name = "native"
    parse_json = staticmethod(_http.parse_json)

    def __init__(self, timeout: float = 30.0, max_connections: int = 16) -> None:
        self._client = _http.HttpClient(timeout, max_connections)

    async def get(self, url: str, headers: Mapping[str, str]) -> Response:
        ids: list[int] = []

        def start(on_done: Any) -> None:
            ids.append(self._client.start_get(url, list(headers.items()), on_done))

        try:
            status, response_headers, body = await run_native(start, lambda: self._client.cancel(ids[0]))
        except NetworkError as e:
            raise NetworkError(f"{e}: {safe_url(url)}") from None
        return Response(status, response_headers, body)

    async def aclose(self) -> None:
        self._client.close()
