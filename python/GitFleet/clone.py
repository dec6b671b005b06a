"""Fleet cloning: status models and the glue between RepoManager and the native fleet."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field

from . import _native
from .exceptions import InvalidArgumentError

__all__ = ["CloneStatusType", "CloneStatus", "CloneTask", "CloneOptions", "fleet_settings",
           "to_pydantic_status", "to_pydantic_task", "convert_clone_tasks"]


class CloneStatusType(str, enum.Enum):
    QUEUED = "queued"
    CLONING = "cloning"
    COMPLETED = "completed"
    FAILED = "failed"


class CloneStatus(BaseModel):
    """Where one clone stands. ``progress`` is 0..100 while cloning and 100 when completed."""

    model_config = ConfigDict(frozen=True)
    status_type: CloneStatusType
    progress: Optional[int] = Field(default=None, ge=0, le=100)
    error: Optional[str] = None


class CloneTask(BaseModel):
    """One repository of the fleet. ``temp_dir`` is the clone's directory once it exists."""

    model_config = ConfigDict(frozen=True)
    url: str
    status: CloneStatus
    temp_dir: Optional[str] = None


class CloneOptions(BaseModel):
    """What `git clone` is asked for: ``depth``, ``branch``, ``single_branch``, ``filter``
    (e.g. ``"blob:none"``), ``submodules``."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    depth: Optional[int] = Field(default=None, ge=1)
    branch: Optional[str] = None
    single_branch: bool = False
    filter: Optional[str] = None
    submodules: bool = False


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
    try:
        options = clone_options if isinstance(clone_options, CloneOptions) else CloneOptions(**(clone_options or {}))
    except (TypeError, ValueError) as e:
        raise InvalidArgumentError(f"clone_options: {e}") from None
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


def task_from_native(row: tuple[str, str, int | None, str, str]) -> CloneTask:
    url, state, progress, error, directory = row
    return CloneTask(url=url, status=CloneStatus(status_type=CloneStatusType(state), progress=progress,
                                                 error=error or None), temp_dir=directory or None)


def to_pydantic_status(status: CloneStatus) -> CloneStatus:
    """Kept for code written against GitFleet 0.2.x: statuses are already pydantic models."""
    return status


def to_pydantic_task(task: CloneTask) -> CloneTask:
    """Kept for code written against GitFleet 0.2.x: tasks are already pydantic models."""
    return task


def convert_clone_tasks(tasks: Mapping[str, CloneTask]) -> dict[str, CloneTask]:
    """Kept for code written against GitFleet 0.2.x: returns a plain dict of the tasks."""
    return dict(tasks)
