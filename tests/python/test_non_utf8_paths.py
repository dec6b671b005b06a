"""A file name that is not UTF-8 through every GitFleet API and the command line: results
equal git's, names go back in as they came out (str with surrogate escapes, or bytes)."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import GitRepo, git

from GitFleet import InvalidArgumentError, RepoManager

RAW = b"caf\xe9.txt"  # Latin-1: not valid UTF-8
NAME = os.fsdecode(RAW)  # 'caf\udce9.txt', as os.listdir returns it


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    r = GitRepo(tmp_path_factory.mktemp("nonutf8") / "repo")
    r.write(NAME, "one\ntwo\n")
    r.write("plain.txt", "x\n")
    r.commit("first")
    r.write(NAME, "one\nthree\nfour\n")
    r.commit("second")
    return r


def expected_commits(repo: GitRepo) -> list[str]:
    out = subprocess.run(["git", "blame", "--porcelain", "--", RAW], cwd=repo.path, capture_output=True, check=True).stdout
    shas = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 3 and len(parts[0]) == 40 and parts[1].isdigit():
            shas.append(parts[0].decode())
    return shas


async def test_history_names_go_back_into_blame(repo: GitRepo) -> None:
    manager = RepoManager()
    commits = await manager.extract_commits(repo.path, include_files=True)
    names = {f.path for c in commits for f in c.files}
    assert names == {NAME, "plain.txt"}
    expected = expected_commits(repo)
    for path in (NAME, RAW, Path(NAME)):
        lines = await manager.blame(repo.path, path)
        assert [ln.commit_id for ln in lines] == expected
        assert {ln.orig_path for ln in lines} == {NAME}


async def test_bulk_stream_whole_and_paths_filter(repo: GitRepo) -> None:
    manager = RepoManager()
    expected = expected_commits(repo)
    bulk = await manager.bulk_blame(repo.path, [NAME, RAW])
    assert list(bulk) == [NAME, RAW]  # keyed as given
    assert all([ln.commit_id for ln in v] == expected for v in bulk.values())
    streamed = [ln async for batch in manager.stream_blame(repo.path, NAME) for ln in batch]
    assert [ln.commit_id for ln in streamed] == expected
    whole = await asyncio.wait_for(manager.blame_repository(repo.path), 60)
    assert sorted(whole) == sorted([NAME, "plain.txt"])
    assert [ln.commit_id for ln in whole[NAME]] == expected
    log = git(repo.path, "log", "--format=%H", "--", RAW).decode().split()
    for paths in ([NAME], [RAW], NAME):
        assert [c.sha for c in await manager.extract_commits(repo.path, paths=paths)] == log


async def test_find_files_and_bytes_repository_path(repo: GitRepo) -> None:
    manager = RepoManager()
    assert await manager.find_files(repo.path, "*.txt") == [NAME, "plain.txt"]
    assert await manager.find_files(os.fsencode(repo.path), b"*.txt") == [RAW, b"plain.txt"]
    assert len(await manager.extract_commits(os.fsencode(repo.path))) == 2


async def test_nul_bytes_are_refused_by_name(repo: GitRepo) -> None:
    manager = RepoManager()
    with pytest.raises(ValueError, match="file_path"):
        await manager.blame(repo.path, "a\0b")
    with pytest.raises(InvalidArgumentError, match="repo_path"):
        await manager.extract_commits(str(repo.path) + "\0")
    with pytest.raises(InvalidArgumentError, match="paths"):
        await manager.extract_commits(repo.path, paths=[b"x\0"])


@pytest.mark.parametrize("fmt", ["table", "csv", "jsonl", "parquet"])
@pytest.mark.parametrize("command", ["commits", "blame"])
def test_cli_every_format(repo: GitRepo, tmp_path: Path, fmt: str, command: str) -> None:
    out = tmp_path / f"out.{fmt}"
    args = [sys.executable, "-m", "GitFleet", command, str(repo.path)]
    if command == "commits":
        args.append("--files")
    result = subprocess.run([*args, "--format", fmt, "-o", str(out)], capture_output=True)
    assert result.returncode == 0 and result.stderr == b"", result.stderr
    if fmt == "parquet":
        import pyarrow.parquet as pq

        names = set(pq.read_table(out).column("path").to_pylist())
        assert "caf\\xe9.txt" in names
    elif fmt == "jsonl":
        names = {json.loads(line)["path"] for line in out.read_text().splitlines()}
        assert NAME in names  # \udce9 in the JSON; os.fsencode gives the bytes back
    else:
        raw = out.read_bytes()
        assert RAW in raw
        if fmt == "csv":
            rows = list(csv.reader(raw.decode("utf-8", "surrogateescape").splitlines()))
            assert NAME in {row[rows[0].index("path")] for row in rows[1:]}
    # And to standard output: the exact bytes, no traceback.
    if fmt in ("table", "csv"):
        result = subprocess.run([*args, "--format", fmt], capture_output=True)
        assert result.returncode == 0 and RAW in result.stdout and result.stderr == b""


# -- py_eacopy: the same names, compared with shutil --------------------------------------------

def tree_bytes(root: Path) -> dict[bytes, bytes]:
    """Every file under root by its relative name as bytes, with its content."""
    out = {}
    for dirpath, _, files in os.walk(os.fsencode(root)):
        for f in files:
            full = os.path.join(dirpath, f)
            out[os.path.relpath(full, os.fsencode(root))] = open(full, "rb").read()
    return out


@pytest.fixture
def odd_tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    (src / NAME).mkdir(parents=True)  # a non-UTF-8 directory name too
    (src / NAME / NAME).write_bytes(b"inner")
    (src / NAME.replace(".txt", ".bin")).write_bytes(b"\0\1")
    (src / "plain.txt").write_bytes(b"plain")
    return src


def test_py_eacopy_copies_names_of_any_bytes_as_shutil(odd_tree: Path, tmp_path: Path) -> None:
    import shutil

    import py_eacopy

    shutil.copytree(odd_tree, tmp_path / "by-shutil")
    py_eacopy.copytree(odd_tree, tmp_path / "by-eacopy")
    assert tree_bytes(tmp_path / "by-eacopy") == tree_bytes(tmp_path / "by-shutil")
    py_eacopy.copytree(os.fsencode(odd_tree), os.fsencode(tmp_path / "from-bytes"))
    assert tree_bytes(tmp_path / "from-bytes") == tree_bytes(odd_tree)

    src_file = odd_tree / NAME / NAME
    (tmp_path / "shutil-dir").mkdir()
    expected = shutil.copy2(src_file, tmp_path / "shutil-dir")
    written = py_eacopy.copy2(src_file, tmp_path)
    assert written == os.path.join(tmp_path, os.path.basename(expected)) == os.path.join(tmp_path, NAME)
    assert (tmp_path / NAME).read_bytes() == b"inner"
    # Answers in the caller's type, as shutil: bytes in, bytes out.
    by_bytes = py_eacopy.copy2(os.fsencode(src_file), os.fsencode(tmp_path / "shutil-dir"))
    assert by_bytes == shutil.copy2(os.fsencode(src_file), os.fsencode(tmp_path / "shutil-dir"))
    assert isinstance(by_bytes, bytes) and by_bytes.endswith(os.fsencode(NAME))
    assert py_eacopy.copyfile(os.fsencode(src_file), os.fsencode(tmp_path / "c.bin")) == os.fsencode(tmp_path / "c.bin")
    assert (tmp_path / "c.bin").read_bytes() == b"inner"
    assert py_eacopy.copytree(os.fsencode(odd_tree), os.fsencode(tmp_path / "t2")) == os.fsencode(tmp_path / "t2")
    py_eacopy.batch_copy([(src_file, tmp_path / f"batch-{NAME}")])
    assert (tmp_path / f"batch-{NAME}").read_bytes() == b"inner"
    with pytest.raises(FileNotFoundError) as info:
        py_eacopy.copy(odd_tree / f"missing-{NAME}", tmp_path / "x")
    assert info.value.filename == str(odd_tree / f"missing-{NAME}")


def test_py_eacopy_server_round_trip_of_names_of_any_bytes(odd_tree: Path, tmp_path: Path) -> None:
    import py_eacopy

    (tmp_path / "served").mkdir()
    with py_eacopy.create_server(port=0, root=tmp_path / "served", token="t0ken") as server:
        up = py_eacopy.copy_with_server(odd_tree, NAME, "127.0.0.1", port=server.port, token="t0ken")
        assert up.files_copied == 3
        py_eacopy.copy_with_server(NAME, tmp_path / "back", "127.0.0.1", port=server.port, token="t0ken",
                                   download=True)
    assert tree_bytes(tmp_path / "served" / NAME) == tree_bytes(odd_tree)
    assert tree_bytes(tmp_path / "back") == tree_bytes(odd_tree)
