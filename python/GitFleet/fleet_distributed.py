"""Fleets beyond one process: each repository read by a task on a Dask cluster (a local one
of worker processes, or an existing scheduler; only what the store lacks when it holds an
earlier state of the repository), its results brought back as Arrow tables and
written by this process into the fleet store, one transaction per repository. A worker lost
midway has its tasks run again elsewhere (Dask reschedules them); a repository's results are
stored whole and once, whatever its task's history. Workers that cannot reach the store write
Parquet partitions instead, one folder per repository on a shared path, for
:func:`read_partition` and :meth:`FleetStore.put` to bring in later. Needs
``pip install 'GitFleet[distributed]'``."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ._native import repository_name
from .exceptions import GitFleetError, InvalidArgumentError
from .columnar import HistoryTables, require_pyarrow
from .fleet_store import FleetStore, RepositoryChanges, RepositorySnapshot, StoreUpdate, read_repository, read_update

if TYPE_CHECKING:
    from distributed import Client

    from .repo_manager import RepoManager

T = TypeVar("T")

__all__ = ["FleetRun", "is_url", "read_partition", "store_fleet", "write_partition"]

# One Parquet file per table in a repository's partition, and what the snapshot says of itself.
_PARTITION_TABLES = ("commits", "file_changes", "blame_lines", "files")
_PARTITION_INFO = "repository.json"


class FleetRun(NamedTuple):
    """``stored``: each repository's update, in the order given; ``failed``: target -> why."""

    stored: list[StoreUpdate]
    failed: dict[str, str]


def is_url(target: str) -> bool:
    """A clone URL (scheme://... or scp-like user@host:path) rather than a local path."""
    return bool(re.match(r"^[a-z][a-z0-9+.-]*://", target)) or bool(re.match(r"^[\w.-]+@[\w.-]+:", target))


def read_target(target: str, name: str,
                stored: str | None = None) -> RepositorySnapshot | RepositoryChanges | StoreUpdate:
    """One task: what a store holding the target at ``stored`` needs
    (:func:`~GitFleet.fleet_store.read_update`; everything when ``stored`` is None)."""
    return _on_worker(target, lambda manager, path: read_update(manager, path, name, target, stored))


def _on_worker(target: str, read: Callable[[RepoManager, str], Awaitable[T]]) -> T:
    """``read`` of the target's path, cloned first when it is a URL (into the worker's
    temporary directory, removed afterwards)."""
    from .repo_manager import RepoManager

    async def run() -> T:
        manager = RepoManager([target] if is_url(target) else [])
        try:
            path = target
            if is_url(target):
                task = await manager.clone(target)
                if not task.temp_dir or task.status.error:
                    raise GitFleetError(f"clone failed: {task.status.error or 'no directory'}")
                path = task.temp_dir
            return await read(manager, path)
        finally:
            manager.cleanup()

    return asyncio.run(run())


def write_partition(snapshot: RepositorySnapshot, root: str) -> StoreUpdate:
    """Writes a snapshot as ``root/<repo>/`` (a Parquet file per table and repository.json),
    whole or not at all: written beside it, then renamed into place (a task run twice leaves
    one partition)."""
    import pyarrow.parquet as pq

    if snapshot.repo in ("", ".", "..") or "/" in snapshot.repo or "\0" in snapshot.repo:
        raise InvalidArgumentError(f"a repository name cannot name a partition folder: {snapshot.repo!r}")
    os.makedirs(root, exist_ok=True)
    final = os.path.join(root, snapshot.repo)
    staging = tempfile.mkdtemp(prefix=f".{snapshot.repo}.", dir=root)
    try:
        tables = (snapshot.history.commits, snapshot.history.file_changes, snapshot.lines, snapshot.files)
        for name, table in zip(_PARTITION_TABLES, tables):
            pq.write_table(table, os.path.join(staging, f"{name}.parquet"))
        with open(os.path.join(staging, _PARTITION_INFO), "w", encoding="utf-8") as f:
            json.dump({"repo": snapshot.repo, "source": snapshot.source, "path": snapshot.path,
                       "head": snapshot.head}, f)
        os.chmod(staging, 0o755)
        if os.path.exists(final):  # an earlier run's: replaced whole
            old = tempfile.mkdtemp(prefix=f".{snapshot.repo}.old.", dir=root)
            os.replace(final, os.path.join(old, "partition"))
            os.replace(staging, final)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, final)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return StoreUpdate(snapshot.repo, snapshot.head, "full", snapshot.history.commits.num_rows,
                       snapshot.files.num_rows)


def read_partition(folder: str) -> RepositorySnapshot:
    """A repository's partition written by :func:`write_partition`, for :meth:`FleetStore.put`."""
    require_pyarrow()
    import pyarrow.parquet as pq

    try:
        with open(os.path.join(folder, _PARTITION_INFO), encoding="utf-8") as f:
            info = json.load(f)
        commits, changes, lines, files = (pq.read_table(os.path.join(folder, f"{name}.parquet"))
                                          for name in _PARTITION_TABLES)
    except (OSError, ValueError, KeyError) as e:
        raise InvalidArgumentError(f"not a complete GitFleet partition: {folder}: {e}") from None
    return RepositorySnapshot(info["repo"], info["source"], info["path"], info["head"],
                              HistoryTables(commits, changes), lines, files)


def read_target_into(target: str, name: str, root: str) -> StoreUpdate:
    """One task when workers cannot reach the store: read whole, then write the partition."""
    return write_partition(_on_worker(target, lambda manager, path: read_repository(manager, path, name, target)),
                           root)


def _client(client: Client | None, workers: int, scheduler: str | None) -> tuple[Client, Callable[[], None]]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ImportError("distributed runs need Dask: pip install 'GitFleet[distributed]'") from None
    if client is not None:
        return client, lambda: None
    if scheduler:
        own = Client(scheduler)
        return own, own.close
    if workers < 1:
        raise InvalidArgumentError(f"workers must be >= 1, got {workers}")
    # Worker processes, one thread each (each task uses every core of its worker natively);
    # everything on loopback (the dashboard too, on a free port). A task's failure is reported
    # in FleetRun.failed, not logged with its traceback by the worker.
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)
    own = Client(cluster)

    def close() -> None:
        own.close()
        cluster.close()

    return own, close


def store_fleet(
    targets: Sequence[str],
    store: FleetStore | None,
    names: Sequence[str] | None = None,
    *,
    client: Client | None = None,
    workers: int = 2,
    scheduler: str | None = None,
    retries: int = 2,
    progress: Callable[[str, StoreUpdate | None, str | None], None] | None = None,
    partitions: str | None = None,
) -> FleetRun:
    """Reads every target (URL or path readable by the workers) on a Dask cluster and stores
    each in ``store`` as it completes; a repository the store holds is read only for what it
    lacks (:func:`~GitFleet.fleet_store.read_update`). ``client``: an existing ``distributed.Client``; else
    ``scheduler`` ("tcp://host:port"); else a local cluster of ``workers`` processes, closed at
    the end. ``progress(target, update, error)`` is called as each repository finishes.
    ``partitions``: a path every worker can write (a shared file system): each task writes
    its repository there (:func:`write_partition`) and nothing comes back through the
    scheduler but a summary; ``store`` is then not written and may be None."""
    if names is not None and len(names) != len(targets):
        raise InvalidArgumentError("names must name every target")
    names = list(names) if names is not None else [repository_name(t) for t in targets]
    if len(set(names)) != len(names):
        raise InvalidArgumentError(f"two targets have one name: {names}")
    if store is None and partitions is None:
        raise InvalidArgumentError("store_fleet needs a store, or partitions to write")
    from distributed import as_completed

    dask, close = _client(client, workers, scheduler)
    stored: dict[str, StoreUpdate] = {}
    failed: dict[str, str] = {}
    try:
        if partitions is not None:
            root = os.path.abspath(partitions)
            futures = {dask.submit(read_target_into, t, n, root, key=f"gitfleet-read-{n}", retries=retries,
                                   pure=False): t for t, n in zip(targets, names)}
        else:  # a repository the store holds: its task reads only what is new
            futures = {dask.submit(read_target, t, n, store.stored_head(n) if store is not None else None,
                                   key=f"gitfleet-read-{n}", retries=retries, pure=False): t
                       for t, n in zip(targets, names)}
        for future in as_completed(futures):
            target = futures[future]
            try:
                result = future.result()
                update = store.put_read(result) if partitions is None and store is not None else result
                stored[target] = update
                if progress:
                    progress(target, update, None)
            except Exception as e:  # one repository failing never stops the others
                failed[target] = str(e) or type(e).__name__
                if progress:
                    progress(target, None, failed[target])
    finally:
        close()
    return FleetRun([stored[t] for t in targets if t in stored], failed)
