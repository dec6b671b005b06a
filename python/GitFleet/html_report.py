"""The HTML report of ``gitfleet analyze``: one self-contained file (inline CSS and SVG, no
script, nothing fetched), for the fleet and for each repository."""

from __future__ import annotations

import collections
import datetime as dt
import heapq
from collections.abc import Sequence
from html import escape

from .analyses import RepoAnalysis
from .analyses.dates import day
from .svg_charts import bar_chart, column_chart

__all__ = ["render_report", "timeline"]


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("GitFleet")
    except PackageNotFoundError:
        return "unknown"

TOP = 15

CSS = """
body{margin:0;background:#f5f6f9;color:#1d2330;font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif}
header{background:#1f2d4d;color:#fff;padding:28px 40px}
header h1{margin:0 0 4px;font-size:26px} header p{margin:0;opacity:.8}
main{max-width:1180px;margin:0 auto;padding:24px 40px 60px}
h2{margin:36px 0 12px;font-size:21px} h2 small{font-weight:400;color:#667;font-size:14px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(150px,1fr));gap:12px;margin:12px 0 18px}
.card{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.card b{display:block;font-size:22px} .card b.long{font-size:16px;padding-top:5px} .card span{color:#667;font-size:13px}
h3{margin:22px 0 8px;font-size:17px} .panel h3{margin:0 0 6px} .scroll{overflow-x:auto}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(480px,100%),1fr));gap:16px;align-items:start}
.panel{background:#fff;border-radius:10px;padding:16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
table{border-collapse:collapse;width:100%;background:#fff;border-radius:10px;overflow:hidden;
box-shadow:0 1px 2px rgba(0,0,0,.08)} th,td{padding:8px 12px;text-align:left;border-bottom:1px solid #eceef3}
th{background:#eef1f7;font-weight:600} td.n{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#667;font-size:13px} a{color:#2f5fc4}
.toc{background:#fff;border-radius:10px;padding:12px 16px;box-shadow:0 1px 2px rgba(0,0,0,.08)}
.toc ul{margin:6px 0 0;padding-left:20px;columns:14em}
@media (max-width:600px){header{padding:20px 16px} main{padding:16px 12px 40px}}
"""


def timeline(commits_by_month: collections.Counter[str]) -> list[tuple[str, int]]:
    """Commits per month from the first to the last (empty months included), or per year when
    that would be more than six years of months."""
    if not commits_by_month:
        return []
    first, last = min(commits_by_month), max(commits_by_month)
    y, m = int(first[:4]), int(first[5:])
    months = []
    while f"{y:04d}-{m:02d}" <= last:
        months.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if len(months) <= 72:
        return [(month, commits_by_month[month]) for month in months]
    years: collections.Counter[str] = collections.Counter()
    for month, n in commits_by_month.items():
        years[month[:4]] += n
    return [(str(year), years[str(year)]) for year in range(int(first[:4]), int(last[:4]) + 1)]


def _day(ts: int | None) -> str:
    return day(ts) or "-"


def _top(counts: collections.Counter[str], n: int) -> list[tuple[str, int]]:
    """The n largest, ties by name: the same whatever order the counts were made in."""
    return heapq.nsmallest(n, counts.items(), key=lambda kv: (-kv[1], kv[0]))


def _name(author: str) -> str:
    return author.split(" <", 1)[0]


def _cards(a: RepoAnalysis, repos: int | None = None) -> str:
    cards = [] if repos is None else [(f"{repos:,}", "repositories")]
    cards += [
        (f"{a.commits:,}", f"commits ({a.merges:,} merges)"),
        (f"{a.authors:,}", "authors"),
        (f"+{a.additions:,} / -{a.deletions:,}", "lines added / deleted"),
        (f"{a.lines:,}", f"lines today, in {a.files_blamed:,} files"),
        (str(a.bus_factor), "bus factor (authors owning half the lines)"),
        (f"{_day(a.first)} → {_day(a.last)}", "period"),
    ]
    return "<div class='cards'>" + "".join(
        f"<div class='card'><b{' class=long' if len(v) > 12 else ''}>{escape(v)}</b><span>{escape(k)}</span></div>"
        for v, k in cards) + "</div>"


def _charts(a: RepoAnalysis) -> str:
    owned = [(_name(k), v) for k, v in _top(a.lines_owned, TOP)]
    churn = [(_name(k), v) for k, v in _top(a.churn_by_author, TOP)]
    # Files followed through renames under their current path; those gone at the commit say so.
    files = [(path if path in a.current_files or not a.current_files else f"{path} (deleted)", n)
             for path, n in _top(a.churn_by_file, TOP)]
    points = timeline(a.commits_by_month)
    bucket = "month" if points and len(points[0][0]) == 7 else "year"
    panels = [
        column_chart(points, title="Commits over time", x_title=f"{bucket} (author date, UTC)",
                     y_title=f"commits per {bucket}"),
        bar_chart(owned, title="Lines owned by author (blame)", label_title="author",
                  value_title="lines at the analysed commit", unit=" lines", color="#6b4fc8"),
        bar_chart(churn, title="Churn by author", label_title="author", value_title="lines added + deleted",
                  color="#d2793a"),
        bar_chart(files, title="Most changed files", label_title="file (current path)",
                  value_title="lines added + deleted", color="#2e9e78"),
    ]
    return "<div class='charts'>" + "".join(f"<div class='panel'>{p}</div>" for p in panels) + "</div>"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A table; numbers right-aligned (shares as percentages), the rest escaped text."""
    def cell(v: object) -> str:
        if isinstance(v, float):
            return f"<td class='n'>{v:.1%}</td>"
        if isinstance(v, int) and not isinstance(v, bool):
            return f"<td class='n'>{v:,}</td>"
        return f"<td>{escape('yes' if v is True else 'no' if v is False else str(v))}</td>"
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>" for row in rows)
    return f"<div class='scroll'><table><tr>{head}</tr>{body}</table></div>"


def _knowledge(a: RepoAnalysis) -> str:
    k = a.knowledge
    if k is None or not k.lines:
        return ""
    return (f"<h3>Knowledge loss</h3><p>{k.share:.1%} of the lines ({k.inactive_lines:,} of {k.lines:,}) were last "
            f"changed by authors with no commit in the {k.months} months before the analysed commit "
            f"({k.inactive_authors:,} such authors); {k.files_with_inactive_owner:,} of {k.files:,} files have an "
            f"inactive main owner.</p>")


def _questions(a: RepoAnalysis, tables: dict[str, list[tuple]] | None) -> str:
    """The analyses' sections: for a repository with its tables' top rows, for the fleet
    (``tables`` None) the sums."""
    panels = [("Code age", bar_chart(a.code_age.distribution(), title="Lines by time since their last change",
                                     label_title="age", value_title="lines", unit=" lines", color="#b0563c")),
              ("Languages", bar_chart(_top(a.language_lines, 10), title="Lines at the analysed commit",
                                      label_title="language (by file name)", value_title="lines", unit=" lines",
                                      color="#3b6fd4"))]
    parts = [_knowledge(a), "<div class='charts'>" + "".join(
        f"<div class='panel'><h3>{heading}</h3>{chart}</div>" for heading, chart in panels) + "</div>"]
    activity = a.activity.rows(a.name, a.churn_by_author, a.lines_owned)[:TOP]
    parts.append("<h3>Authors</h3>" + _table(
        ("author", "commits", "first commit", "last commit", "active months", "churn", "lines owned"),
        [row[1:] for row in activity]))
    if tables is not None:
        parts.append("<h3>Hotspots</h3>" + _table(("file", "revisions", "churn", "lines", "churn per line"),
                                                  [row[1:] for row in tables["hotspots"][:10]]))
        coupling = tables["coupling"][:10]
        parts.append("<h3>Change coupling</h3>" + (_table(
            ("file", "changes with", "shared revisions", "average revisions", "degree %"),
            [row[1:] for row in coupling]) if coupling else
            f"<p class='note'>No pair of files changed together often enough (at least "
            f"{a.coupling.min_shared} shared revisions, a degree of {a.coupling.min_degree}%).</p>"))
        parts.append("<h3>Directories</h3>" + _table(
            ("directory", "files", "lines", "authors", "main owner", "their lines", "share"),
            [row[1:] for row in tables["directory_owners"][:10]]))
    return "".join(parts)


def _repo_table(repos: Sequence[RepoAnalysis]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("repository", "commits", "authors", "lines today", "bus factor",
                                              "first commit", "last commit"))
    rows = "".join(
        f"<tr><td><a href='#repo-{i}'>{escape(r.name)}</a></td><td class='n'>{r.commits:,}</td>"
        f"<td class='n'>{r.authors:,}</td><td class='n'>{r.lines:,}</td><td class='n'>{r.bus_factor}</td>"
        f"<td>{_day(r.first)}</td><td>{_day(r.last)}</td></tr>" for i, r in enumerate(repos))
    return f"<div class='scroll'><table><tr>{head}</tr>{rows}</table></div>"


def _provenance(a: RepoAnalysis) -> str:
    """What the figures cover: the commit, the window, and the options that change them.
    Ownership (blame) is always of the analysed commit, whatever the window."""
    churn = "merges' changes included in churn" if a.include_merges else "merge commits left out of churn"
    people = ("authors as .mailmap names them" if a.identities.mailmap else "authors as committed (no .mailmap)") + \
        (", [bot] accounts left out" if a.exclude_bots else "")
    binary = f"; {a.binary_files:,} binary files own no lines" if a.binary_files else ""
    return (f"<p class='note'>Commit <code>{escape(a.head or '-')}</code>. Commits and churn: {escape(a.window)}, "
            f"{churn}. Lines owned: every text file at that commit{binary}. {escape(people)}. "
            f"Files: {escape(a.scope.describe())}"
            f"{f' ({a.files_out_of_scope:,} at the commit left out)' if a.files_out_of_scope else ''}.</p>")


def _failures(a: RepoAnalysis) -> str:
    if not a.blame_failures:
        return ""
    items = "".join(f"<li>{escape(p)}: {escape(e)}</li>" for p, e in sorted(a.blame_failures.items())[:50])
    return f"<p class='note'>Files that could not be blamed ({len(a.blame_failures)}):</p><ul class='note'>{items}</ul>"


def render_report(fleet: RepoAnalysis, repos: Sequence[RepoAnalysis], tables: Sequence[str] = (),
                  failed: dict[str, str] | None = None) -> str:
    """The whole report as one HTML document. ``tables``: file names of the raw tables written
    beside it; ``failed``: targets that could not be analysed, and why."""
    generated = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    version = _version()
    body = []
    toc = ["<li><a href='#fleet'>Fleet</a></li>"] if len(repos) > 1 else []
    toc += [f"<li><a href='#repo-{i}'>{escape(r.name)}</a></li>" for i, r in enumerate(repos)]
    if failed:
        toc.append("<li><a href='#not-analysed'>Not analysed</a></li>")
    body.append(f"<nav class='toc'><b>Contents</b><ul>{''.join(toc)}</ul></nav>")
    if len(repos) > 1:  # one repository is its own fleet: shown once
        body += [f"<h2 id='fleet'>Fleet <small>{len(repos)} repositories</small></h2>", _cards(fleet, len(repos)),
                 _charts(fleet), _questions(fleet, None), "<h2>Repositories</h2>", _repo_table(repos)]
    for i, r in enumerate(repos):
        body += [f"<h2 id='repo-{i}'>{escape(r.name)} <small>{escape(r.source or r.path)}</small></h2>",
                 _provenance(r), _cards(r), _charts(r), _questions(r, r.tables()), _failures(r)]
    if failed:
        items = "".join(f"<li>{escape(t)}: {escape(e)}</li>" for t, e in failed.items())
        body.append(f"<h2 id='not-analysed'>Not analysed</h2><ul class='note'>{items}</ul>")
    if tables:
        links = ", ".join(f"<a href='{escape(t, quote=True)}'>{escape(t)}</a>" for t in tables)
        body.append(f"<p class='note'>Raw tables beside this file: {links}.</p>")
    title = "GitFleet report: " + (repos[0].name if len(repos) == 1 else f"{len(repos)} repositories")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{escape(title)}</title>"
            f"<style>{CSS}</style></head><body><header><h1>{escape(title)}</h1>"
            f"<p>History, ownership and churn, generated {generated} by gitfleet analyze (GitFleet "
            f"{escape(version)})</p></header>"
            f"<main>{''.join(body)}</main></body></html>\n")
