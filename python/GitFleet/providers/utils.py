"""Conversions of the provider models (dicts, JSON, pandas) and a client-side rate limiter."""

from __future__ import annotations

import asyncio
import functools
import json
import threading
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["to_dict", "to_json", "to_dataframe", "flatten_dataframe", "RateLimiter", "rate_limited", "gather_limited"]

F = TypeVar("F", bound=Callable[..., Any])


def to_dict(obj: Any, *, include_raw: bool = False) -> Any:
    """Models (alone, in lists or dicts) as plain Python data; ``raw_data`` left out unless asked."""
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json", exclude=None if include_raw else {"raw_data"})
    if isinstance(obj, dict):
        return {k: to_dict(v, include_raw=include_raw) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_dict(v, include_raw=include_raw) for v in obj]
    return obj


def to_json(obj: Any, *, indent: int | None = 2, include_raw: bool = False) -> str:
    return json.dumps(to_dict(obj, include_raw=include_raw), indent=indent, ensure_ascii=False)


def to_dataframe(data: Any) -> Any:
    """A pandas DataFrame of one model or a list of them (nested models become dict columns;
    see :func:`flatten_dataframe`). Needs pandas: ``pip install 'GitFleet[pandas]'``."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("to_dataframe needs pandas: pip install 'GitFleet[pandas]'") from None
    rows = to_dict([data] if isinstance(data, BaseModel) else list(data))
    return pd.DataFrame(rows)


def flatten_dataframe(df: Any, sep: str = ".") -> Any:
    """Dict columns spread into ``parent.child`` columns, recursively."""
    import pandas as pd

    while True:
        nested = [c for c in df.columns if df[c].map(lambda v: isinstance(v, dict)).any()]
        if not nested:
            return df
        for column in nested:
            expanded = pd.json_normalize(df[column].map(lambda v: v if isinstance(v, dict) else {}).tolist(), sep=sep)
            expanded.columns = [f"{column}{sep}{c}" for c in expanded.columns]
            expanded.index = df.index
            df = pd.concat([df.drop(columns=[column]), expanded], axis=1)


class RateLimiter:
    """At most ``calls`` per ``period`` seconds (a sliding window), for threads and tasks alike."""

    def __init__(self, calls: int, period: float) -> None:
        if calls < 1 or period <= 0:
            raise ValueError("RateLimiter needs calls >= 1 and period > 0")
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
    """asyncio.gather with at most ``limit`` awaiting at once, results in order."""
    gate = asyncio.Semaphore(limit)

    async def one(c: Awaitable[Any]) -> Any:
        async with gate:
            return await c

    return await asyncio.gather(*(one(c) for c in coros))
