"""Property: whatever the commands, a subscriber's picture equals the exchange.

After every command, the open orders rebuilt from `open_orders` snapshot + deltas equal the
account's open orders (full bodies: remaining qty, filled, prices, times), and the book rebuilt
from `book_snapshot` + deltas equals the exchange's depth, with `seq` contiguous. A second
subscriber joins half-way and must agree too.
"""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import Harness

from mock_exchange.engine import commands as c
from mock_exchange.engine.types import MarketState, OrderType, Side
from mock_exchange.history import History
from mock_exchange.keys import KeyStore
from mock_exchange.protocol.feeds_private import order_body
from mock_exchange.server.hub import Connection, Hub, Outbox
from mock_exchange.server.state import ServerState

Json = dict[str, Any]
SYMBOL = "PF_XBTUSD"
KINDS = [
    OrderType.LMT,
    OrderType.LMT,
    OrderType.POST,
    OrderType.IOC,
    OrderType.MKT,
    OrderType.STP,
    OrderType.TAKE_PROFIT,
]


class Mirror:
    """What a subscriber knows: open orders per account (one connection each), one book."""

    def __init__(self, hub: Hub, loop: asyncio.AbstractEventLoop, accounts: list[str]) -> None:
        self.conns = {a: self._watch(hub, loop, "open_orders", a) for a in accounts}
        self.book_conn = self._watch(hub, loop, "book", SYMBOL)
        self.orders: dict[str, dict[str, Json]] = {}
        self.book: dict[str, dict[float, float]] = {"buy": {}, "sell": {}}
        self.seq = -1

    @staticmethod
    def _watch(hub: Hub, loop: asyncio.AbstractEventLoop, feed: str, key: str) -> Connection:
        conn = hub.connect("p", Outbox(loop, 1_000_000))
        assert conn is not None
        hub.add(conn, feed, key, None)
        for message in hub.initial(conn, feed, key):
            conn.send(message)
        return conn

    def read(self) -> None:
        for account, conn in self.conns.items():
            for text in conn.outbox.drain():
                self.apply_order(account, json.loads(text))
        for text in self.book_conn.outbox.drain():
            self.apply_book(json.loads(text))

    def apply_order(self, account: str, m: Json) -> None:
        if m["feed"] == "open_orders_snapshot":
            assert m["account"] == account
            self.orders[account] = {o["order_id"]: o for o in m["orders"]}
            return
        assert m["feed"] == "open_orders"
        known = self.orders[account]
        order = m.get("order")
        if m["is_cancel"]:
            oid = order["order_id"] if order else m["order_id"]
            assert oid in known, m
            del known[oid]
        else:
            assert order is not None
            known[order["order_id"]] = order

    def apply_book(self, m: Json) -> None:
        if m["feed"] == "book_snapshot":
            self.seq = m["seq"]
            self.book = {
                "buy": {b["price"]: b["qty"] for b in m["bids"]},
                "sell": {a["price"]: a["qty"] for a in m["asks"]},
            }
            return
        assert m["feed"] == "book" and m["seq"] == self.seq + 1
        self.seq = m["seq"]
        if m["qty"]:
            self.book[m["side"]][m["price"]] = m["qty"]
        else:
            del self.book[m["side"]][m["price"]]


commands = st.lists(
    st.one_of(
        st.tuples(
            st.just("place"),
            st.integers(0, 2),
            st.sampled_from(Side),
            st.sampled_from(KINDS),
            st.integers(1, 30),
            st.integers(-6, 6),
        ),
        st.tuples(st.just("cancel"), st.integers(0, 2), st.integers(0, 20)),
        st.tuples(
            st.just("edit"),
            st.integers(0, 2),
            st.integers(0, 20),
            st.integers(1, 30),
            st.integers(-6, 6),
        ),
        st.tuples(st.just("prices"), st.integers(-8, 8)),
        st.tuples(st.just("cancel_all"), st.integers(0, 2)),
        st.tuples(st.just("market"), st.sampled_from([MarketState.OPEN, MarketState.POST_ONLY])),
        st.tuples(st.just("clock"), st.sampled_from([1, 30_000, 3_600_000])),
        st.tuples(
            st.just("join"),
        ),
    ),
    max_size=40,
)


def _run(h: Harness, accounts: list[str], step: tuple[Any, ...]) -> None:
    kind = step[0]
    if kind == "place":
        _, who, side, order_type, lots, offset = step
        price = Decimal(60000 + offset * 10)
        stop = Decimal(60000 + (offset or 1) * 50) if order_type.is_trigger else None
        h.ex.submit(
            c.PlaceOrder(
                accounts[who],
                SYMBOL,
                side,
                order_type,
                Decimal(lots) / 10,
                None if order_type is OrderType.MKT else price,
                stop,
            )
        )
    elif kind in ("cancel", "edit"):
        acct = h.ex.accounts[accounts[step[1]]]
        if acct.orders:
            oid = list(acct.orders)[step[2] % len(acct.orders)]
            if kind == "cancel":
                h.cancel(acct.account_id, oid)
            else:
                h.edit(
                    acct.account_id,
                    oid,
                    size=Decimal(step[3]) / 10,
                    limit_price=Decimal(60000 + step[4] * 10),
                )
    elif kind == "prices":
        h.prices(mark=60000 + step[1] * 25, last=60000 + step[1] * 30)
    elif kind == "cancel_all":
        h.ex.submit(c.CancelAll(accounts[step[1]]))
    elif kind == "market":
        h.ex.submit(c.SetMarketState(SYMBOL, step[1]))
    elif kind == "clock":
        h.advance(step[1])


def _check(h: Harness, mirror: Mirror, accounts: list[str]) -> None:
    mirror.read()
    for account in accounts:
        expected = {
            o.order_id: order_body(h.ex.view(o)) for o in h.ex.accounts[account].orders.values()
        }
        assert mirror.orders[account] == expected
    inst = h.ex.instruments[SYMBOL]
    for side, name in ((Side.BUY, "buy"), (Side.SELL, "sell")):
        depth = {
            float(inst.price(p)): float(inst.size(q))
            for p, q in h.ex.markets[SYMBOL].book.depth(side)
        }
        assert mirror.book[name] == depth


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commands)
def test_snapshot_plus_deltas_equals_exchange(steps: list[tuple[Any, ...]]) -> None:
    h = Harness()
    state = ServerState(h.ex, KeyStore(h.ex.ids))
    History.attach(state)  # as create_app does: the hub renders account_log from it
    hub = Hub.attach(state)
    loop = asyncio.new_event_loop()
    try:
        accounts = [h.account(n, usd=50_000) for n in ("a", "b", "c")]
        h.ex.submit(c.ArmDeadManSwitch(accounts[2], 3600))
        mirrors = [Mirror(hub, loop, accounts)]
        for step in steps:
            if step[0] == "join":
                mirrors.append(Mirror(hub, loop, accounts))
            else:
                _run(h, accounts, step)
            for mirror in mirrors:
                _check(h, mirror, accounts)
    finally:
        loop.close()
