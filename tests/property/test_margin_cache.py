"""The margin cache never changes an answer: cached exposures and summaries equal fresh ones.

`MarginModel` reuses the exposure it last computed for an (account, symbol) while its inputs
(position size and entry, resting lots, mark, instrument) are the very same objects. Random
command sequences (limit, post-only, IOC and market orders, stops, edits, cancels, cancel-all,
price moves, funding, deposits) run on two exchanges built alike: one as shipped, one whose
model recomputes every exposure from scratch, both from the same opening positions. After
every step:

- every account's summary of every wallet, and every symbol's exposure, equals the freshly
  computed one exactly (value and Decimal representation);
- both exchanges emitted the same events and answered with the same refusals, so no risk
  check decided differently because of the cache.

The opening gives a thin account a leveraged short, so price moves liquidate it and large
orders are refused for funds; trades, refusals and liquidations all occur in the examples.
"""

from __future__ import annotations

from dataclasses import astuple
from decimal import Decimal as D
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from mock_exchange.accounts.margin import Exposure, MarginModel, MarginSummary
from mock_exchange.engine import commands as c
from mock_exchange.engine.clock import ManualClock
from mock_exchange.engine.events import BalanceKind, Event
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.engine.types import OrderType, Side
from mock_exchange.exchange import Exchange

SYMBOLS = ["PF_XBTUSD", "PF_XBTUSD", "PI_XBTUSD", "PF_ETHUSD"]
BASE = {"PF_XBTUSD": 60_000, "PI_XBTUSD": 60_000, "PF_ETHUSD": 3_000}
WALLETS = ("flex", "fi_xbtusd")

order_step = st.tuples(
    st.just("order"),
    st.integers(0, 2),  # account
    st.sampled_from(SYMBOLS),
    st.sampled_from([Side.BUY, Side.SELL]),
    st.sampled_from([OrderType.LMT] * 4 + [OrderType.POST, OrderType.IOC, OrderType.MKT,
                                           OrderType.STP]),
    st.one_of(st.integers(1, 40), st.sampled_from([400, 4_000])),  # size in lots
    st.one_of(st.sampled_from([-25, 25]), st.integers(-30, 30)),  # price offset, 0.1 % of mark
    st.sampled_from([False, False, False, True]),  # reduce-only
)
edit_step = st.tuples(st.just("edit"), st.integers(0, 2), st.integers(0, 50),
                      st.integers(1, 40), st.integers(-30, 30))
cancel_step = st.tuples(st.just("cancel"), st.integers(0, 2), st.integers(0, 50))
cancel_all_step = st.tuples(st.just("cancel_all"), st.integers(0, 2))
price_step = st.tuples(  # mark moves in 0.1 %
    st.just("prices"), st.sampled_from(SYMBOLS),
    st.one_of(st.sampled_from([-150, 150, -300, 300]), st.integers(-400, 400)),
)
time_step = st.tuples(st.just("time"), st.integers(1, 7_200_000))
deposit_step = st.tuples(st.just("deposit"), st.integers(0, 2), st.sampled_from(WALLETS))
_STEPS = {
    "order": order_step,
    "edit": edit_step,
    "cancel": cancel_step,
    "cancel_all": cancel_all_step,
    "prices": price_step,
    "time": time_step,
    "deposit": deposit_step,
}
steps = st.lists(  # orders weighted 5 to 1 against each other kind of step
    st.sampled_from(["order"] * 5 + [k for k in _STEPS if k != "order"]).flatmap(_STEPS.get),
    min_size=1,
    max_size=40,
)


#: multi-collateral, rich, and thin (liquidated by a move of ~12 %)
FUNDS = [
    {"flex": {"USD": D(3_000), "XBT": D("0.05")}, "fi_xbtusd": {"XBT": D("0.2")}},
    {"flex": {"USD": D(20_000)}, "fi_xbtusd": {"XBT": D("0.2")}},
    {"flex": {"USD": D(40)}, "fi_xbtusd": {"XBT": D("0.001")}},
]
#: every example starts from open positions (long and short, linear and inverse) and resting
#: orders, so the random steps move, flip, close and revalue them
OPENING = [
    ("order", 1, "PF_XBTUSD", Side.BUY, OrderType.LMT, 80, 0, False),
    ("order", 0, "PF_XBTUSD", Side.SELL, OrderType.LMT, 20, -5, False),
    ("order", 2, "PF_XBTUSD", Side.SELL, OrderType.IOC, 50, -5, False),  # ~7x leverage
    ("order", 2, "PI_XBTUSD", Side.BUY, OrderType.LMT, 40, 0, False),
    ("order", 1, "PI_XBTUSD", Side.SELL, OrderType.LMT, 25, -5, False),
    ("order", 0, "PF_ETHUSD", Side.BUY, OrderType.LMT, 10, -20, False),
    ("order", 1, "PF_XBTUSD", Side.SELL, OrderType.LMT, 7, 15, False),
]


class Twin:
    """One exchange; `fresh` ones never reuse an exposure."""

    def __init__(self, fresh: bool) -> None:
        self.clock = ManualClock()
        self.ex = Exchange(self.clock, IdGenerator(11))
        if fresh:
            model = self.ex.margin
            model.symbol_exposure = model.fresh_exposure  # type: ignore[method-assign]
        self.events: list[Event] = []
        self.ex.subscribe(self.events.extend)
        self.accounts = [
            self.ex.submit(c.OpenAccount(f"u{i}", funds)).account_id or ""
            for i, funds in enumerate(FUNDS)
        ]
        for step in OPENING:
            assert self.run(step) is None, step

    def run(self, step: tuple[Any, ...]) -> object:
        """Apply one step; its refusal (None when accepted or nothing to do)."""
        kind, ex = step[0], self.ex
        if kind == "order":
            _, who, symbol, side, otype, lots, offset, reduce = step
            price = _price(ex, symbol, offset)
            return ex.submit(c.PlaceOrder(
                self.accounts[who], symbol, side, otype, ex.instruments[symbol].lot_size * lots,
                None if otype in (OrderType.MKT, OrderType.STP) else price,
                price if otype is OrderType.STP else None,
                reduce_only=reduce,
            )).reject
        if kind in ("edit", "cancel"):
            acct = ex.accounts[self.accounts[step[1]]]
            orders = list(acct.orders.values())
            if not orders:
                return None
            order = orders[step[2] % len(orders)]
            if kind == "cancel":
                return ex.submit(c.CancelOrder(acct.account_id, order.order_id)).reject
            new_price = None if order.price is None else _price(ex, order.symbol, step[4])
            trigger = order.kind.is_trigger
            return ex.submit(c.EditOrder(
                acct.account_id, order.order_id,
                size=ex.instruments[order.symbol].lot_size * step[3],
                limit_price=None if trigger else new_price,
                stop_price=new_price if trigger else None,
            )).reject
        if kind == "cancel_all":
            return ex.submit(c.CancelAll(self.accounts[step[1]])).reject
        if kind == "prices":
            mark = D(BASE[step[1]]) * (1 + D(step[2]) / 1000)
            return ex.submit(c.SetPrices(step[1], mark=mark, index=mark)).reject
        if kind == "time":  # funding payments, expiries
            self.clock.advance(step[1])
            ex.advance()
            return None
        # a balance change with no order (the admin API's deposit does the same)
        who, wallet = step[1], step[2]
        currency = "USD" if wallet == "flex" else "XBT"
        amount = D(250) if currency == "USD" else D("0.01")
        ex.credit(ex.accounts[self.accounts[who]], wallet, currency, amount, BalanceKind.DEPOSIT)
        return None


def _price(ex: Exchange, symbol: str, offset: int) -> D:
    inst = ex.instruments[symbol]
    raw = ex.markets[symbol].mark * (1 + D(offset) / 1000)
    return inst.price(max(1, inst.ticks_floor(raw)))


def _exact(value: MarginSummary | Exposure) -> tuple[str, ...]:
    """Every field as text, so a different Decimal exponent counts as a difference."""
    return tuple(str(v) for v in astuple(value))


def _check_cache(ex: Exchange) -> None:
    model: MarginModel = ex.margin
    for acct in ex.accounts.values():
        for wallet in WALLETS:
            cached, fresh = model.summary(acct, wallet), model.summary(acct, wallet, fresh=True)
            assert _exact(cached) == _exact(fresh), (acct.account_id, wallet)
        for symbol in {*acct.positions, *acct.open_buys, *acct.open_sells}:
            cached_e = model.symbol_exposure(acct, symbol)
            assert _exact(cached_e) == _exact(model.fresh_exposure(acct, symbol)), symbol


@settings(max_examples=150, deadline=None)
@given(steps)
def test_cached_margin_equals_fresh_margin_after_any_commands(
    plan: list[tuple[object, ...]],
) -> None:
    cached, fresh = Twin(fresh=False), Twin(fresh=True)
    for step in plan:
        answers = cached.run(step), fresh.run(step)
        assert answers[0] == answers[1], step
        _check_cache(cached.ex)
        assert repr(cached.events) == repr(fresh.events)


def test_the_cache_is_used_and_follows_a_price_move() -> None:
    """A second look with nothing changed returns the remembered object; a new mark does not."""
    twin = Twin(fresh=False)
    ex = twin.ex
    acct = ex.accounts[twin.accounts[0]]  # resting ETH buy of 10 lots, no ETH position
    first = ex.margin.symbol_exposure(acct, "PF_ETHUSD")
    assert ex.margin.symbol_exposure(acct, "PF_ETHUSD") is first
    assert first.initial == 0 and first.initial_with_orders > 0
    assert twin.run(("prices", "PF_ETHUSD", 100)) is None
    moved = ex.margin.symbol_exposure(acct, "PF_ETHUSD")
    assert moved is not first
    assert moved.initial_with_orders == first.initial_with_orders * D("1.1")
    assert _exact(moved) == _exact(ex.margin.fresh_exposure(acct, "PF_ETHUSD"))
