"""The ``eacopy`` command: copy a file or a tree and print EACopy's summary table.

    eacopy SRC DST [--threads N] [--skip-unchanged] [--mirror] [--include GLOB] [--exclude GLOB]
                   [--files LIST] [--symlinks] [--dirs-exist-ok] [--on-error raise|retry|ignore]
                   [--retries N] [--quiet] [--json]

Exit status: 0 all copied, 1 some files failed, 2 the copy could not run (bad arguments,
missing source, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import EACopy, ErrorStrategy, LogLevel
from .summary import CopySummary


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="eacopy", description="Copy a file or a directory tree, fast and atomically.")
    p.add_argument("src", help="file or directory to copy")
    p.add_argument("dst", help="destination (a directory receives files under their own name)")
    p.add_argument("--threads", type=int, default=None, help="copy threads (default: py_eacopy.config, 4)")
    p.add_argument("--skip-unchanged", action="store_true", help="skip files whose size and mtime match")
    p.add_argument("--mirror", action="store_true", help="remove destination entries the source lacks")
    p.add_argument("--include", action="append", default=[], metavar="GLOB", help="copy only matching files")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="leave matching entries out")
    p.add_argument("--files", metavar="LIST", help="copy only the relative paths listed in this file, one a line")
    p.add_argument("--symlinks", action="store_true", help="copy symlinks as symlinks (default: their targets)")
    p.add_argument("--dirs-exist-ok", action="store_true", help="copy into an existing directory")
    p.add_argument("--on-error", choices=[s.value for s in ErrorStrategy], default="raise",
                   help="stop at the first failure (raise), retry it, or note it and go on (ignore)")
    p.add_argument("--retries", type=int, default=3, help="attempts after the first with --on-error retry")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        eacopy = EACopy(
            thread_count=args.threads,
            follow_symlinks=not args.symlinks,
            dirs_exist_ok=args.dirs_exist_ok,
            error_strategy=ErrorStrategy(args.on_error),
            retry_count=args.retries,
            retry_delay=0.5,
            log_level=LogLevel.NONE,  # failures are in the summary printed below
        )
        if os.path.isdir(args.src):
            files = None
            if args.files:
                with open(args.files, encoding="utf-8") as f:
                    files = [line.rstrip("\n") for line in f if line.strip()]
            summary = eacopy.copytree(args.src, args.dst, skip_unchanged=args.skip_unchanged, mirror=args.mirror,
                                      include=args.include, exclude=args.exclude, files=files)
        else:
            size = os.stat(args.src).st_size
            written = eacopy.copy2(args.src, args.dst)
            summary = CopySummary(destination=written, files_total=1, files_copied=1, bytes_total=size,
                                  bytes_copied=size)
    except (OSError, ValueError) as e:
        print(f"eacopy: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("eacopy: interrupted", file=sys.stderr)
        return 130
    if args.json:
        print(json.dumps(summary.to_dict()))
    elif not args.quiet:
        print(summary)
    elif summary.failures:
        for failure in summary.failures:
            print(f"eacopy: failed: {failure.path}: {failure.message}", file=sys.stderr)
    return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
