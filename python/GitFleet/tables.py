"""Rows out of GitFleet in the formats the command line offers: an aligned table, JSON lines,
CSV or Parquet (Parquet needs pyarrow: ``pip install GitFleet[parquet]``). Writers take rows in
batches, so a history of any length streams through with bounded memory.

File names that are not UTF-8 (str with surrogate escapes, as os.listdir gives them): table and
CSV output carry their exact bytes, JSON lines escape them as ``\\udcXX`` (json.loads and
os.fsencode give the bytes back), Parquet (UTF-8 strings only) shows them as ``\\xXX``."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from typing import IO, Any

__all__ = ["FORMATS", "TableWriter", "open_table"]

FORMATS = ("table", "jsonl", "csv", "parquet")


class TableWriter:
    """Writes batches of rows (tuples in ``columns`` order) to a file or stream; ``close()``
    finishes the file. For ``table`` the rows are kept until close (they are aligned).

    A file is written under a hidden temporary name beside ``path`` and renamed into place by
    ``close()``: an interrupted or failed export never leaves a partial file looking complete
    (``discard()``, or leaving a ``with`` block by an exception, removes it)."""

    def __init__(self, fmt: str, columns: Sequence[str], out: IO[str] | None = None, path: str | None = None) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
        self.fmt, self.columns, self.rows_written = fmt, tuple(columns), 0
        self._path, self._out, self._owned = path, out, False
        # A device or a pipe (-o /dev/stdout) is written directly: it cannot be renamed onto.
        self._temporary = None if path is None or (os.path.exists(path) and not os.path.isfile(path)) else \
            os.path.join(os.path.dirname(path) or ".", f".{os.path.basename(path)}.{os.getpid()}-{id(self):x}.tmp")
        self._parquet: Any = None
        self._table_rows: list[Sequence[Any]] = []
        if fmt == "parquet":
            if path is None:
                raise ValueError("parquet output needs a file: pass --output")
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise ValueError("parquet output needs pyarrow: pip install 'GitFleet[parquet]'") from None
        elif out is None:
            if path is None:
                raise ValueError("a table writer needs a stream or a path")
            with self._writing():
                self._out = open(self._temporary or path, "w", encoding="utf-8", errors="surrogateescape", newline="")
            self._owned = True
        if fmt == "csv":
            self._csv = csv.writer(self._out)
            self._csv.writerow(self.columns)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A failed write names what could not be written."""
        try:
            yield
        except OSError as e:
            where = self._path if self._path is not None else "the output"
            raise OSError(e.errno, f"cannot write {where}: {e.strerror or e}") from None

    def write(self, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        with self._writing():
            self._write(rows)

    def append_csv(self, path: str, rows: int) -> None:
        """Appends the ``rows`` rows of the CSV file ``path``, written without a header and
        quoted as this writer quotes (e.g. by DuckDB's COPY), to a CSV output."""
        if self.fmt != "csv":
            raise ValueError(f"CSV rows cannot be appended to {self.fmt} output")
        with self._writing(), open(path, encoding="utf-8", errors="surrogateescape", newline="") as rows_in:
            shutil.copyfileobj(rows_in, self._out)
        self.rows_written += rows

    def _write(self, rows: Sequence[Sequence[Any]]) -> None:
        self.rows_written += len(rows)
        if self.fmt == "csv":
            self._csv.writerows(rows)
        elif self.fmt == "jsonl":
            self._out.writelines(_json_line(dict(zip(self.columns, row))) for row in rows)
        elif self.fmt == "table":
            self._table_rows.extend(rows)
        else:
            self._write_parquet(rows)

    def _write_parquet(self, rows: Sequence[Sequence[Any]]) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        batch = pa.table({name: [_utf8(row[i]) for row in rows] for i, name in enumerate(self.columns)})
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(self._temporary or self._path, batch.schema)
        self._parquet.write_table(batch.cast(self._parquet.schema))

    def close(self) -> None:
        with self._writing():
            self._close()
            if self._temporary is not None:
                os.replace(self._temporary, self._path)
                self._temporary = None

    def discard(self) -> None:
        """Abandons the output: the temporary file goes, nothing appears under ``path``."""
        with contextlib.suppress(Exception):
            if self._parquet is not None:
                self._parquet.close()
            elif self._owned:
                self._out.close()
        if self._temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._temporary)
            self._temporary = None

    def __enter__(self) -> "TableWriter":
        return self

    def __exit__(self, kind: Any, *rest: Any) -> None:
        if kind is None:
            self.close()
        else:
            self.discard()

    def _close(self) -> None:
        if self.fmt == "table":
            self._out.write(_aligned(self.columns, self._table_rows))
        if self.fmt == "parquet":
            if self._parquet is None:  # no rows: still a valid file with the columns
                import pyarrow as pa
                import pyarrow.parquet as pq

                pq.write_table(pa.table({name: pa.array([], pa.string()) for name in self.columns}),
                               self._temporary or self._path)
            else:
                self._parquet.close()
        elif self._owned:
            self._out.close()
        else:
            self._out.flush()


def _is_utf8(text: str) -> bool:
    """False for a str holding surrogate escapes (a name that is not UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_line(record: dict[str, Any]) -> str:
    line = json.dumps(record, ensure_ascii=False)
    if not _is_utf8(line):  # json's ASCII form keeps the surrogates as \udcXX escapes
        line = json.dumps(record)
    return line + "\n"


def _utf8(value: Any) -> Any:
    if isinstance(value, str) and not _is_utf8(value):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return value


def _aligned(columns: Sequence[str], rows: list[Sequence[Any]]) -> str:
    cells = [list(columns)] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    buf = io.StringIO()
    for n, r in enumerate(cells):
        buf.write("  ".join(c.ljust(w) if i < len(r) - 1 else c for i, (c, w) in enumerate(zip(r, widths))) + "\n")
        if n == 0:
            buf.write("  ".join("-" * w for w in widths) + "\n")
    return buf.getvalue()


def open_table(fmt: str, columns: Sequence[str], output: str | None, stdout: IO[str]) -> TableWriter:
    """A writer to ``output`` (a path), or to ``stdout`` when it is None or "-"."""
    if output in (None, "-"):
        if hasattr(stdout, "reconfigure"):  # a non-UTF-8 file name goes out as its bytes, as git's
            stdout.reconfigure(errors="surrogateescape")
        return TableWriter(fmt, columns, out=stdout)
    return TableWriter(fmt, columns, path=os.fspath(output))
