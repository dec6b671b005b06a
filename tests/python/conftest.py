from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from copy_servers import Server
from gitrepo import GitRepo, git

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _isolated_git_config(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    # GitFleet (libgit2) and the git CLI both read only the repositories' own configuration.
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    # py_eacopy's per-user secret (and anything else kept per user) never lands in the real home.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.getbasetemp() / "config-home"))


def build_rich_repo(path: Path) -> GitRepo:
    """One repository exercising what numstat has to get right."""
    r = GitRepo(path)
    lines = [f"line {i}\n" for i in range(40)]
    r.write("src/app.py", "".join(lines))
    r.write("README.md", "# Project\n\nSome text.\n")
    r.write("data/blob.bin", bytes(range(256)) * 8)
    r.write("crlf.txt", "one\r\ntwo\r\nthree\r\n")
    r.write("no_newline.txt", "last line without newline")
    r.write("empty.txt", "")
    r.commit("root commit")

    r.write("src/app.py", "".join(lines[:10] + ["changed\n"] + lines[11:] + ["appended\n"]))
    r.write("crlf.txt", "one\r\nTWO\r\nthree\r\nfour\r\n")
    r.write("no_newline.txt", "last line without newline\n")
    r.commit("edit files, CRLF and trailing newline")

    r.git("mv", "src/app.py", "src/main.py")
    r.commit("exact rename")

    content = (r.path / "src/main.py").read_text()
    r.remove("src/main.py")
    r.write("lib/main.py", content.replace("line 3\n", "line three\n"))
    r.commit("rename across directories with an edit")

    r.write("data/blob.bin", bytes(range(256)) * 9)
    r.write("ünïcödé/fichier é.txt", "bonjour\nmonde\n")
    r.commit("binary change and unicode path — message with ümlauts ✓")

    r.commit("an empty commit", allow_empty=True)

    os.symlink("README.md", r.path / "link")
    r.write("script.sh", "#!/bin/sh\necho hi\n", mode=0o644)
    r.commit("symlink and script")
    (r.path / "script.sh").chmod(0o755)
    r.commit("mode change only")
    (r.path / "link").unlink()
    r.write("link", "now a regular file\n")
    r.commit("symlink becomes a file")

    r.remove("empty.txt")
    r.write("empty-moved.txt", "")
    r.commit("empty file moved")

    big = "".join(f"{i:08d} some longer content for a big file\n" for i in range(60000))
    r.write("big.txt", big)
    r.commit("large text file")
    r.write("big.txt", big.replace("00012345", "changed!").replace("00050000", "changed?"))
    r.commit("large file edit")

    # A branch with a conflicting edit, merged with a hand resolution.
    r.git("checkout", "-q", "-b", "feature")
    r.write("README.md", "# Project\n\nFeature text.\n")
    r.write("feature.txt", "feature\n")
    r.commit("feature edit")
    r.git("checkout", "-q", "main")
    r.write("README.md", "# Project\n\nMain text.\n")
    r.commit("main edit")
    r.merge_conflicting("feature", "merge feature with conflict", {"README.md": "# Project\n\nBoth texts.\n"})

    # A clean merge whose branch carries the only change (TREESAME to its second parent).
    r.git("checkout", "-q", "-b", "side")
    r.write("side/only.txt", "side\n")
    r.commit("side work")
    r.git("checkout", "-q", "main")
    r.commit("main empty", allow_empty=True)
    r.merge("side", "merge side")

    # A file replaced by a directory of the same name.
    r.remove("feature.txt")
    r.write("feature.txt/inner.txt", "inner\n")
    r.commit("file becomes directory")

    # A submodule entry (gitlink) added and moved forward.
    r.git("update-index", "--add", "--cacheinfo", f"160000,{'a' * 40},vendor/sub")
    r.commit("add submodule", stage_all=False)
    r.git("update-index", "--cacheinfo", f"160000,{'b' * 40},vendor/sub")
    r.commit("bump submodule", stage_all=False)
    return r


def build_random_repo(path: Path, seed: int, commits: int = 60) -> GitRepo:
    """Random edits, additions, deletions, renames with edits, copies and merges."""
    rnd = random.Random(seed)
    r = GitRepo(path)
    vocabulary = [f"word{i}" for i in range(30)]

    def text(n: int) -> str:
        return "".join(" ".join(rnd.choices(vocabulary, k=rnd.randint(1, 6))) + "\n" for _ in range(n))

    files: dict[str, str] = {}
    dirs = ["", "a/", "a/b/", "c/", "d/e/"]
    for i in range(8):
        name = f"{rnd.choice(dirs)}f{i}.txt"
        files[name] = text(rnd.randint(5, 60))
        r.write(name, files[name])
    r.commit("root")
    branch_open = False
    for n in range(commits):
        for _ in range(rnd.randint(1, 4)):
            action = rnd.random()
            if action < 0.45 and files:  # edit lines
                name = rnd.choice(sorted(files))
                lines = files[name].splitlines(keepends=True)
                for _ in range(rnd.randint(1, 5)):
                    pos = rnd.randint(0, len(lines))
                    if rnd.random() < 0.5 and lines:
                        del lines[min(pos, len(lines) - 1)]
                    else:
                        lines.insert(pos, text(1))
                files[name] = "".join(lines)
                r.write(name, files[name])
            elif action < 0.6:  # add
                name = f"{rnd.choice(dirs)}n{n}_{rnd.randint(0, 999)}.txt"
                files[name] = text(rnd.randint(1, 40))
                r.write(name, files[name])
            elif action < 0.75 and len(files) > 2:  # delete
                name = rnd.choice(sorted(files))
                del files[name]
                r.remove(name)
            elif files:  # rename, sometimes with an edit, sometimes keeping the basename
                old = rnd.choice(sorted(files))
                base = old.rsplit("/", 1)[-1] if rnd.random() < 0.5 else f"r{n}.txt"
                new = f"{rnd.choice(dirs)}{base}"
                if new in files:
                    continue
                content = files.pop(old)
                lines = content.splitlines(keepends=True)
                if lines and rnd.random() < 0.6:
                    lines[rnd.randrange(len(lines))] = text(1)
                    content = "".join(lines)
                r.remove(old)
                files[new] = content
                r.write(new, content)
        if rnd.random() < 0.15 and not branch_open:
            r.commit(f"commit {n} before branch", allow_empty=True)
            r.git("checkout", "-q", "-b", f"topic{n}")
            branch_open = True
            continue
        r.commit(f"commit {n}", when=r.clock + rnd.randint(-200, 200), allow_empty=True)  # clock skew too
        r.clock += 100
        if branch_open and rnd.random() < 0.3:
            topic = r.git("rev-parse", "--abbrev-ref", "HEAD").strip()
            r.git("checkout", "-q", "main")
            try:
                r.merge(topic, f"merge {topic}")
            except subprocess.CalledProcessError:
                r.git("merge", "--abort")
            branch_open = False
            files = {p: (r.path / p).read_text() for p in r.git("ls-files").split("\n") if p}
    if branch_open:
        r.git("checkout", "-q", "main")
    return r


@pytest.fixture(scope="session")
def rich_repo(tmp_path_factory: pytest.TempPathFactory) -> GitRepo:
    return build_rich_repo(tmp_path_factory.mktemp("rich") / "rich-repo")


@pytest.fixture(scope="session")
def project_repo() -> Path:
    """The project's own history (CI runs in a full clone)."""
    top = git(PROJECT_ROOT, "rev-parse", "--show-toplevel").decode().strip()
    return Path(top)


@pytest.fixture(params=["native", "python"])
def impl(request: pytest.FixtureRequest) -> str:
    """The provider clients' transport under test: every provider suite runs on both."""
    return request.param


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """An empty directory for a copy server to serve."""
    r = tmp_path / "root"
    r.mkdir()
    return r


@pytest.fixture
def server(root: Path) -> Iterator[Server]:
    """``eacopy serve`` on ``root``, as its own process on loopback."""
    s = Server(root)
    yield s
    s.stop()
