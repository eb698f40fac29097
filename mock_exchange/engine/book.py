"""One symbol's order book: price levels of FIFO queues, and an index of resting orders by id.

Layout: `bids`/`asks` map a price (ticks) to its `Level`; `bid_prices`/`ask_prices` keep the
occupied prices sorted. A level's queue (a list) keeps orders in time priority; an order that
leaves is marked dead (`alive = False`) and skipped, and the queue is compacted when dead
entries pile up.

Invariants: a level exists iff it holds at least one live order; `level.total` is the sum of its
live orders' remaining lots and `level.count` their number; every live order is in `orders`
exactly once and in one level once. The book is never mutated while `makers` or `levels` is
being iterated (planning is read-only; execution happens afterwards).

Performance notes (see docs/performance.md): this is the hottest code of the exchange, so the
methods inline `qty - filled` rather than calling `Order.remaining`, compare sides against the
module constant `_BUY` (an `Enum` class attribute lookup costs ~100 ns on CPython 3.11), and
touch the sorted price lists only when a level appears or disappears.
"""

from __future__ import annotations

from collections.abc import Iterator

from sortedcontainers import SortedList

from .types import Order, Side

_BUY = Side.BUY


class Level:
    __slots__ = ("count", "price", "queue", "total")

    def __init__(self, price: int) -> None:
        self.price = price
        self.queue: list[Order] = []
        self.total = 0
        self.count = 0

    def live(self) -> Iterator[Order]:
        for order in self.queue:
            if order.alive:
                yield order


class Book:
    __slots__ = ("ask_prices", "asks", "bid_prices", "bids", "orders")

    def __init__(self) -> None:
        self.bids: dict[int, Level] = {}
        self.asks: dict[int, Level] = {}
        self.bid_prices = SortedList()
        self.ask_prices = SortedList()
        self.orders: dict[str, Order] = {}

    # -- queries -----------------------------------------------------------------------------
    def best_bid(self) -> int | None:
        return self.bid_prices[-1] if self.bid_prices else None

    def best_ask(self) -> int | None:
        return self.ask_prices[0] if self.ask_prices else None

    def best(self, side: Side) -> int | None:
        return self.best_bid() if side is _BUY else self.best_ask()

    def crosses(self, side: Side, price: int | None) -> bool:
        """Would an order on `side` limited at `price` (None: any price) meet resting liquidity?"""
        if side is _BUY:
            ask = self.best_ask()
            return ask is not None and (price is None or ask <= price)
        bid = self.best_bid()
        return bid is not None and (price is None or bid >= price)

    def levels(self, taker_side: Side, limit: int | None) -> Iterator[Level]:
        """The opposite side's levels a taker on `taker_side` limited at `limit` (None: no
        limit) would reach, best price first. Lazy: do not mutate the book meanwhile."""
        if taker_side is _BUY:
            asks = self.asks
            for price in self.ask_prices.irange(maximum=limit):
                yield asks[price]
        else:
            bids = self.bids
            for price in self.bid_prices.irange(minimum=limit, reverse=True):
                yield bids[price]

    def makers(self, taker_side: Side, limit: int | None) -> Iterator[Order]:
        """Resting orders a taker on `taker_side` would meet, best price first, FIFO within.
        Lazy: do not mutate the book meanwhile."""
        for level in self.levels(taker_side, limit):
            for order in level.queue:
                if order.alive:
                    yield order

    def depth(self, side: Side) -> list[tuple[int, int]]:
        """[(price ticks, total lots)], best first."""
        if side is _BUY:
            bids = self.bids
            return [(p, bids[p].total) for p in reversed(self.bid_prices)]
        asks = self.asks
        return [(p, asks[p].total) for p in self.ask_prices]

    def __len__(self) -> int:
        return len(self.orders)

    # -- mutations ---------------------------------------------------------------------------
    def add(self, order: Order) -> None:
        price = order.price
        lots = order.qty - order.filled
        assert price is not None and lots > 0 and order.alive
        if order.side is _BUY:
            level = self.bids.get(price)
            if level is None:
                level = self.bids[price] = Level(price)
                self.bid_prices.add(price)
        else:
            level = self.asks.get(price)
            if level is None:
                level = self.asks[price] = Level(price)
                self.ask_prices.add(price)
        level.queue.append(order)
        level.total += lots
        level.count += 1
        self.orders[order.order_id] = order

    def remove(self, order: Order) -> None:
        """Take a live order out of the book (cancel, or nothing left after a fill)."""
        del self.orders[order.order_id]
        order.alive = False
        self._unlink(order, order.qty - order.filled)

    def _unlink(self, order: Order, lots: int) -> None:
        """Take a dead order that still rested `lots` out of its level."""
        price = order.price
        assert price is not None
        if order.side is _BUY:
            levels, prices = self.bids, self.bid_prices
        else:
            levels, prices = self.asks, self.ask_prices
        level = levels[price]
        level.total -= lots
        count = level.count = level.count - 1
        if count == 0:
            del levels[price]
            prices.remove(price)
        elif len(level.queue) > 2 * count + 16:
            level.queue = [o for o in level.queue if o.alive]

    def fill(self, order: Order, lots: int, now: int) -> None:
        """Execute `lots` of a resting order; it leaves the book when nothing remains."""
        filled = order.filled = order.filled + lots
        order.updated = now
        if filled == order.qty:
            del self.orders[order.order_id]
            order.alive = False
            self._unlink(order, lots)  # what was still resting before this fill
        else:
            levels = self.bids if order.side is _BUY else self.asks
            levels[order.price].total -= lots  # type: ignore[index]

    def shrink(self, order: Order, new_qty: int) -> None:
        """Lower an order's total size in place, keeping its time priority."""
        assert order.filled < new_qty <= order.qty
        levels = self.bids if order.side is _BUY else self.asks
        levels[order.price].total -= order.qty - new_qty  # type: ignore[index]
        order.qty = new_qty
