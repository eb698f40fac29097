"""Market makers: quotes on the grids around the mark, determinism, no self-trade, no
liquidation, inventory limits; and the ticker that drives them on a real clock."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from support import Harness

from mock_exchange import ticker
from mock_exchange.config import Settings, build
from mock_exchange.engine import commands as c
from mock_exchange.engine.events import AccountLiquidated, Event, Trade
from mock_exchange.engine.types import MarketState, Side
from mock_exchange.makers import Makers, MakerSettings

D = Decimal


def _open(seed: int = 1, **settings: object) -> tuple[Harness, Makers]:
    mx = Harness()
    makers = Makers.open(mx.ex, seed, MakerSettings(**settings))  # type: ignore[arg-type]
    return mx, makers


def _run(mx: Harness, makers: Makers, steps: int) -> None:
    for _ in range(steps):
        mx.clock.advance(makers.settings.interval_ms)
        mx.ex.advance()
        makers.catch_up(mx.clock.now_ms(), 1)


def _check_books(mx: Harness, makers: Makers) -> None:
    for symbol, market in mx.ex.markets.items():
        inst, book = market.instrument, market.book
        bids, asks = book.depth(Side.BUY), book.depth(Side.SELL)
        if market.state is MarketState.INACTIVE:
            assert (bids, asks) == ([], [])
            continue
        assert len(bids) == len(asks) == makers.settings.levels, symbol
        assert inst.price(bids[0][0]) < market.mark < inst.price(asks[0][0])
        for order in mx.ex.accounts[makers.accounts[symbol]].orders.values():
            assert inst.to_ticks(inst.price(order.price or 0)) == order.price
            assert inst.to_lots(inst.size(order.qty)) == order.qty


def test_one_funded_maker_per_instrument_quoting_both_sides() -> None:
    mx, makers = _open()
    assert sorted(makers.accounts) == sorted(mx.ex.markets)
    for symbol, account_id in makers.accounts.items():
        acct = mx.ex.accounts[account_id]
        assert acct.name == f"maker:{symbol}"
        assert acct.wallets["flex"].balance("USD") == D(10) ** 12
    pi = mx.ex.accounts[makers.accounts["PI_XBTUSD"]]
    assert pi.wallets["fi_xbtusd"].balance("XBT") == D(10) ** 6
    _check_books(mx, makers)
    bids, asks = mx.book("PF_XBTUSD")
    assert bids[:2] == [(D(59970), D("0.4166")), (D(59940), D("0.8332"))]
    assert asks[:2] == [(D(60030), D("0.4166")), (D(60060), D("0.8332"))]


def test_prices_walk_and_quotes_follow() -> None:
    mx, makers = _open()
    marks = {mx.ex.markets["PF_XBTUSD"].mark}
    for _ in range(30):
        _run(mx, makers, 1)
        _check_books(mx, makers)
        marks.add(mx.ex.markets["PF_XBTUSD"].mark)
        market = mx.ex.markets["PF_XBTUSD"]
        assert abs(market.index / market.mark - 1) < D("0.001")
    assert len(marks) > 10
    assert mx.ex.markets["PI_XBTUSD"].mark != 60000


def test_same_seed_same_events_different_seed_different_walk() -> None:
    def events(seed: int) -> list[Event]:
        mx, makers = _open(seed)
        _run(mx, makers, 50)
        return mx.events

    assert events(4) == events(4)
    assert events(4) != events(5)


def test_makers_trade_with_users_never_with_themselves_and_survive() -> None:
    mx, makers = _open()
    whale = mx.account("whale", usd=10_000_000)
    for i in range(40):
        side = "buy" if i % 4 < 2 else "sell"
        mx.place(whale, side, "mkt", "2")
        mx.place(whale, side, "mkt", "0.5", symbol="PF_ETHUSD")
        _run(mx, makers, 1)
    trades = [e for e in mx.events if isinstance(e, Trade)]
    assert trades and all(t.maker.account_id != t.taker.account_id for t in trades)
    for mark in ("90000", "30000"):
        mx.prices("PF_XBTUSD", mark=mark, index=mark)
        _run(mx, makers, 3)
    assert not any(isinstance(e, AccountLiquidated) for e in mx.events)
    _check_books(mx, makers)


def test_inventory_budget_stops_one_side() -> None:
    mx, makers = _open()
    market = next(m for s, m in mx.ex.markets.items() if s.startswith("FF_"))  # smallest limit
    budget = market.instrument.max_position_size * makers.settings.inventory
    long = makers.ladder(market, budget)
    short = makers.ladder(market, -budget)
    assert {side for side, _ in long} == {Side.SELL}
    assert {side for side, _ in short} == {Side.BUY}
    total = sum(lots for _, lots in makers.ladder(market, D(0)).items()) // 2
    assert market.instrument.size(total) <= budget


def test_admin_price_reanchors_and_inactive_markets_are_left_alone() -> None:
    mx, makers = _open()
    mx.prices("PF_ETHUSD", mark="4000")
    makers.reanchor("PF_ETHUSD")
    bids, asks = mx.book("PF_ETHUSD")
    assert bids[0][0] < 4000 < asks[0][0] and asks[0][0] - bids[0][0] < 10
    mx.ex.submit(c.SetMarketState("PF_SOLUSD", MarketState.INACTIVE))
    _run(mx, makers, 3)
    assert mx.book("PF_SOLUSD") == ([], [])
    assert mx.ex.markets["PF_SOLUSD"].mark == 150
    _check_books(mx, makers)
    assert abs(mx.ex.markets["PF_ETHUSD"].mark / 4000 - 1) < D("0.01")


def test_catch_up_is_capped() -> None:
    mx, makers = _open(interval_ms=1000)
    mx.clock.advance(1_000_000)
    mx.ex.advance()
    assert makers.catch_up(mx.clock.now_ms(), 100) == 100
    assert mx.clock.now_ms() < makers.next_step_ms <= mx.clock.now_ms() + 1000
    assert makers.catch_up(mx.clock.now_ms(), 100) == 0


def test_ticker_round_on_a_manual_clock() -> None:
    app, _ = build(Settings(seed=2, clock="manual", maker_interval_ms=500))
    state = app.state.mx
    clock = state.exchange.clock
    assert ticker.tick(state) == 250
    seq = state.exchange.seq
    clock.advance(3_600_000)  # past the funding time and many maker steps
    assert ticker.tick(state) >= 1
    assert state.exchange.markets["PF_XBTUSD"].funding_history  # advance() ran
    makers = ticker.makers_of(state)
    assert makers is not None and makers.next_step_ms > clock.now_ms()
    assert state.exchange.seq > seq


def test_ticker_runs_makers_on_a_real_clock() -> None:
    app, _ = build(Settings(seed=2, maker_interval_ms=20))
    state = app.state.mx

    async def briefly() -> None:
        task = asyncio.create_task(ticker.run(state))
        await asyncio.sleep(0.3)
        task.cancel()

    seq = state.exchange.seq
    asyncio.run(briefly())
    assert state.exchange.seq > seq
