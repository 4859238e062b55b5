"""The hook specs are a documented contract, and the facade covers every one."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest
from toolhooks import hookspecs
from toolhooks._hooks import Hooks
from toolhooks._plugins import new_plugin_manager

SPECS = {n: f for n, f in vars(hookspecs).items() if n.startswith("toolhooks_")}


def test_there_are_hooks() -> None:
    assert {"toolhooks_validate", "toolhooks_execute", "toolhooks_recover"} <= set(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_hook_docstring_is_a_contract(name: str) -> None:
    doc = inspect.getdoc(SPECS[name]) or ""
    assert "**When:**" in doc, f"{name}: say when it is called"
    assert "**Semantics:**" in doc, f"{name}: say broadcast or first-result"
    for param in inspect.signature(SPECS[name]).parameters:
        assert f":param {param}:" in doc, f"{name}: document parameter {param}"
    assert ":returns:" in doc or name in {"toolhooks_shutdown"}, f"{name}: say what it returns"
    assert ":raises" in doc or "Exceptions" in doc, f"{name}: say what a plugin may raise"


def test_firstresult_hooks_say_so() -> None:
    pm = new_plugin_manager()
    for name, fn in SPECS.items():
        opts = getattr(pm.hook, name).spec.opts
        doc = " ".join((inspect.getdoc(fn) or "").split())
        assert opts["firstresult"] == ("first non-``None`` result wins" in doc), name


def test_the_facade_has_a_method_per_hook() -> None:
    facade = {m for m in vars(Hooks) if not m.startswith("_")} - {"refresh", "impls_of"}
    assert facade == {n.removeprefix("toolhooks_") for n in SPECS}


def test_the_reference_page_documents_every_hook(repo: Path) -> None:
    page = (repo / "docs" / "reference" / "hooks.md").read_text()
    for name, fn in SPECS.items():
        args = ", ".join(inspect.signature(fn).parameters)
        assert re.search(rf"^### `{name}\({re.escape(args)}\)`", page, re.M), name


def test_generated_reference_pages_are_up_to_date(repo: Path) -> None:
    """docs/reference/*.md are generated from the code: run scripts/gen_reference.py."""
    import runpy

    gen = runpy.run_path(str(repo / "scripts" / "gen_reference.py"))
    for path, text in gen["pages"]().items():
        assert (repo / path).read_text() == text, f"{path} is stale: run scripts/gen_reference.py"
