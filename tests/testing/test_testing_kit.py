"""toolhooks.testing: every helper, used the way a plugin author would."""

from __future__ import annotations

import sys
from typing import Any

import click
import pytest
import toolhooks
from click.testing import CliRunner
from toolhooks import _plugins
from toolhooks.cli import cli
from toolhooks.testing import (
    RuntimeFactory,
    fake_entry_points,
    instant_retries,
    make_runtime,
    registered,
)

from ._kit_plugins import LOADED, NoShouting, ShoutPack, shout

pytest_plugins = ["toolhooks.testing"]


def _status(runtime: toolhooks.Runtime, name: str) -> str:
    return {p.name: p.status for p in runtime.plugins}[name]


# -- runtimes ------------------------------------------------------------------------------


def test_factory_builds_runtime_with_named_plugins_tools_and_config(toolhooks_runtime: Any) -> None:
    rt = toolhooks_runtime({"tools": {"echo": {"timeout": 3}}}, plugins=[ShoutPack], tools=[echo])
    assert sorted(rt.tools) == ["echo", "shout"]
    assert rt.tools["shout"].plugin == "toolhooks-tools-shout"
    assert rt.config.core.tools == {"echo": {"timeout": 3}}
    assert rt.execute_sync({"name": "shout", "arguments": '{"text": "hi"}'}).content == "HI"


def echo(text: str) -> str:
    return text


def test_factory_has_autoload_off_even_with_installed_plugins(toolhooks_runtime: Any) -> None:
    with fake_entry_points({"toolhooks-tools-shout": ShoutPack}):
        rt = toolhooks_runtime()
        assert _status(rt, "toolhooks-tools-shout") == "disabled"
        assert "shout" not in rt.tools


def test_factory_accepts_a_config_object(toolhooks_runtime: Any) -> None:
    config = toolhooks.Config({"max_concurrency": 3})
    assert toolhooks_runtime(config).config is config


def test_factory_closes_every_runtime_it_made() -> None:
    factory = RuntimeFactory()
    first = factory(plugins=[ShoutPack])
    second = factory(plugins=[ShoutPack])
    plugins = [
        first.get_plugin("toolhooks-tools-shout"),
        second.get_plugin("toolhooks-tools-shout"),
    ]
    assert plugins[0] is not plugins[1]  # state per runtime
    factory.close_all()
    assert [p.shutdowns for p in plugins] == [1, 1]
    with pytest.raises(RuntimeError, match="closed"):
        first.execute_sync({"name": "shout", "arguments": '{"text": "x"}'})


def test_make_runtime_bad_config_raises_config_error() -> None:
    with pytest.raises(toolhooks.ConfigError, match="max_concurrency"):
        make_runtime({"max_concurrency": 0})


async def test_factory_works_in_async_tests(toolhooks_runtime: Any) -> None:
    async with toolhooks_runtime(tools=[shout]) as rt:
        result = await rt.execute({"name": "shout", "arguments": {"text": "async"}})
    assert result.content == "ASYNC"


# -- registered ----------------------------------------------------------------------------


def test_registered_refuses_inside_and_not_after(toolhooks_runtime: Any) -> None:
    rt = toolhooks_runtime(tools=[shout])
    call = {"name": "shout", "arguments": '{"text": "hey"}'}
    with registered(rt, NoShouting(), name="no-shouting") as name:
        assert name == "no-shouting"
        result = rt.execute_sync(call)
        assert result.error is not None
        assert result.error.type == "refused"
        assert result.refused_by == "no-shouting"
    assert rt.get_plugin("no-shouting") is None
    assert rt.execute_sync(call).content == "HEY"


def test_registered_unregisters_when_the_block_fails(toolhooks_runtime: Any) -> None:
    rt = toolhooks_runtime()
    seen: list[str] = []

    def fail_inside() -> None:
        with registered(rt, ShoutPack, name="pack"):
            seen.extend(rt.tools)  # a class is instantiated and its tools registered
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        fail_inside()
    assert seen == ["shout"]
    assert rt.get_plugin("pack") is None
    assert "shout" not in rt.tools


# -- fake entry points ---------------------------------------------------------------------


def test_fake_entry_points_are_discovered_with_autoload(toolhooks_runtime: Any) -> None:
    with fake_entry_points({"toolhooks-tools-shout": ShoutPack}, version="1.2.3") as eps:
        assert [ep.name for ep in eps] == ["toolhooks-tools-shout"]
        rt = toolhooks_runtime(autoload=True)
    info = {p.name: p for p in rt.plugins}["toolhooks-tools-shout"]
    assert (info.status, info.source, info.distribution, info.version) == (
        "enabled",
        "entry-point",
        "toolhooks-tools-shout",
        "1.2.3",
    )
    assert "toolhooks_register_tools" in info.hooks
    assert rt.execute_sync({"name": "shout", "arguments": '{"text": "ep"}'}).content == "EP"


def test_fake_entry_points_named_by_the_plugin_and_disabled_by_config(
    toolhooks_runtime: Any,
) -> None:
    with fake_entry_points([ShoutPack]):
        rt = toolhooks_runtime({"disable": ["toolhooks-tools-shout"]}, autoload=True)
    assert _status(rt, "toolhooks-tools-shout") == "disabled"


def test_fake_entry_point_string_target_is_imported_only_on_load(toolhooks_runtime: Any) -> None:
    target = f"{ShoutPack.__module__}:ShoutPack"
    LOADED.clear()
    with fake_entry_points({"lazy": target}):
        toolhooks_runtime(autoload=False)
        assert LOADED == []
        rt = toolhooks_runtime(autoload=True)
    assert LOADED == ["ShoutPack"]
    assert "shout" in rt.tools


def test_fake_entry_points_hide_installed_ones_unless_kept() -> None:
    from importlib.metadata import entry_points

    real = {ep.name for ep in entry_points(group="toolhooks")}
    with fake_entry_points({"fake": ShoutPack}):
        assert {ep.name for ep in _plugins.entry_points(group="toolhooks")} == {"fake"}
        assert _plugins.entry_points(group="console_scripts") is not None  # other groups: real
    with fake_entry_points({"fake": ShoutPack}, keep_installed=True):
        assert {ep.name for ep in _plugins.entry_points(group="toolhooks")} == real | {"fake"}
    assert _plugins.entry_points is entry_points


def test_fake_entry_points_restore_after_an_error() -> None:
    before = _plugins.entry_points
    with pytest.raises(KeyError), fake_entry_points({"x": ShoutPack}):
        raise KeyError("boom")
    assert _plugins.entry_points is before


def test_entry_points_fixture_reaches_the_cli(toolhooks_entry_points: Any) -> None:
    class Commands:
        @toolhooks.hookimpl
        def toolhooks_register_commands(self, cli: click.Group) -> None:
            @cli.command("hello-kit")
            def hello() -> None:
                click.echo("hello from a fake entry point")

    toolhooks_entry_points({"toolhooks-hello": Commands})
    root = type(cli)(name="toolhooks", callback=cli.callback, params=cli.params)
    root.invoke_without_command = True
    result = CliRunner().invoke(root, ["hello-kit"])
    assert result.output == "hello from a fake entry point\n", result.output


# -- instant retries -----------------------------------------------------------------------


@pytest.mark.timeout(20)
def test_instant_retries_keeps_attempts_and_drops_the_wait() -> None:
    import stamina

    attempts = 0
    with instant_retries() as active:
        assert active is True
        assert stamina.is_testing()
        for attempt in stamina.retry_context(on=ValueError, attempts=3, wait_initial=600):
            with attempt:
                attempts += 1
                if attempts < 3:
                    raise ValueError("transient")
    assert attempts == 3
    assert not stamina.is_testing()


def test_instant_retries_fixture(toolhooks_instant_retries: bool) -> None:
    import stamina

    assert toolhooks_instant_retries is True
    assert stamina.is_testing()


def test_instant_retries_without_stamina(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "stamina", None)  # import stamina -> ImportError
    with instant_retries() as active:
        assert active is False
