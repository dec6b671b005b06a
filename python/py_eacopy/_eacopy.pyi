"""Type stubs for py_eacopy's native extension (the C++ copy engine bound with nanobind)."""

from typing import Any, Callable

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
    files_skipped: int
    files_failed: int
    bytes_total: int
    bytes_copied: int
    bytes_skipped: int
    dirs_created: int
    entries_purged: int
    retries: int
    seconds: float
    failures: list[tuple[str, str, int]]

class DeltaStats:
    bytes_total: int
    bytes_matched: int
    bytes_literal: int

class NativeRun:
    def cancel(self) -> None: ...

OnDone = Callable[[Any, BaseException | None], None]

def set_error_factory(factory: Callable[[str, int, str, str, str], BaseException]) -> None: ...
def shutdown() -> None: ...
def inject_write_faults(errno: int, count: int) -> None: ...
def copyfile(config: Config, src: str, dst: str) -> str: ...
def copy(config: Config, src: str, dst: str) -> str: ...
def copy2(config: Config, src: str, dst: str) -> str: ...
def copytree(config: Config, src: str, dst: str, options: TreeCopyOptions) -> CopySummary: ...
def batch_copy(config: Config, pairs: list[tuple[str, str]]) -> CopySummary: ...
def batch_copy2(config: Config, pairs: list[tuple[str, str]]) -> CopySummary: ...
def batch_copytree(config: Config, pairs: list[tuple[str, str]], options: TreeCopyOptions) -> CopySummary: ...
def delta_copy(config: Config, src: str, dst: str, reference: str) -> DeltaStats: ...
def start_copyfile(config: Config, src: str, dst: str, on_done: OnDone) -> NativeRun: ...
def start_copy(config: Config, src: str, dst: str, on_done: OnDone) -> NativeRun: ...
def start_copy2(config: Config, src: str, dst: str, on_done: OnDone) -> NativeRun: ...
def start_copytree(config: Config, src: str, dst: str, options: TreeCopyOptions, on_done: OnDone) -> NativeRun: ...
def start_batch_copy(config: Config, pairs: list[tuple[str, str]], on_done: OnDone) -> NativeRun: ...
def start_batch_copy2(config: Config, pairs: list[tuple[str, str]], on_done: OnDone) -> NativeRun: ...
def start_batch_copytree(
    config: Config, pairs: list[tuple[str, str]], options: TreeCopyOptions, on_done: OnDone
) -> NativeRun: ...
def start_delta_copy(config: Config, src: str, dst: str, reference: str, on_done: OnDone) -> NativeRun: ...
