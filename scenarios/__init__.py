"""Scripted markets for rehearsal and CI: a TOML scenario format (instruments, accounts, price
paths, actors, incidents, scripted actions, expectations), a runner over the `Target` protocol,
and the in-process target on a manual clock. See docs/scenarios.md.

    scenario = scenarios.load("flash_crash.toml")
    result = scenarios.run_in_process(scenario, seed=7)
    assert result.passed, result.report()
"""

from __future__ import annotations

from typing import Any

from .fields import ScenarioError
from .inprocess import InProcessTarget
from .loader import load, loads
from .model import Scenario
from .result import AccountSummary, ScenarioResult
from .runner import Progress, Runner
from .target import Target


def run_in_process(
    scenario: Scenario, seed: int | None = None, progress: Progress | None = None
) -> ScenarioResult:
    """Run `scenario` on a fresh in-process exchange (manual clock); same seed, same result."""
    target = InProcessTarget(scenario, seed)
    try:
        return Runner(scenario, target, seed, progress).run()
    finally:
        target.close()


def __getattr__(name: str) -> Any:
    """`live_app` / `LiveInfo` (scenarios/live.py, the server side) load only when asked for,
    so reading and running scenarios does not import the web stack."""
    if name in ("live_app", "LiveInfo"):
        from . import live

        return getattr(live, name)
    raise AttributeError(f"module 'scenarios' has no attribute {name!r}")


__all__ = [
    "AccountSummary",
    "InProcessTarget",
    "LiveInfo",
    "Progress",
    "Runner",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "Target",
    "live_app",
    "load",
    "loads",
    "run_in_process",
]
