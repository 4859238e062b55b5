"""Plugin loading: real entry points, enable/disable, isolation of broken plugins."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from toolhooks import (
    CallContext,
    Config,
    ConfigError,
    Runtime,
    ToolCall,
    ToolConflictError,
    hookimpl,
    tool,
)

PLUGINS = {
    # distribution name -> source of its entry module
    "toolhooks-throwaway": '''
        import toolhooks

        @toolhooks.tool
        def throwaway_echo(text: str) -> str:
            """Echo text back."""
            return text

        class Plugin:
            def __init__(self):
                self.prefix = ">"

            @toolhooks.hookimpl
            def toolhooks_configure(self, config):
                class S(__import__("pydantic").BaseModel):
                    prefix: str = ">"
                self.prefix = config.plugin_settings("toolhooks-throwaway", S).prefix

            @toolhooks.hookimpl
            def toolhooks_register_tools(self, register):
                register(throwaway_echo)
                register(self.shout)

            def shout(self, text: str) -> str:
                """Shout text."""
                return self.prefix + text.upper()
    ''',
    "toolhooks-broken": """
        raise ImportError("this plugin is broken on purpose")
    """,
    "toolhooks-typo": """
        import toolhooks

        @toolhooks.hookimpl
        def toolhooks_register_tool(register):
            pass
    """,
}
ATTR = {"toolhooks-throwaway": ":Plugin"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the throwaway distributions and install them into a target directory."""
    uv = shutil.which("uv")
    assert uv, "uv is needed to build the throwaway plugin distributions"
    root = tmp_path_factory.mktemp("dists")
    target = root / "site"
    for dist, source in PLUGINS.items():
        pkg = dist.replace("-", "_")
        src = root / dist / "src" / pkg
        src.mkdir(parents=True)
        (src / "__init__.py").write_text("")
        (src / "plugin.py").write_text(textwrap.dedent(source))
        (root / dist / "pyproject.toml").write_text(
            textwrap.dedent(f"""
            [project]
            name = "{dist}"
            version = "1.2.3"
            [project.entry-points.toolhooks]
            {dist} = "{pkg}.plugin{ATTR.get(dist, "")}"
            [build-system]
            requires = ["uv_build>=0.13.0,<0.14"]
            build-backend = "uv_build"
            """)
        )
        subprocess.run(
            [
                uv,
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--python",
                sys.executable,
                "--target",
                str(target),
                str(root / dist),
            ],
            check=True,
        )
    return target


def cli(
    site: Path, *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLHOOKS_")}
    full_env["PYTHONPATH"] = str(site)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "toolhooks.cli", *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=60,
    )


def plugins_json(site: Path, *args: str, **kw: Any) -> dict[str, dict[str, Any]]:
    out = cli(site, *args, "plugins", "--json", **kw)
    assert out.returncode == 0, out.stderr
    return {p["name"]: p for p in json.loads(out.stdout)}


def test_installed_plugins_are_discovered_and_isolated(site: Path, tmp_path: Path) -> None:
    found = plugins_json(site, cwd=tmp_path)
    good = found["toolhooks-throwaway"]
    assert (good["status"], good["version"], good["distribution"]) == (
        "enabled",
        "1.2.3",
        "toolhooks-throwaway",
    )
    assert good["hooks"] == ["toolhooks_configure", "toolhooks_register_tools"]
    broken = found["toolhooks-broken"]
    assert broken["status"] == "failed"
    assert broken["error"] == "ImportError: this plugin is broken on purpose"
    typo = found["toolhooks-typo"]
    assert typo["status"] == "failed"
    assert (
        "unknown hook toolhooks_register_tool (did you mean toolhooks_register_tools?)"
        in (typo["error"])
    )
    assert found["toolhooks-builtin"]["status"] == "enabled"


def test_plugin_tools_work_through_the_cli(site: Path, tmp_path: Path) -> None:
    (tmp_path / "toolhooks.toml").write_text('[plugins.toolhooks-throwaway]\nprefix = "!"\n')
    out = cli(site, "call", "shout", '{"text": "hi"}', cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == {"role": "tool", "tool_call_id": "call_cli", "content": "!HI"}
    assert "Traceback" not in out.stderr
    tools = json.loads(cli(site, "tools", "--json", cwd=tmp_path).stdout)
    owners = {t["name"]: t["plugin"] for t in tools}
    assert owners["throwaway_echo"] == owners["shout"] == "toolhooks-throwaway"


def test_disable_blocks_before_import(site: Path, tmp_path: Path) -> None:
    found = plugins_json(site, "-p", "no:toolhooks-broken", cwd=tmp_path)
    assert found["toolhooks-broken"]["status"] == "disabled"
    assert found["toolhooks-broken"]["error"] == "disabled in config"  # never imported
    found = plugins_json(site, env={"TOOLHOOKS_DISABLE": "toolhooks-throwaway"}, cwd=tmp_path)
    assert found["toolhooks-throwaway"]["status"] == "disabled"


def test_enable_list_and_autoload_off(site: Path, tmp_path: Path) -> None:
    found = plugins_json(site, env={"TOOLHOOKS_ENABLE": "toolhooks-throwaway"}, cwd=tmp_path)
    assert found["toolhooks-throwaway"]["status"] == "enabled"
    assert found["toolhooks-broken"] == {
        **found["toolhooks-broken"],
        "status": "disabled",
        "error": "not in enable",
    }
    found = plugins_json(site, env={"TOOLHOOKS_DISABLE_PLUGIN_AUTOLOAD": "1"}, cwd=tmp_path)
    assert found["toolhooks-throwaway"]["error"] == "autoload is off"
    found = plugins_json(
        site,
        "-p",
        "toolhooks-throwaway",
        env={"TOOLHOOKS_DISABLE_PLUGIN_AUTOLOAD": "1"},
        cwd=tmp_path,
    )
    assert found["toolhooks-throwaway"]["status"] == "enabled"


def test_enabling_a_missing_plugin_is_reported(site: Path, tmp_path: Path) -> None:
    found = plugins_json(site, env={"TOOLHOOKS_ENABLE": "toolhooks-nowhere"}, cwd=tmp_path)
    assert found["toolhooks-nowhere"]["status"] == "failed"
    assert "not installed" in found["toolhooks-nowhere"]["error"]


def test_bad_config_is_one_line_and_exit_3(site: Path, tmp_path: Path) -> None:
    (tmp_path / "toolhooks.toml").write_text("[plugins.toolhooks-throwaway]\nprefix = 3\n")
    out = cli(site, "tools", cwd=tmp_path)
    assert out.returncode == 3
    assert out.stderr.strip().splitlines()[-1] == (
        f"toolhooks: error: {tmp_path / 'toolhooks.toml'}: plugins.toolhooks-throwaway.prefix: "
        "Input should be a valid string, got 3"
    )
    assert "Traceback" not in out.stderr


def test_essential_plugin_cannot_be_disabled() -> None:
    with pytest.raises(ConfigError, match="'toolhooks-builtin' is essential"):
        Runtime(Config({"disable": ["toolhooks-builtin"]}), autoload=False)


# -- in process ----------------------------------------------------------------------------


def make_pack(tool_name: str) -> type:
    def fn() -> str:
        """A tool."""
        return tool_name

    class Pack:
        @hookimpl
        def toolhooks_register_tools(self, register: Any) -> None:
            register(tool(name=tool_name)(fn))

    return Pack


def test_two_plugins_with_one_tool_name_is_an_error_naming_both() -> None:
    first, second = make_pack("same"), make_pack("same")
    first.toolhooks_plugin_name = "pack-one"  # type: ignore[attr-defined]
    second.toolhooks_plugin_name = "pack-two"  # type: ignore[attr-defined]
    with pytest.raises(ToolConflictError) as info:
        Runtime(plugins=[first, second], autoload=False)
    assert "'pack-one'" in str(info.value) and "'pack-two'" in str(info.value)
    assert "never renames" in str(info.value)


def test_a_bad_tool_name_fails_only_its_plugin() -> None:
    class Bad:
        @hookimpl
        def toolhooks_register_tools(self, register: Any) -> None:
            register(lambda: None, name="bad.name")

    runtime = Runtime(plugins=[Bad, make_pack("good")], autoload=False)
    infos = {p.name: p for p in runtime.plugins}
    assert infos["Bad"].status == "failed" and "invalid tool name 'bad.name'" in (
        infos["Bad"].error or ""
    )
    assert list(runtime.tools) == ["good"]
    assert runtime.get_plugin("Bad") is None
    runtime.close()


def test_class_plugins_get_one_instance_per_runtime() -> None:
    class Counter:
        def __init__(self) -> None:
            self.calls = 0

        @hookimpl
        def toolhooks_call_finished(self) -> None:
            self.calls += 1

    with (
        Runtime(tools=[make_pack_tool()], plugins=[Counter], autoload=False) as a,
        Runtime(tools=[make_pack_tool()], plugins=[Counter], autoload=False) as b,
    ):
        a.execute_sync(ToolCall("ping", "{}", "1"))
        a.execute_sync(ToolCall("ping", "{}", "2"))
        b.execute_sync(ToolCall("ping", "{}", "3"))
        assert (a.get_plugin("Counter").calls, b.get_plugin("Counter").calls) == (2, 1)


def make_pack_tool() -> Any:
    @tool
    def ping() -> str:
        """Ping."""
        return "pong"

    return ping


def test_wrapper_on_a_per_call_hook_is_refused() -> None:
    class Wrapper:
        @hookimpl(wrapper=True)
        def toolhooks_validate(self, ctx: CallContext) -> Any:
            return (yield)

    runtime = Runtime(plugins=[Wrapper], autoload=False)
    info = next(p for p in runtime.plugins if p.name == "Wrapper")
    assert info.status == "failed" and "per-call hook" in (info.error or "")
    runtime.close()


def test_a_plugin_failing_in_configure_is_unregistered() -> None:
    class Fails:
        @hookimpl
        def toolhooks_configure(self) -> None:
            raise RuntimeError("no")

        @hookimpl
        def toolhooks_register_tools(self, register: Any) -> None:
            register(make_pack_tool())

    runtime = Runtime(plugins=[Fails], autoload=False)
    info = next(p for p in runtime.plugins if p.name == "Fails")
    assert (info.status, info.error) == ("failed", "toolhooks_configure: RuntimeError: no")
    assert not runtime.tools
    runtime.close()


def test_register_and_unregister_after_start() -> None:
    with Runtime(autoload=False) as runtime:
        name = runtime.register_plugin(make_pack("late")(), name="late-pack")
        assert runtime.execute_sync(ToolCall("late", "{}", "c")).content == "late"
        runtime.unregister_plugin(name)
        assert runtime.execute_sync(ToolCall("late", "{}", "c")).error is not None


def test_disabled_tool_is_not_offered() -> None:
    with Runtime(
        Config({"tools": {"ping": {"enabled": False}}}), tools=[make_pack_tool()], autoload=False
    ) as runtime:
        assert "ping" not in runtime.tools
        result = runtime.execute_sync(ToolCall("ping", "{}", "c"))
    assert result.error is not None and result.error.type == "unknown_tool"


def test_registration_does_not_run_properties() -> None:
    class WithProperty:
        @property
        def address(self) -> str:
            raise RuntimeError("must not run at registration")

        @hookimpl
        def toolhooks_register_tools(self, register: Any) -> None:
            register(make_pack_tool())

    with Runtime(plugins=[WithProperty], autoload=False) as runtime:
        assert next(p for p in runtime.plugins if p.name == "WithProperty").status == "enabled"
        assert "ping" in runtime.tools


def test_an_object_given_in_code_replaces_the_installed_entry_point(
    site: Path, tmp_path: Path
) -> None:
    script = tmp_path / "replace.py"
    script.write_text(
        textwrap.dedent("""
        import json, toolhooks

        class Mine:
            toolhooks_plugin_name = "toolhooks-throwaway"

            @toolhooks.hookimpl
            def toolhooks_register_tools(self, register):
                @toolhooks.tool
                def mine() -> str:
                    "Mine."
                    return "mine"
                register(mine)

        rt = toolhooks.Runtime(plugins=[Mine()])
        info = next(p for p in rt.plugins if p.name == "toolhooks-throwaway")
        print(json.dumps([info.status, info.source, info.version, sorted(rt.tools)]))
        """)
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOOLHOOKS_")}
    env["PYTHONPATH"] = str(site)
    out = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    status, source, version, tools = json.loads(out.stdout.splitlines()[-1])
    assert (status, source, version) == ("enabled", "explicit", "1.2.3")
    assert "mine" in tools and "shout" not in tools  # the entry point's own object never loaded


def test_a_shared_tool_belongs_to_each_runtime_separately() -> None:
    shared = make_pack_tool()

    class Owner:
        toolhooks_plugin_name = "owner-pack"

        @hookimpl
        def toolhooks_register_tools(self, register: Any) -> None:
            register(shared)

    with (
        Runtime(plugins=[Owner], autoload=False) as a,
        Runtime(tools=[shared], autoload=False) as b,
    ):
        assert a.tools["ping"].plugin == "owner-pack"
        assert b.tools["ping"].plugin is None  # registered by the application itself
        assert shared.plugin is None and a.tools["ping"].fn is shared.fn


@pytest.mark.parametrize("failure", ["config", "conflict"])
def test_a_failed_start_shuts_the_plugins_down(failure: str) -> None:
    events: list[str] = []

    class Server:
        toolhooks_plugin_name = "server"

        @hookimpl
        def toolhooks_configure(self) -> None:
            events.append("started")

        @hookimpl
        async def toolhooks_shutdown(self) -> None:
            events.append("stopped")

    class BadConfig:
        @hookimpl
        def toolhooks_configure(self) -> None:
            raise ConfigError("bad value", path="t.toml", key="plugins.x.y")

    plugins: list[Any] = [Server]
    if failure == "config":
        plugins.insert(0, BadConfig)  # pluggy calls the last registered first: Server starts
        expected: type[Exception] = ConfigError
    else:
        plugins += [make_pack("same"), make_pack("same")]
        plugins[-1].toolhooks_plugin_name = "other-pack"
        expected = ToolConflictError
    with pytest.raises(expected):
        Runtime(plugins=plugins, autoload=False)
    assert events == ["started", "stopped"]
