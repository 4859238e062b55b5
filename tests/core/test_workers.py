"""The sync-tool worker pool: bounded, reused, and never blocking interpreter exit."""

from __future__ import annotations

import subprocess
import sys
import threading

import pytest
from toolhooks._workers import DaemonPool


def test_runs_work_and_reports_errors() -> None:
    pool = DaemonPool(2)
    assert pool.submit(lambda x: x * 2, 21).result(5) == 42
    with pytest.raises(ZeroDivisionError):
        pool.submit(lambda: 1 / 0).result(5)
    pool.shutdown()


def test_never_more_threads_than_allowed_and_threads_are_reused() -> None:
    pool = DaemonPool(3)
    release = threading.Event()
    running: set[str] = set()
    lock = threading.Lock()

    def work() -> str:
        with lock:
            running.add(threading.current_thread().name)
        release.wait(5)
        return threading.current_thread().name

    futures = [pool.submit(work) for _ in range(10)]
    release.set()
    names = {f.result(5) for f in futures}
    assert len(names) <= 3 and len(pool._threads) <= 3
    assert all(t.daemon for t in pool._threads)
    assert pool.submit(lambda: threading.current_thread().name).result(5) in names
    pool.shutdown()


def test_shutdown_cancels_queued_work_and_refuses_new() -> None:
    pool = DaemonPool(1)
    gate = threading.Event()
    first = pool.submit(gate.wait, 5)
    queued = pool.submit(lambda: "never")
    pool.shutdown(wait=False, cancel_futures=True)
    assert queued.cancelled()
    gate.set()
    assert first.result(5) is True
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)


def test_a_runaway_sync_tool_does_not_keep_the_process_alive() -> None:
    script = """
import asyncio, toolhooks

@toolhooks.tool(timeout=0.05)
def spin() -> None:
    "Never ends."
    while True:
        pass

async def main():
    async with toolhooks.Runtime(tools=[spin], autoload=False) as rt:
        r = await rt.execute(toolhooks.ToolCall("spin", "{}", "c"))
        print(r.error.type)

asyncio.run(main())
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "timeout"
