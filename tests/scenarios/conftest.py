"""Fixtures for the scenario tests: write a scenario file into a fresh folder and load it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import scenarios
from scenarios.model import Scenario

#: A market most tests start from: one perpetual at 60000, one trader with 100,000 USD.
BASE = """
[scenario]
duration = "{duration}"

[instruments.PF_XBTUSD]
price = 60000

[[accounts]]
name = "alice"
balances = {{ USD = 100000 }}
"""


@pytest.fixture
def write(tmp_path: Path) -> Callable[[str, str], Path]:
    """write(text, name="s.toml") -> the path of a new scenario file holding `text`."""

    def _write(text: str, name: str = "s.toml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return _write


@pytest.fixture
def scenario(write: Callable[[str, str], Path]) -> Callable[..., Scenario]:
    """scenario(body, duration="10m") -> BASE + body, written and loaded."""

    def _load(body: str = "", duration: str = "10m") -> Scenario:
        return scenarios.load(write(BASE.format(duration=duration) + body, "s.toml"))

    return _load
