"""The data models (pydantic): provider API answers (:mod:`.common`) and fleet cloning
(:mod:`.repo`)."""

from . import common, repo
from .common import *  # noqa: F403  (the provider models, as common.__all__ lists them)
from .repo import CloneOptions, CloneStatus, CloneStatusType, CloneTask

__all__ = [*common.__all__, "CloneOptions", "CloneStatus", "CloneStatusType", "CloneTask"]
