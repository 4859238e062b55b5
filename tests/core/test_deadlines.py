"""The watchdog that times out attempts: one timer per loop, exact cancel bookkeeping."""

from __future__ import annotations

import asyncio

import pytest
from toolhooks._deadlines import expired, watchdog


async def test_fires_and_is_recognised_as_expired() -> None:
    loop = asyncio.get_running_loop()
    dog = watchdog(loop)
    alarm = dog.arm(loop.time() + 0.01)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.Event().wait()
    assert expired(alarm)
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_a_cancel_from_elsewhere_is_not_a_timeout() -> None:
    loop = asyncio.get_running_loop()
    dog = watchdog(loop)
    started = asyncio.Event()

    async def victim() -> str:
        alarm = dog.arm(loop.time() + 60)
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            return "timeout" if expired(alarm) else "cancelled"
        finally:
            dog.disarm(alarm)
        return "finished"

    task = asyncio.ensure_future(victim())
    await started.wait()
    task.cancel()
    assert await task == "cancelled"


async def test_disarmed_alarms_do_not_fire_and_the_heap_stays_small() -> None:
    loop = asyncio.get_running_loop()
    dog = watchdog(loop)
    for _ in range(1000):
        dog.disarm(dog.arm(loop.time() + 0.001))
    assert len(dog._heap) < 200  # compacted as it goes
    await asyncio.sleep(0.01)  # past every deadline: nothing may be cancelled
    assert asyncio.current_task().cancelling() == 0  # type: ignore[union-attr]


async def test_an_earlier_deadline_reschedules_the_timer() -> None:
    loop = asyncio.get_running_loop()
    dog = watchdog(loop)
    late = dog.arm(loop.time() + 60)
    early = dog.arm(loop.time() + 0.01)
    with pytest.raises(asyncio.CancelledError):
        await asyncio.Event().wait()
    assert expired(early) and not late.fired
    dog.disarm(late)


def test_each_loop_has_its_own_watchdog() -> None:
    a, b = asyncio.new_event_loop(), asyncio.new_event_loop()
    try:
        assert watchdog(a) is watchdog(a)
        assert watchdog(a) is not watchdog(b)
    finally:
        a.close()
        b.close()
