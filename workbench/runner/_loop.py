"""Running a coroutine to completion from synchronous code, including inside Jupyter."""

from __future__ import annotations

import asyncio
import threading
from typing import Any


def run_in_thread(coro: Any) -> Any:
    """Run a coroutine on a private loop in a worker thread (Jupyter already runs a loop)."""
    box: dict[str, Any] = {}
    ready = threading.Event()

    def target() -> None:
        loop = asyncio.new_event_loop()
        box["loop"] = loop
        task = loop.create_task(coro)
        box["task"] = task
        ready.set()
        try:
            box["result"] = loop.run_until_complete(task)
        except BaseException as e:  # delivered to the caller's thread below
            box["error"] = e
        finally:
            loop.close()

    thread = threading.Thread(target=target, name="workbench-run", daemon=True)
    thread.start()
    ready.wait()
    try:
        while thread.is_alive():
            thread.join(0.05)
    except KeyboardInterrupt:
        box["loop"].call_soon_threadsafe(box["task"].cancel)
        thread.join()
        raise
    if "error" in box:
        raise box["error"]
    return box["result"]
