"""Shared fixtures for the core and end-to-end tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests never see the developer's TOOLHOOKS_* variables."""
    for name in list(os.environ):
        if name.startswith("TOOLHOOKS_"):
            monkeypatch.delenv(name)
