"""OrderBookTracker fed message sequences: snapshot then contiguous deltas, level removal,
stale duplicates, per-product sequence gaps that unsync only that product and ask the socket
for a resync, reconnects and unsubscribe acks, and the waiters."""

from __future__ import annotations

import asyncio
from decimal import Decimal

import pytest

from client.trackers import OrderBookTracker
from client.ws_messages import (
    BookLevel,
    BookSnapshot,
    BookUpdate,
    Reconnected,
    SubscriptionEvent,
    WsMessage,
)

D = Decimal


class FakeSocket:
    """Records what a tracker asks of its FuturesWebSocket."""

    def __init__(self) -> None:
        self.listeners: list[object] = []
        self.resyncs: list[tuple[str, str]] = []

    def add_listener(self, listener: object) -> None:
        self.listeners.append(listener)

    def request_resync(self, feed: str, product_id: str) -> None:
        self.resyncs.append((feed, product_id))


def snap(product: str = "PF_XBTUSD", seq: int = 10) -> WsMessage:
    return BookSnapshot(
        product, 1, seq,
        (BookLevel(D("100.5"), D(1)), BookLevel(D(100), D(2)), BookLevel(D(99), D(3))),
        (BookLevel(D(101), D("0.5")), BookLevel(D(102), D(4))),
    )


def delta(seq: int, side: str, price: str, qty: str, product: str = "PF_XBTUSD") -> WsMessage:
    return BookUpdate(product, side, seq, D(price), D(qty), seq * 10)


def test_snapshot_and_contiguous_deltas() -> None:
    t = OrderBookTracker()
    t.apply(snap())
    book = t.book("pf_xbtusd")
    assert (book.synced, book.seq) == (True, 10)
    assert book.best_bid() == BookLevel(D("100.5"), D(1))
    assert book.best_ask() == BookLevel(D(101), D("0.5"))
    assert book.spread() == D("0.5")
    t.apply(delta(11, "buy", "100.75", "0.25"))
    t.apply(delta(12, "sell", "101", "0"))
    t.apply(delta(13, "buy", "99", "7"))
    assert (book.seq, book.timestamp) == (13, 130)
    assert book.bids() == [BookLevel(D("100.75"), D("0.25")), BookLevel(D("100.5"), D(1)),
                           BookLevel(D(100), D(2)), BookLevel(D(99), D(7))]
    assert book.asks() == [BookLevel(D(102), D(4))]
    assert book.depth(2) == (book.bids()[:2], [BookLevel(D(102), D(4))])
    t.apply(delta(14, "sell", "102", "0.0"))
    assert book.best_ask() is None and book.spread() is None and book.asks(5) == []


def test_stale_deltas_are_dropped() -> None:
    t = OrderBookTracker()
    t.apply(snap())
    t.apply(delta(10, "buy", "100", "9"))
    t.apply(delta(9, "buy", "100", "9"))
    assert t.stale == 2 and t.book("PF_XBTUSD").bids(2)[1] == BookLevel(D(100), D(2))


def test_a_gap_unsyncs_only_that_product_and_asks_for_a_resync() -> None:
    ws = FakeSocket()
    t = OrderBookTracker(ws)
    assert ws.listeners == [t.apply]
    t.apply(snap("PF_XBTUSD", 10))
    t.apply(snap("PF_ETHUSD", 500))
    t.apply(delta(12, "buy", "100", "5"))  # 11 is missing
    xbt, eth = t.book("PF_XBTUSD"), t.book("PF_ETHUSD")
    assert (t.gaps, xbt.synced, eth.synced) == (1, False, True)
    assert ws.resyncs == [("book", "PF_XBTUSD")]
    assert xbt.bids(2)[1] == BookLevel(D(100), D(2))  # the gap delta was not applied
    t.apply(delta(13, "buy", "100", "6"))  # ignored until the fresh snapshot
    t.apply(delta(501, "sell", "103", "1", "PF_ETHUSD"))
    assert eth.seq == 501 and ws.resyncs == [("book", "PF_XBTUSD")]
    t.apply(snap("PF_XBTUSD", 40))
    assert xbt.synced and xbt.seq == 40
    t.apply(delta(41, "buy", "100", "6"))
    assert xbt.bids(2)[1] == BookLevel(D(100), D(6))


def test_resync_can_be_turned_off() -> None:
    ws = FakeSocket()
    t = OrderBookTracker(ws, resync=False)
    t.apply(snap())
    t.apply(delta(15, "buy", "1", "1"))
    assert (t.gaps, ws.resyncs, t.book("PF_XBTUSD").synced) == (1, [], False)


def test_reconnect_and_unsubscribe_ack_unsync() -> None:
    t = OrderBookTracker()
    t.apply(snap("PF_XBTUSD"))
    t.apply(snap("PF_ETHUSD"))
    t.apply(SubscriptionEvent("unsubscribed", "book", ("PF_ETHUSD",)))
    assert (t.book("PF_XBTUSD").synced, t.book("PF_ETHUSD").synced) == (True, False)
    t.apply(Reconnected(1, ()))
    assert not t.book("PF_XBTUSD").synced
    t.apply(delta(11, "buy", "1", "1"))
    assert t.book("PF_XBTUSD").seq == 10
    assert t.products == ("PF_XBTUSD", "PF_ETHUSD")
    with pytest.raises(KeyError):
        t.book("PF_SOLUSD")


def test_waiters() -> None:
    async def main() -> None:
        t = OrderBookTracker()
        synced = asyncio.ensure_future(t.wait_synced("pf_xbtusd", timeout=2))
        deep = asyncio.ensure_future(t.wait_for(
            "PF_XBTUSD", lambda b: (b.best_bid() or BookLevel(D(0), D(0))).price > 100, 2))
        await asyncio.sleep(0)
        t.apply(snap(seq=3))
        assert (await synced).seq == 3
        assert (await deep).best_bid() == BookLevel(D("100.5"), D(1))
        with pytest.raises(TimeoutError):
            await t.wait_for("PF_XBTUSD", lambda b: len(b.asks()) > 5, timeout=0.05)

    asyncio.run(main())
