"""Client-side rate limiting: a sliding-window limiter, a decorator, and a bounded gather."""

from __future__ import annotations

import asyncio
import functools
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any, TypeVar

from ..exceptions import InvalidArgumentError

__all__ = ["RateLimiter", "rate_limited", "gather_limited"]

F = TypeVar("F", bound=Callable[..., Any])


class RateLimiter:
    """At most ``calls`` per ``period`` seconds (a sliding window), for threads and tasks alike."""

    def __init__(self, calls: int, period: float) -> None:
        if calls < 1 or period <= 0:
            raise InvalidArgumentError("RateLimiter needs calls >= 1 and period > 0")
        self.calls, self.period = calls, period
        self._times: list[float] = []
        self._lock = threading.Lock()

    def _delay(self) -> float:
        """Takes a slot now (0) or says how long to wait for one."""
        with self._lock:
            now = time.monotonic()
            self._times = [t for t in self._times if now - t < self.period]
            if len(self._times) < self.calls:
                self._times.append(now)
                return 0.0
            return self.period - (now - self._times[0])

    def acquire(self) -> None:
        while (delay := self._delay()) > 0:
            time.sleep(delay)

    async def async_acquire(self) -> None:
        while (delay := self._delay()) > 0:
            await asyncio.sleep(delay)


def rate_limited(limiter: RateLimiter) -> Callable[[F], F]:
    """Decorates a function or coroutine function so that each call takes a slot first."""

    def decorate(fn: F) -> F:
        if asyncio.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                await limiter.async_acquire()
                return await fn(*args, **kwargs)

            return async_wrapper  # type: ignore[return-value]

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            limiter.acquire()
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


async def gather_limited(coros: Iterable[Awaitable[Any]], limit: int) -> list[Any]:
    """asyncio.gather with at most ``limit`` awaiting at once, results in order. ``coros`` is
    drawn lazily (a generator of a million requests costs ``limit`` at a time); the first
    failure cancels the rest and is raised."""
    results: dict[int, Any] = {}
    work = enumerate(coros)

    async def worker() -> None:
        for i, c in work:  # one shared iterator: each worker takes the next awaitable
            results[i] = await c

    tasks = [asyncio.ensure_future(worker()) for _ in range(limit)]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if not isinstance(coros, Iterator):  # made by the caller, never awaited: closed, no warning
            for _, c in work:
                getattr(c, "close", lambda: None)()
        raise
    return [results[i] for i in range(len(results))]
