"""The built-in plugin: the default executor. Essential: it cannot be disabled."""

from __future__ import annotations

from typing import Any

from toolhooks._markers import hookimpl
from toolhooks._model import CallContext


@hookimpl(trylast=True)
def toolhooks_execute(ctx: CallContext) -> Any:
    """Call the tool's own function (sync functions in the runtime's worker pool)."""
    return ctx.runtime._invoke(ctx)
