"""find_files against git's own answer: `git ls-files -- <patterns>` in a clean checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from gitrepo import GitRepo, git

from GitFleet import InvalidArgumentError, RepoManager, RevisionNotFoundError

FILES = [
    "setup.py", "README.md", "src/app.py", "src/lib/util.py", "src/lib/core.rs", "core.rs", "docs/index.md",
    "docs/api/ref.md", "a b/with space.txt", "weird[1].txt", "deep/er/and/deeper/x.py", "data/file.bin",
    "foo.c", "foo/bar.c",
]


@pytest.fixture(scope="module")
def tree_repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    r = GitRepo(tmp_path_factory.mktemp("find") / "repo")
    for i, name in enumerate(FILES):
        r.write(name, f"{i}\n")
    r.write("tool.sh", "#!/bin/sh\n", mode=0o755)
    os.symlink("setup.py", r.path / "link.py")
    r.commit("files")
    r.remove("setup.py")
    r.write("new.py", "x\n")
    r.commit("second")
    return r


def ls_files(repo: GitRepo, *patterns: str) -> list[str]:
    out = git(repo.path, "ls-files", "-z", "--", *patterns)
    return [os.fsdecode(n) for n in out.split(b"\0") if n]


@pytest.mark.parametrize("patterns", [
    ["*.py"], ["**/*.rs"], ["*.rs"], ["src"], ["src/"], ["src/lib/*.py"], ["*.md", "*.py"], ["docs/*"],
    ["?oo.c"], ["foo*"], ["[a-d]*"], ["*[1]*"], ["weird\\[1\\].txt"], ["a b/*"], ["tool.sh", "link.py"],
    ["*"], ["nothing-matches-*"], ["deep/er"], ["./src/app.py"],
])
async def test_find_files_equals_git_ls_files(tree_repo: GitRepo, patterns: list[str]) -> None:
    found = await RepoManager().find_files(tree_repo.path, patterns)
    assert found == ls_files(tree_repo, *patterns)


async def test_one_pattern_as_a_string_and_an_older_revision(tree_repo: GitRepo) -> None:
    manager = RepoManager()
    assert await manager.find_files(tree_repo.path, "*.py") == ls_files(tree_repo, "*.py")
    older = await manager.find_files(tree_repo.path, "*.py", rev="HEAD~1")
    assert "setup.py" in older and "new.py" not in older


async def test_results_feed_bulk_blame(tree_repo: GitRepo) -> None:
    manager = RepoManager()
    files = await manager.find_files(tree_repo.path, ["*.py", "*.rs"])
    blamed = await manager.bulk_blame(tree_repo.path, files)
    assert list(blamed) == files and all(isinstance(v, list) and len(v) == 1 for v in blamed.values())


async def test_submodules_are_not_files(tmp_path: Path) -> None:
    sub = GitRepo(tmp_path / "sub")
    sub.write("s.py", "s\n")
    sub.commit("sub")
    r = GitRepo(tmp_path / "main")
    r.write("m.py", "m\n")
    r.git("-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub.path), "vendor/sub")
    r.commit("with a submodule")
    assert await RepoManager().find_files(r.path, "*") == [".gitmodules", "m.py"]
    assert "vendor/sub" in ls_files(r, "*")  # git lists the gitlink itself; it is not a file


async def test_bad_arguments_are_named(tree_repo: GitRepo) -> None:
    manager = RepoManager()
    with pytest.raises(RevisionNotFoundError):
        await manager.find_files(tree_repo.path, "*.py", rev="no-such-branch")
    with pytest.raises(InvalidArgumentError, match="pattern"):
        await manager.find_files(tree_repo.path, "")
    with pytest.raises(InvalidArgumentError, match="NUL"):
        await manager.find_files(tree_repo.path, "a\0b")
    with pytest.raises(InvalidArgumentError, match="relative"):
        await manager.find_files(tree_repo.path, "/etc/passwd")
    with pytest.raises(InvalidArgumentError, match="pattern"):
        await manager.find_files(tree_repo.path, [3])
