"""The scenario library (scenarios/library/*.toml): every scenario passes on BOTH targets, the
in-process exchange and a real server over sockets, and both record the same order messages.

The over-the-wire runs start uvicorn on a free 127.0.0.1 port on a manual clock without makers
(what `kraken-mock serve --clock manual --no-makers` serves) and drive it through
`scenarios.wire.WireTarget`: signed REST, the admin API and one WebSocket per account.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from integration.server import running_server

import scenarios
from mock_exchange import config
from scenarios.model import Scenario
from scenarios.result import ScenarioResult
from scenarios.runner import Runner
from scenarios.setup import settings_for
from scenarios.target import OrderMessage
from scenarios.wire import WireTarget

LIBRARY = Path(scenarios.__file__).parent / "library"
FILES = sorted(LIBRARY.glob("*.toml"))

#: The open_orders reasons of Kraken's documentation (seed 000: the `reason` field's values).
SEED_REASONS = (
    "new_placed_order_by_user", "liquidation", "stop_order_triggered", "limit_order_from_stop",
    "partial_fill", "full_fill", "cancelled_by_user", "contract_expired", "not_enough_margin",
    "market_inactive", "cancelled_by_admin", "dead_man_switch",
    "ioc_order_failed_because_it_would_not_be_executed",
    "post_order_failed_because_it_would_filled", "would_execute_self",
    "would_not_reduce_position", "order_for_edit_not_found",
)  # fmt: skip
REHEARSALS = ("quiet_range", "trend", "flash_crash", "thin_book", "funding_spike",
              "contract_expiry")  # fmt: skip


@contextlib.contextmanager
def served(scenario: Scenario) -> Iterator[str]:
    """A real server on a manual clock without makers or accounts, yields its base URL: the
    default catalogue (what `kraken-mock serve --clock manual --no-makers` lists) unless the
    scenario changes an instrument (the expiry scenarios), then the scenario's market."""
    settings = config.Settings(clock="manual", makers=False, accounts=(), seed=0)
    if any(spec.overrides for spec in scenario.instruments):
        settings = replace(settings_for(scenario), accounts=(), seed=0)
    app, _ = config.build(settings)
    with running_server(app) as base:
        yield base


def run_over_the_wire(scenario: Scenario) -> ScenarioResult:
    with served(scenario) as base:
        target = WireTarget(scenario, base)
        try:
            return Runner(scenario, target).run()
        finally:
            target.close()


def shape(messages: tuple[OrderMessage, ...]) -> list[tuple[object, ...]]:
    """Messages without exchange ids (the two targets draw different ids): order ids become
    their rank of first appearance."""
    rank: dict[str | None, int] = {}
    out = []
    for m in messages:
        order = rank.setdefault(m.order_id, len(rank))
        out.append((m.time, m.feed, m.reason, order, m.cli_ord_id, m.is_cancel, m.qty, m.filled))
    return out


def test_the_library_has_one_scenario_per_seed_reason_and_the_rehearsal_markets() -> None:
    asserted: dict[str, list[str]] = {}
    for path in FILES:
        for exp in scenarios.load(path).expectations:
            if exp.kind == "reason" and not exp.absent and exp.reason is not None:
                asserted.setdefault(exp.reason, []).append(path.stem)
    missing = [r for r in SEED_REASONS if r not in asserted]
    assert missing == []
    stems = {p.stem for p in FILES}
    assert {f"reason_{r}" for r in SEED_REASONS} - stems == {
        "reason_ioc_order_failed_because_it_would_not_be_executed",
        "reason_post_order_failed_because_it_would_filled",
    }  # the two longest names are shortened
    assert {"reason_ioc_order_failed", "reason_post_order_failed"} <= stems
    assert set(REHEARSALS) <= stems
    for reason in SEED_REASONS:  # the reason scenario of each reason asserts that reason
        stem = {"ioc_order_failed_because_it_would_not_be_executed": "reason_ioc_order_failed",
                "post_order_failed_because_it_would_filled": "reason_post_order_failed",
                }.get(reason, f"reason_{reason}")  # fmt: skip
        assert stem in asserted[reason], reason


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_library_scenario_passes_in_process_and_over_the_wire(path: Path) -> None:
    scenario = scenarios.load(path)
    local = scenarios.run_in_process(scenario)
    assert local.passed, local.report()
    assert local.checks, "a library scenario asserts something"
    wire = run_over_the_wire(scenario)
    assert wire.passed, wire.report()
    assert [c.passed for c in wire.checks] == [c.passed for c in local.checks]
    for name in local.messages:
        assert shape(wire.messages[name]) == shape(local.messages[name]), name
    for mine, theirs in zip(local.accounts, wire.accounts, strict=True):
        assert (theirs.name, theirs.orders_sent, theirs.orders_accepted, theirs.fills,
                theirs.volume) == (mine.name, mine.orders_sent, mine.orders_accepted,
                                   mine.fills, mine.volume)  # fmt: skip
        assert {s: p.size for s, p in theirs.positions.items()} == {
            s: p.size for s, p in mine.positions.items()
        }
        assert abs(theirs.pnl - mine.pnl) < 1, (name, theirs.pnl, mine.pnl)


def test_a_library_scenario_is_deterministic_for_a_seed() -> None:
    scenario = scenarios.load(LIBRARY / "quiet_range.toml")
    first, again = scenarios.run_in_process(scenario), scenarios.run_in_process(scenario)
    assert first.log == again.log
    other = scenarios.run_in_process(scenario, seed=12)
    assert other.log != first.log
