"""RepoManager: the entry point for working with many repositories."""

from __future__ import annotations

import os
import weakref
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from typing_extensions import Unpack

from . import _native, blame, columnar, history
from ._bridge import after_native_jobs_at_exit, run_native, started
from .blame import BlameFilters, BlameLine, BlameProgress
from .columnar import BlameTable, HistoryTables
from .exceptions import BlameError, InvalidArgumentError
from .fleet_settings import fleet_settings
from .history import CommitRecord, HistoryFilters, PathLike

if TYPE_CHECKING:  # the clone models load pydantic: only clone methods import them; pyarrow is optional
    import pyarrow as pa

    from .models.repo import CloneOptions, CloneTask

__all__ = ["RepoManager"]

# Managers that may own temporary clones (no dest_root): those are removed at interpreter exit.
_managers: weakref.WeakSet[RepoManager] = weakref.WeakSet()


@after_native_jobs_at_exit
def _remove_temporary_clones() -> None:
    for manager in list(_managers):
        manager.cleanup()


class RepoManager:
    """A fleet of repositories, and the analyses that run on local clones.

    ``RepoManager()`` with no URLs is fine for local work (history of a path on disk).

    Cloning runs the ``git`` executable, at most ``max_concurrency`` clones at a time, into
    private (0700) temporary directories or, with ``dest_root``, into ``dest_root/<name>``
    (where an existing clone of the same URL is updated with ``git fetch`` instead). Temporary
    clones are removed by :meth:`cleanup`, or else when the manager is garbage collected or the
    interpreter exits; clones under ``dest_root`` are kept.
    ``timeout`` (seconds) bounds each attempt; transient network failures are retried
    ``retries`` times with jittered exponential backoff starting at ``retry_backoff`` seconds.
    The token authenticates HTTPS clones through an askpass helper: it never appears in
    ``repr()``, ``.git/config``, command lines, logs or error messages.
    """

    def __init__(
        self,
        urls: Iterable[str] = (),
        github_username: str = "",
        github_token: str = "",
        *,
        clone_options: CloneOptions | Mapping[str, Any] | None = None,
        max_concurrency: int = 8,
        dest_root: PathLike | None = None,
        timeout: float | None = None,
        retries: int = 2,
        retry_backoff: float = 1.0,
    ) -> None:
        if isinstance(urls, str):
            urls = [urls]
        self._github_username = github_username
        self._has_token = bool(github_token)
        self._fleet: _native.CloneFleet | None = None
        self._settings = fleet_settings(
            clone_options, max_concurrency=max_concurrency,
            dest_root=os.fspath(dest_root) if dest_root is not None else None, timeout=timeout,
            retries=retries, retry_backoff=retry_backoff, username=github_username, token=github_token,
        )
        self._urls: list[str] = []
        for url in urls:
            self._add(url)

    def _native_fleet(self) -> _native.CloneFleet:
        # Created on first use: local-only work never needs git on PATH.
        if self._fleet is None:
            self._fleet = _native.CloneFleet(self._settings)
            if not self._settings.dest_root:
                _managers.add(self)
        return self._fleet

    def _add(self, url: str) -> str:
        if not isinstance(url, str) or not url:
            raise InvalidArgumentError(f"a repository URL must be a non-empty string, got {url!r}")
        key = self._native_fleet().add(url)  # the URL without credentials
        if key not in self._urls:
            self._urls.append(key)
        return key

    @property
    def urls(self) -> list[str]:
        """The fleet's URLs (without any credentials they were given with)."""
        return list(self._urls)

    def __repr__(self) -> str:
        token = ", github_token=<hidden>" if self._has_token else ""
        return f"RepoManager(urls={len(self._urls)}, github_username={self._github_username!r}{token})"

    @started
    async def clone_all(self) -> None:
        """Clones every queued repository; returns when all have finished. One failure never
        stops the others: look at :meth:`fetch_clone_tasks` for each outcome."""
        fleet = self._native_fleet()
        await run_native(lambda done: fleet.start_run(fleet.queued_urls(), done))

    @started
    async def clone(self, url: str) -> CloneTask:
        """Clones one repository (adding it to the fleet if new) and returns its task."""
        key = self._add(url)
        fleet = self._native_fleet()
        await run_native(lambda done: fleet.start_run([key], done))
        return (await self.fetch_clone_tasks())[key]

    @started
    async def retry_failed_clones(self) -> None:
        """Clones again every repository whose clone failed."""
        fleet = self._native_fleet()
        await run_native(lambda done: fleet.start_run(fleet.failed_urls(), done))

    @started
    async def fetch_clone_tasks(self) -> dict[str, CloneTask]:
        """A snapshot of every task: url -> CloneTask(url, status, temp_dir). Cheap enough to
        poll while clones run; it never waits for them."""
        from .models.repo import task_from_native

        fleet = self._native_fleet()
        return {row[0]: task_from_native(row) for row in fleet.tasks()}

    def cleanup(self) -> dict[str, bool | str]:
        """Removes every directory this manager created: url -> True, or why it could not."""
        _native.release_blame_sessions()  # they may hold files of the clones open
        if self._fleet is None:
            return {url: True for url in self._urls}
        return {url: (error or True) for url, error in self._fleet.cleanup()}

    @started
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


    @started
    async def history_tables(self, repo_path: PathLike, *, columns: Sequence[str] | None = None,
                             **filters: Unpack[HistoryFilters]) -> HistoryTables:
        """The commits of :meth:`extract_commits` as Arrow tables (needs pyarrow): ``commits``,
        and with ``include_files=True`` ``file_changes`` (columns: docs/columnar.md). Built in
        the native core, a fraction of the objects' memory; ``columns``: only these columns of
        ``commits``, in this order (e.g. without ``message``, most of a history's bytes)."""
        return await columnar.history_tables(repo_path, columns, **filters)

    @started
    async def commits_table(self, repo_path: PathLike, *, columns: Sequence[str] | None = None,
                            **filters: Unpack[HistoryFilters]) -> pa.Table:
        """:meth:`history_tables`' ``commits`` alone (``files_changed`` is counted either way)."""
        return (await columnar.history_tables(repo_path, columns, **{**filters, "include_files": False})).commits

    def yield_history_batches(
        self, repo_path: PathLike, batch_size: int = columnar.DEFAULT_HISTORY_BATCH, *,
        columns: Sequence[str] | None = None, **filters: Unpack[HistoryFilters]
    ) -> AsyncIterator[tuple[pa.RecordBatch, pa.RecordBatch]]:
        """:meth:`history_tables` as (commits, file_changes) record batches of at most
        ``batch_size`` commits, for histories too big to hold: memory stays bounded."""
        return columnar.yield_history_batches(repo_path, batch_size, columns, **filters)

    @started
    async def blame_table(
        self,
        repo_path: PathLike,
        file_paths: Iterable[PathLike] | None = None,
        *,
        progress: Callable[[BlameProgress], object] | None = None,
        **options: Unpack[BlameFilters],
    ) -> BlameTable:
        """:meth:`bulk_blame` (``file_paths=None``: every file, as :meth:`blame_repository`) as
        one Arrow table of lines (needs pyarrow), plus the files that could not be blamed."""
        return await columnar.blame_table(repo_path, file_paths, blame.blame_options(**options), progress)

    @started
    async def bulk_blame(
        self,
        repo_path: PathLike,
        file_paths: Iterable[PathLike],
        *,
        progress: Callable[[BlameProgress], object] | None = None,
        **options: Unpack[BlameFilters],
    ) -> dict[str | bytes, list[BlameLine] | BlameError]:
        """Blames every file of ``file_paths`` at ``rev``, in parallel on every core:
        path -> its lines (as ``git blame --line-porcelain`` describes them), or a
        :class:`BlameError` for that path alone (a missing file never fails the batch).
        Options (:class:`BlameFilters`): ``rev``, ``first_parent``, ``ignore_whitespace``,
        ``ignore_revs``, ``ignore_revs_file``, as git blame's --first-parent, -w, --ignore-rev
        and --ignore-revs-file; ``mailmap`` (default True: people as the repository's .mailmap
        names them, as git blame shows them). ``progress(BlameProgress)``, if given, is called on the event
        loop's thread a few times a second and once at the end: files and lines done of all."""
        return await blame.bulk_blame(repo_path, file_paths, blame.blame_options(**options), progress)

    def stream_blame(
        self,
        repo_path: PathLike,
        file_path: PathLike,
        batch_size: int = 1000,
        *,
        line_range: tuple[int, int] | None = None,
        **options: Unpack[BlameFilters],
    ) -> AsyncIterator[list[BlameLine]]:
        """The lines of :meth:`blame`, in order, as an async iterator of lists of at most
        ``batch_size``: Python holds at most two batches of line objects at a time."""
        return blame.stream_blame(repo_path, file_path, batch_size, blame.blame_options(line_range=line_range, **options))

    @started
    async def blame_repository(
        self,
        repo_path: PathLike,
        *,
        progress: Callable[[BlameProgress], object] | None = None,
        **options: Unpack[BlameFilters],
    ) -> dict[str, list[BlameLine] | BlameError]:
        """Every file at ``rev`` (submodules aside) blamed in one pass over the history: each
        commit is visited once for all the files (per core), instead of once per file as
        ``git blame`` run on each file does. Same results and ``progress`` as :meth:`bulk_blame`."""
        return await blame.bulk_blame(repo_path, None, blame.blame_options(**options), progress)

    @started
    async def find_files(
        self, repo_path: PathLike, pattern: PathLike | Iterable[PathLike], *, rev: str = "HEAD"
    ) -> list[str | bytes]:
        """The files at ``rev`` that ``pattern`` selects (one pattern or several), as
        ``git ls-files -- <patterns>`` lists them in a clean checkout: ``*`` crosses ``/``
        (``"*.py"`` finds Python files at every depth, ``"src/**/*.rs"`` those under src/),
        ``?`` and ``[...]`` as in fnmatch, and a pattern without wildcards names a file or a
        directory. Submodules are not files. Names come back as str (bytes when ``repo_path``
        is bytes), ready for :meth:`bulk_blame`."""
        return await blame.find_files(repo_path, pattern, rev)

    @started
    async def blame(
        self,
        repo_path: PathLike,
        file_path: PathLike,
        *,
        line_range: tuple[int, int] | None = None,
        **options: Unpack[BlameFilters],
    ) -> list[BlameLine]:
        """The lines of one file at ``rev``, each with the commit, original path and original
        line number ``git blame --porcelain`` gives it; ``line_range=(first, last)`` (1-based,
        inclusive) blames only those lines, as ``git blame -L``. Raises :class:`BlameError`."""
        native_options = blame.blame_options(line_range=line_range, **options)
        (result,) = (await blame.bulk_blame(repo_path, [file_path], native_options)).values()
        if isinstance(result, BlameError):
            raise result
        return result
