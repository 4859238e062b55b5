"""web_fetch against a real local server: content handling, limits, redirects and SSRF refusal."""

from __future__ import annotations

import ipaddress
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from toolhooks import Config, ConfigError, Runtime, ToolResult
from toolhooks_tools_web import PLUGIN_NAME, WebToolsPlugin
from toolhooks_tools_web._guard import IPAddress

from .conftest import WebServer

RuntimeFactory = Callable[..., Runtime]


def _config(**settings: Any) -> Config:
    return Config({"plugins": {PLUGIN_NAME: settings}})


@pytest.fixture
async def make_runtime() -> AsyncIterator[RuntimeFactory]:
    made: list[Runtime] = []

    def make(plugin: object = WebToolsPlugin, **settings: Any) -> Runtime:
        rt = Runtime(_config(**settings), plugins=[plugin], autoload=False)
        made.append(rt)
        return rt

    yield make
    for rt in made:
        await rt.aclose()


@pytest.fixture
def allowed(make_runtime: RuntimeFactory) -> Runtime:
    """A runtime that may fetch from 127.0.0.1 (by host name), as a test config would say."""
    return make_runtime(allow_hosts=["127.0.0.1"], timeout_s=10)


async def fetch(rt: Runtime, url: str, **args: Any) -> ToolResult:
    return await rt.execute({"id": "c1", "name": "web_fetch", "arguments": {"url": url, **args}})


def value(result: ToolResult) -> dict[str, Any]:
    assert result.error is None, result.content
    assert isinstance(result.value, dict)
    return result.value


# -- what comes back --------------------------------------------------------------------------


async def test_html_page_becomes_readable_text(allowed: Runtime, web_server: WebServer) -> None:
    out = value(await fetch(allowed, web_server.url("/page")))
    assert out["title"] == "The Test Page"
    assert out["status"] == 200
    assert out["content_type"] == "text/html"
    assert out["url"] == web_server.url("/page")
    assert out["truncated"] is False
    text = out["text"]
    assert "# Main heading" in text
    assert "## Sub heading" in text
    assert "First paragraph with a plain link and extra whitespace." in text
    assert "- one" in text and "- two & three" in text
    assert "code   stays\n    indented" in text
    for noise in ("do-not-show", "color: red", "About us", "Copyright footer", "enable javascript"):
        assert noise not in text
    links = {link["url"]: link["text"] for link in out["links"]}
    assert links[web_server.url("/plain")] == "plain link"
    assert links["https://example.org/x"] == "elsewhere"
    assert web_server.url("/about") not in links  # navigation is dropped


async def test_text_and_json_pass_through(allowed: Runtime, web_server: WebServer) -> None:
    plain = value(await fetch(allowed, web_server.url("/plain")))
    assert plain["text"] == "just some text\nline two"
    assert plain["content_type"] == "text/plain"
    assert "title" not in plain
    doc = value(await fetch(allowed, web_server.url("/json")))
    assert doc["content_type"] == "application/json"
    assert doc["text"] == '{"answer":42,"items":["a","b"]}'


async def test_declared_charset_is_honoured(allowed: Runtime, web_server: WebServer) -> None:
    out = value(await fetch(allowed, web_server.url("/latin1")))
    assert out["title"] == "Caf\u00e9"
    assert "cr\u00e8me br\u00fbl\u00e9e" in out["text"]


async def test_max_chars_truncates_text(allowed: Runtime, web_server: WebServer) -> None:
    out = value(await fetch(allowed, web_server.url("/plain"), max_chars=100))
    assert out["truncated"] is False
    long = value(await fetch(allowed, web_server.url("/big"), max_chars=100))
    assert long["text"] == "x" * 100
    assert long["truncated"] is True
    assert "max_chars" in long["note"]


async def test_max_chars_is_validated(allowed: Runtime, web_server: WebServer) -> None:
    result = await fetch(allowed, web_server.url("/plain"), max_chars=5)
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    assert web_server.hits == []


async def test_non_text_content_is_refused(allowed: Runtime, web_server: WebServer) -> None:
    result = await fetch(allowed, web_server.url("/image.png"))
    assert result.error is not None
    assert result.error.type == "tool_error"
    assert "image/png" in result.error.message
    assert result.error.suggestion


async def test_untyped_binary_is_refused(allowed: Runtime, web_server: WebServer) -> None:
    result = await fetch(allowed, web_server.url("/untyped"))
    assert result.error is not None
    assert "does not look like text" in result.error.message


# -- limits -----------------------------------------------------------------------------------


async def test_oversize_body_stops_at_max_bytes(
    make_runtime: RuntimeFactory, web_server: WebServer
) -> None:
    # The server sends 1 MiB and then holds the connection open: a reader that did not stop at
    # max_bytes would wait for the rest and run into the time limit instead of answering.
    rt = make_runtime(allow_hosts=["127.0.0.1"], max_bytes=50_000, timeout_s=10)
    out = value(await fetch(rt, web_server.url("/big"), max_chars=100_000))
    assert out["truncated"] is True
    assert out["text"] == "x" * 50_000
    assert "download limit" in out["note"]


async def test_slow_server_hits_the_time_limit(
    make_runtime: RuntimeFactory, web_server: WebServer
) -> None:
    rt = make_runtime(allow_hosts=["127.0.0.1"], timeout_s=0.3)
    result = await fetch(rt, web_server.url("/hang"))
    assert result.error is not None
    assert result.error.type == "timeout"
    assert result.error.retryable is True
    assert "0.3 s" in result.error.message


# -- status codes -----------------------------------------------------------------------------


async def test_server_errors_are_transient_with_retry_after(
    allowed: Runtime, web_server: WebServer
) -> None:
    for code in (503, 429):
        result = await fetch(allowed, web_server.url(f"/status/{code}"))
        assert result.error is not None
        assert result.error.type == "transient"
        assert result.error.retryable is True
        assert result.error.retry_after_s == 7


@pytest.mark.parametrize(
    ("header", "expected"),
    [("7", 7.0), ("-3", None), ("inf", None), ("nan", None), ("1e400", None), ("soon", None)],
)
def test_retry_after_header_values(header: str, expected: float | None) -> None:
    from toolhooks import parse_retry_after as retry_after  # what the web pack uses

    assert retry_after(header) == expected


async def test_client_errors_are_not_retryable(allowed: Runtime, web_server: WebServer) -> None:
    result = await fetch(allowed, web_server.url("/status/404"))
    assert result.error is not None
    assert result.error.type == "tool_error"
    assert result.error.retryable is False
    assert "404" in result.error.message


# -- redirects --------------------------------------------------------------------------------


async def test_redirects_are_followed_within_the_limit(
    make_runtime: RuntimeFactory, web_server: WebServer
) -> None:
    rt = make_runtime(allow_hosts=["127.0.0.1"], max_redirects=3)
    out = value(await fetch(rt, web_server.url("/redirect/2")))  # exactly 3 redirects
    assert out["url"] == web_server.url("/plain")
    assert out["text"].startswith("just some text")
    assert web_server.hits == ["/redirect/2", "/redirect/1", "/redirect/0", "/plain"]


async def test_too_many_redirects(make_runtime: RuntimeFactory, web_server: WebServer) -> None:
    rt = make_runtime(allow_hosts=["127.0.0.1"], max_redirects=2)
    result = await fetch(rt, web_server.url("/redirect/5"))
    assert result.error is not None
    assert "redirected more than 2 times" in result.error.message
    assert web_server.hits == ["/redirect/5", "/redirect/4", "/redirect/3"]


async def test_redirect_from_allowed_host_to_loopback_name_is_refused(
    allowed: Runtime, web_server: WebServer
) -> None:
    # 127.0.0.1 is allow-listed by name; "localhost" is the same server under another name, so
    # following the redirect would work if the hop were not vetted again.
    target = f"http://localhost:{web_server.port}/plain"
    result = await fetch(allowed, web_server.url(f"/redirect-to?u={target}"))
    assert result.error is not None
    assert result.error.type == "refused"
    assert "loopback" in result.error.message
    assert web_server.hits == ["/redirect-to"]


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("http://169.254.169.254/latest/meta-data/", "metadata"),
        ("http://[fd00:ec2::254]/latest/", "metadata"),
        ("http://10.0.0.1/admin", "private"),
        ("file:///etc/passwd", "only http and https"),
        ("gopher://127.0.0.1:70/", "only http and https"),
    ],
)
async def test_redirect_to_forbidden_targets_is_refused(
    allowed: Runtime, web_server: WebServer, target: str, why: str
) -> None:
    result = await fetch(allowed, web_server.url(f"/redirect-to?u={target}"))
    assert result.error is not None
    assert result.error.type == "refused"
    assert why in result.error.message


# -- SSRF protection without an allow-list ----------------------------------------------------


@pytest.mark.parametrize(
    "host",
    ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]", "127.1", "2130706433", "0x7f000001"],
)
async def test_loopback_is_refused_without_allow_list(
    make_runtime: RuntimeFactory, web_server: WebServer, host: str
) -> None:
    rt = make_runtime()
    result = await fetch(rt, f"http://{host}:{web_server.port}/plain")
    assert result.error is not None
    assert result.error.type == "refused"
    assert web_server.hits == []  # never connected


async def test_allow_networks_admits_loopback(
    make_runtime: RuntimeFactory, web_server: WebServer
) -> None:
    rt = make_runtime(allow_networks=["127.0.0.0/8"])
    assert value(await fetch(rt, web_server.url("/plain")))["status"] == 200
    narrow = make_runtime(allow_networks=["127.0.0.2/32"])
    result = await fetch(narrow, web_server.url("/plain"))
    assert result.error is not None and result.error.type == "refused"
    assert web_server.hits == ["/plain"]


async def test_a_host_with_any_forbidden_address_is_refused(
    make_runtime: RuntimeFactory, web_server: WebServer
) -> None:
    async def resolver(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("93.184.215.14"), ipaddress.ip_address("127.0.0.1")]

    rt = make_runtime(WebToolsPlugin(resolver=resolver))
    result = await fetch(rt, f"http://mixed.invalid:{web_server.port}/plain")
    assert result.error is not None
    assert result.error.type == "refused"
    assert web_server.hits == []


async def test_connection_goes_to_the_vetted_address(
    make_runtime: RuntimeFactory, web_server: WebServer
) -> None:
    # The resolver is asked once per hop; the connection goes to the address it vetted (the
    # system resolver does not know "pinned.invalid", so a second lookup would fail), and the
    # server sees the original host name.
    lookups: list[str] = []

    async def resolver(host: str, port: int) -> list[IPAddress]:
        lookups.append(host)
        if len(lookups) > 1:  # a rebinding DNS answer: must never be used for the same hop
            return [ipaddress.ip_address("169.254.169.254")]
        return [ipaddress.ip_address("127.0.0.1")]

    rt = make_runtime(WebToolsPlugin(resolver=resolver), allow_networks=["127.0.0.1/32"])
    out = value(await fetch(rt, f"http://pinned.invalid:{web_server.port}/headers"))
    assert out["text"] == f'{{"host":"pinned.invalid:{web_server.port}"}}'
    assert lookups == ["pinned.invalid"]
    assert web_server.hosts == [f"pinned.invalid:{web_server.port}"]


async def test_unresolvable_host(make_runtime: RuntimeFactory) -> None:
    async def resolver(host: str, port: int) -> list[IPAddress]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    rt = make_runtime(WebToolsPlugin(resolver=resolver))
    result = await fetch(rt, "https://no-such-host.invalid/")
    assert result.error is not None
    assert "could not be found" in result.error.message
    assert result.error.retryable is False


@pytest.mark.parametrize(
    "url", ["ftp://example.com/", "not a url", "https://user:secret@example.com/", "//x"]
)
async def test_bad_urls_are_invalid_arguments(make_runtime: RuntimeFactory, url: str) -> None:
    result = await fetch(make_runtime(), url)
    assert result.error is not None
    assert result.error.type == "invalid_arguments"
    assert "secret" not in result.content


# -- plugin plumbing --------------------------------------------------------------------------


def test_bad_network_setting_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as err:
        Runtime(_config(allow_networks=["10.0.0.0/33"]), plugins=[WebToolsPlugin], autoload=False)
    assert "plugins.toolhooks-tools-web.allow_networks" in str(err.value)


async def test_entry_point_loads_and_registers_the_tool() -> None:
    async with Runtime(Config(), plugins=[PLUGIN_NAME], autoload=False) as rt:
        info = next(p for p in rt.plugins if p.name == PLUGIN_NAME)
        assert info.status == "enabled", info.error
        assert info.distribution == PLUGIN_NAME
        assert isinstance(rt.get_plugin(PLUGIN_NAME), WebToolsPlugin)
        tool = rt.tools["web_fetch"]
        assert tool.plugin == PLUGIN_NAME
        assert tool.side_effects is False
        assert set(tool.parameters["required"]) == {"url"}
        assert "readable text" in tool.description


async def test_shutdown_closes_the_client(allowed: Runtime, web_server: WebServer) -> None:
    value(await fetch(allowed, web_server.url("/plain")))
    plugin = allowed.get_plugin(PLUGIN_NAME)
    client = plugin.fetcher().client()
    assert not client.is_closed
    await allowed.aclose()
    assert client.is_closed


def test_entry_module_imports_nothing_heavy() -> None:
    code = (
        "import sys, toolhooks_tools_web.plugin, toolhooks_tools_web;"
        "heavy = [m for m in ('httpx2', 'httpcore2', 'anyio') if m in sys.modules];"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
