"""Our object store (gitfleet::odb) against git on every way git stores objects: loose, packed
with OFS and REF deltas and deep chains, many packs, loose + packed, index v1 and 64-bit
offsets, a commit-graph, shallow clones; and damaged stores, which must end in a clear error
naming what is wrong, never a hang, with the process exiting normally."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import build_random_repo
from GitFleet import RepoManager
from gitrepo import git, git_blame, git_log_numstat
from test_blame_matches_git import files_at
from test_history_matches_git import assert_same_as_git, extract


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history of merges, renames and edits, long enough for a depth-50 clone to cut it."""
    repo = build_random_repo(tmp_path_factory.mktemp("odb") / "source", seed=11, commits=90)
    for i in range(12):  # one file edited again and again: long delta chains
        repo.write("chain.txt", "".join(f"line {j} of version {i if j % 7 == i % 7 else 0}\n" for j in range(400)))
        repo.commit(f"chain {i}")
    return repo.path


def copy_repo(source: Path, dest: Path) -> Path:
    shutil.copytree(source, dest, symlinks=True)
    return dest


def objects(repo: Path) -> Path:
    return repo / ".git" / "objects"


def loose_count(repo: Path) -> int:
    return sum(1 for d in objects(repo).iterdir() if len(d.name) == 2 for _ in d.iterdir())


def pack_range(repo: Path, revs: str, *options: str) -> None:
    """Packs the objects of `revs` (rev-list syntax, one per line) into a new pack."""
    git(repo, "pack-objects", "--revs", "-q", *options, str(objects(repo) / "pack" / "pack"), input=revs.encode())


def first_parents(repo: Path) -> list[str]:
    return git(repo, "rev-list", "--first-parent", "HEAD").decode().split()


async def assert_history_and_blame_like_git(repo: Path) -> None:
    assert_same_as_git(await extract(repo), git_log_numstat(repo))
    assert_same_as_git(await extract(repo, threads=1), git_log_numstat(repo))
    paths = files_at(repo)
    result = await RepoManager().bulk_blame(repo, paths)
    for path in paths:
        ours = result[path]
        assert not isinstance(ours, Exception), f"{path}: {ours}"
        assert [(l.commit_id, l.orig_path, l.orig_line_no, l.boundary) for l in ours] == [
            (l.sha, l.filename, l.orig_line, l.boundary) for l in git_blame(repo, path)], path


def layout_loose(repo: Path) -> None:
    assert loose_count(repo) > 100 and not list((objects(repo) / "pack").glob("*.pack"))


def layout_deep_chains(repo: Path) -> None:
    git(repo, "repack", "-a", "-d", "-f", "-q", "--depth=250", "--window=250")
    chains = git(repo, "verify-pack", "-v", *map(str, (objects(repo) / "pack").glob("*.idx"))).decode()
    lengths = [int(line.split("=")[1].split(":")[0]) for line in chains.splitlines() if line.startswith("chain length")]
    assert max(lengths) >= 5  # deltas of deltas of deltas...


def layout_many_packs_ref_deltas(repo: Path) -> None:
    # pack-objects without --delta-base-offset writes REF deltas; one pack per 10 commits.
    shas = first_parents(repo)[::-1]
    previous = None
    for i in range(9, len(shas), 10):
        pack_range(repo, shas[i] + ("\n^" + previous if previous else "") + "\n")
        previous = shas[i]
    pack_range(repo, "HEAD\n^" + previous + "\n")
    git(repo, "prune-packed")
    assert len(list((objects(repo) / "pack").glob("*.pack"))) > 5


def layout_loose_and_packed(repo: Path) -> None:
    pack_range(repo, first_parents(repo)[40] + "\n", "--delta-base-offset")
    git(repo, "prune-packed")
    assert loose_count(repo) > 50 and list((objects(repo) / "pack").glob("*.pack"))


def layout_index_v1(repo: Path) -> None:
    pack_range(repo, "HEAD\n", "--index-version=1")
    git(repo, "prune-packed")


def layout_64bit_offsets(repo: Path) -> None:
    pack_range(repo, "HEAD\n", "--index-version=2,0x100", "--delta-base-offset")
    git(repo, "prune-packed")


def layout_commit_graph(repo: Path) -> None:
    git(repo, "repack", "-a", "-d", "-q")
    git(repo, "commit-graph", "write", "--reachable")
    assert (objects(repo) / "info" / "commit-graph").is_file()


LAYOUTS = [layout_loose, layout_deep_chains, layout_many_packs_ref_deltas, layout_loose_and_packed,
           layout_index_v1, layout_64bit_offsets, layout_commit_graph]


@pytest.mark.parametrize("layout", LAYOUTS, ids=[f.__name__[len("layout_"):] for f in LAYOUTS])
async def test_every_storage_layout_reads_like_git(source: Path, tmp_path: Path, layout) -> None:
    repo = copy_repo(source, tmp_path / "repo")
    layout(repo)
    git(repo, "fsck", "--no-dangling")
    await assert_history_and_blame_like_git(repo)


async def test_alternates(source: Path, tmp_path: Path) -> None:
    git(tmp_path, "clone", "-q", "--shared", str(source), "borrower")
    repo = tmp_path / "borrower"
    assert (objects(repo) / "info" / "alternates").is_file() and loose_count(repo) == 0
    await assert_history_and_blame_like_git(repo)


@pytest.mark.parametrize("depth", [1, 50])
async def test_shallow_clones_read_like_git(source: Path, tmp_path: Path, depth: int) -> None:
    git(tmp_path, "clone", "-q", f"--depth={depth}", source.as_uri(), "shallow")
    repo = tmp_path / "shallow"
    assert (repo / ".git" / "shallow").is_file()
    records = await extract(repo)
    assert len(records) < len(await extract(source))
    assert_same_as_git(records, git_log_numstat(repo))
    # The boundary commits have no parents, as git shows them.
    for sha in (repo / ".git" / "shallow").read_text().split():
        assert next(r for r in records if r.sha == sha).parents == []
    await assert_history_and_blame_like_git(repo)
    blamed = await RepoManager().bulk_blame(repo, files_at(repo))
    assert any(l.boundary for lines in blamed.values() for l in lines)


async def test_a_shallow_clone_made_by_the_clone_pipeline(source: Path, tmp_path: Path) -> None:
    manager = RepoManager([source.as_uri()], clone_options={"depth": 1})
    try:
        await manager.clone_all()
        task = (await manager.fetch_clone_tasks())[source.as_uri()]
        assert task.status.status_type.value == "completed", task.status.error
        records = await extract(task.temp_dir)
        assert len(records) == 1 and records[0].parents == []
        assert_same_as_git(records, git_log_numstat(task.temp_dir))
    finally:
        manager.cleanup()


async def test_objects_added_while_open_are_found(source: Path, tmp_path: Path) -> None:
    """A pack that appears after the store was opened (a fetch) is picked up on a miss."""
    repo = copy_repo(source, tmp_path / "repo")
    git(repo, "repack", "-a", "-d", "-q")
    manager = RepoManager()
    before = await manager.blame(repo, "chain.txt")
    (repo / "chain.txt").write_text("new\n" + (repo / "chain.txt").read_text())
    git(repo, "commit", "-q", "-am", "one more")
    git(repo, "repack", "-q")  # the new objects go into a second pack
    after = await manager.blame(repo, "chain.txt")
    assert len(after) == len(before) + 1 and after[0].commit_id == git(repo, "rev-parse", "HEAD").decode().strip()


# Damaged stores: each one in a fresh interpreter, which must report one clear error and exit
# normally (a libgit2 reader used to spin forever on a truncated loose object).
PROBE = """
import asyncio, sys
from GitFleet import RepoManager, GitFleetError
async def main():
    try:
        await RepoManager().extract_commits(sys.argv[1], include_files=True)
    except GitFleetError as e:
        print(type(e).__name__, e)
        return
    print("NO ERROR")
asyncio.run(main())
"""


def probe(repo: Path) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, str(repo)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def blob_of(repo: Path, spec: str) -> str:
    return git(repo, "rev-parse", spec).decode().strip()


def loose_path(repo: Path, sha: str) -> Path:
    return objects(repo) / sha[:2] / sha[2:]


def truncate(path: Path, keep: int) -> None:
    os.chmod(path, 0o644)
    with open(path, "r+b") as f:
        f.truncate(keep)


@pytest.mark.parametrize("what", ["HEAD~3", "HEAD~3^{tree}", "HEAD~3:chain.txt"])
def test_truncated_loose_object(source: Path, tmp_path: Path, what: str) -> None:
    repo = copy_repo(source, tmp_path / "repo")
    sha = blob_of(repo, what)
    truncate(loose_path(repo, sha), loose_path(repo, sha).stat().st_size // 2)
    out = probe(repo)
    assert out.startswith("GitObjectError") and sha in out and "truncated" in out, out


def test_garbage_loose_object(source: Path, tmp_path: Path) -> None:
    repo = copy_repo(source, tmp_path / "repo")
    sha = blob_of(repo, "HEAD~2:chain.txt")
    os.chmod(loose_path(repo, sha), 0o644)
    loose_path(repo, sha).write_bytes(b"\x78\x01this is not deflate data at all")
    out = probe(repo)
    assert out.startswith("GitObjectError") and sha in out, out


def packed(source: Path, dest: Path) -> tuple[Path, Path]:
    repo = copy_repo(source, dest)
    git(repo, "repack", "-a", "-d", "-q")
    (pack,) = (objects(repo) / "pack").glob("*.pack")
    return repo, pack


def test_truncated_pack(source: Path, tmp_path: Path) -> None:
    repo, pack = packed(source, tmp_path / "repo")
    truncate(pack, pack.stat().st_size // 2)
    out = probe(repo)
    assert out.startswith("GitObjectError") and pack.name in out and "truncated" in out, out


def test_index_of_another_pack(source: Path, tmp_path: Path) -> None:
    repo, pack = packed(source, tmp_path / "repo")
    other, other_pack = packed(source, tmp_path / "other")
    (other / "extra.txt").write_text("makes the other pack different\n")
    git(other, "add", "extra.txt")
    git(other, "commit", "-q", "-m", "extra")
    git(other, "repack", "-a", "-d", "-q")
    (other_idx,) = (objects(other) / "pack").glob("*.idx")
    idx = pack.with_suffix(".idx")
    os.chmod(idx, 0o644)
    shutil.copyfile(other_idx, idx)
    out = probe(repo)
    assert out.startswith("GitObjectError") and "does not belong to" in out and pack.name in out, out


def test_index_with_wrong_offsets(source: Path, tmp_path: Path) -> None:
    repo, pack = packed(source, tmp_path / "repo")
    idx = pack.with_suffix(".idx")
    data = bytearray(idx.read_bytes())
    count = int.from_bytes(data[8 + 255 * 4:8 + 256 * 4], "big")
    offsets = 8 + 1024 + count * 24
    for i in range(count):  # every object's offset moved 3 bytes into its neighbour
        at = offsets + 4 * i
        data[at:at + 4] = (int.from_bytes(data[at:at + 4], "big") + 3).to_bytes(4, "big")
    os.chmod(idx, 0o644)
    idx.write_bytes(bytes(data))
    out = probe(repo)
    assert out.startswith("GitObjectError") and pack.name in out, out


def test_bad_delta_base(source: Path, tmp_path: Path) -> None:
    repo, pack = packed(source, tmp_path / "repo")
    listing = git(repo, "verify-pack", "-v", str(pack.with_suffix(".idx"))).decode().splitlines()
    # "sha type size size-in-pack offset depth base-sha" for deltas
    offset = next(int(f[4]) for f in map(str.split, listing)
                       if len(f) == 7 and f[1] == "blob" and int(f[5]) >= 2)
    data = bytearray(pack.read_bytes())
    at = offset
    while data[at] & 0x80:  # type and size
        at += 1
    at += 1
    assert (data[offset] >> 4) & 7 == 6  # an OFS delta: its base offset follows
    # Point the delta at the byte after its real base's header: not an entry at all.
    back, first = data[at] & 0x7F, at
    while data[at] & 0x80:
        at += 1
        back = ((back + 1) << 7) | (data[at] & 0x7F)
    new_back = back - 1 if back > 1 else back + 1
    length = at - first + 1
    encoded = [new_back & 0x7F]
    rest = new_back >> 7
    while rest:
        rest -= 1
        encoded.insert(0, 0x80 | (rest & 0x7F))
        rest >>= 7
    assert len(encoded) == length
    data[first:first + length] = bytes(encoded)
    os.chmod(pack, 0o644)
    pack.write_bytes(bytes(data))
    out = probe(repo)
    # The error names the object asked for (the damaged entry may sit in its delta chain).
    assert out.startswith("GitObjectError") and pack.name in out and "offset" in out, out
