"""Timeouts for many short calls: one loop timer for all of them.

``asyncio.timeout`` schedules and cancels a loop timer per use, which was a third of the cost of a
fast call. A :class:`Watchdog` keeps the deadlines of one event loop in a heap behind a single
timer; arming is a heap push, disarming a flag. When a deadline passes, the watchdog cancels the
task that armed it, and :func:`expired` tells the caller (with the same ``uncancel`` bookkeeping as
``asyncio.timeout``, so a cancellation from elsewhere is never mistaken for a timeout).
"""

from __future__ import annotations

import asyncio
import heapq
import weakref

__all__ = ["Alarm", "Watchdog", "watchdog"]


class Alarm:
    __slots__ = ("active", "cancelling", "fired", "task", "when")

    def __init__(self, when: float, task: asyncio.Task[object], cancelling: int) -> None:
        self.when = when
        self.task = task
        self.cancelling = cancelling
        self.fired = False
        self.active = True

    def __lt__(self, other: Alarm) -> bool:
        return self.when < other.when


class Watchdog:
    """The deadlines of one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._heap: list[Alarm] = []
        self._handle: asyncio.TimerHandle | None = None
        self._next = float("inf")  # when the timer fires
        self._dead = 0  # disarmed alarms still in the heap

    def arm(self, when: float) -> Alarm:
        """Cancel the current task at loop time *when* unless disarmed first."""
        task = asyncio.current_task(self._loop)
        assert task is not None, "a deadline needs a running task"
        alarm = Alarm(when, task, task.cancelling())
        heapq.heappush(self._heap, alarm)
        if when < self._next:
            if self._handle is not None:
                self._handle.cancel()
            self._handle = self._loop.call_at(when, self._fire)
            self._next = when
        return alarm

    def disarm(self, alarm: Alarm) -> None:
        if alarm.active:
            alarm.active = False
            self._dead += 1
            if self._dead > 64 and self._dead * 2 > len(self._heap):
                self._heap = [a for a in self._heap if a.active]
                heapq.heapify(self._heap)
                self._dead = 0

    def _fire(self) -> None:
        self._handle = None
        self._next = float("inf")
        now = self._loop.time()
        heap = self._heap
        while heap and heap[0].when <= now:
            alarm = heapq.heappop(heap)
            if alarm.active:
                alarm.active = False
                alarm.fired = True
                alarm.task.cancel()
            else:
                self._dead -= 1
        if heap:
            self._next = heap[0].when
            self._handle = self._loop.call_at(self._next, self._fire)


def expired(alarm: Alarm) -> bool:
    """After ``CancelledError``: was it this alarm's doing (and nobody else's)?"""
    return alarm.fired and alarm.task.uncancel() <= alarm.cancelling


_WATCHDOGS: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Watchdog] = (
    weakref.WeakKeyDictionary()
)


def watchdog(loop: asyncio.AbstractEventLoop) -> Watchdog:
    """The watchdog of *loop* (made on first use)."""
    dog = _WATCHDOGS.get(loop)
    if dog is None:
        dog = _WATCHDOGS[loop] = Watchdog(loop)
    return dog
