"""The analyses behind ``gitfleet analyze``, one module each: :mod:`.repository` (the per-
repository and fleet aggregates, which drive the others), :mod:`.identities` (who an author
is: .mailmap, shared e-mails, bots), :mod:`.scope` (which files count: globs, vendored and
generated code), :mod:`.activity`, :mod:`.ownership` (per file and directory),
:mod:`.knowledge_loss`, :mod:`.code_age`, :mod:`.hotspots`, :mod:`.coupling` and
:mod:`.languages`; :mod:`.renames` (files under their current names) and :mod:`.history_state`
(the history figures the fleet store keeps between analyses)."""

from .identities import Identities, Mailmap, is_bot, read_mailmap
from .scope import Scope
from .coupling import ChangeCoupling
from .knowledge_loss import DEFAULT_INACTIVE_MONTHS
from .languages import language_of
from .repository import (
    ANALYSIS_TABLES,
    COMMIT_COLUMNS,
    AnalysisProgress,
    FILE_CHANGE_COLUMNS,
    OWNERSHIP_COLUMNS,
    RepoAnalysis,
    analyze_repository,
    author_of,
    bus_factor,
    fleet_of,
    is_binary,
)

__all__ = ["ANALYSIS_TABLES", "COMMIT_COLUMNS", "DEFAULT_INACTIVE_MONTHS", "FILE_CHANGE_COLUMNS", "OWNERSHIP_COLUMNS",
           "AnalysisProgress", "ChangeCoupling", "Identities", "Mailmap", "RepoAnalysis", "Scope", "analyze_repository", "author_of",
           "bus_factor", "fleet_of", "is_binary", "is_bot", "language_of", "read_mailmap"]
