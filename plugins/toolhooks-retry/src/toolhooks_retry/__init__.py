"""toolhooks-retry: retry transient tool failures (timeouts, dropped connections, 429, 5xx) with
exponential backoff, jitter and Retry-After, within the call's deadline; built on stamina."""

from __future__ import annotations

from toolhooks import parse_retry_after  # re-exported: it lived here first

from toolhooks_retry._classify import Verdict, classify
from toolhooks_retry._policy import RetryStats, StaminaRetryPolicy
from toolhooks_retry._settings import EffectiveRetrySettings, RetrySettings, ToolRetrySettings
from toolhooks_retry.plugin import PLUGIN_NAME, RetryPlugin

__all__ = [
    "PLUGIN_NAME",
    "EffectiveRetrySettings",
    "RetryPlugin",
    "RetrySettings",
    "RetryStats",
    "StaminaRetryPolicy",
    "ToolRetrySettings",
    "Verdict",
    "classify",
    "parse_retry_after",
]
