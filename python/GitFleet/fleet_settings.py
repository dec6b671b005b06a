"""What the native clone fleet is configured with, checked before it is built."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from . import _native
from .exceptions import InvalidArgumentError

if TYPE_CHECKING:
    from .models.repo import CloneOptions

__all__ = ["fleet_settings"]


def _clone_options(clone_options: CloneOptions | Mapping[str, Any] | None) -> CloneOptions | None:
    """The validated options, or None for git's defaults (then the models stay unloaded)."""
    if clone_options is None:
        return None
    from .models.repo import CloneOptions

    try:
        return clone_options if isinstance(clone_options, CloneOptions) else CloneOptions(**clone_options)
    except (TypeError, ValueError) as e:
        raise InvalidArgumentError(f"clone_options: {e}") from None


def fleet_settings(
    clone_options: CloneOptions | Mapping[str, Any] | None,
    *,
    max_concurrency: int,
    dest_root: str | None,
    timeout: float | None,
    retries: int,
    retry_backoff: float,
    username: str,
    token: str,
) -> _native.FleetSettings:
    options = _clone_options(clone_options)
    for name, value, low in (("max_concurrency", max_concurrency, 1), ("retries", retries, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise InvalidArgumentError(f"{name} must be an integer >= {low}, got {value!r}")
    if timeout is not None and not timeout > 0:
        raise InvalidArgumentError(f"timeout must be a positive number of seconds, got {timeout!r}")
    if not retry_backoff >= 0:
        raise InvalidArgumentError(f"retry_backoff must be >= 0 seconds, got {retry_backoff!r}")
    s = _native.FleetSettings()
    s.max_concurrency = max_concurrency
    s.dest_root = str(dest_root) if dest_root else ""
    if options is not None:
        s.depth = options.depth
        s.branch = options.branch or ""
        s.single_branch = options.single_branch
        s.filter = options.filter or ""
        s.submodules = options.submodules
    s.timeout_ms = int(timeout * 1000) if timeout else 0
    s.retries = retries
    s.retry_backoff_ms = int(retry_backoff * 1000)
    s.username = username
    s.token = token
    return s
