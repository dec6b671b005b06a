"""``GitProviderClient``: the interface every provider client implements, and the pagination
and conversion machinery they share."""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from ..exceptions import AuthenticationError, InvalidArgumentError, ProviderError
from ._session import RetryPolicy, Session, safe_url, with_query
from ..models.common import (
    BranchInfo,
    ContributorInfo,
    ProviderType,
    RateLimitInfo,
    RepoDetails,
    RepoInfo,
    UserInfo,
)
from .native_transport import NativeTransport
from .python_transport import HttpxTransport
from .token_manager import TokenManager
from ..utils.converters import to_dataframe
from ..utils.rate_limit import gather_limited

__all__ = ["GitProviderClient", "PageUrls"]

M = TypeVar("M")


class PageUrls(Sequence[str]):
    """The URLs of pages ``pages`` of a listing, made only as they are fetched: a server that
    claims half a million pages costs nothing until max_pages refuses it."""

    def __init__(self, url: str, pages: range) -> None:
        self._url, self._pages = url, pages

    def __len__(self) -> int:
        return len(self._pages)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return PageUrls(self._url, self._pages[index])
        return with_query(self._url, page=self._pages[index])


class GitProviderClient(ABC):
    """A provider's REST API. ``token``: the credential (or None for anonymous access, or to
    use only ``token_manager``'s); ``base_url`` for self-hosted servers; ``use_python_impl``
    forces the pure-Python (httpx) transport; ``max_pages`` bounds the pages of one listing (a
    server asking for more is an error, as is one whose links go round in circles). Credentials
    go only to ``base_url``'s origin: a link elsewhere is refused. Use ``async with`` or
    ``await aclose()``."""

    provider_type: ProviderType
    default_base_url: str

    def __init__(self, token: str | None = None, base_url: str | None = None,
                 token_manager: TokenManager | None = None, use_python_impl: bool = False, *,
                 retry: RetryPolicy | None = None, max_concurrency: int = 8, timeout: float = 30.0,
                 max_pages: int = 10_000) -> None:
        if max_concurrency < 1:
            raise InvalidArgumentError("max_concurrency must be at least 1")
        if max_pages < 1:
            raise InvalidArgumentError("max_pages must be at least 1")
        self.max_pages = max_pages
        self.base_url = (base_url or self.default_base_url).rstrip("/")
        self.token_manager = token_manager or TokenManager()
        self._max_concurrency = max_concurrency
        transport_class = HttpxTransport if use_python_impl else NativeTransport
        transport = transport_class(timeout=timeout, max_connections=max_concurrency)
        self._session = Session(self.provider_type, self.base_url, transport, token, self.token_manager,
                                self._auth_header, self._parse_rate_limit, retry or RetryPolicy())

    @property
    def implementation(self) -> str:
        """Which transport carries the requests: "python" (httpx) or "native" (C++)."""
        return self._session.transport.name

    @property
    def _use_rust(self) -> bool:
        """What GitFleet 0.2.x code (and seed 002) checks: True when the native transport
        carries the requests (ours is C++, theirs was Rust), False for httpx."""
        return self.implementation == "native"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, implementation={self.implementation!r})"

    async def __aenter__(self) -> "GitProviderClient":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._session.aclose()

    # -- the interface ----------------------------------------------------------------------

    @abstractmethod
    async def fetch_repositories(self, owner: str) -> list[RepoInfo]: ...

    @abstractmethod
    async def fetch_user_info(self) -> UserInfo: ...

    @abstractmethod
    async def get_rate_limit(self) -> RateLimitInfo: ...

    @abstractmethod
    async def fetch_repository_details(self, owner: str, repo: str) -> RepoDetails: ...

    @abstractmethod
    async def fetch_contributors(self, owner: str, repo: str) -> list[ContributorInfo]: ...

    @abstractmethod
    async def fetch_branches(self, owner: str, repo: str) -> list[BranchInfo]: ...

    @abstractmethod
    async def fetch_file_content(self, owner: str, repo: str, path: str, ref: str | None = None) -> str: ...

    async def validate_credentials(self) -> bool:
        """True when the provider accepts the credentials (False when it refuses them)."""
        try:
            await self.fetch_user_info()
        except AuthenticationError:
            return False
        return True

    def to_pandas(self, data: Any) -> Any:
        """Models (one or a list) as a pandas DataFrame (needs pandas)."""
        return to_dataframe(data)

    # -- shared machinery -------------------------------------------------------------------

    @abstractmethod
    def _auth_header(self, token: str) -> dict[str, str]: ...

    @abstractmethod
    def _parse_rate_limit(self, headers: Mapping[str, str]) -> RateLimitInfo | None: ...

    async def _get(self, url: str) -> tuple[Any, Mapping[str, str]]:
        return await self._session.get_json(url)

    @contextlib.contextmanager
    def _reading(self, url: str) -> Iterator[None]:
        """A body without a field the models need, or of another shape, is a ProviderError
        naming the field and the URL (never a bare KeyError)."""
        try:
            yield
        except ProviderError:
            raise
        except KeyError as e:
            raise ProviderError(f"{self.provider_type.value}: a response from {safe_url(url)} lacks the field "
                                f"{e.args[0]!r}") from None
        except (TypeError, AttributeError, ValueError) as e:
            raise ProviderError(f"{self.provider_type.value}: a response from {safe_url(url)} has an unexpected "
                                f"shape: {str(e)[:200]}") from None

    async def _fetch(self, url: str, convert: Callable[[Any], M]) -> M:
        """One object, converted."""
        data, _ = await self._get(url)
        with self._reading(url):
            return convert(data)

    # How a provider paginates: the query parameter asking for 100 items a page, the items of
    # a page, the URL of the next page, and every remaining page's URL when the first page
    # tells them ([] when there are none, None when only "next" links can be followed).
    page_size_param = "per_page"

    def _page_items(self, data: Any) -> Iterable[Any]:
        if not isinstance(data, list):
            raise ProviderError(f"{self.provider_type.value}: expected a list in a paginated response")
        return data

    @abstractmethod
    def _next_page(self, data: Any, headers: Mapping[str, str]) -> str | None: ...

    @abstractmethod
    def _remaining_pages(self, data: Any, headers: Mapping[str, str], url: str) -> Sequence[str] | None: ...

    def _too_many_pages(self, url: str, pages: int | str) -> ProviderError:
        return ProviderError(f"{self.provider_type.value}: {safe_url(url)} lists {pages} pages, more than "
                             f"max_pages={self.max_pages} (raise it to list them all)")

    async def _list(self, path: str, convert: Callable[[Any], M], **params: Any) -> list[M]:
        """Every item of every page, converted: when the first page tells the last one, the
        rest are fetched concurrently (at most max_concurrency at once), in order; otherwise
        the server's next links are followed. Items seen twice (a page shifted meanwhile) are
        kept once. At most max_pages pages; a next link seen before is an error."""
        url = with_query(self.base_url + path, **{self.page_size_param: 100}, **params)
        data, headers = await self._get(url)
        items = list(self._page_items(data))
        with self._reading(url):
            rest = self._remaining_pages(data, headers, url)
        if rest:
            if len(rest) + 1 > self.max_pages:
                raise self._too_many_pages(url, len(rest) + 1)
            for body, _ in await gather_limited((self._get(u) for u in rest), self._max_concurrency):
                items.extend(self._page_items(body))
        elif rest is None:
            seen = {url}
            following = self._next_page(data, headers)
            while following:
                if following in seen:
                    raise ProviderError(f"{self.provider_type.value}: the pages of {safe_url(url)} link back to "
                                        f"{safe_url(following)}: a loop")
                if len(seen) >= self.max_pages:
                    raise self._too_many_pages(url, f"more than {self.max_pages}")
                seen.add(following)
                data, headers = await self._get(following)
                items.extend(self._page_items(data))
                following = self._next_page(data, headers)
        with self._reading(url):
            return [convert(item) for item in _dedupe(items)]


def _dedupe(items: list[Any]) -> list[Any]:
    seen, out = set(), []
    for item in items:
        key = item.get("id", item.get("uuid", item.get("name"))) if isinstance(item, dict) else None
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        out.append(item)
    return out
