"""toolhooks-demo: the ``toolhooks demo`` command (see :mod:`toolhooks_demo.demo`)."""

from __future__ import annotations

__all__: list[str] = []
