from __future__ import annotations

import pluggy

#: Marks a plugin's hook implementations: ``@toolhooks.hookimpl``.
hookimpl = pluggy.HookimplMarker("toolhooks")
