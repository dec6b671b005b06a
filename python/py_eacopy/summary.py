"""What a copy did: :class:`CopySummary` (tree and batch copies), :class:`DeltaStats`
(delta copies), and EACopy's summary table."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["CopySummary", "CopyFailure", "DeltaStats", "format_bytes", "format_summary"]


@dataclass(frozen=True)
class CopyFailure:
    """A file that could not be copied (kept going under ``ErrorStrategy.IGNORE``)."""

    path: str
    message: str
    errno: int


@dataclass(frozen=True)
class CopySummary:
    """Files and bytes by outcome, and the time a copy took. ``linked`` counts files a copy
    server hard-linked instead of receiving (0 for local copies)."""

    destination: str
    files_total: int = 0
    files_copied: int = 0
    files_linked: int = 0
    files_skipped: int = 0
    files_failed: int = 0
    bytes_total: int = 0
    bytes_copied: int = 0
    bytes_linked: int = 0
    bytes_skipped: int = 0
    dirs_created: int = 0
    dirs_failed: int = 0
    entries_purged: int = 0
    retries: int = 0
    seconds: float = 0.0
    bytes_sent: int = 0
    compression_level: int | None = None
    failures: tuple[CopyFailure, ...] = field(default=())

    @classmethod
    def from_native(cls, destination: str, native: Any) -> "CopySummary":
        return cls(
            destination=destination,
            files_total=native.files_total,
            files_copied=native.files_copied,
            files_linked=native.files_linked,
            files_skipped=native.files_skipped,
            files_failed=native.files_failed,
            bytes_total=native.bytes_total,
            bytes_copied=native.bytes_copied,
            bytes_linked=native.bytes_linked,
            bytes_skipped=native.bytes_skipped,
            bytes_sent=native.bytes_sent,
            compression_level=native.compression_level if native.bytes_sent else None,
            dirs_created=native.dirs_created,
            dirs_failed=native.dirs_failed,
            entries_purged=native.entries_purged,
            retries=native.retries,
            seconds=native.seconds,
            failures=tuple(CopyFailure(*f) for f in native.failures),
        )

    @property
    def ok(self) -> bool:
        return self.files_failed == 0 and self.dirs_failed == 0

    def to_dict(self) -> dict[str, Any]:
        d = {k: getattr(self, k) for k in self.__dataclass_fields__}
        d["failures"] = [f.__dict__ for f in self.failures]
        return d

    def __str__(self) -> str:
        return format_summary(self)


@dataclass(frozen=True)
class DeltaStats:
    """A delta copy: how much of the result came from the reference and how much from the source."""

    bytes_total: int
    bytes_matched: int
    bytes_literal: int

    @classmethod
    def from_native(cls, native: Any) -> "DeltaStats":
        return cls(native.bytes_total, native.bytes_matched, native.bytes_literal)


def format_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    raise AssertionError("unreachable")


def format_summary(s: CopySummary) -> str:
    """EACopy's end-of-copy table: Files and Bytes by Total/Copied/Linked/Skipped/Failed, the
    time, and for network copies the bytes sent and the compression level."""
    bytes_failed = max(0, s.bytes_total - s.bytes_copied - s.bytes_linked - s.bytes_skipped)
    head = f"{'':>10}{'Total':>12}{'Copied':>12}{'Linked':>12}{'Skipped':>12}{'Failed':>12}"
    files = (s.files_total, s.files_copied, s.files_linked, s.files_skipped, s.files_failed)
    byte_counts = (s.bytes_total, s.bytes_copied, s.bytes_linked, s.bytes_skipped, bytes_failed)
    lines = [
        "-" * len(head),
        head,
        f"{'Files :':>10}" + "".join(f"{n:>12}" for n in files),
        f"{'Bytes :':>10}" + "".join(f"{format_bytes(n):>12}" for n in byte_counts),
        f"{'Times :':>10}{s.seconds:>11.2f}s",
    ]
    if s.compression_level is not None:
        level = {-1: "off", 0: "self-balancing"}.get(s.compression_level, str(s.compression_level))
        lines.append(f"{'Sent :':>10}{format_bytes(s.bytes_sent):>12}   compression level {level}")
    if s.entries_purged:
        lines.append(f"{'Purged :':>10}{s.entries_purged:>12}")
    if s.dirs_failed:
        lines.append(f"{'Dirs :':>10}{s.dirs_failed:>12} failed")
    lines.append("-" * len(head))
    for f in s.failures:
        lines.append(f"FAILED {f.path}: {f.message}")
    return "\n".join(lines)
