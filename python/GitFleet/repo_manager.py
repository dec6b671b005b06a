"""RepoManager: the entry point for working with many repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

from typing_extensions import Unpack

from . import history
from .history import CommitRecord, HistoryFilters, PathLike

__all__ = ["RepoManager"]


class RepoManager:
    """A fleet of repositories, and the analyses that run on local clones.

    ``RepoManager()`` with no URLs is fine for local work (history of a path on disk).
    The token is used only for HTTPS authentication; it never appears in ``repr()``.
    """

    def __init__(self, urls: Iterable[str] = (), github_username: str = "", github_token: str = "") -> None:
        if isinstance(urls, str):
            urls = [urls]
        self._urls: list[str] = list(dict.fromkeys(urls))
        self._github_username = github_username
        self._github_token = github_token

    @property
    def urls(self) -> list[str]:
        return list(self._urls)

    def __repr__(self) -> str:
        token = ", github_token=<hidden>" if self._github_token else ""
        return f"RepoManager(urls={len(self._urls)}, github_username={self._github_username!r}{token})"

    async def extract_commits(self, repo_path: PathLike, **filters: Unpack[HistoryFilters]) -> list[CommitRecord]:
        """Every commit ``git log <rev> [-- paths]`` shows, in git's order, with line counts
        identical to ``git log --numstat`` (merges counted against their first parent).

        Filters (all keyword-only, see :class:`HistoryFilters`): ``rev="HEAD"``, ``max_count``,
        ``since``/``until`` (datetimes, dates, ISO 8601 strings or timestamps, compared with the
        committer date as git does; ``since`` stops the walk at older commits), ``paths``,
        ``first_parent``, ``include_files`` (per-file records), ``detect_renames=True`` (git's
        default rename detection), ``threads`` (at most that many commits diffed at once;
        1 runs on one thread; default: every core).
        """
        return await history.extract_commits(repo_path, **filters)

    def yield_commits(
        self, repo_path: PathLike, batch_size: int = 100, **filters: Unpack[HistoryFilters]
    ) -> AsyncIterator[list[CommitRecord]]:
        """The same commits as :meth:`extract_commits`, as an async iterator of lists of at most
        ``batch_size`` commits. Memory stays bounded: the native side runs at most two batches
        ahead of the consumer. Leaving the loop early stops the native work."""
        return history.yield_commits(repo_path, batch_size, **filters)
