"""The ``eacopy`` command: copy a file or a tree and print EACopy's summary table; run or use
a copy server.

    eacopy SRC DST [--threads N] [--skip-unchanged] [--mirror] [--include GLOB] [--exclude GLOB]
                   [--files LIST] [--symlinks] [--dirs-exist-ok] [--on-error raise|retry|ignore]
                   [--retries N] [--progress | --no-progress] [--quiet] [--json]
    eacopy SRC DST --server HOST[:PORT] [--download] [--compression N] [--fallback DIR] ...
    eacopy serve [--root DIR] [--host H] [--port P] [--threads N] [--max-connections N]
                 [--idle-timeout S] [--history-file F]

The copy server's shared secret comes from --token-file or $EACOPY_TOKEN, else from the
per-user secret file (~/.config/py_eacopy/secret, created 0600 on first use: one user's server
and clients on one machine need no set-up), never from the command line (where ``ps`` would
show it).

Exit status: 0 all copied, 1 some files failed, 2 the copy could not run (bad arguments,
missing source, no server, refused, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from . import EACopy, ErrorStrategy, LogLevel, create_server
from .progress import CopyProgress
from .server import DEFAULT_PORT, TOKEN_ENV, user_secret_path
from .summary import CopySummary


def _token(args: argparse.Namespace) -> str | None:
    if args.token_file:
        with open(args.token_file, encoding="utf-8") as f:
            return f.read().strip()
    return os.environ.get(TOKEN_ENV)


def _server_address(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or "]" in port or (host.count(":") and not host.startswith("[")):
        return value.strip("[]"), DEFAULT_PORT  # no port, or a bare IPv6 address
    try:
        return host.strip("[]"), int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad server address {value!r}: expected HOST[:PORT]") from None


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
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show files and bytes copied so far on stderr, once a second (default: when stderr is "
                        "a terminal; local copies only)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    remote = p.add_argument_group("through a copy server (the secret: --token-file, $EACOPY_TOKEN or the per-user secret)")
    remote.add_argument("--server", type=_server_address, metavar="HOST[:PORT]",
                        help="upload SRC into DST, a directory under the server's root")
    remote.add_argument("--download", action="store_true", help="with --server: SRC is under the server's root")
    remote.add_argument("--compression", type=int, default=0, metavar="N",
                        help="zstd level 1-22, 0 self-balancing (default), -1 off")
    remote.add_argument("--fallback", metavar="DIR", help="no server answering: copy into DIR locally instead")
    remote.add_argument("--token-file", metavar="FILE", help="read the shared secret from FILE")
    return p


def _serve_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="eacopy serve", description="Run a deduplicating copy server.")
    p.add_argument("--root", help="the directory served (default: the current one); client paths stay beneath it")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free one)")
    p.add_argument("--threads", type=int, default=4, help="connections served at once")
    p.add_argument("--max-connections", type=int, default=64, help="served plus waiting; more are told 'busy'")
    p.add_argument("--idle-timeout", type=float, default=30.0, help="seconds before a silent client is dropped")
    p.add_argument("--handshake-timeout", type=float, default=10.0,
                   help="seconds a new connection has to prove the secret (default 10)")
    p.add_argument("--max-unauthenticated", type=int, default=64,
                   help="connections still proving the secret, in all (default 64; the oldest make way)")
    p.add_argument("--max-unauthenticated-per-address", type=int, default=8,
                   help="... and from one address (default 8)")
    p.add_argument("--trust-metadata", action="store_true",
                   help="link a file known by name, size and mtime without checking its content hash")
    p.add_argument("--history-file", help="keep the history of written files here, across restarts")
    p.add_argument("--token-file", metavar="FILE", help="read the shared secret from FILE (default $EACOPY_TOKEN, else the per-user secret)")
    return p


def serve(argv: list[str]) -> int:
    args = _serve_parser().parse_args(argv)
    try:
        server = create_server(args.port, args.threads, args.root, _token(args), host=args.host,
                               max_connections=args.max_connections, idle_timeout=args.idle_timeout,
                               history_file=args.history_file, handshake_timeout=args.handshake_timeout,
                               max_unauthenticated=args.max_unauthenticated,
                               max_unauthenticated_per_address=args.max_unauthenticated_per_address,
                               trust_metadata=args.trust_metadata)
        server.start()
    except (OSError, ValueError) as e:
        print(f"eacopy serve: error: {e}", file=sys.stderr)
        return 2
    stopped = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopped.set())
    secret = "--token-file" if args.token_file else TOKEN_ENV if TOKEN_ENV in os.environ else user_secret_path()
    print(f"eacopy: serving {server.root} on {args.host}:{server.port}", flush=True)
    print(f"eacopy: clients authenticate with the secret of {secret}", flush=True)
    while not stopped.wait(0.5):
        pass
    server.stop()
    stats = server.get_stats()
    print(f"eacopy: stopped after {stats.connections} connections: {stats.files_received} files received, "
          f"{stats.files_linked} linked, {stats.files_sent} sent", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        return serve(argv[1:])
    args = _parser().parse_args(argv)
    show_progress = args.progress if args.progress is not None else sys.stderr.isatty() and not args.quiet
    progress = CopyProgress() if show_progress else None
    try:
        eacopy = EACopy(
            thread_count=args.threads,
            follow_symlinks=not args.symlinks,
            dirs_exist_ok=args.dirs_exist_ok,
            error_strategy=ErrorStrategy(args.on_error),
            retry_count=args.retries,
            retry_delay=0.5,
            log_level=LogLevel.NONE,  # failures are in the summary printed below
            progress_callback=progress,
        )
        if args.server:
            host, port = args.server
            summary = eacopy.copy_with_server(args.src, args.dst, host, port, args.compression, token=_token(args),
                                              download=args.download, fallback_dst=args.fallback)
        elif os.path.isdir(args.src):
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
    if progress is not None:
        progress.finish()
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
