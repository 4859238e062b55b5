"""Every error type used anywhere in the code is one of ``toolhooks.ERROR_TYPES``.

The model reads ``error.type`` to decide what to do next, so the vocabulary is closed: a plugin
that invents ``"unavailable"`` or ``"backend_down"`` on its own would be a word no caller knows.
The scan reads the source of core and of every first-party plugin (not only what is imported), so
a new literal anywhere fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import toolhooks

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.glob("core/src/**/*.py"), *ROOT.glob("plugins/*/src/**/*.py")])


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _error_types(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, literal) for ``SomeError(..., type="x")``, ``ErrorInfo(type="x")`` and
    ``class X(...Error): type = "x"``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (
            "Error" in _callee(node)
            or _callee(node)
            in {
                "ErrorInfo",
                "Unavailable",
                "Refused",
                "RateLimited",
            }
        ):
            for kw in node.keywords:
                if kw.arg == "type" and isinstance(kw.value, ast.Constant):
                    found.append((kw.value.lineno, str(kw.value.value)))
        if isinstance(node, ast.ClassDef) and any(
            "Error" in ast.unparse(b) or ast.unparse(b) in {"Unavailable", "Refused"}
            for b in node.bases
        ):
            for stmt in node.body:
                target = None
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                    target, value = stmt.targets[0], stmt.value
                elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                    target, value = stmt.target, stmt.value
                if (
                    isinstance(target, ast.Name)
                    and target.id == "type"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    found.append((value.lineno, value.value))
    return found


def test_the_scan_sees_the_sources() -> None:
    assert len(SOURCES) > 50
    used = {t for path in SOURCES for _, t in _error_types(ast.parse(path.read_text()))}
    # the scan must find the core's own vocabulary, or it is looking at nothing
    assert {"invalid_arguments", "unknown_tool", "timeout", "unavailable"} <= used


def test_the_scan_catches_an_unknown_type() -> None:
    code = 'raise ToolError("x", type="backend_down")\nclass E(ToolError):\n    type = "oops"\n'
    assert sorted(t for _, t in _error_types(ast.parse(code))) == ["backend_down", "oops"]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_error_type_is_known(path: Path) -> None:
    unknown = [
        f"{path.relative_to(ROOT)}:{line}: {t!r}"
        for line, t in _error_types(ast.parse(path.read_text()))
        if t not in toolhooks.ERROR_TYPES
    ]
    assert not unknown, "error types not in toolhooks.ERROR_TYPES: " + ", ".join(unknown)
