"""Test helpers for plugin authors: an opt-in pytest plugin.

Enable it in a ``conftest.py`` (it is deliberately not a ``pytest11`` entry point, so it never
loads into unrelated test runs)::

    pytest_plugins = ["toolhooks.testing"]

What it gives you:

* :func:`make_runtime` and the ``toolhooks_runtime`` fixture: a :class:`~toolhooks.Runtime` with
  autoload off and exactly the plugins, tools and config you name, closed at the end of the test.
* :func:`registered`: register a plugin on a running runtime and always unregister it.
* :func:`fake_entry_points` (and the ``toolhooks_entry_points`` fixture): make plugin objects look
  like installed ``toolhooks`` entry points, so a runtime with autoload on discovers them.
* :func:`instant_retries` (and the ``toolhooks_instant_retries`` fixture): retries happen without
  waiting (through ``stamina.set_testing`` when stamina is installed).

stamina is imported only when :func:`instant_retries` runs. The module has no assertions of its
own, so pytest need not rewrite it (PYTEST_DONT_REWRITE: importing its helpers in a test module
before pytest registers it is fine).
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.metadata
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pytest

from toolhooks import _plugins
from toolhooks._config import Config
from toolhooks._plugins import ENTRY_POINT_GROUP
from toolhooks._runtime import Runtime
from toolhooks._tools import Tool

__all__ = [
    "FakeDistribution",
    "FakeEntryPoint",
    "RuntimeFactory",
    "fake_entry_points",
    "instant_retries",
    "make_runtime",
    "registered",
    "toolhooks_entry_points",
    "toolhooks_instant_retries",
    "toolhooks_runtime",
]

#: stamina's testing mode with ``cap=True`` keeps the configured attempts up to this many.
_MAX_TEST_ATTEMPTS = 1000
#: The name under which the plugin loader imported ``importlib.metadata.entry_points``.
_LOADER_FUNCTION = "entry_points"


# -- runtimes --------------------------------------------------------------------------------


def make_runtime(
    config: Config | Mapping[str, Any] | None = None,
    *,
    plugins: Iterable[object] = (),
    tools: Iterable[Tool | Callable[..., Any]] = (),
    autoload: bool = False,
) -> Runtime:
    """A :class:`~toolhooks.Runtime` that sees exactly the plugins and tools you name.

    :param config: a :class:`~toolhooks.Config` or the mapping to build one from (the tables of a
        ``toolhooks.toml``); no file and no environment are read.
    :param plugins: plugin objects (modules, classes, instances) or names.
    :param tools: tools or plain functions the "application" registers.
    :param autoload: ``False`` (the default) loads no installed entry point; ``True`` loads them
        all (use it with :func:`fake_entry_points`).
    """
    cfg = config if config is None or isinstance(config, Config) else Config(config)
    return Runtime(cfg, plugins=plugins, tools=tools, autoload=autoload)


class RuntimeFactory:
    """What the ``toolhooks_runtime`` fixture returns: call it like :func:`make_runtime`; every
    runtime it made is closed when the test ends (closing twice is harmless, so ``with`` and
    ``async with`` blocks inside the test are fine too)."""

    def __init__(self) -> None:
        self.made: list[Runtime] = []

    def __call__(
        self,
        config: Config | Mapping[str, Any] | None = None,
        *,
        plugins: Iterable[object] = (),
        tools: Iterable[Tool | Callable[..., Any]] = (),
        autoload: bool = False,
    ) -> Runtime:
        runtime = make_runtime(config, plugins=plugins, tools=tools, autoload=autoload)
        self.made.append(runtime)
        return runtime

    def close_all(self) -> None:
        while self.made:
            self.made.pop().close()


@pytest.fixture
def toolhooks_runtime() -> Iterator[RuntimeFactory]:
    """A factory of runtimes with autoload off; each is closed after the test.

    ``rt = toolhooks_runtime({"plugins": {...}}, plugins=[MyPlugin], tools=[my_tool])``. In an
    async test whose plugin holds loop-bound resources, prefer ``async with rt:`` so its
    shutdown runs on the test's loop.
    """
    factory = RuntimeFactory()
    try:
        yield factory
    finally:
        factory.close_all()


@contextlib.contextmanager
def registered(runtime: Runtime, plugin: object, name: str | None = None) -> Iterator[str]:
    """Register *plugin* on *runtime* for the ``with`` block, and always unregister it (with its
    tools), even when the block fails. Yields the name it was registered under.

    A class is instantiated first, as the plugin loader does for entry points naming a class.
    """
    if isinstance(plugin, type):
        plugin = plugin()
    registered_name = runtime.register_plugin(plugin, name=name)
    try:
        yield registered_name
    finally:
        if runtime.get_plugin(registered_name) is not None:
            runtime.unregister_plugin(registered_name)


# -- fake installed plugins ------------------------------------------------------------------


@dataclass(frozen=True)
class FakeDistribution:
    """Stands in for ``importlib.metadata.Distribution`` (name and version only)."""

    name: str
    version: str = "0.0.0"


@dataclass(frozen=True)
class FakeEntryPoint:
    """Stands in for ``importlib.metadata.EntryPoint`` in the ``toolhooks`` group.

    ``target`` is the plugin object itself, or a ``"module"`` / ``"module:attr"`` string imported
    by :meth:`load`, as a real entry point would.
    """

    name: str
    target: object
    dist: FakeDistribution | None = None
    group: str = ENTRY_POINT_GROUP

    @property
    def value(self) -> str:
        if isinstance(self.target, str):
            return self.target
        return getattr(self.target, "__name__", type(self.target).__name__)

    def load(self) -> object:
        if not isinstance(self.target, str):
            return self.target
        module, _, attr = self.target.partition(":")
        obj: Any = importlib.import_module(module)
        for part in filter(None, attr.split(".")):
            obj = getattr(obj, part)
        return obj


def _as_entry_points(
    plugins: Mapping[str, object] | Iterable[object], version: str
) -> list[FakeEntryPoint]:
    items: Iterable[tuple[str, object]]
    if isinstance(plugins, Mapping):
        items = plugins.items()
    else:
        items = ((_plugins._name_of(p), p) for p in plugins)
    return [FakeEntryPoint(n, obj, FakeDistribution(n, version)) for n, obj in items]


@contextlib.contextmanager
def fake_entry_points(
    plugins: Mapping[str, object] | Iterable[object],
    *,
    keep_installed: bool = False,
    version: str = "0.0.0",
) -> Iterator[list[FakeEntryPoint]]:
    """Make *plugins* appear as installed ``toolhooks`` entry points inside the block.

    :param plugins: ``{entry-point name: plugin}`` (the name is the distribution name by our
        convention), or plugin objects named by ``toolhooks_plugin_name`` or ``__name__``. A value
        may be a ``"module:attr"`` string, imported only when the entry point is loaded.
    :param keep_installed: also list the really installed ``toolhooks`` entry points (by default
        they are hidden, so the test sees only the fakes).
    :param version: the version the fake distributions report.

    It replaces the ``entry_points`` function the plugin loader calls
    (``toolhooks._plugins.entry_points``, imported there from ``importlib.metadata``); other
    groups are answered by the real function. Not thread-safe against other patches of it.
    """
    fakes = _as_entry_points(plugins, version)
    real = getattr(_plugins, _LOADER_FUNCTION)

    def patched(**params: Any) -> Any:
        if params.get("group") != ENTRY_POINT_GROUP:
            return real(**params)
        fake_names = {f.name for f in fakes}
        installed = [ep for ep in real(**params) if ep.name not in fake_names]
        return [*installed, *fakes] if keep_installed else list(fakes)

    setattr(_plugins, _LOADER_FUNCTION, patched)
    try:
        yield fakes
    finally:
        setattr(_plugins, _LOADER_FUNCTION, real)


@pytest.fixture
def toolhooks_entry_points() -> Iterator[Callable[..., list[FakeEntryPoint]]]:
    """A function with :func:`fake_entry_points`' parameters that fakes entry points until the
    test ends (a later call replaces the earlier fakes)."""
    with contextlib.ExitStack() as stack:

        def install(
            plugins: Mapping[str, object] | Iterable[object],
            *,
            keep_installed: bool = False,
            version: str = "0.0.0",
        ) -> list[FakeEntryPoint]:
            stack.close()
            return stack.enter_context(
                fake_entry_points(plugins, keep_installed=keep_installed, version=version)
            )

        yield install


# -- retries -----------------------------------------------------------------------------------


@contextlib.contextmanager
def instant_retries() -> Iterator[bool]:
    """Retries happen at once inside the block: no backoff, the configured attempts unchanged.

    Uses ``stamina.set_testing(True, attempts=..., cap=True)`` when stamina is importable
    (imported here, lazily) and restores the previous mode afterwards. Yields whether stamina was
    found (without it there is nothing to switch, and the block runs unchanged).
    """
    try:
        import stamina
    except ImportError:
        yield False
        return
    with stamina.set_testing(True, attempts=_MAX_TEST_ATTEMPTS, cap=True):
        yield True


@pytest.fixture
def toolhooks_instant_retries() -> Iterator[bool]:
    """:func:`instant_retries` for the whole test."""
    with instant_retries() as active:
        yield active
