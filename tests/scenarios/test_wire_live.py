"""`scenarios.live.live_app`: a served exchange set up and driven by a scenario, reached over real
sockets with our client. On a manual clock each `POST /__admin/clock` lets the scenario catch up
before it answers (deterministic); on a real clock the scenario runs by itself; an admin reset
starts the scenario again with the same accounts and keys."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from integration.server import running_server

import scenarios
from client import FuturesClient
from client.admin import AdminClient, AdminConflictError
from scenarios.live import LiveInfo, live_app
from scenarios.model import Scenario

D = Decimal
LIBRARY = Path(scenarios.__file__).parent / "library"


def quiet() -> Scenario:
    return scenarios.load(LIBRARY / "quiet_range.toml")


def client_of(info: LiveInfo, name: str, base: str) -> FuturesClient:
    keys = info.accounts[name]
    return FuturesClient(keys.api_key, keys.api_secret, base_url=base)


def test_the_live_app_serves_the_scenario_accounts_prices_and_actors() -> None:
    market = quiet()  # without `reason` expectations, so no account's messages are all kept
    unwatched = replace(market, expectations=tuple(
        e for e in market.expectations if e.kind != "reason"))  # fmt: skip
    app, info = live_app(unwatched)
    assert (info.seed, info.clock, sorted(info.accounts)) == (11, "manual", ["me", "mm", "noise"])
    with running_server(app) as base, client_of(info, "me", base) as me:
        flex = me.get_accounts().flex
        assert flex is not None and flex.currencies["USD"].quantity == D(100000)
        ticker = me.get_ticker("PF_XBTUSD")
        assert (ticker.mark_price, ticker.index_price) == (D(60000), D(59995))
        book = me.get_order_book("PF_XBTUSD")  # the maker quoted at t = 0: 3 levels a side
        assert [p for p, _ in book.bids] == [D(59982), D(59958), D(59934)]
        assert [p for p, _ in book.asks] == [D(60018), D(60042), D(60066)]
        assert me.get_open_orders() == []  # "me" acts at 1s
        admin = AdminClient(base)
        admin.advance_clock(1_000)
        assert sorted(o.limit_price for o in me.get_open_orders()) == [D(57000), D(63000)]
        assert not info.finished and info.result is None
        admin.advance_clock(3_600_000)
        assert info.finished and info.error is None
        assert info.result is not None and info.result.passed, info.result.report()
    # A long-running server keeps only the latest messages of accounts no `reason`
    # expectation reads (in-process the maker gets 2934 over the hour).
    kept = info.result.messages
    assert 1_000 <= len(kept["mm"]) <= 1_000 + 24 and len(kept["me"]) == 4
    info.stop()  # the runner has ended already: stopping is harmless


def test_stop_ends_the_runner_thread_and_leaves_the_exchange() -> None:
    app, info = live_app(quiet())
    info.stop()
    assert info.finished and info.result is None and info.error is None
    with running_server(app) as base:
        admin = AdminClient(base)
        admin.advance_clock(60_000)  # nothing plays any more: the maker's t = 0 quotes stay
        assert len(admin.state().orders) == 6


def test_a_manual_clock_live_app_is_deterministic_for_a_seed() -> None:
    dumps = []
    for _ in range(2):
        app, info = live_app(quiet(), seed=4)
        with running_server(app) as base:
            admin = AdminClient(base)
            for step in (1_000, 59_000, 600_000):
                admin.advance_clock(step)
            dumps.append(admin.state().raw)
        info.stop()
    assert dumps[0] == dumps[1]
    assert dumps[0]["server"] == {"seed": 4, "clock": "manual", "makers": False,
                                  "scenario": "quiet range"}  # fmt: skip


def test_an_admin_reset_starts_the_scenario_again_with_the_same_keys() -> None:
    app, info = live_app(quiet())
    with running_server(app) as base, client_of(info, "me", base) as me:
        admin = AdminClient(base)
        admin.advance_clock(120_000)
        assert len(me.get_open_orders()) == 2
        reset = admin.reset()
        assert {a.name: (a.account_id, a.api_key) for a in reset.accounts} == {
            n: (a.account_id, a.api_key) for n, a in info.accounts.items()
        }
        assert reset.now_ms == quiet().start_ms
        assert me.get_open_orders() == []  # the new run has not reached 1s yet
        admin.advance_clock(1_000)
        assert len(me.get_open_orders()) == 2  # the same keys work on the new exchange
    info.stop()


def test_a_real_clock_live_app_runs_the_scenario_by_itself(
    scenario: Callable[..., Scenario],
) -> None:
    body = ('[[actions]]\nkind = "place"\nat = "200ms"\naccount = "alice"\nlabel = "bid"\n'
            'symbol = "PF_XBTUSD"\nside = "buy"\ntype = "lmt"\nsize = "0.1"\nprice = 59000\n'
            '[[expect]]\nkind = "reason"\naccount = "alice"\norder = "bid"\n'
            'reason = "new_placed_order_by_user"\n')  # fmt: skip
    short = scenario(body, duration="600ms")
    finished: list[bool] = []
    app, info = live_app(short, clock="real", on_finish=lambda r: finished.append(r.passed))
    with running_server(app) as base, client_of(info, "alice", base) as alice:
        deadline = time.monotonic() + 20
        while not info.finished and time.monotonic() < deadline:
            time.sleep(0.05)
        assert info.finished and info.error is None
        assert [o.limit_price for o in alice.get_open_orders()] == [D(59000)]
        with pytest.raises(AdminConflictError, match="the clock is real"):
            AdminClient(base).advance_clock(1_000)  # a real clock cannot be moved
    assert finished == [True]
    assert info.result is not None and info.result.passed, info.result.report()


def test_live_app_refuses_an_unknown_clock() -> None:
    with pytest.raises(ValueError, match="clock must be one of manual, real, got 'fast'"):
        live_app(quiet(), clock="fast")
