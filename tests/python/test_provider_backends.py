"""The native (libcurl + simdjson) and Python (httpx) transports give equal results for every
provider and endpoint, and the native one runs without the GIL (the event loop stays free)."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import sys

import pytest
from fake_providers import FakeBitbucket, FakeGitHub, FakeGitLab
from GitFleet import _http
from GitFleet.exceptions import NetworkError
from GitFleet.providers import BitBucketClient, GitHubClient, GitLabClient
from GitFleet.providers.native_transport import NativeTransport
from GitFleet.providers.python_transport import HttpxTransport

CASES = [(FakeGitHub, GitHubClient, "", "alice"), (FakeGitLab, GitLabClient, "/api/v4", "alice"),
         (FakeBitbucket, BitBucketClient, "/2.0", "alice")]


async def everything(client, owner: str) -> list:
    repos = await client.fetch_repositories(owner)
    name = repos[1].name
    return [repos, await client.fetch_user_info(), await client.fetch_repository_details(owner, name),
            await client.fetch_branches(owner, name), await client.fetch_contributors(owner, name),
            await client.fetch_file_content(owner, repos[0].name, "README.md", ref="main")]


@pytest.mark.parametrize("fake_class,client_class,prefix,owner", CASES)
async def test_native_and_python_agree(fake_class, client_class, prefix, owner):
    with fake_class({owner: 260}) as fake:
        results = {}
        for impl in ("native", "python"):
            async with client_class("good-token", base_url=fake.base_url + prefix,
                                    use_python_impl=impl == "python") as client:
                assert client.implementation == impl
                results[impl] = await everything(client, owner)
        assert results["native"] == results["python"]
        assert [r.raw_data for r in results["native"][0]] == [r.raw_data for r in results["python"][0]]
        assert len(results["native"][0]) == 260


async def test_native_requests_run_concurrently_and_leave_the_event_loop_free():
    """No clock involved: the server holds every request until the test opens its gate, and
    the test can only open it from the event loop, once all five are held at once."""
    with FakeGitHub({"alice": 5}) as fake:
        async with GitHubClient("good-token", base_url=fake.base_url) as gh:
            await gh.fetch_user_info()  # the connection set up, outside what is observed
            fake.gate.clear()
            requests = asyncio.gather(*(gh.fetch_repository_details("alice", f"repo-{i:05d}") for i in range(5)))

            async def all_five_held() -> None:
                while fake.held < 5:  # each turn of this loop is the event loop turning
                    await asyncio.sleep(0.001)

            try:
                await asyncio.wait_for(all_five_held(), timeout=30)
            finally:
                fake.gate.set()
            details = await requests
        assert [d.name for d in details] == [f"repo-{i:05d}" for i in range(5)]


async def test_cancelling_a_native_request_stops_its_transfer():
    with FakeGitHub({"alice": 1}, latency=1.0) as fake:
        async with GitHubClient("good-token", base_url=fake.base_url) as gh:
            task = asyncio.create_task(gh.fetch_user_info())
            for _ in range(500):  # until the request has reached the server
                if fake.requests_started:
                    break
                await asyncio.sleep(0.01)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            # The server, answering after its latency, finds the connection closed: the native
            # transfer was stopped, not left running behind a cancelled task.
            for _ in range(300):
                if fake.abandoned:
                    break
                await asyncio.sleep(0.01)
            assert fake.abandoned == ["/user"]
            assert fake.log == []  # never answered


@pytest.mark.parametrize("transport_class", [NativeTransport, HttpxTransport])
async def test_no_server_is_a_network_error_naming_the_url_not_the_token(transport_class):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    transport = transport_class(timeout=5.0)
    try:
        with pytest.raises(NetworkError) as info:
            await transport.get(f"http://127.0.0.1:{port}/user?access_token=s3cret", {"Authorization": "token s3cret"})
    finally:
        await transport.aclose()
    assert isinstance(info.value, ConnectionError)  # as py_eacopy's network errors are
    assert f"127.0.0.1:{port}/user" in str(info.value)
    assert "s3cret" not in str(info.value)


def test_simdjson_parser():
    assert _http.parse_json(b'{"a": [1, -2, 3.5, true, null, "\\u00fc", 18446744073709551615]}') == {
        "a": [1, -2, 3.5, True, None, "ü", 18446744073709551615]}
    with pytest.raises(ValueError):
        _http.parse_json(b'{"truncated": [1, 2')


def test_top_level_exports_load_lazily_and_say_which_transport() -> None:
    """`from GitFleet import GitHubClient` (seed 002, GitFleet 0.2.x) works, and importing
    GitFleet alone loads neither pydantic nor httpx; `_use_rust` answers for the transport."""
    assert_fresh_interpreter_runs(
        "import sys, GitFleet\n"
        "assert 'pydantic' not in sys.modules and 'httpx' not in sys.modules, 'loaded eagerly'\n"
        "from GitFleet import GitHubClient, GitLabClient, BitBucketClient, TokenManager, RepoInfo, to_dataframe\n"
        "from GitFleet import CloneTask, CloneStatus\n"
        "import GitFleet.providers as p\n"
        "assert GitHubClient is p.GitHubClient and RepoInfo is p.RepoInfo and TokenManager is p.TokenManager\n"
        "assert GitHubClient('t')._use_rust is True and GitHubClient('t', use_python_impl=True)._use_rust is False\n"
        "assert set(GitFleet.__all__) >= {'GitHubClient', 'CloneTask', 'to_json', 'GitFleetError'}\n"
    )


def test_the_provider_api_never_loads_libgit2() -> None:
    """The providers' native transport is an extension of its own (GitFleet._http): a provider
    client, its native request and its errors load neither GitFleet._native nor libgit2."""
    assert_fresh_interpreter_runs(
        "import asyncio, sys\n"
        "from GitFleet import GitHubClient, NetworkError\n"
        "async def main():\n"
        "    async with GitHubClient('t', base_url='http://127.0.0.1:9') as gh:\n"
        "        assert gh.implementation == 'native'\n"
        "        try:\n"
        "            await gh.fetch_user_info()\n"
        "        except NetworkError:\n"
        "            pass\n"
        "asyncio.run(main())\n"
        "maps = open('/proc/self/maps').read()\n"
        "assert 'GitFleet._native' not in sys.modules, 'the native core was imported'\n"
        "assert 'libgit2' not in maps and 'libcurl' in maps, 'wrong libraries loaded'\n"
    )


def assert_fresh_interpreter_runs(code: str) -> None:
    """Runs `code` in a new interpreter (what a module import loads is only visible there)."""
    done = subprocess.run([sys.executable, "-c", code + "print('ok')\n"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_provider_urls_and_clone_errors_share_one_scrubber() -> None:
    from GitFleet.providers._session import safe_url

    assert safe_url("https://bob:pw@api.example.com:8443/user?access_token=t0k#f") == "https://api.example.com:8443/user"
    assert _http.scrub_credentials("clone of https://x:t0k@h/r.git failed: t0k", "t0k") == "clone of https://h/r.git failed: ***"
