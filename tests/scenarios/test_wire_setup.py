"""What the over-the-wire target (`scenarios.wire.WireTarget`) refuses before it runs, against
real servers on free ports: a server that cannot give the scenario its starting market (makers,
a scenario of its own, a previous run's orders, market states, funding overrides or a manual
clock past the start) is a `WireSetupError` saying what to do, and changes nothing; `reset=True`
calls POST /__admin/reset first, so a second run on the same server passes. A real clock runs
at 1x only."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from integration.server import running_server

import scenarios
from client import FuturesClient
from client.admin import AdminClient
from mock_exchange import config
from scenarios.model import Scenario
from scenarios.runner import Runner
from scenarios.setup import settings_for
from scenarios.wire import WireSetupError, WireTarget, iso_ms

D = Decimal
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z, the default start of servers and scenarios
LEFTOVERS = ("(a previous run's leftovers: run with --reset to call POST /__admin/reset first, "
             "which discards the orders and the accounts opened since the server started, or "
             "restart it)")  # fmt: skip
RESTING_BID = ('[[actions]]\nkind = "place"\nat = "1s"\naccount = "alice"\nlabel = "bid"\n'
               'symbol = "PF_XBTUSD"\nside = "buy"\ntype = "lmt"\nsize = "0.1"\nprice = 59000\n'
               '[[expect]]\nkind = "order"\norder = "bid"\nstate = "open"\n'
               '[[expect]]\nkind = "reason"\naccount = "alice"\norder = "bid"\n'
               'reason = "new_placed_order_by_user"\n')  # fmt: skip


@contextlib.contextmanager
def serving(scenario: Scenario, **changes: object) -> Iterator[str]:
    """A real server listing the scenario's market, no accounts, with `changes` to its settings;
    yields its base URL."""
    settings = replace(settings_for(scenario), accounts=(), seed=0, **changes)  # type: ignore[arg-type]
    app, _ = config.build(settings)
    with running_server(app) as base:
        yield base


def run_once(scenario: Scenario, base: str, **options: object) -> scenarios.ScenarioResult:
    target = WireTarget(scenario, base, **options)  # type: ignore[arg-type]
    try:
        return Runner(scenario, target).run()
    finally:
        target.close()


def refusal(scenario: Scenario, base: str, **options: object) -> str:
    with pytest.raises(WireSetupError) as refused:
        WireTarget(scenario, base, **options)  # type: ignore[arg-type]
    return str(refused.value)


def test_a_second_run_on_the_same_server_is_refused_and_runs_with_reset(
    scenario: Callable[..., Scenario],
) -> None:
    bid = scenario(RESTING_BID, duration="1m")
    with serving(bid) as base:
        first = run_once(bid, base)
        assert first.passed, first.report()
        before = AdminClient(base).state()
        assert refusal(bid, base) == (
            f"{base} cannot give the scenario its starting market: 1 open order(s) on "
            "PF_XBTUSD; its manual clock is at 2026-01-01T00:01:00.000Z, after the scenario's "
            f"start 2026-01-01T00:00:00.000Z {LEFTOVERS}"
        )
        assert AdminClient(base).state().raw == before.raw  # the refusal changed nothing
        again = run_once(bid, base, reset=True)
        assert again.passed, again.report()
        ids = (first.acks["bid"].order_id or "?", again.acks["bid"].order_id or "?")
        assert list(again.log) == [line.replace(*ids) for line in first.log]
        after = AdminClient(base).state()
    assert [o.account_id for o in after.orders] == [after.account_named("alice").account_id]
    assert after.clock.now_ms == T0 + 60_000


def test_makers_a_suspended_market_and_a_funding_override_are_refused(
    scenario: Callable[..., Scenario],
) -> None:
    bid = scenario(RESTING_BID, duration="1m")
    with serving(bid, makers=True) as base:
        assert len(AdminClient(base).state().orders) > 0  # the makers quote: not counted
        expected = (f"{base} cannot give the scenario its starting market: its built-in makers "
                    "are on (restart it with --no-makers)")  # fmt: skip
        assert refusal(bid, base) == expected
        assert refusal(bid, base, reset=True) == expected  # a reset brings the makers back
    with serving(bid) as base:
        admin = AdminClient(base)
        admin.set_market_state("PF_XBTUSD", "suspended")
        admin.set_funding_rate("PF_XBTUSD", D("0.001"))
        assert refusal(bid, base) == (
            f"{base} cannot give the scenario its starting market: PF_XBTUSD is suspended; "
            f"PF_XBTUSD has a funding rate override (0.001) {LEFTOVERS}"
        )
        result = run_once(bid, base, reset=True)
    assert result.passed, result.report()


def test_a_server_playing_its_own_scenario_is_refused() -> None:
    quiet = scenarios.load("quiet_range")
    app, info = scenarios.live_app(quiet)
    try:
        with running_server(app) as base:
            assert refusal(quiet, base) == (
                f"{base} cannot give the scenario its starting market: it plays the scenario "
                "'quiet range' itself (serve it without --scenario); 6 open order(s) on "
                f"PF_XBTUSD {LEFTOVERS}"
            )
    finally:
        info.stop()


def test_a_configured_start_after_the_scenario_start_is_refused_even_after_a_reset(
    write: Callable[..., Path],
) -> None:
    early = scenarios.load(write('[scenario]\nduration = "10s"\n'
                                 '[instruments.PF_XBTUSD]\nprice = 60000\n'))  # fmt: skip
    with serving(early, start_ms=T0 + 3_600_000) as base:
        ahead = ("its manual clock is at 2026-01-01T01:00:00.000Z, after the scenario's start "
                 "2026-01-01T00:00:00.000Z")  # fmt: skip
        assert refusal(early, base) == (
            f"{base} cannot give the scenario its starting market: {ahead} {LEFTOVERS}"
        )
        assert refusal(early, base, reset=True) == (
            f"{base} cannot give the scenario its starting market: {ahead} (its configured "
            "start; restart it with start = 2026-01-01T00:00:00.000Z or earlier: docs/cli.md)"
        )


def test_a_real_clock_runs_at_1x_and_refuses_any_other_speed(
    scenario: Callable[..., Scenario],
) -> None:
    body = RESTING_BID.replace('at = "1s"', 'at = "300ms"')
    quick = scenario(body, duration="1s")
    with serving(quick, clock="real") as base:
        admin = AdminClient(base)
        with FuturesClient(base_url=base) as public:
            assert public.get_tickers()  # the server answers before the refusals
        for speed in (D(8), D("0.5")):
            assert refusal(quick, base, speed=speed, reset=True) == (
                f"{base} runs a real clock, which cannot go {speed}x: its dead man's switch, "
                "expiry and funding timers and the times it stamps would keep wall time while "
                "the scenario ran faster. Run without --speed (1x), or against a server "
                "started with --clock manual, which any --speed paces"
            )
        started = admin.clock().now_ms
        result = run_once(quick, base, speed=D(1))
        elapsed = admin.clock().now_ms - started
    assert result.passed, result.report()
    assert elapsed >= 1_000  # one simulated second took one second of the server's clock


def test_iso_ms() -> None:
    assert iso_ms(T0) == "2026-01-01T00:00:00.000Z"
    assert iso_ms(T0 + 3_723_045) == "2026-01-01T01:02:03.045Z"
    assert iso_ms(0) == "1970-01-01T00:00:00.000Z"
