"""The entry module of toolhooks-logging: the plugin class (one instance per runtime)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import toolhooks
from toolhooks.redact import Redactor, loggable_arguments

from toolhooks_logging.settings import LoggingSettings

if TYPE_CHECKING:
    from toolhooks import CallContext, Config, ToolResult

__all__ = ["PLUGIN_NAME", "LoggingPlugin"]

PLUGIN_NAME = "toolhooks-logging"
#: ``error_message`` of a call whose arguments were not a JSON object (the message quotes them).
WITHHELD_MESSAGE = "<withheld: quotes arguments that are not a JSON object>"


class LoggingPlugin:
    """Logs one record per finished call and one per retried attempt.

    Records go to the logger named by ``settings.logger`` (``toolhooks.calls``) with their
    structured fields in ``record.toolhooks`` (a dict); :class:`~toolhooks_logging.JsonFormatter`
    writes them as JSON lines.

    :param settings: settings in code; when omitted they are read from
        ``[plugins.toolhooks-logging]`` in ``toolhooks_configure``.
    """

    toolhooks_plugin_name = PLUGIN_NAME

    def __init__(self, settings: LoggingSettings | None = None) -> None:
        self._given = settings
        self._apply(settings or LoggingSettings())

    def _apply(self, settings: LoggingSettings) -> None:
        self.settings = settings
        self.logger = logging.getLogger(settings.logger)
        self._level = logging.getLevelNamesMapping()[settings.level]
        self._error_level = logging.getLevelNamesMapping()[settings.error_level]
        self._retry_level = logging.getLevelNamesMapping()[settings.retry_level]
        self._redactor = Redactor(
            extra_keys=settings.redact_keys,
            max_length=settings.max_value_length,
            max_depth=settings.max_depth,
        )

    @toolhooks.hookimpl
    def toolhooks_configure(self, config: Config) -> None:
        if self._given is None:
            self._apply(config.plugin_settings(PLUGIN_NAME, LoggingSettings))

    @toolhooks.hookimpl
    def toolhooks_call_finished(self, ctx: CallContext, result: ToolResult) -> None:
        err = result.error
        level = self._level if err is None else self._error_level
        logger = self.logger
        if not logger.isEnabledFor(level):
            return
        settings = self.settings
        fields: dict[str, Any] = {
            "event": "call_finished",
            "tool": result.tool,
            "call_id": result.call_id,
            "outcome": "ok" if err is None else "error",
            "error_type": err.type if err is not None else None,
            "duration_ms": round(result.duration_s * 1000, 3),
            "attempts": result.attempts,
            "cache": result.cache,
            "rate_limit_wait_ms": round(result.rate_limit_wait_s * 1000, 3),
            "refused_by": result.refused_by,
        }
        if settings.log_arguments:
            try:
                args = loggable_arguments(ctx.arguments, ctx.call.arguments)
                fields["arguments"] = self._redactor.redact(args)
            except Exception as exc:  # an observer never loses its record
                args = None
                fields["arguments"] = f"<unserialisable: {type(exc).__name__}>"
            if err is not None:
                # arguments that are not a JSON object are quoted raw in the message, where a
                # redactor (which judges values by their keys) cannot see a secret
                fields["error_message"] = (
                    self._redactor.redact(err.message)
                    if isinstance(args, dict)
                    else WITHHELD_MESSAGE
                )
        if settings.log_results and err is None:
            try:
                fields["result"] = self._redactor.redact(result.value)
            except Exception as exc:
                fields["result"] = f"<unserialisable: {type(exc).__name__}>"
        if err is None:
            _emit(
                logger,
                level,
                "call %s#%s ok in %.1f ms",
                (result.tool, result.call_id, result.duration_s * 1000),
                fields,
            )
        else:
            _emit(
                logger,
                level,
                "call %s#%s failed (%s) in %.1f ms",
                (result.tool, result.call_id, err.type, result.duration_s * 1000),
                fields,
            )

    @toolhooks.hookimpl
    def toolhooks_call_retrying(
        self, ctx: CallContext, error: BaseException, wait_s: float
    ) -> None:
        if not self.settings.log_retries or not self.logger.isEnabledFor(self._retry_level):
            return
        error_type = toolhooks.error_type(error)
        fields = {
            "event": "call_retrying",
            "tool": ctx.call.name,
            "call_id": ctx.call.id,
            "attempt": ctx.attempt,
            "wait_ms": round(wait_s * 1000, 3),
            "error_type": error_type,
            "exception": type(error).__name__,
        }
        _emit(
            self.logger,
            self._retry_level,
            "call %s#%s attempt %d failed (%s); retrying in %.1f ms",
            (ctx.call.name, ctx.call.id, ctx.attempt, error_type, wait_s * 1000),
            fields,
        )


def _emit(
    logger: logging.Logger, level: int, msg: str, args: tuple[Any, ...], fields: dict[str, Any]
) -> None:
    """``logger.log`` without the caller lookup: the record's file and line would only ever
    point here, and finding them walks the stack on every call."""
    record = logger.makeRecord(
        logger.name, level, __file__, 0, msg, args, None, extra={"toolhooks": fields}
    )
    logger.handle(record)
