"""Type stubs for GitFleet's native extension (C++ core bound with nanobind)."""

from typing import Any, Callable

class FileChange:
    """One file of a commit, with numstat counts against the first parent."""
    @property
    def path(self) -> str: ...
    @property
    def old_path(self) -> str | None: ...
    @property
    def change_type(self) -> str:
        """'A' added, 'D' deleted, 'M' modified, 'R' renamed, 'T' type changed."""
    @property
    def additions(self) -> int: ...
    @property
    def deletions(self) -> int: ...
    @property
    def binary(self) -> bool:
        """git's numstat prints '-' for binary files; their counts are 0 here."""
    def to_dict(self) -> dict[str, Any]: ...

class CommitRecord:
    """One commit as ``git log --numstat`` reports it (merges against their first parent)."""
    @property
    def sha(self) -> str: ...
    @property
    def repo_name(self) -> str: ...
    @property
    def message(self) -> str: ...
    @property
    def author_name(self) -> str: ...
    @property
    def author_email(self) -> str: ...
    @property
    def author_timestamp(self) -> int: ...
    @property
    def author_offset(self) -> int:
        """Minutes east of UTC."""
    @property
    def committer_name(self) -> str: ...
    @property
    def committer_email(self) -> str: ...
    @property
    def committer_timestamp(self) -> int: ...
    @property
    def committer_offset(self) -> int: ...
    @property
    def parents(self) -> list[str]: ...
    @property
    def additions(self) -> int: ...
    @property
    def deletions(self) -> int: ...
    @property
    def files_changed(self) -> int:
        """Files the commit changes (against its first parent), as git log --shortstat counts them."""
    @property
    def is_merge(self) -> bool: ...
    @property
    def files(self) -> list[FileChange]:
        """Per-file changes; empty unless include_files was set."""
    def to_dict(self) -> dict[str, Any]: ...

class HistoryOptions:
    rev: str
    max_count: int | None
    since: int | None
    until: int | None
    paths: list[str | bytes]  # set with str, bytes or os.PathLike; read back as str
    exclude: list[str]
    exclude_commits: list[str]
    first_parent: bool
    include_files: bool
    detect_renames: bool
    line_counts: bool
    threads: int
    def __init__(self) -> None: ...

class CommitStream:
    def __init__(self, repo_path: str | bytes, options: HistoryOptions, batch_size: int) -> None: ...
    def receive(self, on_batch: Callable[[list[CommitRecord] | None, BaseException | None], None]) -> None: ...
    def close(self) -> None: ...

class ArrowBatch:
    """A record batch from the native core; pyarrow.record_batch() imports it (once)."""
    @property
    def num_rows(self) -> int: ...
    def __arrow_c_array__(self, requested_schema: object | None = None) -> tuple[object, object]: ...

class HistoryTableStream:
    """Each item is [commits, file_changes]."""
    def __init__(self, repo_path: str | bytes, options: HistoryOptions, batch_size: int,
                 columns: list[str] = ...) -> None: ...
    def receive(self, on_batch: Callable[[list[ArrowBatch] | None, BaseException | None], None]) -> None: ...
    def close(self) -> None: ...

def start_extract_commits(
    repo_path: str | bytes,
    options: HistoryOptions,
    on_done: Callable[[list[CommitRecord] | None, BaseException | None], None],
) -> NativeRun: ...
def set_error_factory(factory: Callable[[str, int, str, str, str], BaseException]) -> None: ...
def shutdown() -> None: ...
def cpu_threads() -> int: ...
def repository_name(url: str) -> str:
    """The name a repository goes by: the last component of its URL or path, without .git."""
def active_jobs() -> int:
    """Native jobs queued or running (extractions, streams)."""

class FleetSettings:
    max_concurrency: int
    dest_root: str
    depth: int | None
    branch: str
    single_branch: bool
    filter: str
    submodules: bool
    timeout_ms: int
    retries: int
    retry_backoff_ms: int
    username: str
    token: str
    """Write-only: reads back as an empty string."""
    def __init__(self) -> None: ...

class NativeRun:
    def cancel(self) -> None: ...

class CloneFleet:
    def __init__(self, settings: FleetSettings) -> None: ...
    def add(self, url: str) -> str:
        """Adds a repository; returns the URL it is known by (credentials removed)."""
    def tasks(self) -> list[tuple[str, str, int | None, str, str]]:
        """(url, state, progress, error, directory) per task."""
    def failed_urls(self) -> list[str]: ...
    def queued_urls(self) -> list[str]: ...
    def start_run(self, urls: list[str], on_done: Callable[[None, BaseException | None], None]) -> NativeRun: ...
    def cleanup(self) -> list[tuple[str, str]]:
        """(url, "" or why its directory could not be removed) per task."""

class BlameLine:
    """One line of a file as ``git blame --line-porcelain`` describes it."""
    @property
    def commit_id(self) -> str: ...
    @property
    def author_name(self) -> str: ...
    @property
    def author_email(self) -> str: ...
    @property
    def author_time(self) -> int: ...
    @property
    def author_tz(self) -> str:
        """As git prints it, e.g. "+0200"."""
    @property
    def committer_name(self) -> str: ...
    @property
    def committer_email(self) -> str: ...
    @property
    def committer_time(self) -> int: ...
    @property
    def committer_tz(self) -> str: ...
    @property
    def summary(self) -> str: ...
    @property
    def orig_path(self) -> str: ...
    @property
    def orig_line_no(self) -> int: ...
    @property
    def final_line_no(self) -> int: ...
    @property
    def line_content(self) -> str:
        """The line at rev without its newline (undecodable bytes as surrogate escapes)."""
    @property
    def boundary(self) -> bool: ...

class BlameOptions:
    rev: str
    first_parent: bool
    ignore_whitespace: bool
    first_line: int
    last_line: int
    ignore_revs: list[str]
    exclude: list[str]
    exclude_commits: list[str]
    mailmap: bool
    def __init__(self) -> None: ...

class Mailmap:
    """git's .mailmap, parsed: names and e-mails as bytes, compared as git compares them."""
    def __init__(self, text: bytes = b"") -> None: ...
    def __bool__(self) -> bool: ...
    def map(self, name: bytes, email: bytes) -> tuple[bytes, bytes]: ...

def read_mailmap(repo_path: str | bytes) -> Mailmap:
    """The .mailmap git reads by default: the work tree's, or a bare repository's at HEAD."""

def start_bulk_blame(
    repo_path: str | bytes, paths: list[str | bytes] | None, options: BlameOptions,
    on_done: Callable[[list[tuple[str, list[BlameLine] | None, BaseException | None]] | None, BaseException | None], None],
    on_progress: Callable[[int, int, int, int], None] | None = None,
) -> NativeRun: ...
def start_blame_table(
    repo_path: str | bytes, paths: list[str | bytes] | None, options: BlameOptions, batch_size: int,
    on_done: Callable[[tuple[list[ArrowBatch], ArrowBatch, list[tuple[str, BaseException]]] | None,
                       BaseException | None], None],
    on_progress: Callable[[int, int, int, int], None] | None = None,
) -> NativeRun: ...
def start_find_files(
    repo_path: str | bytes, rev: str, patterns: list[str | bytes],
    on_done: Callable[[list[str] | None, BaseException | None], None],
) -> NativeRun: ...
def blame_hands_whole_file(repo_path: str | bytes, from_rev: str,
                           to_and_paths: list[tuple[str, str | bytes]]) -> list[bool]:
    """For each (commit, path): whether blame of path at from_rev hands the whole file to that
    commit (git's pass_whole_blame at every step), so that both blames agree line for line."""
def release_blame_sessions() -> None:
    """Drops the blame sessions kept between calls (and the repository files they hold open)."""

class BlameStream:
    def __init__(self, repo_path: str | bytes, path: str | bytes, options: BlameOptions, batch_size: int) -> None: ...
    def receive(self, on_batch: Callable[[list[BlameLine] | None, BaseException | None], None]) -> None: ...
    def close(self) -> None: ...
