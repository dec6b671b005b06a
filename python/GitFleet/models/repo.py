"""Fleet cloning: the status and option models (pydantic), and native task rows as models.

Imported on first use (RepoManager's clone methods, ``GitFleet.CloneTask``...): local work
(history, blame) never loads pydantic."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field


__all__ = ["CloneStatusType", "CloneStatus", "CloneTask", "CloneOptions", "task_from_native",
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
