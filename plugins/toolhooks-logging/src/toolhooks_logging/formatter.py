"""A JSON-lines formatter for the standard logging module."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pydantic_core
import toolhooks

__all__ = ["JsonFormatter"]


class JsonFormatter(logging.Formatter):
    """Formats each record as one JSON object on one line.

    Keys: ``timestamp`` (ISO 8601, UTC, milliseconds), ``level``, ``logger``, ``message``, then the
    structured fields toolhooks-logging attaches to its records (``event``, ``tool``, ``call_id``,
    ``outcome``, ``error_type``, ``duration_ms``, ...), then ``exception`` when the record carries
    one. Records from other loggers get the first four keys (and ``exception``), so one handler
    can serve the whole application.

    :param fields_attr: the record attribute holding the structured fields (a dict).
    """

    def __init__(self, *, fields_attr: str = "toolhooks") -> None:
        super().__init__()
        self.fields_attr = fields_attr

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, self.fields_attr, None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                out.setdefault(key, value)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exception"] = record.exc_text
        try:
            return pydantic_core.to_json(out, fallback=str).decode()
        except Exception:  # a lone surrogate, a cycle, ...: never lose the record
            return pydantic_core.to_json(_safe(out, 0), fallback=str).decode()


#: containers nested deeper than the pipeline's limit are replaced by a marker in the fallback
MAX_DEPTH = toolhooks.MAX_DEPTH


def _safe(value: Any, depth: int) -> Any:
    """*value* with every part that cannot be written as JSON replaced by a marker string."""
    if depth > MAX_DEPTH:
        return "<unserialisable: nested too deep>"
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, dict):
        return {_safe(str(k), depth + 1): _safe(v, depth + 1) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_safe(v, depth + 1) for v in value]
    try:
        return _safe(str(value), depth + 1)
    except Exception as exc:
        return f"<unserialisable: {type(exc).__name__}>"
