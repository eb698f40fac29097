"""`@pytest.mark.kraken_scenario`: the test's exchange is a library scenario served live on a
manual clock; its accounts are ready, its actors move only when the test advances the clock,
and its result is there once the clock passed the scenario's duration. (Skipped in external
mode: a scenario needs an in-process exchange.)"""

from __future__ import annotations

from decimal import Decimal

import pytest

from mock_exchange.testing import KrakenExchange

HOUR = 3_600_000


@pytest.mark.kraken_scenario("quiet_range", seed=7)
def test_a_library_scenario_runs_when_the_clock_moves(kraken_exchange: KrakenExchange) -> None:
    ex = kraken_exchange
    live = ex.scenario
    assert live is not None and live.scenario.name == "quiet range" and ex.seed == 7
    assert {"me", "mm", "noise"} <= set(ex.accounts)
    state = ex.state()
    assert state.server == {"seed": 7, "clock": "manual", "makers": False,
                            "scenario": "quiet range"}  # fmt: skip
    assert state.account_named("me").wallets["flex"] == {"USD": Decimal(100_000)}
    book = state.markets["PF_XBTUSD"]
    assert book.bids and book.asks and book.bids[0][0] < book.asks[0][0]  # the maker quotes
    assert not live.finished and live.result is None
    ex.advance(HOUR // 2)
    assert not live.finished
    ex.advance(HOUR // 2)
    assert live.finished and live.result is not None and live.result.passed


@pytest.mark.kraken_scenario("quiet_range")
def test_the_scenario_seed_is_the_default(kraken_exchange: KrakenExchange) -> None:
    assert kraken_exchange.seed == 11  # quiet_range.toml: seed = 11
    assert kraken_exchange.state().server["seed"] == 11
