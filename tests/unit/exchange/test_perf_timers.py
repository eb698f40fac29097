"""`next_deadline`, checked before every command, reads the exchange's dated markets and
perpetual flag (fixed at construction); it must answer exactly what scanning every market and
timer answers."""

from __future__ import annotations

from decimal import Decimal as D

from support import Harness

from mock_exchange.engine import commands as c
from mock_exchange.engine.clock import ManualClock
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.engine.types import MarketState
from mock_exchange.exchange import Exchange


def _scan(ex: Exchange) -> int | None:
    """The deadline found the slow way: every timer of every kind, every market."""
    times = list(ex.armed.values())
    times += [
        m.instrument.last_trading_ms
        for m in ex.markets.values()
        if m.instrument.last_trading_ms is not None and m.state is not MarketState.INACTIVE
    ]
    if any(m.instrument.kind.perpetual for m in ex.markets.values()):
        times.append(ex.next_funding)
    times += [r.expiry for r in ex.rfqs.open.values()]
    return min(times) if times else None


def _dated(ex: Exchange) -> list[str]:
    """The dated markets, nearest expiry first."""
    expiring = {s: m.instrument.last_trading_ms for s, m in ex.markets.items()}
    return sorted((s for s, t in expiring.items() if t is not None), key=lambda s: expiring[s] or 0)


def test_deadline_follows_switches_expiries_and_market_states(mx: Harness) -> None:
    ex = mx.ex
    dated = _dated(ex)
    assert dated and any(m.instrument.kind.perpetual for m in ex.markets.values())
    assert ex.next_deadline() == _scan(ex) == ex.next_funding
    alice, bob = mx.account("alice"), mx.account("bob")
    ex.submit(c.ArmDeadManSwitch(alice, 120))
    ex.submit(c.ArmDeadManSwitch(bob, 60))
    assert ex.next_deadline() == _scan(ex) == mx.clock.now_ms() + 60_000
    ex.submit(c.ArmDeadManSwitch(bob, 0))
    assert ex.next_deadline() == _scan(ex) == mx.clock.now_ms() + 120_000
    ex.submit(c.ArmDeadManSwitch(alice, 0))
    assert ex.next_deadline() == _scan(ex)
    for symbol in dated:  # switch the dated markets off one by one, nearest expiry first
        ex.submit(c.SetMarketState(symbol, MarketState.INACTIVE))
        assert ex.next_deadline() == _scan(ex)
    assert ex.next_deadline() == ex.next_funding
    ex.submit(c.SetMarketState(dated[0], MarketState.OPEN))
    expected = ex.markets[dated[0]].instrument.last_trading_ms
    assert ex.next_deadline() == _scan(ex) == min(expected or 0, ex.next_funding)


def test_deadline_after_a_funding_and_on_an_exchange_without_perpetuals() -> None:
    mx = Harness()
    due = mx.ex.next_deadline()
    assert due is not None
    mx.clock.advance(due - mx.clock.now_ms())
    mx.ex.advance()
    assert mx.ex.next_deadline() == _scan(mx.ex) == due + 3_600_000
    dated_only = [i for i in mx.ex.instruments.values() if not i.kind.perpetual]
    ex = Exchange(ManualClock(), IdGenerator(1), dated_only, {"XBT": D(60_000)})
    assert ex.next_deadline() == _scan(ex) == min(
        i.last_trading_ms for i in dated_only if i.last_trading_ms is not None
    )
    empty = Exchange(ManualClock(), IdGenerator(1), [], {})
    assert empty.next_deadline() is None and _scan(empty) is None
