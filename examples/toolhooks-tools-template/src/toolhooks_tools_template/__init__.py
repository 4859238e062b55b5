"""A toolhooks tool pack template: copy the folder, rename, replace the tool.

The tools live in :mod:`toolhooks_tools_template.tools`; the entry module
:mod:`toolhooks_tools_template.plugin` imports them only when a runtime asks for tools.
"""

from __future__ import annotations

__all__: list[str] = []
