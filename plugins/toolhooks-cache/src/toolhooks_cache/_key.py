"""The canonical cache key of a call."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["cache_key"]


def cache_key(
    prefix: str,
    tool_name: str,
    schema_hash: str,
    arguments: Mapping[str, Any],
    scope: str | None = None,
) -> str:
    """``{prefix}{tool}:{sha256}`` where the hash covers the tool's name and schema hash, the
    validated arguments as sorted compact JSON, and the scope (``None`` for unscoped entries).

    A changed tool (new schema) gets new keys, so it never serves old answers.

    :raises TypeError: the arguments are not JSON-able (the call is then not cached).
    """
    canonical = json.dumps(
        {"a": arguments, "h": schema_hash, "s": scope, "t": tool_name},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )
    digest = hashlib.sha256(canonical.encode()).hexdigest()
    return f"{prefix}{tool_name}:{digest}"
