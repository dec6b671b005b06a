"""The async bridge shared by py_eacopy and GitFleet: native work runs on native threads with
the GIL released, and its completion reaches the event loop through
``loop.call_soon_threadsafe``. Nothing here blocks the loop; cancelling the awaiting task
cancels the native work."""

from __future__ import annotations

import asyncio
from typing import Any, Callable

OnDone = Callable[[Any, "BaseException | None"], None]


def _settle(future: asyncio.Future[Any], result: Any, error: BaseException | None) -> None:
    if future.done():  # cancelled meanwhile
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)


async def run_native(start: Callable[[OnDone], Any], cancel: Callable[[], None] | None = None) -> Any:
    """Awaits native work that ``start(on_done)`` launches; ``on_done(result, error)`` is
    called once, from any thread. ``cancel`` (or the handle ``start`` returns, if it has a
    ``cancel`` method) stops the work when the awaiting task is cancelled."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def on_done(result: Any, error: BaseException | None) -> None:
        try:
            loop.call_soon_threadsafe(_settle, future, result, error)
        except RuntimeError:  # the loop is closed: nobody awaits this any more
            pass

    handle = start(on_done)
    try:
        return await future
    except asyncio.CancelledError:
        (cancel or handle.cancel)()
        raise
