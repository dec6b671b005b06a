"""Fake provider APIs for the tests: real HTTP servers on 127.0.0.1 that follow each provider's
documented conventions (pagination, rate-limit headers and bodies, errors, ETags), with faults
injected on demand: "500", "502", "drop" (close without answering), "slow:<s>", "badjson",
"secondary" (403 secondary limit, no Retry-After), "retry-after:<s>" (403 + Retry-After), "429"."""

from __future__ import annotations

import base64
import collections
import hashlib
import http.server
import json
import math
import threading
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self.server.fake.handle(self)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: "FakeGitHub") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class FakeGitHub:
    """GitHub's REST conventions: Link pagination (per_page max 100, default 30), x-ratelimit-*
    headers counted per user, 403/429 primary and secondary bodies, Retry-After, 401 "Bad
    credentials", 404, /rate_limit (free), ETag/If-None-Match (a 304 costs no quota)."""

    def __init__(self, owners: dict[str, int] | None = None, tokens: dict[str, str] | None = None,
                 limit: int = 5000, latency: float = 0.0, orgs: set[str] | None = None) -> None:
        self.owners = owners or {"alice": 3}
        self.orgs = orgs or set()
        self.tokens = tokens or {"good-token": "alice"}  # token -> user
        self.limit = limit
        self.latency = latency
        self.reset_in = 3600
        self.quota: dict[str, list[int]] = {}  # user -> [remaining, reset]
        self.faults: collections.deque[str] = collections.deque()
        self.log: list[tuple[str, str | None]] = []  # (path, user)
        self.lock = threading.Lock()
        self.repos = {owner: [self._repo(owner, i) for i in range(n)] for owner, n in self.owners.items()}
        self.server = _Server(self)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "FakeGitHub":
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _repo(self, owner: str, i: int) -> dict[str, Any]:
        oid = abs(hash(owner)) % 10_000
        return {"id": oid * 100_000 + i, "name": f"repo-{i:05d}", "full_name": f"{owner}/repo-{i:05d}",
                "owner": {"login": owner, "id": oid}, "private": i % 7 == 0, "fork": i % 5 == 0,
                "clone_url": f"https://github.example/{owner}/repo-{i:05d}.git", "description": f"Repository {i}",
                "default_branch": "main", "language": ["Python", "C++", None][i % 3], "forks_count": i % 11,
                "stargazers_count": i * 3, "created_at": "2020-01-01T00:00:00Z", "updated_at": "2024-05-01T12:00:00Z",
                "topics": ["fleet", f"t{i % 4}"], "license": {"spdx_id": "MIT"}, "homepage": "", "archived": False,
                "open_issues_count": i % 13, "size": 100 + i}

    # -- request handling --------------------------------------------------------------------

    def handle(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        path, query = unquote(parts.path), {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.lock:
            fault = self.faults.popleft() if self.faults else None
        if self.latency:
            time.sleep(self.latency)
        if fault == "drop":
            h.close_connection = True
            h.connection.shutdown(2)
            return
        if fault and fault.startswith("slow:"):
            time.sleep(float(fault[5:]))
        if fault in ("500", "502"):
            return self._send(h, int(fault), {"message": "Server Error"})
        auth = h.headers.get("Authorization", "")
        token = auth.split(" ", 1)[1] if " " in auth else None
        user = self.tokens.get(token) if token else None
        with self.lock:
            self.log.append((path, user))
        if token and user is None:
            return self._send(h, 401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"})
        key = user or f"anonymous:{h.client_address[0]}"
        limit = self.limit if user else 60
        if fault == "secondary":
            return self._send(h, 403, {"message": "You have exceeded a secondary rate limit. Please wait a few "
                                       "minutes before you try again."})
        if fault and fault.startswith("retry-after:"):
            return self._send(h, 403, {"message": "You have exceeded a secondary rate limit."},
                              {"Retry-After": fault.split(":", 1)[1]})
        if fault == "429":
            return self._send(h, 429, {"message": "Too Many Requests"}, {"Retry-After": "0"})
        with self.lock:
            q = self.quota.setdefault(key, [limit, int(time.time()) + self.reset_in])
            if q[1] <= time.time():
                q[:] = [limit, int(time.time()) + self.reset_in]
        rate_headers = lambda: {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(q[0]),  # noqa: E731
                                "x-ratelimit-reset": str(q[1]), "x-ratelimit-used": str(limit - q[0]),
                                "x-ratelimit-resource": "core"}
        if path == "/rate_limit":
            core = {"limit": limit, "remaining": q[0], "reset": q[1], "used": limit - q[0]}
            return self._send(h, 200, {"resources": {"core": core}, "rate": core}, rate_headers())
        status, body, extra = self._route(path, query)
        etag = '"' + hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'
        if status == 200 and h.headers.get("If-None-Match") == etag:
            return self._send(h, 304, None, {**rate_headers(), "ETag": etag})
        with self.lock:
            if q[0] == 0:
                return self._send(h, 403, {"message": f"API rate limit exceeded for {key}.",
                                           "documentation_url": "https://docs.github.com/rest/rate-limit"},
                                  rate_headers())
            q[0] -= 1
        headers = {**rate_headers(), **extra}
        if status == 200:
            headers["ETag"] = etag
        if fault == "badjson":
            return self._send(h, 200, None, headers, raw=b'{"truncated": [1, 2')
        self._send(h, status, body, headers)

    def _route(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        segs = [s for s in path.split("/") if s]
        not_found = (404, {"message": "Not Found", "documentation_url": "https://docs.github.com/rest"}, {})
        if segs == ["user"]:
            return 200, {"login": "alice", "id": 1, "name": "Alice Liddell", "email": "alice@example.com",
                         "avatar_url": "https://avatars.example/1"}, {}
        if len(segs) == 2 and segs[0] == "users":
            if segs[1] not in self.repos:
                return not_found
            kind = "Organization" if segs[1] in self.orgs else "User"
            return 200, {"login": segs[1], "id": 7, "type": kind}, {}
        if len(segs) == 3 and segs[2] == "repos" and segs[0] in ("users", "orgs"):
            if segs[1] not in self.repos or (segs[0] == "orgs") != (segs[1] in self.orgs):
                return not_found
            return self._page(path, query, self.repos[segs[1]])
        if len(segs) >= 3 and segs[0] == "repos":
            repo = next((r for r in self.repos.get(segs[1], []) if r["name"] == segs[2]), None)
            if repo is None:
                return not_found
            if len(segs) == 3:
                return 200, repo, {}
            if segs[3] == "branches":
                n = 1 + repo["id"] % 4 + (150 if segs[2] == "repo-00001" else 0)
                return self._page(path, query, [{"name": "main" if i == 0 else f"feature-{i}",
                                                 "commit": {"sha": f"{i:040x}", "url": f"https://c/{i}"},
                                                 "protected": i == 0} for i in range(n)])
            if segs[3] == "contributors":
                return self._page(path, query, [{"login": f"dev{i}", "id": 1000 + i, "contributions": 50 - i,
                                                 "avatar_url": None} for i in range(5)])
            if segs[3] == "contents":
                file_path = "/".join(segs[4:])
                if file_path != "README.md":
                    return not_found
                text = f"# {segs[2]} at {query.get('ref', 'main')}\n\nünïcode ✓\n"
                return 200, {"type": "file", "encoding": "base64", "path": file_path,
                             "content": base64.encodebytes(text.encode()).decode()}, {}
        return not_found

    def _page(self, path: str, query: dict[str, str], items: list[Any]) -> tuple[int, Any, dict[str, str]]:
        per_page = min(max(int(query.get("per_page", 30)), 1), 100)
        page = max(int(query.get("page", 1)), 1)
        last = max(1, math.ceil(len(items) / per_page))
        links = []
        base = f"{self.base_url}{path}"
        for rel, p in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
            if 1 <= p <= last and not (rel in ("last", "first") and page == p) and not (rel == "next" and page >= last):
                links.append(f'<{base}?{urlencode({**query, "per_page": per_page, "page": p})}>; rel="{rel}"')
        return 200, items[(page - 1) * per_page: page * per_page], {"Link": ", ".join(links)} if links else {}

    def _send(self, h: _Handler, status: int, body: Any, headers: dict[str, str] | None = None,
              raw: bytes | None = None) -> None:
        data = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        h.send_response(status)
        h.send_header("Content-Type", "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)
