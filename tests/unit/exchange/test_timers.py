"""Timers: dead man's switch, funding, contract expiry; and market state changes."""

from __future__ import annotations

from decimal import Decimal as D

from support import Harness, kinds, only

from mock_exchange.engine import commands as c
from mock_exchange.engine.events import BalanceChanged, BalanceKind, FundingRateApplied
from mock_exchange.engine.reasons import Reject
from mock_exchange.engine.types import MarketState, TriggerSignal


def test_dead_man_switch_cancels_everything_when_not_renewed(mx: Harness) -> None:
    alice = mx.account("alice")
    mx.place(alice, "buy", "lmt", "1", 59000)
    mx.place(alice, "sell", "stp", "1", 58000, stop_price=58500)
    out = mx.ex.submit(c.ArmDeadManSwitch(alice, 60))
    assert out.deadline == mx.clock.now_ms() + 60_000
    assert mx.advance(59_999) == []
    mx.ex.submit(c.ArmDeadManSwitch(alice, 60))  # renewed: the clock starts again
    assert mx.advance(59_999) == []
    events = mx.advance(1)
    assert kinds(events) == ["OrderCancelled:dead_man_switch"] * 2
    assert all(e.time == mx.clock.now_ms() for e in events)
    assert mx.ex.next_deadline() != mx.clock.now_ms()


def test_dead_man_switch_disarmed_with_zero(mx: Harness) -> None:
    alice = mx.account("alice")
    mx.place(alice, "buy", "lmt", "1", 59000)
    mx.ex.submit(c.ArmDeadManSwitch(alice, 10))
    assert mx.ex.submit(c.ArmDeadManSwitch(alice, 0)).deadline is None
    assert mx.advance(3_600_000 - 1) == []
    assert len(mx.ex.orders) == 1


def test_commands_run_due_timers_first(mx: Harness) -> None:
    alice = mx.account("alice")
    oid = mx.place(alice, "buy", "lmt", "1", 59000).order_id
    mx.ex.submit(c.ArmDeadManSwitch(alice, 1))
    mx.clock.advance(5_000)
    assert oid is not None
    assert mx.cancel(alice, oid).reject is Reject.NOT_FOUND  # the switch fired first
    assert kinds(mx.events[-1:]) == ["OrderCancelled:dead_man_switch"]


def test_hourly_funding_moves_cash_from_longs_to_shorts(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    mx.place(bob, "sell", "lmt", "1", 60000)
    mx.place(alice, "buy", "lmt", "1", 60000)
    before = (mx.balance(alice), mx.balance(bob))
    mx.ex.submit(c.SetFundingRate("PF_XBTUSD", D("0.0001")))
    events = mx.advance(3_600_000)
    funding = [e for e in only(events, BalanceChanged) if e.kind is BalanceKind.FUNDING]
    assert [(e.account_id, e.delta) for e in funding] == sorted(
        [(alice, D("-6.0000")), (bob, D("6.0000"))])
    assert (mx.balance(alice), mx.balance(bob)) == (before[0] - 6, before[1] + 6)
    rates = only(events, FundingRateApplied)
    assert {r.symbol for r in rates} == {"PF_XBTUSD", "PF_ETHUSD", "PF_SOLUSD", "PI_XBTUSD"}


def test_funding_rate_from_premium_is_capped(mx: Harness) -> None:
    mx.prices(mark=60060, index=60000)
    assert mx.ex.markets["PF_XBTUSD"].relative_funding_rate() == D("0.000125")  # 0.1 % / 8
    mx.prices(mark=70000, index=60000)
    assert mx.ex.markets["PF_XBTUSD"].relative_funding_rate() == D("0.0025")


def test_contract_expiry_removes_orders_and_settles_at_mark(mx: Harness) -> None:
    ff = next(s for s in mx.ex.instruments if s.startswith("FF_"))
    alice, bob = mx.account("alice"), mx.account("bob")
    mx.place(bob, "sell", "lmt", "1", 60000, symbol=ff)
    mx.place(alice, "buy", "lmt", "1", 60000, symbol=ff)
    mx.place(alice, "buy", "lmt", "1", 59000, symbol=ff)
    mx.place(alice, "sell", "stp", "1", 50000, stop_price=51000, symbol=ff,
             trigger_signal=TriggerSignal.MARK)
    mx.prices(ff, mark=61000)
    last = mx.ex.instruments[ff].last_trading_ms
    assert last is not None
    mx.clock.set(last)
    events = [e for e in mx.ex.advance() if getattr(e, "symbol", ff) == ff]
    assert kinds(events)[:3] == ["OrderCancelled:contract_expired"] * 2 + ["ContractSettled"]
    assert mx.ex.accounts[alice].positions[ff].realised == D("1000")
    assert (mx.position(alice, ff), mx.position(bob, ff)) == (0, 0)
    assert mx.ex.markets[ff].state is MarketState.INACTIVE
    assert mx.place(alice, "buy", "lmt", "1", 59000, symbol=ff).reject is Reject.MARKET_INACTIVE


def test_market_states(mx: Harness) -> None:
    alice, bob = mx.account("alice"), mx.account("bob")
    mx.place(bob, "sell", "lmt", "1", 60000)
    mx.ex.submit(c.SetMarketState("PF_XBTUSD", MarketState.POST_ONLY))
    assert mx.place(alice, "buy", "lmt", "1", 60000).reject is Reject.MARKET_IS_POST_ONLY
    assert mx.place(alice, "buy", "mkt", "1").reject is Reject.MARKET_IS_POST_ONLY
    assert mx.place(alice, "buy", "lmt", "1", 59000).ok
    mx.ex.submit(c.SetMarketState("PF_XBTUSD", MarketState.SUSPENDED))
    assert mx.place(alice, "buy", "lmt", "1", 59000).reject is Reject.MARKET_SUSPENDED
    out = mx.ex.submit(c.SetMarketState("PF_XBTUSD", MarketState.INACTIVE))
    assert kinds(out.events) == ["OrderCancelled:market_inactive"] * 2 + ["MarketStateChanged"]
    assert mx.place(alice, "buy", "lmt", "1", 59000).reject is Reject.MARKET_INACTIVE
    mx.ex.submit(c.SetMarketState("PF_XBTUSD", MarketState.OPEN))
    assert mx.place(alice, "buy", "lmt", "1", 59000).ok
