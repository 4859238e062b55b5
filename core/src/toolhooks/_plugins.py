"""Plugin loading: built explicitly, blocked before import, one failure never spreads.

Nothing loads at import time. :func:`load_plugins` registers the built-in plugins, then each
installed ``toolhooks`` entry point that config allows, one by one: a plugin that fails to import,
to register, or names a hook that does not exist is reported as ``failed`` and skipped.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Literal

import pluggy

from toolhooks import hookspecs
from toolhooks._config import CoreSettings
from toolhooks._errors import ConfigError

__all__ = ["BUILTIN_PLUGINS", "ENTRY_POINT_GROUP", "PluginInfo", "load_plugins"]

log = logging.getLogger("toolhooks")

ENTRY_POINT_GROUP = "toolhooks"
#: Built-in plugins: (name, module). Essential ones cannot be disabled.
BUILTIN_PLUGINS = (("toolhooks-builtin", "toolhooks._builtin"),)
ESSENTIAL = frozenset({"toolhooks-builtin"})
SPEC_NAMES = frozenset(n for n in dir(hookspecs) if n.startswith("toolhooks_"))

Status = Literal["enabled", "disabled", "failed"]


@dataclass
class PluginInfo:
    """What became of one plugin: shown by ``toolhooks plugins``."""

    name: str
    status: Status
    source: Literal["builtin", "entry-point", "explicit"] = "entry-point"
    distribution: str | None = None
    version: str | None = None
    hooks: list[str] = field(default_factory=list)
    error: str | None = None
    #: why an enabled plugin offers nothing (raised as :class:`~toolhooks.NotConfigured`)
    note: str | None = None
    plugin: Any = field(default=None, repr=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "source": self.source,
            "distribution": self.distribution,
            "version": self.version,
            "hooks": self.hooks,
            "error": self.error,
            "note": self.note,
        }


class _PluginSetupError(Exception):
    pass


def new_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("toolhooks")
    pm.add_hookspecs(hookspecs)
    return pm


def load_plugins(
    pm: pluggy.PluginManager,
    settings: CoreSettings,
    *,
    explicit: Iterable[object] = (),
    config_path: str | None = None,
) -> list[PluginInfo]:
    """Register the built-in plugins, the allowed entry points, then *explicit* ones.

    :param settings: ``autoload``, ``enable`` and ``disable`` decide which entry points load.
    :param explicit: plugin objects (modules, instances or classes) or names: an entry-point name
        loads that entry point even with autoload off; any other string is imported as a module.
    :raises ConfigError: when config disables an essential plugin.
    """
    disabled = set(settings.disable)
    for name in sorted(disabled & ESSENTIAL):
        raise ConfigError(
            f"plugin {name!r} is essential and cannot be disabled", path=config_path, key="disable"
        )
    infos: dict[str, PluginInfo] = {}

    for name, module in BUILTIN_PLUGINS:
        infos[name] = _register(pm, name, partial(importlib.import_module, module), "builtin")

    explicit = list(explicit)
    explicit_names = {item for item in explicit if isinstance(item, str)}
    # a plugin object passed in code (say, with its own settings) replaces the installed entry
    # point of the same name instead of clashing with it
    explicit_objects = {_name_of(item) for item in explicit if not isinstance(item, str)}
    eps = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    enable = set(settings.enable) if settings.enable is not None else None
    for name in sorted(eps):
        ep = eps[name]
        if name in disabled:
            pm.set_blocked(name)  # never imported
            infos[name] = _info_for(ep, "disabled", error="disabled in config")
            continue
        if name in explicit_objects:
            continue  # registered below, from the object given in code
        wanted = name in explicit_names or (
            name in enable if enable is not None else settings.autoload
        )
        if not wanted:
            why = "not in enable" if enable is not None else "autoload is off"
            infos[name] = _info_for(ep, "disabled", error=why)
            continue
        infos[name] = _register(pm, name, ep.load, "entry-point", ep=ep)

    for item in explicit:
        if isinstance(item, str):
            if item in eps:
                continue  # loaded above
            if item in disabled:
                infos[item] = PluginInfo(item, "disabled", "explicit", error="disabled in config")
                continue
            infos[item] = _register(pm, item, partial(importlib.import_module, item), "explicit")
        else:
            name = _name_of(item)
            if name in disabled:
                infos[name] = PluginInfo(name, "disabled", "explicit", error="disabled in config")
                continue
            info = _register(pm, name, partial(_identity, item), "explicit")
            dist = eps[name].dist if name in eps else None
            if dist is not None and info.status == "enabled":
                info.distribution, info.version = dist.name, dist.version
            infos[name] = info

    for name in sorted((enable or set()) - set(infos)):
        infos[name] = PluginInfo(
            name,
            "failed",
            error=f"not installed: no {ENTRY_POINT_GROUP!r} entry point named {name!r}",
        )
        log.warning("plugin %s: %s", name, infos[name].error)
    return list(infos.values())


def _identity(obj: object) -> object:
    return obj


def _name_of(obj: object) -> str:
    name = getattr(obj, "toolhooks_plugin_name", None) or getattr(obj, "__name__", None)
    return str(name or type(obj).__name__)


def _info_for(ep: EntryPoint, status: Status, *, error: str | None = None) -> PluginInfo:
    dist = ep.dist
    return PluginInfo(
        ep.name,
        status,
        "entry-point",
        distribution=dist.name if dist else None,
        version=dist.version if dist else None,
        error=error,
    )


def _register(
    pm: pluggy.PluginManager,
    name: str,
    load: Callable[[], object],
    source: Literal["builtin", "entry-point", "explicit"],
    *,
    ep: EntryPoint | None = None,
) -> PluginInfo:
    info = _info_for(ep, "enabled") if ep is not None else PluginInfo(name, "enabled", source)
    try:
        plugin = load()
        if isinstance(plugin, type):  # a class: one instance per runtime
            plugin = plugin()
        _check_hook_names(plugin)
        if pm.register(plugin, name=name) is None:
            info.status, info.error = "disabled", "blocked"
            return info
        try:
            _check_per_call_impls(pm, plugin)
        except Exception:
            pm.unregister(plugin)
            raise
    except Exception as exc:  # import errors, bad hooks, anything: isolate the plugin
        info.status = "failed"
        info.error = f"{type(exc).__name__}: {exc}"
        log.warning("plugin %s failed to load and was skipped: %s", name, info.error)
        return info
    info.plugin = plugin
    info.hooks = sorted(caller.name for caller in pm.get_hookcallers(plugin) or ())
    return info


def _check_hook_names(plugin: object) -> None:
    """A marked ``@hookimpl`` whose name is not a spec is a typo (pluggy's check_pending, per
    plugin so that the typo fails that plugin only)."""
    for attr in dir(plugin):
        try:  # static: a property must not run just because the plugin is being registered
            obj = inspect.getattr_static(plugin, attr)
        except AttributeError:
            continue
        if isinstance(obj, staticmethod | classmethod):
            obj = obj.__func__
        opts = getattr(obj, "toolhooks_impl", None)
        if opts is None:
            continue
        spec_name = opts.get("specname") or attr
        if spec_name not in SPEC_NAMES:
            close = difflib.get_close_matches(spec_name, SPEC_NAMES, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise _PluginSetupError(f"unknown hook {spec_name}{hint}")


def _check_per_call_impls(pm: pluggy.PluginManager, plugin: object) -> None:
    for caller in pm.get_hookcallers(plugin) or ():
        if caller.name not in hookspecs.PER_CALL_HOOKS:
            continue
        for impl in caller.get_hookimpls():
            if impl.plugin is plugin and (impl.wrapper or impl.hookwrapper):
                raise _PluginSetupError(
                    f"{caller.name} is a per-call hook dispatched by the core: wrapper "
                    "implementations are not supported; use toolhooks_call_started/finished"
                )
