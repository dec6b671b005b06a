"""Type stubs for py_eacopy's native extension (the C++ copy engine bound with nanobind)."""

import os
from typing import Any, Callable, Union

# A file name: str (surrogate escapes keep non-UTF-8 bytes), bytes or os.PathLike.
FsPath = Union[str, bytes, os.PathLike]

class ErrorStrategy:
    RAISE: ErrorStrategy
    RETRY: ErrorStrategy
    IGNORE: ErrorStrategy

class Config:
    thread_count: int
    compression_level: int
    buffer_size: int
    error_strategy: ErrorStrategy
    retry_count: int
    retry_delay: float
    preserve_metadata: bool
    follow_symlinks: bool
    def __init__(self) -> None: ...
    def set_file_event_callback(self, callback: Callable[[str, str, int, str], None] | None) -> None: ...
    def set_progress_callback(self, callback: Callable[[int, int, str], None] | None) -> None: ...
    def validate(self) -> None:
        """Raises ValueError naming the first unusable setting."""

class TreeCopyOptions:
    symlinks: bool
    ignore_dangling_symlinks: bool
    dirs_exist_ok: bool
    skip_unchanged: bool
    mirror: bool
    include: list[str]
    exclude: list[str]
    files: list[str] | None
    def __init__(self) -> None: ...

class CopySummary:
    files_total: int
    files_copied: int
    files_linked: int
    files_skipped: int
    files_failed: int
    bytes_total: int
    bytes_copied: int
    bytes_linked: int
    bytes_skipped: int
    bytes_sent: int
    compression_level: int
    dirs_created: int
    dirs_failed: int
    entries_purged: int
    retries: int
    seconds: float
    failures: list[tuple[str, str, int]]

class DeltaStats:
    bytes_total: int
    bytes_matched: int
    bytes_literal: int

class RemoteOptions:
    host: str
    port: int
    secret: str
    timeout: float
    fallback_dst: str
    def __init__(self) -> None: ...

class ServerOptions:
    host: str
    port: int
    thread_count: int
    max_connections: int
    root: str
    secret: str
    idle_timeout: float
    handshake_timeout: float
    max_unauthenticated: int
    max_unauthenticated_per_address: int
    history_size: int
    history_file: str
    trust_metadata: bool
    def __init__(self) -> None: ...

class CopyServer:
    def __init__(self, options: ServerOptions) -> None: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...
    def is_running(self) -> bool: ...
    @property
    def port(self) -> int: ...
    @property
    def thread_count(self) -> int: ...
    def stats(self) -> dict[str, int]: ...

class NativeRun:
    def cancel(self) -> None: ...

OnDone = Callable[[Any, BaseException | None], None]

def set_error_factory(factory: Callable[[str, int, str, str, str], BaseException]) -> None: ...
def shutdown() -> None: ...
def inject_write_faults(errno: int, count: int) -> None: ...
def decode_frame(type: int, payload: bytes) -> None: ...
def copyfile(config: Config, src: FsPath, dst: FsPath) -> str: ...
def copy(config: Config, src: FsPath, dst: FsPath) -> str: ...
def copy2(config: Config, src: FsPath, dst: FsPath) -> str: ...
def copytree(config: Config, src: FsPath, dst: FsPath, options: TreeCopyOptions) -> CopySummary: ...
def batch_copy(config: Config, pairs: list[tuple[FsPath, FsPath]]) -> CopySummary: ...
def batch_copy2(config: Config, pairs: list[tuple[FsPath, FsPath]]) -> CopySummary: ...
def batch_copytree(config: Config, pairs: list[tuple[FsPath, FsPath]], options: TreeCopyOptions) -> CopySummary: ...
def delta_copy(config: Config, src: FsPath, dst: FsPath, reference: FsPath) -> DeltaStats: ...
def start_copyfile(config: Config, src: FsPath, dst: FsPath, on_done: OnDone) -> NativeRun: ...
def start_copy(config: Config, src: FsPath, dst: FsPath, on_done: OnDone) -> NativeRun: ...
def start_copy2(config: Config, src: FsPath, dst: FsPath, on_done: OnDone) -> NativeRun: ...
def start_copytree(config: Config, src: FsPath, dst: FsPath, options: TreeCopyOptions, on_done: OnDone) -> NativeRun: ...
def start_batch_copy(config: Config, pairs: list[tuple[FsPath, FsPath]], on_done: OnDone) -> NativeRun: ...
def start_batch_copy2(config: Config, pairs: list[tuple[FsPath, FsPath]], on_done: OnDone) -> NativeRun: ...
def start_batch_copytree(
    config: Config, pairs: list[tuple[FsPath, FsPath]], options: TreeCopyOptions, on_done: OnDone
) -> NativeRun: ...
def start_delta_copy(config: Config, src: FsPath, dst: FsPath, reference: FsPath, on_done: OnDone) -> NativeRun: ...
def upload(config: Config, src: FsPath, remote_dst: FsPath, remote: RemoteOptions) -> CopySummary: ...
def download(config: Config, remote_src: FsPath, dst: FsPath, remote: RemoteOptions) -> CopySummary: ...
def start_upload(config: Config, src: FsPath, remote_dst: FsPath, remote: RemoteOptions, on_done: OnDone) -> NativeRun: ...
def start_download(config: Config, remote_src: FsPath, dst: FsPath, remote: RemoteOptions, on_done: OnDone) -> NativeRun: ...
