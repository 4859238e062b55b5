"""Configuration: one file (the first found, never merged), then ``TOOLHOOKS_*`` overrides.

Where it comes from, highest first:

1. ``TOOLHOOKS_*`` environment variables (override single keys of the file);
2. the file named by ``--config PATH`` or ``TOOLHOOKS_CONFIG``; else the first of, in the current
   directory and then each parent: ``toolhooks.toml``, or a ``pyproject.toml`` with a
   ``[tool.toolhooks]`` table;
3. the defaults.

pydantic-settings is not used: it deep-merges every source, and "first file wins" plus our own
error messages (file, key, problem) are simpler to write than to bend it into.
"""

from __future__ import annotations

import difflib
import json
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from toolhooks._errors import ConfigError

__all__ = ["Config", "CoreSettings", "ToolSettings"]

M = TypeVar("M", bound=BaseModel)

ENV_PREFIX = "TOOLHOOKS_"
#: Environment variables that are not keys of the file.
_ENV_SPECIAL = {"TOOLHOOKS_CONFIG", "TOOLHOOKS_DISABLE_PLUGIN_AUTOLOAD"}
#: ``TOOLHOOKS_TOOLS__DEFAULT__TIMEOUT`` addresses ``[tools."*"]`` (``*`` cannot be in a name).
_ENV_DEFAULT_TOOL = "default"


class ToolSettings(BaseModel):
    """The core's per-tool keys, under ``[tools."*"]`` and ``[tools.NAME]``.

    Sub-tables (``[tools.NAME.retry]`` and so on) belong to plugins.
    """

    model_config = ConfigDict(extra="forbid")

    timeout: float | None = Field(30.0, gt=0, description="Seconds per attempt (None: no limit).")
    deadline: float | None = Field(
        120.0, gt=0, description="Seconds for the whole call, waits and retries included."
    )
    max_concurrency: int | None = Field(None, ge=1, description="Calls of this tool at once.")
    enabled: bool = Field(True, description="False hides the tool from models and refuses calls.")


class CoreSettings(BaseModel):
    """The top level of the config file."""

    model_config = ConfigDict(extra="forbid")

    autoload: bool = Field(True, description="Load every installed plugin (else only `enable`).")
    enable: list[str] | None = Field(
        None, description="Only these installed plugins load (distribution names)."
    )
    disable: list[str] = Field(default_factory=list, description="These plugins never load.")
    max_concurrency: int = Field(128, ge=1, description="Calls of one batch running at once.")
    workers: int = Field(16, ge=1, description="Threads that run sync tools.")
    plugins: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="Each plugin's settings, by distribution name."
    )
    tools: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description='Per-tool settings; "*" holds the defaults.'
    )


class Config:
    """The loaded configuration.

    Build it with :meth:`Config.load` (file discovery and environment) or directly from a mapping
    (``Config({"disable": ["toolhooks-cache"]})``), which is what tests and embedding
    applications usually want.

    :param data: the configuration as the file's tables (top-level keys of ``toolhooks.toml``).
    :param path: the file it came from, for error messages.
    """

    def __init__(self, data: Mapping[str, Any] | None = None, *, path: str | None = None) -> None:
        self.path = path
        self.data: dict[str, Any] = dict(data or {})
        self.core: CoreSettings = _validate(CoreSettings, self.data, path=path, prefix="")
        self._tool_cache: dict[tuple[str, str | None, type[BaseModel]], BaseModel] = {}
        self._tool_keys_checked: set[str] = set()

    # -- loading ---------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
    ) -> Config:
        """Find and read the config file, then apply ``TOOLHOOKS_*`` overrides.

        :param path: an explicit file (``--config``); else ``TOOLHOOKS_CONFIG``; else discovery.
        :param env: the environment (default ``os.environ``).
        :param cwd: where discovery starts (default the current directory).
        :raises ConfigError: the file is missing or unreadable, or a value is invalid.
        """
        env = os.environ if env is None else env
        explicit = path if path is not None else env.get("TOOLHOOKS_CONFIG") or None
        file: Path | None
        if explicit is not None:
            file = Path(explicit)
            if not file.is_file():
                raise ConfigError("config file not found", path=str(file))
            data = _read_toml(file)
            if file.name == "pyproject.toml":
                data = data.get("tool", {}).get("toolhooks", {})
        else:
            file, data = _discover(Path(cwd or os.getcwd()))
        shown = str(file) if file else None
        data = _apply_env(data, env, path=shown)
        return cls(data, path=shown)

    # -- what plugins read -----------------------------------------------------------------

    def plugin_settings(self, name: str, model: type[M]) -> M:
        """The settings of plugin *name* (``[plugins.NAME]``), validated by *model*.

        :raises ConfigError: naming the file and the key of the first bad value.
        """
        raw = _lookup(self.core.plugins, name)
        return _validate(model, raw, path=self.path, prefix=f"plugins.{name}.")

    def tool_settings(self, tool: str, model: type[M], *, section: str | None = None) -> M:
        """Settings for *tool*: ``[tools."*"]`` overlaid by ``[tools.TOOL]``, validated by *model*.

        :param section: a plugin's sub-table (``"retry"`` reads ``[tools."*".retry]`` and
            ``[tools.TOOL.retry]``); ``None`` reads the tables' own keys.
        :raises ConfigError: naming the file and the key of the first bad value.
        """
        key = (tool, section, model)
        cached = self._tool_cache.get(key)
        if cached is not None:
            return cached  # type: ignore[return-value]
        merged: dict[str, Any] = {}
        source = "*"
        for name in ("*", tool):
            table = _lookup(self.core.tools, name)
            part = table.get(section, {}) if section else _scalars(table)
            if not isinstance(part, dict):
                raise ConfigError(
                    f"expected a table, got {type(part).__name__}",
                    path=self.path,
                    key=f"tools.{_quote(name)}.{section}",
                )
            if part:
                source = name
            merged.update(part)
        prefix = f"tools.{_quote(source)}.{section + '.' if section else ''}"
        settings = _validate(model, merged, path=self.path, prefix=prefix)
        self._tool_cache[key] = settings
        return settings

    def __repr__(self) -> str:
        return f"<Config from {self.path or 'defaults'}>"


# -- helpers -------------------------------------------------------------------------------


def _norm(name: str) -> str:
    return name.lower().replace("-", "_")


def _lookup(tables: Mapping[str, dict[str, Any]], name: str) -> dict[str, Any]:
    """``tables[name]``, else the entry whose name matches with case and ``-``/``_`` folded
    (environment variables cannot spell ``-`` or case)."""
    if name in tables:
        return tables[name]
    norm = _norm(name)
    return next((v for k, v in tables.items() if _norm(k) == norm), {})


def _quote(name: str) -> str:
    return f'"{name}"' if name == "*" else name


def _scalars(table: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if not isinstance(v, dict)}


def _read_toml(file: Path) -> dict[str, Any]:
    try:
        with file.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path=str(file)) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(file)) from None


def _discover(start: Path) -> tuple[Path | None, dict[str, Any]]:
    for directory in (start, *start.parents):
        candidate = directory / "toolhooks.toml"
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            table = _read_toml(pyproject).get("tool", {}).get("toolhooks")
            if table is not None:
                return pyproject, table
    return None, {}


def _validate(model: type[M], data: Mapping[str, Any], *, path: str | None, prefix: str) -> M:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        loc = ".".join(str(p) for p in err["loc"])
        problem = err["msg"]
        if err["type"] == "extra_forbidden":
            known = list(model.model_fields)
            close = difflib.get_close_matches(str(err["loc"][-1]), known, n=1)
            problem = "unknown key" + (f" (did you mean {close[0]!r}?)" if close else "")
            problem += f"; known keys: {', '.join(known)}"
        elif "input" in err and err["type"] != "missing":
            problem += f", got {err['input']!r}"
        more = len(exc.errors()) - 1
        if more:
            problem += f" (and {more} more problem{'s' if more > 1 else ''})"
        raise ConfigError(problem, path=path or "(config)", key=f"{prefix}{loc}") from None


def _parse_env_value(raw: str) -> Any:
    text = raw.strip()
    if text[:1] in ("[", "{", '"'):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return raw
    return raw


def _apply_env(data: dict[str, Any], env: Mapping[str, str], *, path: str | None) -> dict[str, Any]:
    """Overlay ``TOOLHOOKS_KEY`` / ``TOOLHOOKS_A__B__C`` onto *data* (a deep copy is returned).

    Segments match existing keys case-insensitively with ``-`` and ``_`` equal, so
    ``TOOLHOOKS_PLUGINS__TOOLHOOKS_RETRY__ATTEMPTS`` reaches ``[plugins.toolhooks-retry]``.
    ``TOOLHOOKS_ENABLE`` / ``TOOLHOOKS_DISABLE`` take comma-separated names.
    """
    out: dict[str, Any] = json.loads(json.dumps(data))
    if env.get("TOOLHOOKS_DISABLE_PLUGIN_AUTOLOAD"):
        out["autoload"] = False
    for name in sorted(env):
        if not name.startswith(ENV_PREFIX) or name in _ENV_SPECIAL:
            continue
        raw = env[name]
        segments = name[len(ENV_PREFIX) :].lower().split("__")
        if segments in (["enable"], ["disable"]):
            value: Any = [s.strip() for s in raw.split(",") if s.strip()]
        else:
            value = _parse_env_value(raw)
        node = out
        for depth, seg in enumerate(segments[:-1]):
            is_default = depth == 1 and segments[0] == "tools" and seg == _ENV_DEFAULT_TOOL
            key = _match_key(node, "*" if is_default else seg)
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                raise ConfigError(
                    f"{name} addresses inside a value that is not a table",
                    path=path,
                    key=".".join(segments[: depth + 1]),
                )
            node = child
        node[_match_key(node, segments[-1])] = value
    return out


def _match_key(node: Mapping[str, Any], seg: str) -> str:
    norm = _norm(seg)
    for key in node:
        if _norm(key) == norm:
            return key
    return seg
