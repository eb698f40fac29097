"""Fixtures for the scenario tests: write a scenario file into a fresh folder and load it, or
read what it is refused with."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import scenarios
from scenarios.fields import ScenarioError
from scenarios.model import Scenario
from tests.scenarios.scenario_text import MARKET

#: A market most tests start from: one perpetual at 60000, one trader with 100,000 USD.
BASE = "\n" + MARKET


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


@pytest.fixture
def refusal(write: Callable[[str, str], Path]) -> Callable[[str], str]:
    """refusal(text) -> the message loading `text` (written as bad.toml) is refused with, less the
    `<path>:` it must start with; the test fails when the file loads."""

    def _refusal(text: str) -> str:
        path = write(text, "bad.toml")
        with pytest.raises(ScenarioError) as caught:
            scenarios.load(path)
        message = str(caught.value)
        assert message.startswith(f"{path}:"), message
        return message.removeprefix(f"{path}:")

    return _refusal
