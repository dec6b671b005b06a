"""Builds real git repositories for the tests with the git CLI, and reads git's own answers
(the reference every GitFleet result is compared with)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

# Tests never see the developer's git configuration: git's defaults are the reference.
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "LC_ALL": "C.UTF-8",
}


def git(cwd: Path | str, *args: str, env: dict[str, str] | None = None, input: bytes | None = None) -> bytes:
    full_env = {**os.environ, **GIT_ENV, **(env or {})}
    return subprocess.run(
        ["git", *args], cwd=cwd, env=full_env, input=input, check=True, capture_output=True
    ).stdout


class GitRepo:
    """A repository under construction: write files, commit with controlled dates."""

    def __init__(self, path: Path, start_time: int = 1_600_000_000) -> None:
        self.path = path
        self.clock = start_time
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q", "-b", "main")
        git(path, "config", "user.name", "Test Author")
        git(path, "config", "user.email", "author@example.com")
        git(path, "config", "core.autocrlf", "false")

    def git(self, *args: str, env: dict[str, str] | None = None) -> str:
        return git(self.path, *args, env=env).decode("utf-8", "surrogateescape")

    def write(self, rel: str, content: str | bytes, mode: int | None = None) -> None:
        p = self.path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if p.is_symlink():
            p.unlink()
        p.write_bytes(content.encode() if isinstance(content, str) else content)
        if mode is not None:
            p.chmod(mode)

    def remove(self, rel: str) -> None:
        (self.path / rel).unlink()

    def commit(self, message: str, *, when: int | None = None, author: str | None = None,
               tz: str = "+0000", allow_empty: bool = False, stage_all: bool = True) -> str:
        """Commits the work tree (or, with stage_all=False, the index as it stands)."""
        if when is None:
            self.clock += 60
            when = self.clock
        env = {"GIT_AUTHOR_DATE": f"{when} {tz}", "GIT_COMMITTER_DATE": f"{when} {tz}"}
        if stage_all:
            self.git("add", "-A")
        args = ["commit", "-q", "-m", message]
        if allow_empty:
            args.append("--allow-empty")
        if author:
            args += ["--author", author]
        self.git(*args, env=env)
        return self.head()

    def merge(self, branch: str, message: str, *, when: int | None = None) -> str:
        """Merges branch (no fast-forward), which must merge cleanly."""
        if when is None:
            self.clock += 60
            when = self.clock
        env = {"GIT_AUTHOR_DATE": f"{when} +0000", "GIT_COMMITTER_DATE": f"{when} +0000"}
        self.git("merge", "-q", "--no-ff", "-m", message, branch, env=env)
        return self.head()

    def merge_conflicting(self, branch: str, message: str, resolution: dict[str, str]) -> str:
        """Merges branch expecting conflicts, resolves them with `resolution`, commits."""
        self.clock += 60
        env = {"GIT_AUTHOR_DATE": f"{self.clock} +0000", "GIT_COMMITTER_DATE": f"{self.clock} +0000"}
        try:
            self.git("merge", "-q", "--no-ff", branch, env=env)
        except subprocess.CalledProcessError:
            pass
        for rel, content in resolution.items():
            self.write(rel, content)
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, env=env)
        return self.head()

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()


@dataclass
class GitCommitStats:
    sha: str
    files: list[tuple[int | None, int | None, str, str | None]] = field(default_factory=list)

    @property
    def additions(self) -> int:
        return sum(a or 0 for a, _, _, _ in self.files)

    @property
    def deletions(self) -> int:
        return sum(d or 0 for _, d, _, _ in self.files)


def git_log_numstat(repo: Path | str, *args: str) -> list[GitCommitStats]:
    """The commits `git log <args>` shows, in its order, each with the numstat of its diff
    against the first parent (git's `--diff-merges=first-parent`), files as
    (additions, deletions, path, old_path) and None counts for binary files.

    The commit list comes from plain `git log`: `-m` (which first-parent diffs imply) also
    shows merges that history simplification hides, and GitFleet selects as plain log does."""
    order = git(repo, "log", "--format=%H", *args).decode().split()
    out = git(repo, "log", "-z", "--numstat", "--diff-merges=first-parent", "--format=%x01%H", *args)
    stats: dict[str, GitCommitStats] = {}
    for chunk in out.split(b"\x01")[1:]:
        sha, _, rest = chunk.partition(b"\0")
        commit = GitCommitStats(sha.decode())
        tokens = rest.lstrip(b"\n").split(b"\0")
        i = 0
        while i < len(tokens):
            entry = tokens[i]
            i += 1
            if not entry:
                continue
            adds, dels, path = entry.split(b"\t", 2)
            old = None
            if not path:  # a rename: old and new paths follow
                old, path = tokens[i], tokens[i + 1]
                i += 2
            commit.files.append((
                None if adds == b"-" else int(adds),
                None if dels == b"-" else int(dels),
                os.fsdecode(path),
                None if old is None else os.fsdecode(old),
            ))
        stats[commit.sha] = commit
    return [stats.get(sha, GitCommitStats(sha)) for sha in order]


def fast_import_history(path: Path, commits: int, files: int = 20, lines: int = 30, seed: int = 1) -> Path:
    """A linear history of `commits` commits built in one `git fast-import` run (fast enough
    for thousands of commits); each commit rewrites a few lines of a few files."""
    import random

    rnd = random.Random(seed)
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    contents = [[f"file {f} line {i}\n" for i in range(lines)] for f in range(files)]
    stream: list[bytes] = []
    for n in range(commits):
        stream.append(b"commit refs/heads/main\n")
        stream.append(f"committer Bulk <bulk@example.com> {1_500_000_000 + n * 60} +0000\n".encode())
        msg = f"commit {n}\n".encode()
        stream.append(b"data %d\n%s" % (len(msg), msg))
        touched = range(files) if n == 0 else rnd.sample(range(files), 3)
        for f in touched:
            if n:
                for _ in range(3):
                    contents[f][rnd.randrange(lines)] = f"edit {n} {rnd.random()}\n"
            data = "".join(contents[f]).encode()
            stream.append(b"M 100644 inline src/f%d.txt\ndata %d\n%s\n" % (f, len(data), data))
    git(path, "fast-import", "--quiet", input=b"".join(stream))
    git(path, "reset", "-q", "--hard", "main")
    return path


@dataclass
class GitBlameLine:
    sha: str
    orig_line: int
    final_line: int
    filename: str = ""
    boundary: bool = False
    fields: dict[str, str] = field(default_factory=dict)
    content: bytes = b""


def git_blame(repo: Path | str, path: str, rev: str = "HEAD", *args: str) -> list[GitBlameLine]:
    """`git blame --line-porcelain` parsed, one record per line of the file."""
    out = git(repo, "-c", "core.quotePath=false", "blame", "--line-porcelain", *args, rev, "--", path)
    lines: list[GitBlameLine] = []
    current: GitBlameLine | None = None
    for raw in out.split(b"\n"):
        if current is None:
            if raw:
                sha, orig, final = raw.split(b" ")[:3]
                current = GitBlameLine(sha.decode(), int(orig), int(final))
        elif raw.startswith(b"\t"):
            current.content = raw[1:]
            lines.append(current)
            current = None
        elif raw == b"boundary":
            current.boundary = True
        elif raw.startswith(b"filename "):
            current.filename = os.fsdecode(raw[len(b"filename "):])
        else:
            key, _, value = raw.partition(b" ")
            current.fields[key.decode()] = value.decode("utf-8", "replace")
    return lines
