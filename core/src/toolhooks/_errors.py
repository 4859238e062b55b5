"""Errors: what a failed call tells the model, and what the library raises at its users.

Two families live here and never mix:

* :class:`ToolError` and its subclasses are raised *during a call* (by a tool, a plugin or the
  core) and end up as the structured JSON the model sees. Their message is written for the model.
* :class:`ToolhooksError` and its subclasses are raised *at the application* (bad config, a tool
  name claimed twice): they are for the person running the program.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar

__all__ = [
    "ERROR_TYPES",
    "ConfigError",
    "ErrorInfo",
    "FieldError",
    "InvalidArguments",
    "NotConfigured",
    "RateLimited",
    "Refused",
    "ToolConflictError",
    "ToolError",
    "ToolTimeout",
    "ToolhooksError",
    "TransientError",
    "Unavailable",
    "UnknownTool",
    "field_errors_from_pydantic",
    "loc_path",
    "parse_retry_after",
    "truncate",
]

#: Every ``error.type`` the core produces. Plugins may add their own with ``ToolError(type=...)``.
ERROR_TYPES = (
    "unknown_tool",
    "invalid_arguments",
    "refused",
    "rate_limited",
    "timeout",
    "transient",
    "unavailable",
    "tool_error",
    "cancelled",
    "internal_error",
)

_MAX_GOT = 80


def truncate(value: Any, limit: int = _MAX_GOT) -> str:
    """A short, single-line rendering of *value* for error messages (never the whole input)."""
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class FieldError:
    """One bad field of a call's arguments.

    :param loc: where, as a path such as ``items[0].name`` (empty for the arguments object itself).
    :param message: what is wrong, in words the model can act on.
    :param expected: what was expected (a type, a range, the allowed values), if known.
    :param got: a truncated rendering of what came in, if anything came in.
    """

    loc: str
    message: str
    expected: str | None = None
    got: str | None = None

    def as_dict(self) -> dict[str, str]:
        out = {"loc": self.loc, "message": self.message}
        if self.expected is not None:
            out["expected"] = self.expected
        if self.got is not None:
            out["got"] = self.got
        return out


@dataclass(frozen=True, slots=True)
class ErrorInfo:
    """The structured error of a failed call, exactly as the model receives it."""

    type: str
    message: str
    retryable: bool = False
    retry_after_s: float | None = None
    suggestion: str | None = None
    fields: tuple[FieldError, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "message": self.message,
            "retryable": self.retryable,
        }
        if self.retry_after_s is not None:
            out["retry_after_s"] = round(self.retry_after_s, 3)
        if self.suggestion:
            out["suggestion"] = self.suggestion
        if self.fields:
            out["fields"] = [f.as_dict() for f in self.fields]
        return out


class ToolError(Exception):
    """An error whose message is meant for the model.

    Raise it from a tool (or a plugin) when the model should see *this* message; any other
    exception is reported to the model as a generic ``tool_error`` and its text goes to the logs
    only, because exception text can hold secrets.

    :param message: what went wrong, written for the model.
    :param type: the ``error.type`` the model sees; defaults to the class's ``type``.
    :param retryable: whether the same call may succeed later (the retry plugin retries a
        retryable ``ToolError``); defaults to the class's ``retryable``.
    :param retry_after_s: when a retry makes sense, in seconds, if known.
    :param suggestion: what the model could do instead.
    :param fields: the bad fields of the arguments, for validation errors.
    """

    type: ClassVar[str] = "tool_error"
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        type: str | None = None,
        retryable: bool | None = None,
        retry_after_s: float | None = None,
        suggestion: str | None = None,
        fields: Iterable[FieldError] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_type = type or self.type
        if retryable is not None:
            self.retryable = retryable
        self.retry_after_s = retry_after_s
        self.suggestion = suggestion
        self.fields = tuple(fields)

    @classmethod
    def from_info(cls, info: ErrorInfo) -> ToolError:
        """The exception that reports *info* unchanged."""
        return cls(
            info.message,
            type=info.type,
            retryable=info.retryable,
            retry_after_s=info.retry_after_s,
            suggestion=info.suggestion,
            fields=info.fields,
        )

    def info(self) -> ErrorInfo:
        return ErrorInfo(
            type=self.error_type,
            message=self.message,
            retryable=self.retryable,
            retry_after_s=self.retry_after_s,
            suggestion=self.suggestion,
            fields=self.fields,
        )


class InvalidArguments(ToolError):
    """The arguments are malformed or do not fit the tool's schema.

    :ivar validation_error: pydantic's ``ValidationError`` when the tool's model refused the
        arguments (for plugins that explain errors in more detail), else ``None``.
    """

    type = "invalid_arguments"
    validation_error: Any = None


class Refused(ToolError):
    """A policy refused the call."""

    type = "refused"


class UnknownTool(ToolError):
    """The model asked for a tool that is not registered."""

    type = "unknown_tool"


class RateLimited(ToolError):
    """A rate limit refused the call; ``retry_after_s`` says when a slot frees."""

    type = "rate_limited"
    retryable = True


class ToolTimeout(ToolError):
    """An attempt or the whole call ran out of time."""

    type = "timeout"
    retryable = True


class TransientError(ToolError):
    """A failure that may go away on its own (a 503, a dropped connection).

    Raise it from a tool to have the retry plugin retry the call.
    """

    type = "transient"
    retryable = True


class Unavailable(ToolError):
    """A shared backend the call depends on (a cache, a rate limiter, a database) is down.

    The one vocabulary for "not your fault, try again later": retryable, with ``retry_after_s``
    saying when a retry makes sense. The cache and rate-limit plugins raise it when they are
    configured to fail closed and their backend does not answer.
    """

    type = "unavailable"
    retryable = True


class ToolhooksError(Exception):
    """Base of the errors toolhooks raises at the application (not at the model)."""


class ConfigError(ToolhooksError):
    """A bad configuration: names the file, the key and the problem.

    :param problem: what is wrong.
    :param path: the config file, if the value came from one (else the environment or code).
    :param key: the dotted key, such as ``plugins.toolhooks-retry.attempts``.
    """

    def __init__(self, problem: str, *, path: str | None = None, key: str | None = None) -> None:
        self.problem = problem
        self.path = path
        self.key = key
        where = ": ".join(p for p in (path, key) if p)
        super().__init__(f"{where}: {problem}" if where else problem)


class NotConfigured(ToolhooksError):
    """Raised by a tool pack's ``toolhooks_register_tools`` when it has nothing to offer as
    configured (a database pack with no database named). The plugin stays enabled with no tools,
    and the message (which should name the setting to add) is shown by ``toolhooks plugins``.
    The model is never offered tools that could only fail."""


class ToolConflictError(ToolhooksError):
    """Two plugins registered a tool under the same name."""


def parse_retry_after(value: Any, *, now: float | None = None) -> float | None:
    """A ``Retry-After`` value (delta seconds, or an HTTP date) as seconds from now.

    ``None`` when it is missing, unreadable, negative (RFC 9110 allows none), not finite (``inf``
    would reach the model as invalid JSON), or a date without a zone (HTTP dates are GMT).

    :param now: the epoch time to measure a date against (default: ``time.time()``).
    """
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    text = str(value).strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None  # HTTP dates are always GMT; a date without a zone is not one
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def loc_path(parts: Sequence[int | str]) -> str:
    """A field location as a path the model can read: ``("items", 0, "name")`` gives
    ``items[0].name``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_MISSING = object()


def field_errors_from_pydantic(errors: Sequence[Any]) -> tuple[FieldError, ...]:
    """Turn ``ValidationError.errors()`` into :class:`FieldError` s the model can read.

    Pydantic's own texts are kept (they are clear), its URLs and internal type names are not.
    """
    out: list[FieldError] = []
    for err in errors:
        kind = err.get("type", "")
        loc = loc_path([p for p in err.get("loc", ()) if not _is_internal_loc(p)])
        ctx = err.get("ctx") or {}
        given = err.get("input", _MISSING)
        got = None if kind == "missing" or given is _MISSING else truncate(given)
        expected = None
        if "expected" in ctx:
            expected = str(ctx["expected"])
        elif kind.endswith("_type") or kind.endswith("_parsing"):
            expected = kind.removesuffix("_type").removesuffix("_parsing")
        elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
            expected = err.get("msg", "").removeprefix("Input should be ")
        message = {
            "missing": "required field is missing",
            "extra_forbidden": "unknown field",
        }.get(kind, err.get("msg", "invalid value"))
        out.append(FieldError(loc=loc, message=message, expected=expected, got=got))
    return tuple(out)


def _is_internal_loc(part: int | str) -> bool:
    # pydantic puts union member tags and function-validator names in ``loc``; the model
    # cannot do anything with them.
    return isinstance(part, str) and (part.startswith("function-") or "[" in part)
