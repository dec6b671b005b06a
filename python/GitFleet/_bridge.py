"""GitFleet's side of the async bridge (shared with py_eacopy): the native error factory,
shutdown of native jobs at exit (and what must follow it), ``run_native``, and ``started`` for
methods that begin their work when called."""

from __future__ import annotations

import asyncio
import atexit
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any, Protocol, TypeVar

from typing_extensions import ParamSpec

from fleet_shared.async_bridge import OnDone, run_native

from . import _native
from .exceptions import from_native

__all__ = ["OnDone", "run_native", "started", "after_native_jobs_at_exit", "receive_all"]

P = ParamSpec("P")
T = TypeVar("T")

_native.set_error_factory(from_native)
_after_native_jobs: list[Callable[[], None]] = []


def after_native_jobs_at_exit(fn: Callable[[], None]) -> Callable[[], None]:
    """Runs ``fn`` at interpreter exit once the native jobs have been cancelled and have ended
    (a clone still running at exit is stopped before its directory is removed)."""
    _after_native_jobs.append(fn)
    return fn


@atexit.register
def _shutdown() -> None:
    _native.shutdown()
    for fn in _after_native_jobs:
        fn()


def started(method: Callable[P, Coroutine[Any, Any, T]]) -> Callable[P, Awaitable[T]]:
    """Makes an async method start when called, as GitFleet 0.2's methods did: on a running loop
    it returns an ``asyncio.Task`` already scheduled (so ``task = manager.clone_all()`` followed
    by polling ``task.done()`` works, as well as ``await``); with no loop running it returns the
    coroutine, for ``asyncio.run(manager.extract_commits(...))``."""

    @functools.wraps(method)
    def start(*args: P.args, **kwargs: P.kwargs) -> Awaitable[T]:
        coroutine = method(*args, **kwargs)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return coroutine
        return loop.create_task(coroutine)

    return start


class _NativeStream(Protocol):
    def receive(self, on_batch: OnDone) -> None: ...
    def close(self) -> None: ...


async def receive_all(stream: _NativeStream) -> AsyncIterator[Any]:
    """The batches of a native stream as they come (the native side runs at most two ahead);
    leaving the loop early, or cancelling, stops the native work."""
    try:
        while True:
            batch = await run_native(stream.receive, stream.close)
            if batch is None:
                return
            yield batch
    finally:
        stream.close()
