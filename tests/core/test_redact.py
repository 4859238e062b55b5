from __future__ import annotations

import dataclasses
import json

import pydantic
import pytest
from toolhooks.redact import REDACTED, Redactor, is_secret_key, redact, redact_url


@pytest.mark.parametrize(
    "key",
    [
        "api_key",
        "API_KEY",
        "apiKey",
        "X-Api-Key",
        "token",
        "github_token",
        "refresh-token",
        "password",
        "db_password_hash",
        "Authorization",
        "client_secret",
        "Cookie",
        "set-cookie",
        "aws_access_key_id",
        "private.key",
        "credentials",
    ],
)
def test_secret_looking_keys_match(key: str) -> None:
    assert is_secret_key(key)
    assert redact({key: "s3cr3t"}) == {key: REDACTED}


@pytest.mark.parametrize("key", ["author", "city", "query", "name", "id", "session"])
def test_ordinary_keys_do_not_match(key: str) -> None:
    assert not is_secret_key(key)
    assert redact({key: "visible"}) == {key: "visible"}


def test_substring_rule_over_redacts_rather_than_leaks() -> None:
    assert is_secret_key("max_tokens")  # documented: better a hidden count than a leaked key


def test_secrets_redacted_at_any_depth_and_input_untouched() -> None:
    value = {
        "query": "weather",
        "headers": {"Authorization": "Bearer abc", "accept": "json"},
        "items": [{"name": "a", "password": "p1"}, [{"deep": {"api_key": "k", "x": 1}}]],
        "secret": {"whole": "subtree"},
    }
    original = json.loads(json.dumps(value))
    out = redact(value)
    assert out == {
        "query": "weather",
        "headers": {"Authorization": REDACTED, "accept": "json"},
        "items": [{"name": "a", "password": REDACTED}, [{"deep": {"api_key": REDACTED, "x": 1}}]],
        "secret": REDACTED,
    }
    assert value == original
    assert "abc" not in json.dumps(out)


def test_configured_keys_are_redacted_case_and_separator_insensitive() -> None:
    r = Redactor(extra_keys=["ssn", "Home-Address"])
    assert r.redact({"SSN": "123", "home_address": "x", "user": {"homeAddress": "y"}}) == {
        "SSN": REDACTED,
        "home_address": REDACTED,
        "user": {"homeAddress": REDACTED},
    }
    assert Redactor().redact({"ssn": "123"}) == {"ssn": "123"}


def test_long_strings_truncated_with_count() -> None:
    out = redact({"text": "x" * 300}, max_length=10)
    assert out == {"text": "xxxxxxxxxx...[290 more chars]"}
    assert redact("short", max_length=10) == "short"


def test_depth_and_item_limits() -> None:
    deep: dict[str, object] = {"v": 1}
    for _ in range(5):
        deep = {"n": deep}
    assert redact(deep, max_depth=2) == {"n": {"n": "[...]"}}
    assert redact(list(range(5)), max_items=3) == [0, 1, 2, "... 2 more items"]
    assert redact({str(i): i for i in range(4)}, max_items=2) == {
        "0": 0,
        "1": 1,
        "...": "2 more keys",
    }


def test_models_dataclasses_bytes_and_opaque_objects() -> None:
    class Creds(pydantic.BaseModel):
        user: str
        token: str

    @dataclasses.dataclass
    class Conn:
        host: str
        password: str

    class Opaque:
        def __repr__(self) -> str:
            return "Opaque(api_key=leaked)"

    out = redact({"m": Creds(user="u", token="t"), "d": Conn("h", "p"), "b": b"\x00" * 7})
    assert out == {
        "m": {"user": "u", "token": REDACTED},
        "d": {"host": "h", "password": REDACTED},
        "b": "<7 bytes>",
    }
    assert redact(Opaque()) == "<Opaque>"
    assert redact((1, 2.5, None, True)) == [1, 2.5, None, True]


def test_bad_limits_rejected() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Redactor(max_length=0)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "redis://user:s3cret@cache.internal:6380/2?ssl_cert=x#frag",
            "redis://cache.internal:6380/2",
        ),
        ("redis://:pw@127.0.0.1:6379", "redis://127.0.0.1:6379"),
        ("rediss://[::1]:6379/0", "rediss://[::1]:6379/0"),
        ("memory://", "memory://"),
        ("redis://host:notaport", "<unparsable url>"),
    ],
)
def test_urls_lose_credentials_and_queries(url: str, shown: str) -> None:
    assert redact_url(url) == shown
