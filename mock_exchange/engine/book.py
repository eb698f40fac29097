"""One symbol's order book: price levels of FIFO queues, and an index of resting orders by id.

Layout: `bids`/`asks` map a price (ticks) to its `Level`; `bid_prices`/`ask_prices` keep the
occupied prices sorted. A level's deque keeps orders in time priority; an order that leaves is
marked dead (`alive = False`) and skipped, and the deque is compacted when dead entries pile up.

Invariants: a level exists iff it holds at least one live order; `level.total` is the sum of its
live orders' remaining lots; every live order is in `orders` exactly once and in one level once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from sortedcontainers import SortedList

from .types import Order, Side


class Level:
    __slots__ = ("count", "price", "queue", "total")

    def __init__(self, price: int) -> None:
        self.price = price
        self.queue: deque[Order] = deque()
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
        return self.best_bid() if side is Side.BUY else self.best_ask()

    def crosses(self, side: Side, price: int | None) -> bool:
        """Would an order on `side` limited at `price` (None: any price) meet resting liquidity?"""
        if side is Side.BUY:
            ask = self.best_ask()
            return ask is not None and (price is None or ask <= price)
        bid = self.best_bid()
        return bid is not None and (price is None or bid >= price)

    def makers(self, taker_side: Side, limit: int | None) -> Iterator[Order]:
        """Resting orders a taker on `taker_side` would meet, best price first, FIFO within."""
        if taker_side is Side.BUY:
            prices = self.ask_prices.irange(maximum=limit)
            levels = self.asks
        else:
            prices = self.bid_prices.irange(minimum=limit, reverse=True)
            levels = self.bids
        for price in list(prices):
            level = levels.get(price)
            if level is not None:
                yield from level.live()

    def depth(self, side: Side) -> list[tuple[int, int]]:
        """[(price ticks, total lots)], best first."""
        if side is Side.BUY:
            return [(p, self.bids[p].total) for p in reversed(self.bid_prices)]
        return [(p, self.asks[p].total) for p in self.ask_prices]

    def __len__(self) -> int:
        return len(self.orders)

    # -- mutations ---------------------------------------------------------------------------
    def add(self, order: Order) -> None:
        assert order.price is not None and order.remaining > 0 and order.alive
        levels = self.bids if order.side is Side.BUY else self.asks
        level = levels.get(order.price)
        if level is None:
            level = levels[order.price] = Level(order.price)
            (self.bid_prices if order.side is Side.BUY else self.ask_prices).add(order.price)
        level.queue.append(order)
        level.total += order.remaining
        level.count += 1
        self.orders[order.order_id] = order

    def remove(self, order: Order) -> None:
        """Take a live order out of the book (cancel, or nothing left after a fill)."""
        del self.orders[order.order_id]
        order.alive = False
        price = order.price
        assert price is not None
        levels = self.bids if order.side is Side.BUY else self.asks
        level = levels[price]
        level.total -= order.remaining
        level.count -= 1
        if level.count == 0:
            del levels[price]
            (self.bid_prices if order.side is Side.BUY else self.ask_prices).remove(price)
        elif len(level.queue) > 2 * level.count + 16:
            level.queue = deque(o for o in level.queue if o.alive)

    def fill(self, order: Order, lots: int, now: int) -> None:
        """Execute `lots` of a resting order; it leaves the book when nothing remains."""
        order.filled += lots
        order.updated = now
        if order.remaining == 0:
            order.filled -= lots  # remove() subtracts what was still resting
            self.remove(order)
            order.filled += lots
        else:
            levels = self.bids if order.side is Side.BUY else self.asks
            levels[order.price].total -= lots  # type: ignore[index]

    def shrink(self, order: Order, new_qty: int) -> None:
        """Lower an order's total size in place, keeping its time priority."""
        assert order.filled < new_qty <= order.qty
        levels = self.bids if order.side is Side.BUY else self.asks
        levels[order.price].total -= order.qty - new_qty  # type: ignore[index]
        order.qty = new_qty
