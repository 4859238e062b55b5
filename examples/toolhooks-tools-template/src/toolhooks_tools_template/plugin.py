"""The entry module: hook implementations only, nothing heavy at import.

The tools module (and whatever it imports) loads only when a runtime registers tools, so
``toolhooks plugins`` and other packs' start-up never pay for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import toolhooks


@toolhooks.hookimpl
def toolhooks_register_tools(register: Callable[..., Any]) -> None:
    from toolhooks_tools_template.tools import convert_units

    register(convert_units)
