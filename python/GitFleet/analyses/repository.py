"""What ``gitfleet analyze`` computes for each repository and for the fleet: commits over
time, churn by author and by file, lines owned by author (from blame) and the bus factor, and
the analyses of the sibling modules (activity, ownership per file and directory, knowledge
loss, code age, hotspots, change coupling, languages), each a table.
Authors are people as git's ``.mailmap`` names them (:mod:`.identities`); merge commits count
as commits but not in churn unless ``include_merges`` (as gitinspector and GitHub); binary
files (a NUL in their first 8000 bytes, git's test) own no lines.
Aggregates only: the raw rows (commits, file changes, blame ownership) stream to
:class:`~GitFleet.tables.TableWriter` sinks as they are read, so memory stays bounded by
the number of authors and files, not by the history's length."""

from __future__ import annotations

import asyncio
import collections
import os
import tempfile
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..blame import BlameLine, BlameProgress
from ..exceptions import BlameError, GitFleetError
from ..fleet_store import KeptHistory, StoredNames
from ..history import CommitRecord, DateLike
from ..repo_manager import RepoManager
from ..tables import TableWriter
from .dates import month
from .activity import ACTIVITY_COLUMNS, AuthorActivity
from .code_age import CODE_AGE_COLUMNS, CodeAge
from .coupling import COUPLING_COLUMNS, ChangeCoupling
from . import history_state
from .hotspots import HOTSPOT_COLUMNS, hotspots
from .identities import Identities, is_bot, read_mailmap
from .knowledge_loss import DEFAULT_INACTIVE_MONTHS, KNOWLEDGE_LOSS_COLUMNS, KnowledgeLoss, knowledge_loss
from .languages import LANGUAGE_COLUMNS, languages
from .ownership import DIRECTORY_OWNER_COLUMNS, FILE_OWNER_COLUMNS, FileOwnership
from .renames import CurrentNames
from .scope import Scope

if TYPE_CHECKING:
    import pyarrow as pa

    from ..fleet_store import FleetStore, StoreUpdate, StoredCommit

__all__ = ["RepoAnalysis", "FileBlame", "analyze_repository", "fleet_of", "bus_factor", "author_of", "is_binary",
           "COMMIT_COLUMNS", "FILE_CHANGE_COLUMNS", "OWNERSHIP_COLUMNS", "ANALYSIS_TABLES"]

COMMIT_COLUMNS = ("repo", "sha", "author_name", "author_email", "author_time", "committer_time", "additions",
                  "deletions", "files_changed", "is_merge", "summary")
FILE_CHANGE_COLUMNS = ("repo", "sha", "path", "old_path", "change_type", "additions", "deletions", "binary")
OWNERSHIP_COLUMNS = ("repo", "path", "author_name", "author_email", "lines")
# The tables each analysis gives once a repository is read (name -> columns).
ANALYSIS_TABLES = {"activity": ACTIVITY_COLUMNS, "file_owners": FILE_OWNER_COLUMNS,
                   "directory_owners": DIRECTORY_OWNER_COLUMNS, "knowledge_loss": KNOWLEDGE_LOSS_COLUMNS,
                   "code_age": CODE_AGE_COLUMNS, "hotspots": HOTSPOT_COLUMNS, "coupling": COUPLING_COLUMNS,
                   "languages": LANGUAGE_COLUMNS}

@dataclass(frozen=True)
class AnalysisProgress:
    """Where the analysis of one repository is: ``stage`` "store" (the fleet store being
    brought up to date; ``blame``: its blame's files and lines done, once blaming), "history"
    (commits read so far), "blame" (``blame``: files and lines done of all) or "done"."""

    stage: str
    commits: int
    blame: BlameProgress | None = None


Progress = Callable[[AnalysisProgress], None]


def author_of(name: str, email: str) -> str:
    return f"{name} <{email}>"


def is_binary(lines: list[BlameLine]) -> bool:
    """git's buffer_is_binary: a NUL byte in the first 8000 bytes of the content."""
    head, size = [], 0
    for line in lines:
        if size >= 8000:
            break
        chunk = line.line_content.encode("utf-8", "surrogateescape") + b"\n"
        head.append(chunk)
        size += len(chunk)
    return b"\0" in b"".join(head)[:8000]


@dataclass(frozen=True)
class FileBlame:
    """One file's blame as the analyses need it: whether it is binary, and the author times of
    its lines per identity as committed (name, e-mail), identities in the order their first
    line comes."""

    binary: bool
    times: dict[tuple[str, str], list[int]]

    @classmethod
    def of(cls, lines: list[BlameLine]) -> FileBlame:
        times: dict[tuple[str, str], list[int]] = {}
        for line in lines:
            times.setdefault((line.author_name, line.author_email), []).append(line.author_time)
        return cls(is_binary(lines), times)


def bus_factor(lines_owned: collections.Counter[str]) -> int:
    """The fewest authors who together own at least half of the lines (0 with no lines)."""
    total = sum(lines_owned.values())
    owned, k = 0, 0
    for _, n in lines_owned.most_common():
        if 2 * owned >= total:
            break
        owned += n
        k += 1
    return k


@dataclass
class RepoAnalysis:
    name: str
    path: str = ""
    source: str = ""  # what the user named: a URL, or the path
    head: str = ""  # the SHA analysed
    reference_time: int | None = None  # its committer date: ages and inactivity count from it
    inactive_months: int = DEFAULT_INACTIVE_MONTHS
    window: str = "all history"  # which commits the figures cover
    include_merges: bool = False  # merges' first-parent diffs counted in churn
    exclude_bots: bool = False
    identities: Identities = field(default_factory=Identities, repr=False)
    scope: Scope = field(default_factory=Scope, repr=False)
    commits: int = 0
    merges: int = 0
    additions: int = 0
    deletions: int = 0
    first: int | None = None
    last: int | None = None
    files_blamed: int = 0
    binary_files: int = 0  # left out of line ownership
    files_out_of_scope: int = 0  # at the analysed commit: vendored, generated or excluded
    bot_commits: int = 0  # left out of every aggregate with exclude_bots
    blame_failures: dict[str, str] = field(default_factory=dict)
    commits_by_month: collections.Counter[str] = field(default_factory=collections.Counter)
    activity: AuthorActivity = field(default_factory=AuthorActivity, repr=False)
    churn_by_author: collections.Counter[str] = field(default_factory=collections.Counter)
    # The same two per identity as committed ("name\nemail", before .mailmap): what the fleet
    # store keeps of them, to be named again under the .mailmap of the next analysis.
    activity_as_committed: AuthorActivity = field(default_factory=AuthorActivity, repr=False)
    churn_as_committed: collections.Counter[str] = field(default_factory=collections.Counter, repr=False)
    churn_by_file: collections.Counter[str] = field(default_factory=collections.Counter)  # under current paths
    revisions_by_file: collections.Counter[str] = field(default_factory=collections.Counter)  # commits in churn
    coupling: ChangeCoupling = field(default_factory=ChangeCoupling, repr=False)
    current_files: set[str] = field(default_factory=set)  # at the analysed commit (from blame)
    _names: CurrentNames = field(default_factory=CurrentNames, repr=False)
    lines_owned: collections.Counter[str] = field(default_factory=collections.Counter)
    ownership: FileOwnership = field(default_factory=FileOwnership, repr=False)  # per text file in scope
    code_age: CodeAge = field(default_factory=CodeAge, repr=False)
    knowledge: KnowledgeLoss | None = None  # set by finish()
    language_lines: collections.Counter[str] = field(default_factory=collections.Counter)
    language_files: collections.Counter[str] = field(default_factory=collections.Counter)
    _tables: dict[str, list[tuple]] = field(default_factory=dict, repr=False)  # made by finish()
    store_update: StoreUpdate | None = None  # what reading through the fleet store did
    options: dict[str, Any] = field(default_factory=dict)  # what analyze_repository was asked (JSON values)

    @property
    def lines(self) -> int:
        return sum(self.lines_owned.values())

    @property
    def commits_by_author(self) -> collections.Counter[str]:
        return self.activity.commits()

    @property
    def authors(self) -> int:
        return len(self.activity)

    @property
    def bus_factor(self) -> int:
        return bus_factor(self.lines_owned)

    def add_commits(self, batch: Iterable[CommitRecord | StoredCommit], commits: TableWriter | None = None,
                    changes: TableWriter | None = None) -> None:
        commit_rows, change_rows = [], []
        for c in batch:
            counted = not (self.exclude_bots and is_bot(c.author_name, c.author_email))
            churn = counted and (self.include_merges or not c.is_merge)
            if counted:
                self.commits += 1
                self.merges += c.is_merge
                when = c.author_timestamp
                self.first = when if self.first is None else min(self.first, when)
                self.last = when if self.last is None else max(self.last, when)
                author = self.identities(c.author_name, c.author_email)
                as_committed = f"{c.author_name}\n{c.author_email}"
                self.activity.add(author, when)
                self.activity_as_committed.add(as_committed, when)
                self.commits_by_month[month(when)] += 1
            else:
                self.bot_commits += 1
            added, deleted = (0, 0) if c.files else (c.additions, c.deletions)  # no per-file records: all
            changed = []
            for f in c.files:
                current = self._names.of(f.path, f.old_path, f.change_type)
                if churn and self.scope(current):
                    self.churn_by_file[current] += f.additions + f.deletions
                    self.revisions_by_file[current] += 1
                    changed.append(current)
                    added, deleted = added + f.additions, deleted + f.deletions
                change_rows.append((self.name, c.sha, f.path, f.old_path or "", f.change_type, f.additions,
                                    f.deletions, f.binary))
            if churn:
                self.coupling.add_commit(changed)
                self.additions += added
                self.deletions += deleted
                self.churn_by_author[author] += added + deleted
                self.churn_as_committed[as_committed] += added + deleted
            commit_rows.append((self.name, c.sha, c.author_name, c.author_email, c.author_timestamp,
                                c.committer_timestamp, c.additions, c.deletions, c.files_changed, c.is_merge,
                                c.message.split("\n", 1)[0]))
        if commits is not None:
            commits.write(commit_rows)
        if changes is not None:
            changes.write(change_rows)

    def rename_seen(self, path: str, old_path: str) -> None:
        """A rename in a commit between those added, whose figures are not (kept elsewhere):
        the older commits added after it count under the file's current name, as they would."""
        self._names.of(path, old_path, "R")

    def add_blame(self, blame: dict[str, FileBlame | BlameError], ownership: TableWriter | None = None) -> None:
        rows = []
        for path, blamed in sorted(blame.items()):
            if isinstance(blamed, BlameError):
                self.blame_failures[path] = str(blamed)
                continue
            self.current_files.add(path)
            if not self.scope(path):
                self.files_out_of_scope += 1
                continue
            self.files_blamed += 1
            if blamed.binary:
                self.binary_files += 1
                continue
            owners: collections.Counter[str] = collections.Counter()
            times: list[int] = []
            for (name, email), when in blamed.times.items():
                if self.exclude_bots and is_bot(name, email):
                    continue
                owners[self.identities(name, email)] += len(when)
                rows.append((self.name, path, name, email, len(when)))
                times += when
            self.lines_owned.update(owners)
            self.ownership.add(path, owners)
            self.code_age.add(path, times)
        if ownership is not None:
            ownership.write(rows)

    def finish(self) -> None:
        """Figures that need both history and blame: the summaries and the tables."""
        self.knowledge, knowledge_rows = knowledge_loss(self.name, self.ownership, self.activity,
                                                        self.reference_time, self.inactive_months)
        language_rows = languages(self.name, self.ownership)
        for _, language, files, lines, _ in language_rows:
            self.language_files[language] += files
            self.language_lines[language] += lines
        self._tables = {
            "activity": self.activity.rows(self.name, self.churn_by_author, self.lines_owned),
            "file_owners": self.ownership.file_rows(self.name),
            "directory_owners": self.ownership.directory_rows(self.name),
            "knowledge_loss": knowledge_rows,
            "code_age": self.code_age.rows(self.name),
            "hotspots": hotspots(self.name, self.revisions_by_file, self.churn_by_file, self.ownership),
            "coupling": self.coupling.rows(self.name, self.ownership.files),
            "languages": language_rows,
        }

    def tables(self) -> dict[str, list[tuple]]:
        """The rows of each of ANALYSIS_TABLES for this repository (made by finish())."""
        return self._tables

    def merge(self, other: "RepoAnalysis") -> None:
        """Adds another repository's aggregates (the fleet is the sum of its repositories)."""
        for name in ("commits", "merges", "additions", "deletions", "files_blamed", "binary_files", "bot_commits",
                     "files_out_of_scope"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for bound, pick in (("first", min), ("last", max)):
            values = [v for v in (getattr(self, bound), getattr(other, bound)) if v is not None]
            setattr(self, bound, pick(values) if values else None)
        for name in ("commits_by_month", "churn_by_author", "lines_owned", "language_lines", "language_files"):
            getattr(self, name).update(getattr(other, name))
        self.activity.merge(other.activity)
        self.code_age.merge(other.code_age)
        if other.knowledge is not None:
            if self.knowledge is None:
                self.knowledge = KnowledgeLoss(other.knowledge.months)
            self.knowledge.merge(other.knowledge)
        self.churn_by_file.update({f"{other.name}/{path}": n for path, n in other.churn_by_file.items()})
        self.current_files.update(f"{other.name}/{path}" for path in other.current_files)
        self.blame_failures.update({f"{other.name}/{path}": e for path, e in other.blame_failures.items()})


def fleet_of(repos: Iterable[RepoAnalysis]) -> RepoAnalysis:
    fleet = RepoAnalysis(name="fleet")
    for repo in repos:
        fleet.merge(repo)
    return fleet


def _window(rev: str, max_count: int | None, since: DateLike | None, until: DateLike | None) -> str:
    """The commits the history figures cover, in words."""
    parts = [f"the last {max_count:,} commits" if max_count else "all commits"]
    if since is not None:
        parts.append(f"since {since}")
    if until is not None:
        parts.append(f"until {until}")
    return " ".join(parts) + f" at {rev}"


async def analyze_repository(
    manager: RepoManager,
    path: str,
    name: str | None = None,
    *,
    rev: str = "HEAD",
    max_count: int | None = None,
    sinks: dict[str, TableWriter] | None = None,
    progress: Progress | None = None,
    include_merges: bool = False,
    exclude_bots: bool = False,
    merge_emails: bool = False,
    mailmap: bool = True,
    source: str | None = None,
    since: DateLike | None = None,
    until: DateLike | None = None,
    scope: Scope | None = None,
    inactive_months: int = DEFAULT_INACTIVE_MONTHS,
    coupling: ChangeCoupling | None = None,
    store: FleetStore | None = None,
    stored_elsewhere: StoreUpdate | None = None,
) -> RepoAnalysis:
    """History (with per-file counts) and whole-repository blame of one local repository.
    ``store``: a :class:`~GitFleet.FleetStore` brought up to ``rev`` first (incrementally when
    it holds an earlier state) and the figures computed from what it holds; the result is the
    same as without it, row for row. ``stored_elsewhere``: the update that brought the store up
    to date before (on Dask).
    ``mailmap``: authors as the repository's .mailmap names them; ``merge_emails``: names
    sharing an e-mail are one person; ``exclude_bots``: [bot] accounts count nowhere;
    ``include_merges``: merges' first-parent diffs count in churn; ``since``/``until``: the
    window of commits (ownership is always of ``rev``); ``scope``: which files count;
    ``inactive_months``: how long without a commit makes an author inactive (knowledge loss);
    ``coupling``: change coupling's thresholds (code-maat's by default)."""
    identities = Identities(read_mailmap(path) if mailmap else None, merge_emails)
    analysis = RepoAnalysis(name=name or os.path.basename(os.path.abspath(path)), path=path,
                            include_merges=include_merges, exclude_bots=exclude_bots, identities=identities,
                            source=source or os.path.abspath(path), scope=scope or Scope(),
                            window=_window(rev, max_count, since, until), inactive_months=inactive_months,
                            coupling=coupling or ChangeCoupling())
    analysis.options = {
        "rev": rev, "max_count": max_count, "since": None if since is None else str(since),
        "until": None if until is None else str(until), "include_merges": include_merges,
        "exclude_bots": exclude_bots, "merge_emails": merge_emails, "mailmap": mailmap,
        "include": list(analysis.scope.include), "exclude": list(analysis.scope.exclude),
        "vendored": analysis.scope.vendored, "inactive_months": inactive_months,
        "coupling": {name: getattr(analysis.coupling, name)
                     for name in ("max_changeset", "min_revisions", "min_shared", "min_degree")}}
    try:
        at_rev = await manager.find_files(path, "*", rev=rev)
        (tip,) = await manager.extract_commits(path, rev=rev, max_count=1)
        analysis.head, analysis.reference_time = tip.sha, tip.committer_timestamp
        analysis.code_age = CodeAge(analysis.reference_time)
    except GitFleetError:  # an empty repository: nothing to scope, nothing to read
        at_rev = []
    names = [os.fsdecode(p) for p in at_rev]
    analysis.scope.read_attributes(path, names)
    sinks = sinks or {}
    if store is not None and analysis.head:
        blamed = await _read_from_store(analysis, store, stored_elsewhere, StoredNames(names), manager, path,
                                        max_count, since, until, sinks, progress)
    else:
        blamed = await _read_from_repository(analysis, manager, path, rev, max_count, since, until, sinks, progress,
                                             len(at_rev))
    analysis.finish()
    if progress:
        progress(AnalysisProgress("done", analysis.commits, blamed))
    return analysis


async def _read_from_repository(analysis: RepoAnalysis, manager: RepoManager, path: str, rev: str,
                                max_count: int | None, since: DateLike | None, until: DateLike | None,
                                sinks: dict[str, TableWriter], progress: Progress | None, files: int) -> BlameProgress:
    """History and blame read from the repository; returns the blame's final counts."""
    async for batch in manager.yield_commits(path, batch_size=1000, rev=rev, max_count=max_count,
                                             since=since, until=until, include_files=True):
        analysis.add_commits(batch, sinks.get("commits"), sinks.get("file_changes"))
        if progress:
            progress(AnalysisProgress("history", analysis.commits))
    blamed = BlameProgress(0, 0, 0, 0)
    if not analysis.commits:  # an empty repository has nothing to blame
        return blamed

    def blaming(counts: BlameProgress) -> None:
        nonlocal blamed
        blamed = counts
        if progress:
            progress(AnalysisProgress("blame", analysis.commits, counts))

    blaming(BlameProgress(0, files, 0, 0))
    # Raw identities: `identities` applies the mailmap (or not) to history and blame alike.
    blame = await manager.blame_repository(path, rev=rev, mailmap=False, progress=blaming)
    analysis.add_blame({p: lines if isinstance(lines, BlameError) else FileBlame.of(lines)
                        for p, lines in blame.items()}, sinks.get("blame_ownership"))
    return blamed


async def _read_from_store(analysis: RepoAnalysis, store: FleetStore, stored_elsewhere: StoreUpdate | None,
                           names: StoredNames,
                           manager: RepoManager, path: str, max_count: int | None, since: DateLike | None,
                           until: DateLike | None, sinks: dict[str, TableWriter],
                           progress: Progress | None) -> BlameProgress:
    """The store brought up to the analysed commit (progress stage "store"), then history and
    blame read from it, the files named as the repository names them (``names``); returns the
    blame's counts. The window's commits, in git's order, come from a walk of the repository
    without diffs (log's order is not a property of the commits alone)."""

    def storing(counts: BlameProgress | None) -> None:
        if progress:
            progress(AnalysisProgress("store", 0, counts))

    storing(None)
    # The window's walk needs nothing of the store: it runs while the store is brought up to date.
    analysis.store_update, window = await _together(
        store.update(manager, path, analysis.name, analysis.source, rev=analysis.head, progress=storing),
        manager.commits_table(path, rev=analysis.head, max_count=max_count, since=since, until=until,
                              line_counts=False, columns=["sha"]))
    if stored_elsewhere is not None and stored_elsewhere.head == analysis.head:
        analysis.store_update = stored_elsewhere  # what moved the store to this head
    shas = window.column("sha")
    # Only figures of the whole history are kept: a window's commits change as HEAD moves.
    keeps = max_count is None and since is None and until is None and not analysis.identities.merge_emails
    kept: tuple[str, KeptHistory] | None = None
    if not keeps:
        await _add_stored_commits(analysis, store, names, shas, sinks, progress)
    else:
        options, order = history_state.options_key(analysis), shas.to_pylist()
        if not await _take_up_kept_history(analysis, store, names, options, shas, order, sinks, progress):
            await _add_stored_commits(analysis, store, names, shas, sinks, progress)
        kept = options, KeptHistory(analysis.head, history_state.walk_digest(order), history_state.figures_of(analysis))
    keeping = asyncio.to_thread(store.keep_history, analysis.name, *kept) if kept else asyncio.sleep(0)
    if not analysis.commits:
        await keeping
        return BlameProgress(0, 0, 0, 0)
    # The figures are kept (a write) while the stored blame is read.
    stored_blame, _ = await _together(store.file_blames(analysis.name), keeping)
    blame = {names(p): b for p, b in stored_blame.items()}
    analysis.add_blame(blame, sinks.get("blame_ownership"))
    lines = sum(sum(map(len, b.times.values())) for b in blame.values() if isinstance(b, FileBlame))
    return BlameProgress(len(blame), len(blame), lines, lines)


async def _together(*steps: Awaitable[Any]) -> list[Any]:
    """The results of steps run at once; the first failure is raised once every step has
    ended (none is left running unobserved)."""
    results = await asyncio.gather(*steps, return_exceptions=True)
    failed = next((r for r in results if isinstance(r, BaseException)), None)
    if failed is not None:
        raise failed
    return results


async def _add_stored_commits(analysis: RepoAnalysis, store: FleetStore, names: StoredNames, shas: pa.ChunkedArray,
                              sinks: dict[str, TableWriter], progress: Progress | None) -> None:
    async for batch in store.commits_in_order(analysis.name, shas):
        analysis.add_commits(names.of_commits(batch), sinks.get("commits"), sinks.get("file_changes"))
        if progress:
            progress(AnalysisProgress("history", analysis.commits))


async def _write_stored_rows(store: FleetStore, names: StoredNames, repo: str, shas: pa.ChunkedArray, table: str,
                             sink: TableWriter) -> None:
    """The report's ``table`` rows of the commits ``shas`` out of the store into ``sink``: a
    CSV file as DuckDB writes it; through Python rows in other formats, or to name files
    that are not UTF-8 as the repository does (DuckDB's text is UTF-8)."""
    if sink.fmt != "csv" or (names and table == "file_changes"):
        async for rows in store.report_rows(repo, shas, table):
            sink.write([(*row[:2], names(row[2]), names(row[3]), *row[4:]) for row in rows]
                       if table == "file_changes" else rows)
        return
    with tempfile.TemporaryDirectory(prefix="gitfleet-") as private:
        path = os.path.join(private, f"{table}.csv")
        count = await asyncio.to_thread(store.report_csv, repo, shas, table, path)
        await asyncio.to_thread(sink.append_csv, path, count)


async def _take_up_kept_history(analysis: RepoAnalysis, store: FleetStore, names: StoredNames, options: str,
                                shas: pa.ChunkedArray, window: list[str], sinks: dict[str, TableWriter],
                                progress: Progress | None) -> bool:
    """The new commits added as a walk of every commit would add them, then the figures kept
    at the stored head before the update (history_state.py says when that is the same as
    reading every commit again); False, with nothing added, when it is not."""
    update = analysis.store_update
    if update is None or update.mode not in ("incremental", "unchanged"):
        return False
    before = update.previous if update.mode == "incremental" else update.head
    kept = await asyncio.to_thread(store.kept_history, analysis.name, options)
    if kept is None or kept.head != before:
        return False
    new = set(update.new_commits)
    at = [i for i, sha in enumerate(window) if sha in new]
    if len(at) != len(new) or history_state.walk_digest(s for s in window if s not in new) != kept.walk:
        return False
    leading = next((n for n, i in enumerate(at) if i != n), len(at))  # new commits before the first old one
    first_new = set(window[:leading])
    re_key = CurrentNames()  # the new commits' renames: the kept figures' files have their names at `before`
    old_renames: dict[str, list[tuple[str, str]]] = collections.defaultdict(list)
    for sha, path, old_path in await asyncio.to_thread(store.renames_in_order, analysis.name,
                                                       shas.slice(0, at[-1] + 1 if at else 0)):
        path, old_path = names(path), names(old_path)
        if sha not in new:
            old_renames[sha].append((path, old_path))
        elif sha in first_new:
            re_key.of(path, old_path, "R")
        else:
            return False  # a new commit log shows among the old ones would re-key only those after it
    if not history_state.judged_alike(analysis, kept.figures, re_key.later):
        return False
    done = 0  # window positions taken into account
    stored = store.commits_in_order(analysis.name, [window[i] for i in at])
    async for batch in stored:
        for commit in names.of_commits(batch):
            i = window.index(commit.sha, done)
            for sha in window[done:i]:  # old commits log shows before this new one: their renames
                for path, old_path in old_renames.get(sha, ()):
                    analysis.rename_seen(path, old_path)
            analysis.add_commits([commit])
            done = i + 1
    history_state.add_older(analysis, kept.figures, re_key.later)
    for table in ("commits", "file_changes"):  # every commit's rows, in log's order
        if table in sinks:
            await _write_stored_rows(store, names, analysis.name, shas, table, sinks[table])
    if progress:
        progress(AnalysisProgress("history", analysis.commits))
    return True
