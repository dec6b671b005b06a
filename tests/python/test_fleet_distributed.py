"""Fleets on a Dask cluster: a LocalCluster of 2 worker processes reads 20 repositories served
by git daemon on loopback into a fleet store, equal to the single-process store; a second run
reads only what is new (equal to a full read); a worker killed midway loses nothing and
duplicates nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from pathlib import Path

import pytest
from conftest import build_random_repo
from git_servers import git_daemon
from test_fleet_store import contents, fresh, grow

pytest.importorskip("distributed")
from distributed import Client, LocalCluster  # noqa: E402

from GitFleet import FleetStore, RepoManager  # noqa: E402
from GitFleet import InvalidArgumentError  # noqa: E402
from GitFleet.fleet_distributed import read_partition, store_fleet  # noqa: E402

TABLES = {"commits": "sha", "file_changes": "sha, path", "blame_lines": "path, final_line_no", "files": "path"}
COUNT = 20


def snapshot(store: FleetStore) -> dict[str, list[dict]]:
    rows = {t: store.query(f"SELECT * FROM {t} ORDER BY repo, {o}").to_pylist() for t, o in TABLES.items()}
    rows["repositories"] = store.query("SELECT repo, source, head, commits, files, lines FROM repositories "
                                       "ORDER BY repo").to_pylist()
    return rows


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], dict[str, list[dict]]]:
    """20 repositories behind git daemon, and the store a single process makes of them."""
    base = tmp_path_factory.mktemp("fleet")
    for i in range(COUNT):
        work = build_random_repo(base / "work" / f"repo{i:02d}", 700 + i, commits=12)
        subprocess.run(["git", "clone", "-q", "--bare", str(work.path), str(base / "served" / f"repo{i:02d}.git")],
                       check=True)
    with git_daemon(base / "served") as (port, _):
        urls = [f"git://127.0.0.1:{port}/repo{i:02d}.git" for i in range(COUNT)]

        async def one_process() -> None:
            manager = RepoManager(urls)
            await manager.clone_all()
            with FleetStore(base / "single.duckdb") as store:
                for url, task in (await manager.fetch_clone_tasks()).items():
                    name = url.rsplit("/", 1)[1].removesuffix(".git")
                    await store.update(manager, task.temp_dir, name, source=url)
            manager.cleanup()

        asyncio.run(one_process())
        with FleetStore(base / "single.duckdb") as store:
            expected = snapshot(store)
        yield urls, expected


@pytest.fixture(scope="module")
def cluster() -> Client:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as local, Client(local) as client:
        yield client


def test_a_cluster_stores_what_one_process_stores(served, cluster: Client, tmp_path: Path) -> None:
    urls, expected = served
    seen: list[str] = []
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        run = store_fleet(urls, store, client=cluster, progress=lambda target, update, error: seen.append(target))
        assert run.failed == {}
        assert [u.repo for u in run.stored] == [f"repo{i:02d}" for i in range(COUNT)]
        assert sorted(seen) == sorted(urls)
        assert snapshot(store) == expected
        # Both workers took part.
        assert len(cluster.scheduler_info()["workers"]) == 2


def test_a_second_run_reads_only_what_is_new(cluster: Client, tmp_path: Path) -> None:
    repos = [build_random_repo(tmp_path / f"r{i}", 40 + i, commits=15) for i in range(3)]
    targets = [str(r.path) for r in repos]
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        assert [u.mode for u in store_fleet(targets, store, client=cluster).stored] == ["full"] * 3
        grow(repos[0])
        repos[1].git("reset", "-q", "--hard", "HEAD~1")  # history rewritten
        repos[1].write("rewritten.txt", "x\n")
        repos[1].commit("rewritten")
        run = store_fleet(targets, store, client=cluster)
        assert run.failed == {}
        assert [(u.repo, u.mode) for u in run.stored] == [("r0", "incremental"), ("r1", "full"), ("r2", "unchanged")]
        assert run.stored[0].commits_read == 5 and 0 < run.stored[0].files_blamed < len(repos[0].git("ls-files")
                                                                                          .splitlines())
        for repo in repos:
            assert contents(store, repo.path.name) == fresh(tmp_path, repo, repo.path.name)


def test_partitions_written_by_workers_bring_the_same_store(served, cluster: Client, tmp_path: Path) -> None:
    urls, expected = served
    parts = tmp_path / "parts"
    for _ in range(2):  # a second run replaces each partition whole
        run = store_fleet(urls, None, client=cluster, partitions=str(parts))
        assert run.failed == {} and len(run.stored) == COUNT
    assert sorted(os.listdir(parts)) == [f"repo{i:02d}" for i in range(COUNT)]  # nothing half-written beside
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        for folder in sorted(parts.iterdir()):
            store.put(read_partition(str(folder)))
        assert snapshot(store) == expected
    (parts / "repo00" / "files.parquet").unlink()
    with pytest.raises(InvalidArgumentError, match="not a complete GitFleet partition"):
        read_partition(str(parts / "repo00"))
    with pytest.raises(InvalidArgumentError, match="needs a store, or partitions"):
        store_fleet(urls, None, client=cluster)


def test_a_worker_killed_midway_loses_and_duplicates_nothing(served, tmp_path: Path) -> None:
    urls, expected = served
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as local, Client(local) as client:
        pids = client.run(os.getpid)
        killed: list[int] = []

        def kill_one(target: str, update: object, error: object) -> None:
            if not killed:  # after the first result, with work still running
                pid = next(iter(pids.values()))
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)

        with FleetStore(tmp_path / "fleet.duckdb") as store:
            run = store_fleet(urls, store, client=client, progress=kill_one, retries=3)
            assert killed
            assert run.failed == {}
            assert snapshot(store) == expected
            counts = store.query("SELECT repo, count(*) AS n FROM repositories GROUP BY repo HAVING n > 1")
            assert counts.num_rows == 0


def test_bad_targets_fail_alone(served, cluster: Client, tmp_path: Path) -> None:
    urls, _ = served
    with FleetStore(tmp_path / "fleet.duckdb") as store:
        run = store_fleet([urls[0], str(tmp_path / "nowhere")], store, client=cluster, retries=0)
        assert [u.repo for u in run.stored] == ["repo00"]
        assert list(run.failed) == [str(tmp_path / "nowhere")]
