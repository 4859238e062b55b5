"""Config: first file wins, TOOLHOOKS_* overrides, errors that name the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict
from toolhooks import Config, ConfigError, ToolSettings


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_defaults_without_any_file(tmp_path: Path) -> None:
    config = Config.load(env={}, cwd=tmp_path)
    assert config.path is None
    assert config.core.autoload and config.core.max_concurrency == 128


def test_toolhooks_toml_wins_over_pyproject(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.toolhooks]\nmax_concurrency = 3\n")
    write(tmp_path / "toolhooks.toml", "max_concurrency = 5\n")
    config = Config.load(env={}, cwd=tmp_path)
    assert config.path == str(tmp_path / "toolhooks.toml")
    assert config.core.max_concurrency == 5  # never merged: pyproject's value is not used


def test_pyproject_table_and_parent_discovery(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.toolhooks]\ndisable = ['toolhooks-cache']\n")
    child = tmp_path / "a" / "b"
    child.mkdir(parents=True)
    write(child / "pyproject.toml", "[project]\nname = 'x'\n")  # no [tool.toolhooks]: skipped
    config = Config.load(env={}, cwd=child)
    assert config.path == str(tmp_path / "pyproject.toml")
    assert config.core.disable == ["toolhooks-cache"]


def test_explicit_path_and_env_path(tmp_path: Path) -> None:
    file = write(tmp_path / "custom.toml", "workers = 2\n")
    assert Config.load(file, env={}).core.workers == 2
    assert Config.load(env={"TOOLHOOKS_CONFIG": str(file)}, cwd=tmp_path).core.workers == 2
    with pytest.raises(ConfigError, match=r"missing\.toml: config file not found"):
        Config.load(tmp_path / "missing.toml", env={})


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    file = write(tmp_path / "toolhooks.toml", "workers = = 2\n")
    with pytest.raises(ConfigError) as info:
        Config.load(env={}, cwd=tmp_path)
    assert str(info.value).startswith(f"{file}: not valid TOML")


def test_bad_value_names_file_key_and_problem(tmp_path: Path) -> None:
    write(tmp_path / "toolhooks.toml", "max_concurrency = 'many'\n")
    with pytest.raises(ConfigError) as info:
        Config.load(env={}, cwd=tmp_path)
    message = str(info.value)
    assert message.startswith(str(tmp_path / "toolhooks.toml") + ": max_concurrency: ")
    assert "valid integer" in message and "'many'" in message


def test_unknown_key_suggests_the_right_one() -> None:
    with pytest.raises(ConfigError, match=r"autolaod: unknown key \(did you mean 'autoload'\?\)"):
        Config({"autolaod": False})


class RetrySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    attempts: int = 3
    wait_max: float = 1.0


def test_plugin_and_tool_settings() -> None:
    config = Config(
        {
            "plugins": {"toolhooks-retry": {"attempts": 5}},
            "tools": {
                "*": {"timeout": 10, "retry": {"attempts": 2, "wait_max": 9}},
                "slow": {"timeout": 60, "retry": {"attempts": 7}},
            },
        },
        path="toolhooks.toml",
    )
    assert config.plugin_settings("toolhooks-retry", RetrySettings).attempts == 5
    assert config.plugin_settings("toolhooks-other", RetrySettings).attempts == 3
    slow = config.tool_settings("slow", RetrySettings, section="retry")
    assert (slow.attempts, slow.wait_max) == (7, 9)  # "*" overlaid by the tool's own table
    other = config.tool_settings("other", RetrySettings, section="retry")
    assert (other.attempts, other.wait_max) == (2, 9)
    assert config.tool_settings("slow", ToolSettings).timeout == 60
    assert config.tool_settings("other", ToolSettings).timeout == 10


def test_bad_tool_setting_names_the_table() -> None:
    config = Config({"tools": {"slow": {"retry": {"attempts": "x"}}}}, path="t.toml")
    with pytest.raises(ConfigError, match=r"^t\.toml: tools\.slow\.retry\.attempts: "):
        config.tool_settings("slow", RetrySettings, section="retry")
    with pytest.raises(ConfigError, match=r"tools\.\"\*\"\.timeot: unknown key \(did you mean"):
        Config({"tools": {"*": {"timeot": 1}}}).tool_settings("x", ToolSettings)


def test_environment_overrides_the_file(tmp_path: Path) -> None:
    write(
        tmp_path / "toolhooks.toml",
        "workers = 2\n[plugins.toolhooks-retry]\nattempts = 3\nwait_max = 4.0\n",
    )
    env = {
        "TOOLHOOKS_WORKERS": "9",
        "TOOLHOOKS_DISABLE": "toolhooks-cache, toolhooks-otel",
        "TOOLHOOKS_PLUGINS__TOOLHOOKS_RETRY__ATTEMPTS": "8",
        "TOOLHOOKS_TOOLS__DEFAULT__TIMEOUT": "4.5",
        "TOOLHOOKS_TOOLS__GET_WEATHER__RETRY": '{"attempts": 1}',
        "TOOLHOOKS_DISABLE_PLUGIN_AUTOLOAD": "1",
    }
    config = Config.load(env=env, cwd=tmp_path)
    assert config.core.workers == 9
    assert config.core.disable == ["toolhooks-cache", "toolhooks-otel"]
    assert config.core.autoload is False
    retry = config.plugin_settings("toolhooks-retry", RetrySettings)
    assert (retry.attempts, retry.wait_max) == (8, 4.0)  # one key overridden, the other kept
    assert config.tool_settings("any", ToolSettings).timeout == 4.5
    assert config.tool_settings("get_weather", RetrySettings, section="retry").attempts == 1


def test_environment_value_errors_are_reported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="workers"):
        Config.load(env={"TOOLHOOKS_WORKERS": "lots"}, cwd=tmp_path)
