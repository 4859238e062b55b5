"""An example middleware plugin for toolhooks: a call policy.

* **Refuse** calls of tools carrying a denied tag, of denied tools, or whose arguments match a
  rule (``toolhooks_validate`` raising :class:`toolhooks.Refused`); the model reads the message.
* **Redact** fields (``password``, ``api_key``, ...) from what tools return, before the value is
  cached, logged or sent to the model (a ``toolhooks_execute`` implementation that runs the tool
  and cleans its value).
* **Count** what it did (``toolhooks_call_finished``), reported by ``toolhooks_summary``.

Settings live under ``[plugins.toolhooks-example-policy]``; see :class:`PolicySettings`.
"""

from __future__ import annotations

from toolhooks_example_policy.settings import ArgumentRule, PolicySettings, redact

__all__ = ["ArgumentRule", "PolicySettings", "redact"]
