"""The analyses behind ``gitfleet analyze``, one module each: :mod:`.repository` (the per-
repository and fleet aggregates), :mod:`.identities` (who an author is: .mailmap, shared
e-mails, bots) and :mod:`.scope` (which files count: globs, vendored and generated code)."""

from .identities import Identities, Mailmap, is_bot, read_mailmap
from .scope import Scope
from .repository import (
    COMMIT_COLUMNS,
    FILE_CHANGE_COLUMNS,
    OWNERSHIP_COLUMNS,
    RepoAnalysis,
    analyze_repository,
    author_of,
    bus_factor,
    fleet_of,
    is_binary,
)

__all__ = ["COMMIT_COLUMNS", "FILE_CHANGE_COLUMNS", "OWNERSHIP_COLUMNS", "Identities", "Mailmap", "RepoAnalysis",
           "Scope", "analyze_repository", "author_of", "bus_factor", "fleet_of", "is_binary", "is_bot",
           "read_mailmap"]
