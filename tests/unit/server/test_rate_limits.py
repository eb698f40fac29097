"""Kraken's cost-based limit (500 units per 10 s per key), switched on by settings."""

from __future__ import annotations

from typing import Any

from support import served_account

from mock_exchange.engine.clock import ManualClock
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.exchange import Exchange
from mock_exchange.server.app import create_app
from mock_exchange.server.limits import RateLimiter
from mock_exchange.server.state import ServerSettings


def test_limiter_budget_and_window() -> None:
    now = [0]
    limiter = RateLimiter(lambda: now[0])
    assert all(limiter.spend("k", 10) for _ in range(50))
    assert not limiter.spend("k", 10)  # 500 spent: the 51st call is refused
    assert limiter.spend("other", 10)  # budgets are per key
    now[0] = 9_999
    assert not limiter.spend("k", 1)
    now[0] = 10_000
    assert limiter.spend("k", 10)  # the first calls left the 10-second window


def test_sendorder_over_budget_is_api_limit_exceeded_and_changes_nothing() -> None:
    clock = ManualClock()
    app: Any = create_app(Exchange(clock, IdGenerator(0)), ServerSettings(rate_limits=True))
    alice = served_account(app)
    params = {"orderType": "lmt", "symbol": "PF_XBTUSD", "side": "buy", "size": "0.01",
              "limitPrice": "50000"}
    for _ in range(50):
        assert alice.post("sendorder", **params)["result"] == "success"  # type: ignore[index]
    refused = alice.post("sendorder", **params)
    assert refused["error"] == "apiLimitExceeded"  # type: ignore[index]
    assert alice.last_status == 200
    assert len(app.state.mx.exchange.orders) == 50
    clock.advance(10_000)
    assert alice.post("sendorder", **params)["result"] == "success"  # type: ignore[index]


def test_limits_are_off_by_default() -> None:
    app: Any = create_app()
    alice = served_account(app)
    for _ in range(60):
        out = alice.post("cancelallorders")
        assert out["result"] == "success"  # type: ignore[index]
