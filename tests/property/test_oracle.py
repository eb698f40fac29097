"""The real Exchange against a naive reference matcher (tests/property/reference_matcher.py).

Random sequences of lmt/post/ioc/fok orders and cancels on PF_XBTUSD, from two or three accounts
with ample balances, go through both. After every command the two must agree exactly on what
happened (trades: maker, taker, price, quantity; rests, cancels and refusals with their reasons)
and on the resting book (per side, (order, remaining) in priority order). Orders are named by
their submission index, since the oracle cannot know the Exchange's ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from mock_exchange.engine import commands as c
from mock_exchange.engine.clock import ManualClock
from mock_exchange.engine.events import (
    Event,
    OrderCancelled,
    OrderPlaced,
    OrderRejected,
    Trade,
)
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.engine.types import OrderType, Side
from mock_exchange.exchange import Exchange
from tests.property.reference_matcher import Record, ReferenceMatcher

SYMBOL = "PF_XBTUSD"
MARK = Decimal(60000)  # the catalogue's starting price; prices stay within 3 ticks of it
SIZE_UNIT = Decimal("0.001")  # ten lots of PF_XBTUSD
KINDS = {"lmt": OrderType.LMT, "post": OrderType.POST, "ioc": OrderType.IOC, "fok": OrderType.FOK}
SIDES = {"buy": Side.BUY, "sell": Side.SELL}


@dataclass(frozen=True)
class Place:
    account: int
    side: str
    kind: str
    offset: int  # ticks from the mark
    units: int  # size in SIZE_UNITs


@dataclass(frozen=True)
class Cancel:
    target: int  # submission index, modulo the number of orders submitted so far


places = st.builds(
    Place,
    account=st.integers(0, 2),
    side=st.sampled_from(sorted(SIDES)),
    kind=st.sampled_from(["lmt", "lmt", "lmt", "post", "ioc", "fok"]),
    offset=st.integers(-3, 3),
    units=st.integers(1, 8),
)
steps = st.lists(
    st.one_of(places, places, places, places, st.builds(Cancel, st.integers(0, 99))),
    min_size=8,
    max_size=50,
)


class Harness:
    """Drives the Exchange and the reference side by side; names orders by submission index."""

    def __init__(self, n_accounts: int) -> None:
        self.ex = Exchange(ManualClock(), IdGenerator(42))
        self.ref = ReferenceMatcher()
        self.accounts = [
            self.ex.submit(
                c.OpenAccount(f"acct{i}", {"flex": {"USD": Decimal(10_000_000)}})
            ).account_id
            for i in range(n_accounts)
        ]
        self.ids: list[str] = []  # submission index -> exchange order id
        self.index: dict[str, int] = {}
        self.owners: list[str] = []  # submission index -> account id

    def step(self, action: Place | Cancel) -> None:
        if isinstance(action, Place):
            expected, got = self._place(action)
        else:
            if not self.ids:
                return
            expected, got = self._cancel(action.target % len(self.ids))
        assert got == expected
        assert self.book() == self.ref.book()

    def _place(self, p: Place) -> tuple[list[Record], list[Record]]:
        account = self.accounts[p.account % len(self.accounts)]
        price, qty = MARK + p.offset, p.units * SIZE_UNIT
        command = c.PlaceOrder(account, SYMBOL, SIDES[p.side], KINDS[p.kind], qty, price)
        outcome = self.ex.submit(command)
        assert outcome.order_id is not None
        ref = len(self.ids)
        self.ids.append(outcome.order_id)
        self.index[outcome.order_id] = ref
        self.owners.append(account)
        expected = self.ref.place(ref, account, p.side, p.kind, price, qty)
        got = self._records(outcome.events)
        rejected = [r for r in got if r[0] == "rejected"]
        assert (outcome.reject.value if outcome.reject else None) == (
            rejected[0][2] if rejected else None
        )
        return expected, got

    def _cancel(self, ref: int) -> tuple[list[Record], list[Record]]:
        outcome = self.ex.submit(c.CancelOrder(self.owners[ref], self.ids[ref]))
        got = self._records(outcome.events)
        if outcome.reject is not None:
            assert got == []
            got = [("refused", ref, outcome.reject.value)]
        return self.ref.cancel(ref), got

    def _records(self, events: list[Event]) -> list[Record]:
        """The engine's events in the reference's vocabulary (positions and balances left out)."""
        out: list[Record] = []
        for e in events:
            if isinstance(e, Trade):
                assert e.symbol == SYMBOL and e.taker_side is e.taker.side
                maker, taker = self.index[e.maker.order_id], self.index[e.taker.order_id]
                out.append(("trade", maker, taker, e.price, e.qty))
            elif isinstance(e, OrderPlaced):
                out.append(("placed", self.index[e.order.order_id]))
            elif isinstance(e, OrderCancelled):
                out.append(("cancelled", self.index[e.order.order_id], e.reason.value))
            elif isinstance(e, OrderRejected):
                assert e.order is not None and e.order_id is not None
                out.append(("rejected", self.index[e.order_id], e.reason.value))
        return out

    def book(self) -> dict[str, list[tuple[int, Decimal]]]:
        book = self.ex.markets[SYMBOL].book
        inst = self.ex.instruments[SYMBOL]
        bids = [o for p in reversed(book.bid_prices) for o in book.bids[p].live()]
        asks = [o for p in book.ask_prices for o in book.asks[p].live()]
        return {
            "buy": [(self.index[o.order_id], inst.size(o.remaining)) for o in bids],
            "sell": [(self.index[o.order_id], inst.size(o.remaining)) for o in asks],
        }


@settings(max_examples=200, deadline=None)
@given(n_accounts=st.integers(2, 3), actions=steps)
# a partial fill, then the taker's own maker stops it: the remainder is cancelled
@example(
    n_accounts=2,
    actions=[
        Place(0, "sell", "lmt", 0, 2),
        Place(1, "sell", "lmt", 1, 3),
        Place(1, "buy", "lmt", 2, 4),
    ],
)
# FOK that could fill completely, but only through its own maker
@example(
    n_accounts=2,
    actions=[
        Place(1, "sell", "lmt", 0, 2),
        Place(0, "sell", "post", 1, 3),
        Place(1, "sell", "lmt", 2, 4),
        Place(0, "buy", "fok", 3, 4),
        Cancel(0),
        Cancel(3),
        Place(0, "buy", "ioc", 3, 9),
    ],
)
def test_exchange_matches_reference(n_accounts: int, actions: list[Place | Cancel]) -> None:
    harness = Harness(n_accounts)
    for action in actions:
        harness.step(action)


def test_reference_semantics_by_hand() -> None:
    """The oracle itself, on a worked example (so a broken oracle cannot agree with a bug)."""
    ref = ReferenceMatcher()
    d = Decimal
    assert ref.place(0, "a", "sell", "lmt", d(101), d(2)) == [("placed", 0)]
    assert ref.place(1, "b", "sell", "lmt", d(100), d(1)) == [("placed", 1)]
    assert ref.place(2, "a", "sell", "lmt", d(100), d(1)) == [("placed", 2)]
    assert ref.place(3, "b", "buy", "post", d(100), d(1)) == [("rejected", 3, "post_would_execute")]
    assert ref.place(4, "c", "buy", "fok", d(101), d(5)) == [
        ("rejected", 4, "fok_would_not_execute")
    ]
    assert ref.place(5, "a", "buy", "ioc", d(101), d(1)) == [("trade", 1, 5, d(100), d(1))]
    assert ref.book() == {"buy": [], "sell": [(2, d(1)), (0, d(2))]}
    assert ref.place(6, "a", "buy", "lmt", d(101), d(1)) == [("rejected", 6, "would_execute_self")]
    assert ref.place(7, "b", "buy", "ioc", d(101), d(4)) == [
        ("trade", 2, 7, d(100), d(1)),
        ("trade", 0, 7, d(101), d(2)),
        ("cancelled", 7, "ioc_remainder"),
    ]
    assert ref.place(8, "c", "buy", "lmt", d(99), d(1)) == [("placed", 8)]
    assert ref.cancel(0) == [("refused", 0, "already_filled")]
    assert ref.cancel(3) == [("refused", 3, "not_found")]
    assert ref.cancel(8) == [("cancelled", 8, "cancelled_by_user")]
    assert ref.book() == {"buy": [], "sell": []}


@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(n_accounts=st.integers(2, 3), actions=steps)
def test_exchange_matches_reference_long(n_accounts: int, actions: list[Place | Cancel]) -> None:
    harness = Harness(n_accounts)
    for action in actions:
        harness.step(action)
