"""toolhooks-logging: one structured log record per finished call (and per retry) through the
standard :mod:`logging` module, a JSON-lines formatter, and redaction of secrets."""

from __future__ import annotations

from toolhooks.redact import REDACTED, Redactor, is_secret_key, redact

from toolhooks_logging.formatter import JsonFormatter
from toolhooks_logging.plugin import PLUGIN_NAME, LoggingPlugin
from toolhooks_logging.settings import LoggingSettings

__all__ = [
    "PLUGIN_NAME",
    "REDACTED",
    "JsonFormatter",
    "LoggingPlugin",
    "LoggingSettings",
    "Redactor",
    "is_secret_key",
    "redact",
]
