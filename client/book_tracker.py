"""``OrderBookTracker``: L2 order books kept from ``book_snapshot`` and ``book`` deltas, with
per-product sequence-gap detection and resynchronisation.

Invariants (reference kraken-futures-ws.md §3.4)
------------------------------------------------
* A product's book is *synced* from its snapshot until a gap: a delta is applied only when its
  ``seq`` is exactly the last seq + 1. A delta with seq <= last is a stale duplicate and is
  dropped; one with seq > last + 1 is a gap: the book is marked unsynced, ``gaps`` counts it,
  and (with a ``FuturesWebSocket``) the product is unsubscribed and subscribed again for a
  fresh snapshot. Deltas for an unsynced book are ignored until that snapshot.
* A delta carries the level's new absolute size; 0 removes the level. Prices and sizes are
  ``Decimal``; bids are read best (highest) first, asks best (lowest) first.
* A reconnect, or the server's ``unsubscribed`` ack for a product, unsyncs its book.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from sortedcontainers import SortedDict

from .tracker_waiters import MessageSource, Waiters
from .ws_messages import (
    BookLevel,
    BookSnapshot,
    BookUpdate,
    Reconnected,
    SubscriptionEvent,
    WsMessage,
)


class OrderBook:
    """One product's L2 book."""

    def __init__(self, product_id: str) -> None:
        self.product_id = product_id
        self.seq = -1
        self.timestamp = 0
        self.synced = False
        self._bids: Any = SortedDict()
        self._asks: Any = SortedDict()

    def _side(self, side: str) -> Any:
        return self._bids if side == "buy" else self._asks

    def load(self, snap: BookSnapshot) -> None:
        self._bids = SortedDict({lv.price: lv.qty for lv in snap.bids if lv.qty > 0})
        self._asks = SortedDict({lv.price: lv.qty for lv in snap.asks if lv.qty > 0})
        self.seq, self.timestamp, self.synced = snap.seq, snap.timestamp, True

    def set_level(self, side: str, price: Decimal, qty: Decimal) -> None:
        levels = self._side(side)
        if qty > 0:
            levels[price] = qty
        else:
            levels.pop(price, None)

    def best_bid(self) -> BookLevel | None:
        if not self._bids:
            return None
        price, qty = self._bids.peekitem(-1)
        return BookLevel(price, qty)

    def best_ask(self) -> BookLevel | None:
        if not self._asks:
            return None
        price, qty = self._asks.peekitem(0)
        return BookLevel(price, qty)

    def spread(self) -> Decimal | None:
        bid, ask = self.best_bid(), self.best_ask()
        return ask.price - bid.price if bid and ask else None

    def bids(self, depth: int | None = None) -> list[BookLevel]:
        """Bid levels, best (highest price) first; the best ``depth`` of them if given."""
        keys = self._bids.keys()
        n = len(keys) if depth is None else min(depth, len(keys))
        return [BookLevel(keys[-1 - i], self._bids[keys[-1 - i]]) for i in range(n)]

    def asks(self, depth: int | None = None) -> list[BookLevel]:
        """Ask levels, best (lowest price) first; the best ``depth`` of them if given."""
        keys = self._asks.keys()
        n = len(keys) if depth is None else min(depth, len(keys))
        return [BookLevel(keys[i], self._asks[keys[i]]) for i in range(n)]

    def depth(self, levels: int | None = None) -> tuple[list[BookLevel], list[BookLevel]]:
        return self.bids(levels), self.asks(levels)


class OrderBookTracker:
    """L2 books of every product whose ``book`` messages it sees."""

    def __init__(self, ws: MessageSource | None = None, *, resync: bool = True) -> None:
        self._ws = ws
        self._resync = resync
        self._books: dict[str, OrderBook] = {}
        self.gaps = 0
        self.stale = 0
        self._waiters: Waiters[OrderBook | None] = Waiters()
        if ws is not None:
            ws.add_listener(self.apply)

    @property
    def products(self) -> tuple[str, ...]:
        return tuple(self._books)

    def book(self, product_id: str) -> OrderBook:
        """The book of ``product_id`` (KeyError if no snapshot of it was ever seen)."""
        return self._books[product_id.upper()]

    def apply(self, message: WsMessage) -> None:
        if isinstance(message, BookSnapshot):
            book = self._books.setdefault(message.product_id, OrderBook(message.product_id))
            book.load(message)
        elif isinstance(message, BookUpdate):
            self._delta(message)
        elif isinstance(message, Reconnected):
            for book in self._books.values():
                book.synced = False
        elif isinstance(message, SubscriptionEvent) and message.feed == "book":
            if message.event == "unsubscribed":
                for product in message.product_ids:
                    if product in self._books:
                        self._books[product].synced = False
            return
        else:
            return
        self._waiters.check(self._books.get)

    def _delta(self, update: BookUpdate) -> None:
        book = self._books.get(update.product_id)
        if book is None or not book.synced:
            return
        if update.seq <= book.seq:
            self.stale += 1
            return
        if update.seq != book.seq + 1:
            self.gaps += 1
            book.synced = False
            self._request_resync(update.product_id)
            return
        book.set_level(update.side, update.price, update.qty)
        book.seq, book.timestamp = update.seq, update.timestamp

    def _request_resync(self, product_id: str) -> None:
        # a FuturesWebSocket can renew the subscription; a plain message source cannot
        request: Callable[[str, str], None] | None = getattr(self._ws, "request_resync", None)
        if self._resync and request is not None:
            request("book", product_id)

    async def wait_synced(self, product_id: str, timeout: float = 10.0) -> OrderBook:
        """The book of ``product_id`` once it is synced (from a snapshot)."""

        def synced(book: OrderBook | None) -> bool:
            return book is not None and book.synced

        found = await self._waiters.wait(product_id.upper(), synced, self._books.get, timeout)
        assert found is not None
        return found

    async def wait_for(
        self, product_id: str, predicate: Callable[[OrderBook], bool], timeout: float = 10.0
    ) -> OrderBook:
        """The book of ``product_id`` once it is synced and ``predicate(book)`` holds."""

        def matches(book: OrderBook | None) -> bool:
            return book is not None and book.synced and predicate(book)

        found = await self._waiters.wait(product_id.upper(), matches, self._books.get, timeout)
        assert found is not None
        return found


__all__ = ["OrderBook", "OrderBookTracker"]
