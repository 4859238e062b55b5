"""toolhooks-tools-math: safe arithmetic (``calculate``) and descriptive statistics."""

from __future__ import annotations

from toolhooks_tools_math.plugin import PLUGIN_NAME, MathTools
from toolhooks_tools_math.settings import MathSettings

__all__ = ["PLUGIN_NAME", "MathSettings", "MathTools"]
