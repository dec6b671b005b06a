"""The provider clients against hostile APIs (issue 15 items 9-11), through both transports:
pagination links to another origin, pagination in circles, a "last" page of half a million,
and listed items without the fields the models need."""

from __future__ import annotations

import asyncio
import http.server
import json
import threading
from typing import Any, Callable

import pytest
from GitFleet import BitBucketClient, GitHubClient, GitLabClient
from GitFleet.exceptions import ProviderError

TOKEN = "ghp_hostile-test-token-0123456789"


class HostileApi:
    """A loopback HTTP server answering each path (with its query) from ``routes``; it records
    every request with the Authorization header it carried."""

    def __init__(self, routes: Callable[["HostileApi", str], tuple[int, dict[str, str], Any]]) -> None:
        api = self
        self.seen: list[tuple[str, str | None]] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                api.seen.append((self.path, self.headers.get("Authorization") or self.headers.get("PRIVATE-TOKEN")))
                status, headers, body = routes(api, self.path)
                raw = json.dumps(body).encode()
                self.send_response(status)
                for k, v in {**headers, "Content-Type": "application/json", "Content-Length": str(len(raw))}.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def repo(i: int) -> dict[str, Any]:
    return {"id": i, "name": f"r{i}", "full_name": f"alice/r{i}", "owner": {"login": "alice"},
            "clone_url": f"https://example.invalid/alice/r{i}.git"}


@pytest.fixture(params=[False, True], ids=["native", "python"])
def python_impl(request):
    return request.param


def listing(routes) -> Callable[[HostileApi, str], tuple[int, dict[str, str], Any]]:
    def answer(api: HostileApi, path: str):
        if path == "/users/alice":
            return 200, {}, {"login": "alice", "type": "User"}
        return routes(api, path)
    return answer


def run(coro):
    return asyncio.run(coro)


def refused(routes, python_impl: bool, match: str, client_class=GitHubClient,
            call=lambda client: client.fetch_repositories("alice"), **options: Any) -> HostileApi:
    """Runs ``call`` against a hostile API: it must raise a ProviderError matching ``match``
    that does not show the token. Returns the (closed) API for its request log."""
    api = HostileApi(routes)
    try:
        client = client_class(TOKEN, base_url=api.url, use_python_impl=python_impl, **options)
        with pytest.raises(ProviderError, match=match) as caught:
            run(call(client))
        assert TOKEN not in str(caught.value) and not isinstance(caught.value, KeyError)
    finally:
        api.close()
    return api


# -- 9. credentials only to the API's origin -------------------------------------------------------

def test_a_next_link_to_another_origin_gets_no_token(python_impl):
    evil = HostileApi(lambda api, path: (200, {}, [repo(99)]))
    try:
        refused(listing(lambda a, path: (200, {"Link": f'<{evil.url}/steal?page=2>; rel="next"'}, [repo(1)])),
                python_impl, "not on the API's origin")
        assert evil.seen == []  # not a single request, let alone the token
    finally:
        evil.close()


def test_same_host_other_port_or_scheme_is_another_origin(python_impl):
    refused(listing(lambda a, path: (200, {"Link": f'<{a.url.replace("http:", "https:")}/x?page=2>; rel="next"'},
                                     [repo(1)])), python_impl, "not on the API's origin")


# -- 10. endless pagination ------------------------------------------------------------------------------

def test_a_next_link_to_itself_is_a_loop(python_impl):
    api = refused(listing(lambda api, path: (200, {"Link": f'<{api.url}{path}>; rel="next"'}, [repo(1)])),
                  python_impl, "a loop")
    assert len(api.seen) <= 3


def test_two_pages_pointing_at_each_other_are_a_loop(python_impl):
    def routes(api, path):
        other = "cursor=b" if "cursor=a" in path or "cursor" not in path else "cursor=a"
        return 200, {"Link": f'<{api.url}/users/alice/repos?{other}>; rel="next"'}, [repo(len(api.seen))]

    assert len(refused(listing(routes), python_impl, "a loop").seen) <= 5


def test_half_a_million_pages_is_refused_at_once_without_blocking_the_loop(python_impl):
    def routes(api, path):
        return 200, {"Link": f'<{api.url}/users/alice/repos?per_page=100&page=2>; rel="next", '
                             f'<{api.url}/users/alice/repos?per_page=100&page=500000>; rel="last"'}, [repo(1)]

    async def watched(client):
        """The listing with a heartbeat beside it: the event loop must keep turning."""
        ticks = 0

        async def heartbeat():
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        beat = asyncio.ensure_future(heartbeat())
        try:
            await client.fetch_repositories("alice")
        finally:
            beat.cancel()
            assert ticks >= 1  # "at once" is the two requests below, not a clock

    api = refused(listing(routes), python_impl, "500000 pages, more than max_pages=10000", call=watched)
    assert len(api.seen) == 2  # the account and the first page: nothing more


def test_max_pages_caps_next_links_and_counted_pages(python_impl):
    def routes(api, path):
        n = len(api.seen)
        return 200, {"Link": f'<{api.url}/users/alice/repos?cursor={n}>; rel="next"'}, [repo(n)]

    assert len(refused(listing(routes), python_impl, "max_pages=5", max_pages=5).seen) == 1 + 5
    with pytest.raises(ValueError, match="max_pages"):
        GitHubClient(TOKEN, max_pages=0)


def test_bitbucket_and_gitlab_page_counts_are_capped_too(python_impl):
    def bitbucket(api, path):
        return 200, {}, {"values": [], "next": f"{api.url}/repositories/alice?page=2", "size": 10**12,
                         "pagelen": 10, "page": 1}

    def gitlab(api, path):
        if path.startswith("/groups/alice?") or path == "/groups/alice":
            return 200, {}, {"id": 1}
        return 200, {"x-next-page": "2", "x-page": "1", "x-total-pages": "900000"}, []

    for client_class, routes in ((BitBucketClient, bitbucket), (GitLabClient, gitlab)):
        assert len(refused(routes, python_impl, "more than max_pages", client_class).seen) <= 2


# -- 11. items without the fields the models need ---------------------------------------------------

def test_an_item_without_a_needed_field_names_the_field_and_the_url(python_impl):
    broken = repo(2)
    del broken["clone_url"]
    refused(listing(lambda a, path: (200, {}, [repo(1), broken])), python_impl,
            r"/users/alice/repos\S* lacks the field 'clone_url'")


def test_an_object_of_the_wrong_shape_is_a_provider_error(python_impl):
    refused(lambda a, path: (200, {}, ["not", "an", "object"]), python_impl, "/user",
            call=lambda client: client.fetch_user_info())
