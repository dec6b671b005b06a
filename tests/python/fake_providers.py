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
import socket
import threading
import time
from typing import Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit


def _peer_closed(connection: socket.socket) -> bool:
    """Whether the client has closed its side (a peek at the socket reads end-of-file)."""
    try:
        return connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except BlockingIOError:
        return False
    except OSError:
        return True


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every response, which no real API does.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802
        self.server.fake.handle(self)


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 drops concurrent connects (1 s SYN retries)

    def __init__(self, fake: "FakeProvider") -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


class FakeProvider:
    """What every fake shares: users and their tokens, repositories per owner, a quota per user
    counted on every request but free ones and 304s, ETags, faults, a request log."""

    free_paths: tuple[str, ...] = ()

    def __init__(self, owners: dict[str, int] | None = None, tokens: dict[str, str] | None = None,
                 limit: int = 5000, latency: float = 0.0, orgs: set[str] | None = None,
                 clone_url: str = "https://github.example/{full_name}.git") -> None:
        self.clone_url = clone_url  # a template over the repository's fields
        self.owners = owners or {"alice": 3}
        self.orgs = orgs or set()
        self.tokens = tokens or {"good-token": "alice"}  # token -> user
        self.limit = limit
        self.latency = latency
        self.reset_in = 3600
        self.quota: dict[str, list[int]] = {}  # user -> [remaining, reset]
        self.faults: collections.deque[str] = collections.deque()
        self.faults_served: list[str] = []  # the faults requests actually met, in order
        self.log: list[tuple[str, str | None]] = []  # (path, user)
        self.abandoned: list[str] = []  # requests whose client hung up while the answer was slow
        self.requests_started = 0
        # Cleared by a test: requests wait at the server (counted in `held`) until it is set.
        self.gate = threading.Event()
        self.gate.set()
        self.held = 0
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
                "clone_url": self.clone_url.format(full_name=f"{owner}/repo-{i:05d}", name=f"repo-{i:05d}"),
                "description": f"Repository {i}",
                "default_branch": "main", "language": ["Python", "C++", None][i % 3], "forks_count": i % 11,
                "stargazers_count": i * 3, "created_at": "2020-01-01T00:00:00Z", "updated_at": "2024-05-01T12:00:00Z",
                "topics": ["fleet", f"t{i % 4}"], "license": {"spdx_id": "MIT"}, "homepage": "", "archived": False,
                "open_issues_count": i % 13, "size": 100 + i}

    # -- request handling --------------------------------------------------------------------

    # -- what each provider defines ---------------------------------------------------------

    def token_of(self, h: _Handler) -> str | None:
        auth = h.headers.get("Authorization", "")  # "Bearer <token>" (GitHub, Bitbucket)
        return auth.split(" ", 1)[1] if " " in auth else None

    def unauthorized(self) -> tuple[int, Any]:
        raise NotImplementedError

    def rate_headers(self, limit: int, remaining: int, reset: int) -> dict[str, str]:
        raise NotImplementedError

    def exhausted(self, key: str, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def free(self, segs: list[str], limit: int, remaining: int, reset: int) -> Any:
        """The body of a request that costs no quota (or None)."""
        return None

    def route(self, segs: list[str], query: dict[str, str], path: str) -> tuple[int, Any, dict[str, str]]:
        raise NotImplementedError

    def handle(self, h: _Handler) -> None:
        parts = urlsplit(h.path)
        segs = [unquote(s) for s in parts.path.split("/") if s]
        path, query = parts.path, {k: v[-1] for k, v in parse_qs(parts.query).items()}
        with self.lock:
            fault = self.faults.popleft() if self.faults else None
            if fault:
                self.faults_served.append(fault)
            self.requests_started += 1
        if not self.gate.is_set():
            with self.lock:
                self.held += 1
            self.gate.wait(30)
            with self.lock:
                self.held -= 1
        if self.latency:
            time.sleep(self.latency)
            if _peer_closed(h.connection):
                with self.lock:
                    self.abandoned.append(unquote(path))
                h.close_connection = True
                return
        if fault == "drop":
            h.close_connection = True
            h.connection.shutdown(2)
            return
        if fault and fault.startswith("slow:"):
            time.sleep(float(fault[5:]))
        if fault in ("500", "502"):
            return self._send(h, int(fault), {"message": "Server Error"})
        token = self.token_of(h)
        user = self.tokens.get(token) if token else None
        with self.lock:
            self.log.append((unquote(path), user))
        if token and user is None:
            return self._send(h, *self.unauthorized())
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
        rate_headers = lambda: self.rate_headers(limit, q[0], q[1])  # noqa: E731
        free = self.free(segs, limit, q[0], q[1])
        if free is not None:
            return self._send(h, 200, free, rate_headers())
        status, body, extra = self.route(segs, query, path)
        etag = '"' + hashlib.sha1(json.dumps(body, sort_keys=True).encode()).hexdigest() + '"'
        if status == 200 and h.headers.get("If-None-Match") == etag:
            return self._send(h, 304, None, {**rate_headers(), "ETag": etag})
        with self.lock:
            if q[0] == 0:
                return self._send(h, *self.exhausted(key, rate_headers()))
            q[0] -= 1
        headers = {**rate_headers(), **extra}
        if status == 200:
            headers["ETag"] = etag
        if fault == "badjson":
            return self._send(h, 200, None, headers, raw=b'{"truncated": [1, 2')
        self._send(h, status, body, headers)

    def _send(self, h: _Handler, status: int, body: Any, headers: dict[str, str] | None = None,
              raw: bytes | None = None) -> None:
        data = raw if raw is not None else (b"" if body is None else
                                            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        h.send_response(status)
        h.send_header("Content-Type", "text/plain" if isinstance(body, str) else "application/json; charset=utf-8")
        h.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def branches(self, repo: dict[str, Any]) -> list[tuple[str, str, bool]]:
        n = 1 + repo["id"] % 4 + (150 if repo["name"] == "repo-00001" else 0)
        return [("main" if i == 0 else f"feature-{i}", f"{i:040x}", i == 0) for i in range(n)]

    @staticmethod
    def readme(repo: str, ref: str) -> str:
        return f"# {repo} at {ref}\n\nünïcode ✓\n"


class FakeGitHub(FakeProvider):
    """GitHub's REST conventions: Link pagination (per_page max 100, default 30), x-ratelimit-*
    headers counted per user, 403/429 primary and secondary bodies, Retry-After, 401 "Bad
    credentials", 404, /rate_limit (free), ETag/If-None-Match (a 304 costs no quota)."""

    def unauthorized(self) -> tuple[int, Any]:
        return 401, {"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest"}

    def rate_headers(self, limit: int, remaining: int, reset: int) -> dict[str, str]:
        return {"x-ratelimit-limit": str(limit), "x-ratelimit-remaining": str(remaining),
                "x-ratelimit-reset": str(reset), "x-ratelimit-used": str(limit - remaining),
                "x-ratelimit-resource": "core"}

    def exhausted(self, key: str, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        return 403, {"message": f"API rate limit exceeded for {key}.",
                     "documentation_url": "https://docs.github.com/rest/rate-limit"}, headers

    def free(self, segs: list[str], limit: int, remaining: int, reset: int) -> Any:
        if segs == ["rate_limit"]:
            core = {"limit": limit, "remaining": remaining, "reset": reset, "used": limit - remaining}
            return {"resources": {"core": core}, "rate": core}
        return None

    def route(self, segs: list[str], query: dict[str, str], path: str) -> tuple[int, Any, dict[str, str]]:
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
                return self._page(path, query, [{"name": name, "commit": {"sha": sha, "url": f"https://c/{sha}"},
                                                 "protected": protected}
                                                for name, sha, protected in self.branches(repo)])
            if segs[3] == "contributors":
                return self._page(path, query, [{"login": f"dev{i}", "id": 1000 + i, "contributions": 50 - i,
                                                 "avatar_url": None} for i in range(5)])
            if segs[3] == "contents":
                file_path = "/".join(segs[4:])
                if file_path != "README.md":
                    return not_found
                text = self.readme(segs[2], query.get("ref", "main"))
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


class FakeGitLab(FakeProvider):
    """GitLab v4 conventions: PRIVATE-TOKEN, offset pagination with x-page/x-per-page/
    x-next-page/x-total/x-total-pages and Link (totals omitted past ``totals_limit`` items, as
    GitLab does past 10,000), RateLimit-* headers, 429 "Retry later" with Retry-After,
    401 "401 Unauthorized", groups with projects, users looked up by username."""

    totals_limit = 10_000
    keyset_only = False  # answer every list in keyset mode, as GitLab may for large sets

    def token_of(self, h: _Handler) -> str | None:
        return h.headers.get("PRIVATE-TOKEN")

    def unauthorized(self) -> tuple[int, Any]:
        return 401, {"message": "401 Unauthorized"}

    def rate_headers(self, limit: int, remaining: int, reset: int) -> dict[str, str]:
        return {"RateLimit-Limit": str(limit), "RateLimit-Remaining": str(remaining), "RateLimit-Reset": str(reset),
                "RateLimit-Observed": str(limit - remaining),
                "RateLimit-ResetTime": time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(reset))}

    def exhausted(self, key: str, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        return 429, "Retry later", {**headers, "Retry-After": str(max(0, int(headers["RateLimit-Reset"]) - int(time.time())))}

    def _project(self, repo: dict[str, Any]) -> dict[str, Any]:
        owner = repo["owner"]["login"]
        return {"id": repo["id"], "name": repo["name"].title(), "path": repo["name"],
                "path_with_namespace": repo["full_name"], "namespace": {"full_path": owner, "kind": "group"},
                "http_url_to_repo": f"https://gitlab.example/{repo['full_name']}.git", "web_url": "https://gl/x",
                "description": repo["description"], "default_branch": "main", "forks_count": repo["forks_count"],
                "star_count": repo["stargazers_count"], "created_at": repo["created_at"],
                "last_activity_at": repo["updated_at"], "visibility": "private" if repo["private"] else "public",
                "topics": repo["topics"], "archived": False, "open_issues_count": repo["open_issues_count"]}

    def route(self, segs: list[str], query: dict[str, str], path: str) -> tuple[int, Any, dict[str, str]]:
        not_found = (404, {"message": "404 Not Found"}, {})
        if segs[:2] != ["api", "v4"]:
            return not_found
        segs = segs[2:]
        if segs == ["user"]:
            return 200, {"id": 1, "username": "alice", "name": "Alice Liddell", "public_email": "alice@example.com",
                         "avatar_url": "https://avatars.example/1"}, {}
        if segs == ["version"]:
            return 200, {"version": "17.0.0"}, {}
        if segs == ["users"]:
            name = query.get("username")
            return 200, ([{"id": 500 + sorted(self.repos).index(name), "username": name}]
                         if name in self.repos and name not in self.orgs else []), {}
        if len(segs) >= 2 and segs[0] == "groups":
            if segs[1] not in self.orgs:
                return not_found
            if len(segs) == 2:
                return 200, {"id": 9, "full_path": segs[1]}, {}
            if segs[2:] == ["projects"]:
                return self._page(path, query, [self._project(r) for r in self.repos[segs[1]]])
        if len(segs) == 3 and segs[0] == "users" and segs[2] == "projects":
            owners = [o for o in sorted(self.repos) if o not in self.orgs]
            index = int(segs[1]) - 500
            if not 0 <= index < len(sorted(self.repos)):
                return not_found
            return self._page(path, query, [self._project(r) for r in self.repos[sorted(self.repos)[index]]]
                              if sorted(self.repos)[index] in owners else [])
        if len(segs) >= 2 and segs[0] == "projects":
            owner, _, name = segs[1].partition("/")
            repo = next((r for r in self.repos.get(owner, []) if r["name"] == name), None)
            if repo is None:
                return not_found
            rest = segs[2:]
            if not rest:
                return 200, {**self._project(repo), "license": {"key": "mit"}}, {}
            if rest == ["repository", "branches"]:
                return self._page(path, query, [{"name": n, "protected": p, "commit": {"id": sha, "web_url": None}}
                                                for n, sha, p in self.branches(repo)])
            if rest == ["repository", "contributors"]:
                return self._page(path, query, [{"name": f"dev{i}", "email": f"dev{i}@example.com",
                                                 "commits": 50 - i} for i in range(5)])
            if rest[:2] == ["repository", "files"] and len(rest) == 3:
                if rest[2] != "README.md" or "ref" not in query:
                    return (400, {"message": "ref is missing"}, {}) if "ref" not in query else not_found
                text = self.readme(name, query["ref"])
                return 200, {"file_path": rest[2], "encoding": "base64",
                             "content": base64.b64encode(text.encode()).decode()}, {}
        return not_found

    def _page(self, path: str, query: dict[str, str], items: list[Any]) -> tuple[int, Any, dict[str, str]]:
        per_page = min(max(int(query.get("per_page", 20)), 1), 100)
        if self.keyset_only or query.get("pagination") == "keyset":
            # Keyset pagination: items after id_after, and only a Link to the next set.
            after = int(query.get("id_after", -1))
            chunk = [i for i in items if i.get("id", 0) > after][:per_page]
            more = chunk and any(i.get("id", 0) > chunk[-1]["id"] for i in items)
            params = {k: v for k, v in query.items() if k not in ("page", "id_after")}
            following = urlencode({**params, "pagination": "keyset", "per_page": per_page,
                                   "id_after": chunk[-1]["id"]}) if more else ""
            link = f'<{self.base_url}{path}?{following}>; rel="next"' if more else ""
            return 200, chunk, {"Link": link} if link else {}
        page = max(int(query.get("page", 1)), 1)
        last = max(1, math.ceil(len(items) / per_page))
        base = f"{self.base_url}{path}"
        headers = {"x-page": str(page), "x-per-page": str(per_page),
                   "x-next-page": str(page + 1) if page < last else "", "x-prev-page": str(page - 1) if page > 1 else ""}
        if len(items) <= self.totals_limit:
            headers.update({"x-total": str(len(items)), "x-total-pages": str(last)})
        links = [f'<{base}?{urlencode({**query, "per_page": per_page, "page": p})}>; rel="{rel}"'
                 for rel, p in (("next", page + 1), ("prev", page - 1), ("first", 1), ("last", last))
                 if 1 <= p <= last and (rel != "last" or len(items) <= self.totals_limit)]
        headers["Link"] = ", ".join(links)
        return 200, items[(page - 1) * per_page: page * per_page], headers


class FakeBitbucket(FakeProvider):
    """Bitbucket Cloud 2.0 conventions: Bearer tokens, the values/next envelope with page,
    pagelen (max 100, default 10) and size (omitted when ``with_size`` is off), X-RateLimit-Limit
    without what remains, 429 when the quota is used up, raw file content from /src."""

    with_size = True

    def unauthorized(self) -> tuple[int, Any]:
        return 401, {"type": "error", "error": {"message": "Access token expired or invalid."}}

    def rate_headers(self, limit: int, remaining: int, reset: int) -> dict[str, str]:
        return {"X-RateLimit-Limit": str(limit), "X-RateLimit-Resource": "api",
                "X-RateLimit-NearLimit": str(remaining < limit // 5).lower()}

    def exhausted(self, key: str, headers: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        return 429, {"type": "error", "error": {"message": "Rate limit for this resource has been exceeded"}}, headers

    def _repository(self, repo: dict[str, Any]) -> dict[str, Any]:
        ws = repo["owner"]["login"]
        return {"type": "repository", "uuid": "{%d}" % repo["id"], "slug": repo["name"], "name": repo["name"].title(),
                "full_name": repo["full_name"], "is_private": repo["private"], "description": repo["description"],
                "language": (repo["language"] or "").lower(), "created_on": repo["created_at"],
                "updated_on": repo["updated_at"], "mainbranch": {"name": "main", "type": "branch"},
                "workspace": {"slug": ws}, "size": 2048 * (1 + repo["id"] % 5), "website": None,
                "links": {"clone": [{"name": "https", "href": f"https://bitbucket.example/{repo['full_name']}.git"},
                                    {"name": "ssh", "href": f"git@bitbucket.example:{repo['full_name']}.git"}]}}

    def route(self, segs: list[str], query: dict[str, str], path: str) -> tuple[int, Any, dict[str, str]]:
        not_found = (404, {"type": "error", "error": {"message": "Repository not found"}}, {})
        if segs[:1] != ["2.0"]:
            return not_found
        segs = segs[1:]
        if segs == ["user"]:
            return 200, {"uuid": "{u-1}", "username": "alice", "display_name": "Alice Liddell",
                         "links": {"avatar": {"href": "https://avatars.example/1"}}}, {}
        if len(segs) == 2 and segs[0] == "repositories":
            if segs[1] not in self.repos:
                return not_found
            return self._page(path, query, [self._repository(r) for r in self.repos[segs[1]]])
        if len(segs) >= 3 and segs[0] == "repositories":
            repo = next((r for r in self.repos.get(segs[1], []) if r["name"] == segs[2]), None)
            if repo is None:
                return not_found
            rest = segs[3:]
            if not rest:
                return 200, self._repository(repo), {}
            if rest == ["refs", "branches"]:
                return self._page(path, query, [{"name": n, "target": {"hash": sha, "links": {"html": {"href": None}}}}
                                                for n, sha, _ in self.branches(repo)])
            if rest == ["commits"]:
                return self._page(path, query, [{"hash": f"{i:040x}", "author": {
                    "raw": f"dev{i % 3} <dev{i % 3}@example.com>", "user": {"nickname": f"dev{i % 3}", "uuid": f"{{d{i % 3}}}"}}}
                    for i in range(25)])
            if rest[0] == "src" and len(rest) >= 3:
                if "/".join(rest[2:]) != "README.md":
                    return not_found
                return 200, self.readme(segs[2], rest[1]), {}
        return not_found

    def _page(self, path: str, query: dict[str, str], items: list[Any]) -> tuple[int, Any, dict[str, str]]:
        pagelen = min(max(int(query.get("pagelen", 10)), 1), 100)
        page = max(int(query.get("page", 1)), 1)
        last = max(1, math.ceil(len(items) / pagelen))
        body: dict[str, Any] = {"pagelen": pagelen, "page": page,
                                "values": items[(page - 1) * pagelen: page * pagelen]}
        if self.with_size:
            body["size"] = len(items)
        if page < last:
            body["next"] = f"{self.base_url}{path}?{urlencode({**query, 'pagelen': pagelen, 'page': page + 1})}"
        return 200, body, {}


if __name__ == "__main__":  # a fake in its own process (the benchmark's server): prints its URL
    import argparse
    import signal

    ap = argparse.ArgumentParser()
    ap.add_argument("provider", choices=["github", "gitlab", "bitbucket"])
    ap.add_argument("--repos", type=int, default=5000)
    ap.add_argument("--latency", type=float, default=0.05)
    args = ap.parse_args()
    kind = {"github": FakeGitHub, "gitlab": FakeGitLab, "bitbucket": FakeBitbucket}[args.provider]
    with kind({"alice": args.repos}, latency=args.latency, limit=10 ** 9) as fake:
        print(fake.base_url, flush=True)
        signal.sigwait({signal.SIGTERM, signal.SIGINT})
