"""The retry policy object: stamina runs the loop and the waits; this module decides."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from toolhooks import CallContext, Tool, ToolError, TransientError

from toolhooks_retry._classify import Verdict, classify
from toolhooks_retry._settings import EffectiveRetrySettings

__all__ = ["RetryStats", "StaminaRetryPolicy"]

log = logging.getLogger("toolhooks.retry")

Outcome = Literal["not_transient", "side_effects", "exhausted", "deadline", "retry_after_too_long"]


@dataclass
class RetryStats:
    """Counters shared by the policies of one plugin instance (shown by ``summary()``)."""

    retries: int = 0
    recovered: int = 0
    gave_up: dict[str, int] = field(default_factory=dict)


@dataclass
class _Run:
    attempts: int = 0
    verdict: Verdict | None = None
    outcome: Outcome | None = None
    decided: dict[int, float] = field(default_factory=dict)


class StaminaRetryPolicy:
    """Retries a tool's transient failures (a :class:`toolhooks.RetryPolicy`).

    Each failure is classified (:func:`toolhooks_retry.classify`); a transient one is retried
    after ``Retry-After`` if the other side gave one, else after an exponential backoff with
    jitter, unless that wait would end past the call's deadline, the attempts are used up, or the
    tool has side effects and the failure leaves unclear whether it took effect. stamina runs
    the loop and the waits (so ``stamina.set_testing`` makes tests instant).
    """

    def __init__(
        self, tool: Tool, settings: EffectiveRetrySettings, stats: RetryStats | None = None
    ) -> None:
        self.tool = tool
        self.settings = settings
        self.stats = stats if stats is not None else RetryStats()

    def backoff(self, failed_attempt: int) -> float:
        """The exponential wait after attempt *failed_attempt* (from 1), jitter included."""
        s = self.settings
        jitter = random.uniform(0, s.wait_jitter) if s.wait_jitter else 0.0
        try:
            base: float = s.wait_initial * 2.0 ** (failed_attempt - 1)
        except OverflowError:
            base = s.wait_max
        return min(s.wait_max, base + jitter)

    async def run(self, ctx: CallContext, attempt: Callable[[], Awaitable[Any]]) -> Any:
        # The first attempt runs without any retry machinery: most calls succeed, and they
        # should not pay for stamina's loop (nor for the bookkeeping below).
        started = time.monotonic()
        try:
            return await attempt()
        except Exception as exc:
            failed = exc
        return await self._retry(ctx, attempt, failed, started)

    async def _retry(
        self,
        ctx: CallContext,
        attempt: Callable[[], Awaitable[Any]],
        failed: Exception,
        started: float,
    ) -> Any:
        """After a failed first attempt: enter stamina's loop if that failure is worth retrying.
        The loop's first trial replays that failure, so stamina owns every wait."""
        s = self.settings
        run = _Run(attempts=1)
        limit = ctx.deadline
        if s.deadline is not None:
            own = started + s.deadline
            limit = own if limit is None else min(limit, own)
        first_wait = await self._on_failure(ctx, failed, run, limit)
        if first_wait is None:
            raise self._give_up(failed, run) from failed

        def on(exc: Exception) -> bool | float:
            wait = run.decided.pop(id(exc), None)
            return False if wait is None else wait

        import stamina  # only when a retry is due

        replay: Exception | None = failed
        try:
            async for trial in stamina.retry_context(
                on=on,
                attempts=s.attempts,
                timeout=None,
                wait_initial=s.wait_initial,
                wait_max=s.wait_max,
                wait_jitter=s.wait_jitter,
            ):
                with trial:
                    if replay is not None:
                        replay = None
                        run.decided[id(failed)] = first_wait
                        raise failed
                    run.attempts += 1
                    try:
                        value = await attempt()
                    except Exception as exc:
                        wait = await self._on_failure(ctx, exc, run, limit)
                        if wait is not None:
                            run.decided[id(exc)] = wait
                        raise
                    self.stats.recovered += 1
                    return value
        except Exception as exc:
            raise self._give_up(exc, run) from exc
        raise AssertionError("unreachable: stamina ended without a result or an error")

    async def _on_failure(
        self, ctx: CallContext, exc: Exception, run: _Run, limit: float | None
    ) -> float | None:
        """Decide on a failed attempt; announce the retry to observers when there is one."""
        wait = self._decide(ctx, exc, run, limit)
        if wait is not None:
            self.stats.retries += 1
            await ctx.runtime.notify_retry(ctx, exc, wait)
        return wait

    def _decide(
        self, ctx: CallContext, exc: Exception, run: _Run, limit: float | None
    ) -> float | None:
        """The wait before the next attempt, or ``None`` to give up (``run.outcome`` says why)."""
        verdict = run.verdict = classify(exc)
        if not verdict.transient:
            run.outcome = "not_transient"
            return None
        tool = self.tool
        if verdict.ambiguous and tool.side_effects and not tool.idempotent:
            run.outcome = "side_effects"
            return None
        if run.attempts >= self.settings.attempts:
            run.outcome = "exhausted"
            return None
        if verdict.retry_after is not None:
            if verdict.retry_after > self.settings.max_retry_after:
                run.outcome = "retry_after_too_long"
                return None
            wait = verdict.retry_after
        else:
            wait = self.backoff(run.attempts)
        if limit is not None and time.monotonic() + wait >= limit:
            run.outcome = "deadline"
            return None
        log.info(
            "retrying %r after %s (attempt %d of %d) in %.3f s",
            ctx,
            verdict.kind,
            run.attempts,
            self.settings.attempts,
            wait,
        )
        return wait

    def _give_up(self, exc: Exception, run: _Run) -> Exception:
        """The exception the call ends with."""
        verdict, outcome = run.verdict, run.outcome
        if verdict is None or outcome is None or outcome == "not_transient":
            return exc  # not ours to describe: the core reports it as it is
        self.stats.gave_up[outcome] = self.stats.gave_up.get(outcome, 0) + 1
        n = run.attempts
        tries = f"{n} attempt{'s' if n != 1 else ''}"
        kind = verdict.kind
        if outcome == "side_effects":
            return ToolError(
                f"The call failed ({kind}) and was not retried: this tool changes things and the "
                "failure leaves it unclear whether the change happened.",
                type=exc.error_type if isinstance(exc, ToolError) else "transient",
                retryable=False,
                suggestion="Check whether the action took effect before calling the tool again.",
            )
        if outcome == "exhausted":
            message = f"The call failed after {tries}; the last failure was transient ({kind})."
            suggestion = "Try again later, or carry on without this tool."
        elif outcome == "deadline":
            message = (
                f"The call failed after {tries} with a transient error ({kind}) and was not "
                "retried again: the next attempt could not finish before the call's deadline."
            )
            suggestion = "Try again later, or carry on without this tool."
        else:
            after = verdict.retry_after or 0.0
            message = (
                f"The call failed after {tries} with a transient error ({kind}); the service "
                f"asked to wait {after:.0f} s, longer than this call may wait."
            )
            suggestion = f"Try again in about {after:.0f} s, or carry on without this tool."
        return TransientError(message, retry_after_s=verdict.retry_after, suggestion=suggestion)
