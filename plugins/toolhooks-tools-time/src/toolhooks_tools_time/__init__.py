"""toolhooks-tools-time: current time, zone conversion, differences and date arithmetic."""

from __future__ import annotations

from toolhooks_tools_time.plugin import PLUGIN_NAME, TimeTools
from toolhooks_tools_time.settings import TimeSettings

__all__ = ["PLUGIN_NAME", "TimeSettings", "TimeTools"]
