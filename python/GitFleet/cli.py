"""The ``gitfleet`` command (also ``python -m GitFleet``): clone fleets with live progress,
export commits and blame, analyse repositories into an HTML report, and copy files through
py_eacopy. User errors are one line on stderr and a non-zero exit, never a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from .analyses import (
    ANALYSIS_TABLES,
    COMMIT_COLUMNS,
    AnalysisProgress,
    DEFAULT_INACTIVE_MONTHS,
    ChangeCoupling,
    FILE_CHANGE_COLUMNS,
    OWNERSHIP_COLUMNS,
    Scope,
    RepoAnalysis,
    analyze_repository,
    fleet_of,
)
from ._native import repository_name
from .exceptions import GitFleetError
from .fleet_distributed import is_url
from .fleet_store import FleetStore, StoreUpdate
from .html_report import render_report
from .repo_manager import RepoManager
from .tables import FORMATS, TableWriter, open_table

if TYPE_CHECKING:
    from .models.repo import CloneTask

_COUPLING = ChangeCoupling()  # code-maat's thresholds, the options' defaults

T = TypeVar("T")
TOKEN_ENV, USERNAME_ENV = "GITFLEET_TOKEN", "GITFLEET_USERNAME"
BLAME_COLUMNS = ("path", "line", "commit", "author_name", "author_email", "author_time", "orig_path", "content")


class UserError(click.ClickException):
    """A mistake or a failure the user can act on: printed as one line, exit status 1."""

    def show(self, file: Any = None) -> None:
        click.echo(f"gitfleet: error: {self.format_message()}", err=True)


@contextlib.contextmanager
def _user_errors() -> Iterator[None]:
    """GitFleet's errors, and bad paths or values, become one-line user errors."""
    try:
        yield
    except OSError as e:  # without the "[Errno N]" prefix
        text = e.strerror or str(e)
        raise UserError(f"{text}: {os.fsdecode(e.filename)}" if e.filename else text) from None
    except (GitFleetError, ValueError) as e:
        raise UserError(str(e)) from None


def _finish(writer: TableWriter, export: Callable[[], Awaitable[None]]) -> None:
    """Runs the export into writer: the file appears complete, or not at all."""
    try:
        _run(export())
    except BaseException:
        writer.discard()
        raise
    with _user_errors():
        writer.close()


def _run(coro: Awaitable[T]) -> T:
    with _user_errors():
        return asyncio.run(coro)  # type: ignore[arg-type]


def _console(quiet: bool) -> Console:
    return Console(stderr=True, quiet=quiet)


def _duration(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def _analysis_state(p: AnalysisProgress, blame_seconds: float) -> str:
    """What the analysis of one repository is doing, for the progress display. The time left
    is extrapolated from the share of lines explained so far (a first estimate runs high: the
    oldest commits explain the most lines)."""
    if p.stage == "store" and p.blame is None:
        return "updating the fleet store: reading history"
    if p.stage == "history" or p.blame is None:
        return f"reading history: {p.commits:,} commits"
    b = p.blame
    if p.stage == "done":
        return f"done: {p.commits:,} commits, {b.files_total:,} files blamed"
    doing = "updating the fleet store" if p.stage == "store" else f"{p.commits:,} commits read"
    state = f"{doing}; blaming: {b.files_done:,} of {b.files_total:,} files done"
    if b.lines_total:
        fraction = b.lines_done / b.lines_total
        state += f", {fraction:.0%} of lines"
        if fraction >= 0.01 and blame_seconds >= 2:
            state += f", about {_duration(blame_seconds * (1 - fraction) / fraction)} left"
    return state


DEFAULT_STORE = "fleet.duckdb"


def _analysis_store(db_path: str | None, no_db: bool, out_dir: str, console: Console) -> FleetStore | None:
    """The store `analyze` reads through: --db's, else fleet.duckdb in the report's directory
    (so the same --out is incremental); none with --no-db, nor (said once) when DuckDB is not
    installed and no --db was asked for."""
    if no_db:
        if db_path:
            raise UserError("--db and --no-db contradict each other")
        return None
    try:
        with _user_errors():
            return FleetStore(db_path or os.path.join(out_dir, DEFAULT_STORE))
    except ImportError:
        if db_path:
            raise UserError("the fleet store needs DuckDB: pip install 'GitFleet[store]' (or use --no-db)") from None
        console.print("No fleet store (DuckDB is not installed: pip install 'GitFleet[store]'); "
                      "reading every repository in full.", highlight=False, soft_wrap=True)
        return None


def _dask_reporter(console: Console, done: str) -> Callable[[str, Any, str | None], None]:
    """A line per repository as its task on Dask completes."""

    def report(target: str, update: Any, error: str | None) -> None:
        console.print(f"{target}: " + (f"failed: {error}" if error else f"{done} {update.mode}: "
                                       f"{update.commits_read:,} commits, {update.files_blamed:,} files"),
                      highlight=False, soft_wrap=True)

    return report


async def _read_on_dask(store: FleetStore, order: list[str], paths: dict[str, str], workers: int | None,
                        scheduler: str | None, console: Console) -> tuple[dict[str, str], dict[str, StoreUpdate]]:
    """Every repository read into the store by a task on a Dask cluster (a local one reads
    this machine's clones; an existing one gets URLs to clone itself). Returns target -> why it
    failed, and target -> its update."""
    from .fleet_distributed import store_fleet

    report = _dask_reporter(console, "read on Dask")
    read = [t if scheduler and is_url(t) else paths[t] for t in order]
    by_read = dict(zip(read, order))
    target_of = dict(zip(_unique_names(order), order))
    with _user_errors():
        run = await asyncio.to_thread(store_fleet, read, store, list(target_of), workers=workers or 2,
                                      scheduler=scheduler, progress=lambda t, u, e: report(by_read[t], u, e))
    return ({by_read[t]: error for t, error in run.failed.items()},
            {target_of[u.repo]: u for u in run.stored})


def _current_repository() -> str:
    try:
        out = subprocess.run(["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        raise UserError("not inside a git repository; name the repositories to analyse") from None
    return out.stdout.strip()


def _unique_names(targets: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    names = []
    for t in targets:
        base = repository_name(t)
        seen[base] = seen.get(base, 0) + 1
        names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return names


def _manager(urls: Sequence[str], **kwargs: Any) -> RepoManager:
    token = os.environ.get(TOKEN_ENV, "")
    return RepoManager(urls, os.environ.get(USERNAME_ENV, "x-access-token" if token else ""), token, **kwargs)


async def _clone_into_paths(manager: RepoManager, console: Console) -> tuple[dict[str, str], dict[str, str]]:
    """Clones the manager's URLs with progress: (url -> its clone, url -> why it failed)."""
    paths: dict[str, str] = {}
    failed: dict[str, str] = {}
    if manager.urls:
        from .models.repo import CloneStatusType  # pydantic: loaded only when something is cloned

        count = len(manager.urls)
        console.print(f"Cloning {count} repositor{'y' if count == 1 else 'ies'}")
        for url, task in (await _clone_with_progress(manager, console)).items():
            if task.status.status_type is CloneStatusType.COMPLETED and task.temp_dir:
                paths[url] = task.temp_dir
            else:
                failed[url] = task.status.error or "clone failed"
    return paths, failed


async def _clone_with_progress(manager: RepoManager, console: Console) -> dict[str, CloneTask]:
    """Runs the manager's clones, with a bar per repository and one overall, until all end."""
    from .models.repo import CloneStatusType

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        overall = progress.add_task("[bold]all repositories", total=len(manager.urls))
        bars = {url: progress.add_task(repository_name(url), total=100) for url in manager.urls}
        run = manager.clone_all()
        while True:
            tasks = await manager.fetch_clone_tasks()
            ended = 0
            for url, task in tasks.items():
                status = task.status.status_type
                done = status in (CloneStatusType.COMPLETED, CloneStatusType.FAILED)
                ended += done
                label = repository_name(url) + (" [red]failed" if status is CloneStatusType.FAILED else "")
                progress.update(bars[url], completed=100 if done else task.status.progress or 0, description=label)
            progress.update(overall, completed=ended)
            if run.done():
                break
            await asyncio.sleep(0.1)
        await run
    return await manager.fetch_clone_tasks()


async def _list_repositories(listings: Sequence[tuple[str, str]], api_url: str | None) -> list[str]:
    """Clone URLs of every repository the provider listings name, through the provider clients."""
    from .providers import BitBucketClient, GitHubClient, GitLabClient

    kinds = {"github": GitHubClient, "gitlab": GitLabClient, "bitbucket": BitBucketClient}
    urls: list[str] = []
    for provider, owner in listings:
        token = os.environ.get(f"{provider.upper()}_TOKEN") or os.environ.get(TOKEN_ENV) or None
        async with kinds[provider](token, base_url=api_url) as client:
            urls += [r.clone_url for r in await client.fetch_repositories(owner)]
    return urls


def _failure_table(failed: dict[str, str]) -> Table:
    table = Table(title=f"{len(failed)} failed", title_style="bold red", show_lines=False)
    table.add_column("repository")
    table.add_column("error", overflow="fold")
    for url, error in failed.items():
        table.add_row(url, error)
    return table


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="GitFleet", prog_name="gitfleet")
def cli() -> None:
    """Git repositories in bulk: clone fleets, export commit history and blame, analyse
    repositories into a report, copy files fast (py_eacopy).

    Credentials for HTTPS clones come from $GITFLEET_TOKEN (and $GITFLEET_USERNAME), never
    from the command line."""


@cli.command()
@click.argument("urls", nargs=-1)
@click.option("--file", "url_file", type=click.File("r"), help="Read more URLs from this file, one a line.")
@click.option("--dest", type=click.Path(file_okay=False), default="gitfleet-clones", show_default=True,
              help="Where the clones go (DEST/<name>); existing clones are fetched.")
@click.option("--depth", type=click.IntRange(min=1), help="Shallow clones of this many commits.")
@click.option("--branch", help="Clone this branch.")
@click.option("--filter", "filter_spec", metavar="SPEC", help="Partial clones, e.g. blob:none.")
@click.option("--concurrency", type=click.IntRange(1, 256), default=8, show_default=True)
@click.option("--timeout", type=click.FloatRange(min=1), help="Seconds per clone attempt.")
@click.option("--retries", type=click.IntRange(0, 10), default=2, show_default=True,
              help="Attempts after a transient network failure.")
@click.option("--github-org", "github_orgs", multiple=True, metavar="ORG", help="Every repository of a GitHub org.")
@click.option("--github-user", "github_users", multiple=True, metavar="USER", help="Every repository of a GitHub user.")
@click.option("--gitlab-group", "gitlab_groups", multiple=True, metavar="GROUP",
              help="Every project of a GitLab group (and subgroups).")
@click.option("--bitbucket-workspace", "bitbucket_workspaces", multiple=True, metavar="WS",
              help="Every repository of a Bitbucket workspace.")
@click.option("--api-url", metavar="URL", help="The provider's API (GitHub Enterprise, self-hosted GitLab, ...).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bars.")
@click.option("--json", "as_json", is_flag=True, help="Print every clone's outcome as JSON.")
def clone(urls: tuple[str, ...], url_file: Any, dest: str, depth: int | None, branch: str | None,
          filter_spec: str | None, concurrency: int, timeout: float | None, retries: int,
          github_orgs: tuple[str, ...], github_users: tuple[str, ...], gitlab_groups: tuple[str, ...],
          bitbucket_workspaces: tuple[str, ...], api_url: str | None, quiet: bool, as_json: bool) -> None:
    """Clone many repositories at once, with live progress. Exits 1 if any clone failed.

    Provider listings use $GITHUB_TOKEN, $GITLAB_TOKEN or $BITBUCKET_TOKEN (else $GITFLEET_TOKEN)."""
    all_urls = list(urls)
    if url_file:
        all_urls += [line.strip() for line in url_file if line.strip() and not line.lstrip().startswith("#")]
    listings = [("github", o) for o in github_orgs + github_users] + [("gitlab", g) for g in gitlab_groups] + \
        [("bitbucket", w) for w in bitbucket_workspaces]
    if len({p for p, _ in listings}) > 1 and api_url:
        raise click.UsageError("--api-url applies to one provider at a time")
    if listings:
        all_urls += _run(_list_repositories(listings, api_url))
    if not all_urls:
        raise click.UsageError("no repositories: give URLs, --file or a provider listing")
    options = {"depth": depth, "branch": branch, "filter": filter_spec}
    with _user_errors():
        manager = _manager(all_urls, clone_options={k: v for k, v in options.items() if v is not None},
                           max_concurrency=concurrency, dest_root=dest, timeout=timeout, retries=retries)
    tasks = _run(_clone_with_progress(manager, _console(quiet or as_json)))
    from .models.repo import CloneStatusType

    failed = {url: t.status.error or "failed" for url, t in tasks.items()
              if t.status.status_type is not CloneStatusType.COMPLETED}
    if as_json:
        click.echo(json.dumps([{"url": url, "status": t.status.status_type.value, "path": t.temp_dir,
                                "error": t.status.error} for url, t in tasks.items()], indent=2))
    else:
        if failed:
            Console(stderr=True).print(_failure_table(failed))
        if not quiet:
            click.echo(f"{len(tasks) - len(failed)} of {len(tasks)} cloned into {os.path.abspath(dest)}")
    if failed:
        sys.exit(1)


def _format_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("-o", "--output", metavar="FILE", help="Write here instead of standard output.")(fn)
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)(fn)


@cli.command()
@click.argument("repo", type=click.Path(exists=True, file_okay=False))
@click.option("--rev", default="HEAD", show_default=True, help="Where the walk starts.")
@click.option("--since", help="Committer date on or after (YYYY-MM-DD or ISO 8601).")
@click.option("--until", help="Committer date on or before.")
@click.option("-n", "--max-count", type=click.IntRange(min=1), help="At most this many commits.")
@click.option("--path", "paths", multiple=True, help="Only commits touching these paths (git log -- paths).")
@click.option("--files", is_flag=True, help="One row per changed file instead of one per commit.")
@_format_options
def commits(repo: str, rev: str, since: str | None, until: str | None, max_count: int | None,
            paths: tuple[str, ...], files: bool, fmt: str, output: str | None) -> None:
    """Commit history with line statistics (git log --numstat), as rows."""
    with _user_errors():
        writer = open_table(fmt, FILE_CHANGE_COLUMNS if files else COMMIT_COLUMNS, output, sys.stdout)

    async def export() -> None:
        analysis = RepoAnalysis(name=repository_name(os.path.abspath(repo)))
        filters: dict[str, Any] = {"rev": rev, "since": since, "until": until, "max_count": max_count,
                                   "include_files": files, "paths": list(paths) or None}
        async for batch in RepoManager().yield_commits(repo, batch_size=1000, **filters):
            analysis.add_commits(batch, None if files else writer, writer if files else None)

    _finish(writer, export)


@cli.command()
@click.argument("repo", type=click.Path(exists=True, file_okay=False))
@click.argument("files", nargs=-1)
@click.option("--rev", default="HEAD", show_default=True)
@click.option("-w", "ignore_whitespace", is_flag=True, help="Ignore whitespace changes (git blame -w).")
@_format_options
def blame(repo: str, files: tuple[str, ...], rev: str, ignore_whitespace: bool, fmt: str, output: str | None) -> None:
    """Blame files (default: every file at REV), line by line, exactly as git blame."""
    with _user_errors():
        writer = open_table(fmt, BLAME_COLUMNS, output, sys.stdout)

    def rows(path: str, lines: Sequence[Any]) -> list[tuple[Any, ...]]:
        return [(path, ln.final_line_no, ln.commit_id, ln.author_name, ln.author_email, ln.author_time, ln.orig_path,
                 ln.line_content) for ln in lines]

    async def export() -> None:
        manager = RepoManager()
        if files:
            for path in files:
                async for batch in manager.stream_blame(repo, path, batch_size=5000, rev=rev,
                                                        ignore_whitespace=ignore_whitespace):
                    writer.write(rows(path, batch))
            return
        result = await manager.blame_repository(repo, rev=rev, ignore_whitespace=ignore_whitespace)
        for path, lines in sorted(result.items()):
            if isinstance(lines, GitFleetError):
                click.echo(f"gitfleet: warning: {path}: {lines}", err=True)
            else:
                writer.write(rows(path, lines))

    _finish(writer, export)


@cli.command()
@click.argument("targets", nargs=-1)
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default="gitfleet-report", show_default=True,
              help="Directory for report.html and the raw tables.")
@click.option("--format", "table_format", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True,
              help="Format of the raw tables.")
@click.option("--rev", default="HEAD", show_default=True, help="Revision analysed in each repository.")
@click.option("-n", "--max-count", type=click.IntRange(min=1), help="At most this many commits per repository.")
@click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True, help="Clones at once.")
@click.option("--since", help="Commits on or after this date (YYYY-MM-DD or ISO 8601); ownership stays that of --rev.")
@click.option("--until", help="Commits on or before this date.")
@click.option("--include", "include", multiple=True, metavar="GLOB",
              help="Count only files matching (a glob with '/' matches the path, else the name or a directory).")
@click.option("--exclude", "exclude", multiple=True, metavar="GLOB", help="Leave out files matching.")
@click.option("--vendored", is_flag=True,
              help="Count vendored and generated files too (linguist-vendored/-generated attributes, vendor/, "
                   "deps/, node_modules/, lock files); by default they are left out.")
@click.option("--include-merges", is_flag=True,
              help="Count merge commits' changes (against their first parent) in churn; by default, as "
                   "gitinspector and GitHub, they are not.")
@click.option("--no-mailmap", is_flag=True, help="Authors as committed, without the repository's .mailmap.")
@click.option("--merge-emails", is_flag=True, help="Names that share an e-mail are one person.")
@click.option("--exclude-bots", is_flag=True, help="Leave [bot] accounts (dependabot, ...) out of every figure.")
@click.option("--inactive-months", type=click.IntRange(1, 1200), default=DEFAULT_INACTIVE_MONTHS, show_default=True,
              help="Knowledge loss: an author with no commit in this many months before the analysed commit is "
                   "inactive.")
@click.option("--coupling-max-changeset", type=click.IntRange(2), default=_COUPLING.max_changeset, show_default=True,
              help="Change coupling: commits changing more files than this are left out.")
@click.option("--coupling-min-revisions", type=click.IntRange(1), default=_COUPLING.min_revisions, show_default=True,
              help="Change coupling: a pair's files must average at least this many revisions.")
@click.option("--coupling-min-shared", type=click.IntRange(1), default=_COUPLING.min_shared, show_default=True,
              help="Change coupling: at least this many commits changing both files.")
@click.option("--coupling-min-degree", type=click.IntRange(0, 100), default=_COUPLING.min_degree, show_default=True,
              help="Change coupling: at least this degree (100 x shared / average revisions).")
@click.option("--db", "db_path", metavar="FILE",
              help="The DuckDB fleet store the report is computed from, updated incrementally (only new commits "
                   "read, only touched files blamed again; `gitfleet query` reads it).  [default: OUT/fleet.duckdb]")
@click.option("--no-db", is_flag=True, help="Read history and blame straight from each repository, keep no store.")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Read the repositories into the store on a local Dask cluster of this many worker processes "
                   "first (each read whole); the report is then computed from the store.")
@click.option("--scheduler", metavar="tcp://HOST:PORT",
              help="Read them on this existing Dask cluster (its workers clone URLs themselves and must reach "
                   "local paths).")
@click.option("-q", "--quiet", is_flag=True, help="No progress.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary instead of the report's path.")
def analyze(targets: tuple[str, ...], out_dir: str, table_format: str, rev: str, max_count: int | None,
            concurrency: int, since: str | None, until: str | None, include: tuple[str, ...],
            exclude: tuple[str, ...], vendored: bool, include_merges: bool, no_mailmap: bool, merge_emails: bool,
            exclude_bots: bool, inactive_months: int, coupling_max_changeset: int, coupling_min_revisions: int,
            coupling_min_shared: int, coupling_min_degree: int, db_path: str | None, no_db: bool,
            workers: int | None, scheduler: str | None, quiet: bool, as_json: bool) -> None:
    """Analyse repositories (URLs are cloned, paths read in place) into one HTML report:
    commits over time, lines owned by author, churn by author and file, bus factor, ownership
    per file and directory, knowledge loss, code age, hotspots, change coupling, languages and
    author activity; plus a table of each (see docs/report.md). With no TARGETS: this
    repository, cloned from its local path."""
    console = _console(quiet or as_json)
    if targets:
        clones = [t for t in targets if is_url(t)]
        local = {t: os.path.abspath(t) for t in targets if not is_url(t)}
        for path in local.values():
            if not os.path.isdir(path):
                raise UserError(f"not a directory (and not a URL): {path}")
    else:
        clones, local = [_current_repository()], {}
    with _user_errors():
        os.makedirs(out_dir, exist_ok=True)
        ext = "parquet" if table_format == "parquet" else "csv"
        names = {"commits": COMMIT_COLUMNS, "file_changes": FILE_CHANGE_COLUMNS,
                 "blame_ownership": OWNERSHIP_COLUMNS, **ANALYSIS_TABLES}
        sinks = {n: TableWriter(table_format, cols, path=os.path.join(out_dir, f"{n}.{ext}"))
                 for n, cols in names.items()}

    async def work() -> tuple[list[RepoAnalysis], dict[str, str]]:
        manager = _manager(clones, max_concurrency=concurrency)
        try:
            cloned, failed = await _clone_into_paths(manager, console)
            paths = {**local, **cloned}
            order = [t for t in (targets or clones) if t in paths]
            on_dask: dict[str, StoreUpdate] = {}
            if store is not None and (workers or scheduler):
                dask_failed, on_dask = await _read_on_dask(store, order, paths, workers, scheduler, console)
                failed.update(dask_failed)
            results = []
            columns = (SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.fields[state]}"),
                       TimeElapsedColumn())
            with Progress(*columns, console=console, disable=not console.is_terminal) as progress:
                last_line = [0.0]
                for target, name in zip(order, _unique_names(order)):
                    if target in failed:
                        continue
                    bar = progress.add_task(name, state="reading history")
                    stage_began = {"history": time.monotonic()}
                    shown = [""]

                    def report(p: AnalysisProgress, bar: Any = bar, name: str = name,
                               stage_began: dict[str, float] = stage_began, shown: list[str] = shown) -> None:
                        now = time.monotonic()
                        new_stage = stage_began.setdefault(p.stage, now) == now
                        blaming_since = stage_began.setdefault(f"{p.stage} blame", now) if p.blame else now
                        state = _analysis_state(p, now - blaming_since)
                        progress.update(bar, state=state)
                        if p.stage == "done":
                            progress.stop_task(bar)  # a finished repository's timer stops
                        # Piped: no live display, so plain lines: each stage's first and last,
                        # and at most one every 5 s between.
                        if not console.is_terminal and not console.quiet and state != shown[0] and (
                                new_stage or p.stage == "done" or now - last_line[0] >= 5):
                            last_line[0] = now
                            shown[0] = state
                            console.print(f"{name}: {state}", highlight=False, soft_wrap=True)

                    try:
                        results.append(await analyze_repository(
                            manager, paths[target], name, rev=rev, max_count=max_count, sinks=sinks, progress=report,
                            include_merges=include_merges, exclude_bots=exclude_bots, merge_emails=merge_emails,
                            mailmap=not no_mailmap, source=target if target in clones else paths[target],
                            since=since, until=until, scope=Scope(include, exclude, vendored),
                            inactive_months=inactive_months,
                            coupling=ChangeCoupling(coupling_max_changeset, coupling_min_revisions, coupling_min_shared,
                                                    coupling_min_degree), store=store,
                            stored_elsewhere=on_dask.get(target)))
                        stored = results[-1].store_update
                        if stored is not None:
                            console.print(f"{name}: fleet store {stored.mode}: {stored.commits_read:,} commits read, "
                                          f"{stored.files_blamed:,} files blamed", highlight=False, soft_wrap=True)
                    except GitFleetError as e:
                        failed[target] = str(e)
                        progress.update(bar, state=f"[red]failed: {e}")
            return results, failed
        finally:
            manager.cleanup()

    if no_db and (workers or scheduler):
        raise UserError("--workers and --scheduler read into the fleet store: drop --no-db")
    store = _analysis_store(db_path, no_db, out_dir, console)
    try:
        repos, failed = _run(work())
        console.print(f"Writing {len(sinks)} tables and the report to {out_dir}", highlight=False, soft_wrap=True)
        for r in repos:  # the analyses' tables, once every repository is read
            for name, rows in r.tables().items():
                sinks[name].write(rows)
            if store is not None:
                with _user_errors():
                    store.put_report(r.name, {name: (ANALYSIS_TABLES[name], rows)
                                              for name, rows in r.tables().items()}, r.head, r.options)
    except BaseException:
        for sink in sinks.values():
            sink.discard()
        raise
    finally:
        if store is not None:
            store.close()
    with _user_errors():
        for sink in sinks.values():
            sink.close()
    if not repos:
        raise UserError("nothing could be analysed: " + "; ".join(f"{t}: {e}" for t, e in failed.items()))
    fleet = fleet_of(repos)
    report = os.path.join(out_dir, "report.html")
    tables = [f"{n}.{ext}" for n in sinks]
    with open(report + ".tmp", "w", encoding="utf-8") as f:
        f.write(render_report(fleet, repos, tables, failed))
    os.replace(report + ".tmp", report)
    if as_json:
        click.echo(json.dumps({"report": os.path.abspath(report), "tables": [os.path.join(os.path.abspath(out_dir), t)
                                                                               for t in tables],
                               "repositories": [{"name": r.name, "commits": r.commits, "authors": r.authors,
                                                 "lines": r.lines, "bus_factor": r.bus_factor} for r in repos],
                               "failed": failed}, indent=2))
    else:
        for target, error in failed.items():
            click.echo(f"gitfleet: failed: {target}: {error}", err=True)
        console.print(f"{fleet.commits:,} commits, {fleet.authors:,} authors, {fleet.lines:,} lines in "
                      f"{len(repos)} repositor{'y' if len(repos) == 1 else 'ies'}; bus factor {fleet.bus_factor}")
        click.echo(f"Report: {os.path.abspath(report)}")
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("targets", nargs=-1, required=True)
@click.option("--db", "db_path", default=DEFAULT_STORE, show_default=True, metavar="FILE", help="The fleet store.")
@click.option("--workers", type=click.IntRange(1), default=None,
              help="Read the repositories on a local Dask cluster of this many worker processes.")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="Read them on this existing Dask cluster.")
@click.option("--partitions", metavar="DIR",
              help="With --workers or --scheduler: each worker writes its repositories as Parquet partitions "
                   "under DIR (a path every worker can write), and the store is left alone.")
@click.option("-q", "--quiet", is_flag=True, help="No progress.")
def store(targets: tuple[str, ...], db_path: str, workers: int | None, scheduler: str | None, partitions: str | None,
          quiet: bool) -> None:
    """Bring repositories (URLs or local paths) into the fleet store: local paths are updated
    incrementally; with --workers or --scheduler every repository is read whole by a task on a
    Dask cluster and stored as it completes (or written as Parquet partitions)."""
    console = _console(quiet)
    names = _unique_names(list(targets))
    if partitions and not (workers or scheduler):
        raise UserError("--partitions is for workers: add --workers N or --scheduler tcp://HOST:PORT")
    with _user_errors():
        fleet = None if partitions else FleetStore(db_path)
    failed: dict[str, str] = {}
    try:
        if workers or scheduler:
            from .fleet_distributed import store_fleet

            report = _dask_reporter(console, "written to partitions:" if partitions else "stored")
            with _user_errors():
                failed = store_fleet(list(targets), fleet, names, workers=workers or 2, scheduler=scheduler,
                                     progress=report, partitions=partitions).failed
        else:
            async def update_all() -> None:
                manager = _manager([t for t in targets if is_url(t)])
                try:
                    cloned, not_cloned = await _clone_into_paths(manager, console)
                    failed.update(not_cloned)
                    for target, name in zip(targets, names):
                        if target in failed:
                            continue
                        try:
                            assert fleet is not None  # --partitions needs workers
                            u = await fleet.update(manager, cloned.get(target, target), name, source=target)
                            console.print(f"{target}: {u.mode}: {u.commits_read:,} commits read, "
                                          f"{u.files_blamed:,} files blamed", highlight=False, soft_wrap=True)
                        except GitFleetError as e:
                            failed[target] = str(e)
                finally:
                    manager.cleanup()

            _run(update_all())
    finally:
        if fleet is not None:
            fleet.close()
    for target, error in failed.items():
        click.echo(f"gitfleet: failed: {target}: {error}", err=True)
    if failed:
        sys.exit(1)


@cli.command()
@click.argument("sql")
@click.option("--db", "db_path", default=DEFAULT_STORE, show_default=True, metavar="FILE",
              help="The fleet store `gitfleet analyze --db` wrote.")
@_format_options
def query(sql: str, db_path: str, fmt: str, output: str | None) -> None:
    """Answer your own questions from the fleet store with SQL (DuckDB's dialect). Tables:
    repositories, commits, file_changes, blame_lines (docs/fleet_store.md)."""
    if not os.path.isfile(db_path):
        raise UserError(f"no fleet store at {db_path} (write one with: gitfleet analyze ... --db {db_path})")
    with _user_errors():
        with FleetStore(db_path, read_only=True) as store:
            result = store.query(sql)
        with open_table(fmt, result.column_names, output, sys.stdout) as writer:
            writer.write([tuple(row.values()) for row in result.to_pylist()])


_PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": []}


@cli.command(context_settings=_PASS_THROUGH, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def copy(args: tuple[str, ...]) -> None:
    """Copy a file or a tree (py_eacopy; `gitfleet copy --help` for its options)."""
    from py_eacopy.__main__ import main as eacopy

    sys.exit(eacopy(list(args)))


@cli.command(context_settings=_PASS_THROUGH, add_help_option=False)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def serve(args: tuple[str, ...]) -> None:
    """Run py_eacopy's deduplicating copy server (`gitfleet serve --help` for its options)."""
    from py_eacopy.__main__ import main as eacopy

    sys.exit(eacopy(["serve", *args]))


def main(argv: Sequence[str] | None = None) -> int:
    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="gitfleet", standalone_mode=True)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return 0
