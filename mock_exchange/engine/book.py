"""One symbol's order book: price levels of FIFO queues, and an index of resting orders by id.

Layout: `bids`/`asks` map a price (ticks) to its `Level`. A level's queue (a list) keeps orders
in time priority; an order that leaves is marked dead (`alive = False`) and skipped, and the
queue is compacted when dead entries pile up. Each side also keeps a binary heap of its
occupied prices (best first: asks by price, bids by negated price) with lazy deletion: a price
whose level is gone stays in the heap until it reaches the top, or until stale entries
outnumber live ones and the heap is rebuilt. `bid_prices`/`ask_prices` give sorted snapshots.

Invariants:
- a level exists iff it holds at least one live order; `level.total` is the sum of its live
  orders' remaining lots and `level.count` their number;
- every live order is in `orders` exactly once and in one level once;
- every level's price is in its side's heap exactly once (tracked by `_bid_keys`/`_ask_keys`,
  which also hold the stale prices still in the heap); the top of a non-empty heap is always
  a live level, so the best price is read in O(1);
- the book is never mutated while `levels` or `makers` is being iterated (planning is
  read-only; execution happens afterwards).

Performance notes (docs/performance.md): this is the hottest code of the exchange. Methods
inline `qty - filled` rather than calling `Order.remaining`, compare sides with the module
constant `_BUY` (an `Enum` class attribute lookup costs ~100 ns on CPython 3.11), and use the
C-implemented `heapq`, so a new or vanished level costs O(log n) in C, not Python.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from heapq import heapify, heappop, heappush

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
    __slots__ = ("_ask_heap", "_ask_keys", "_bid_heap", "_bid_keys", "asks", "bids", "orders")

    def __init__(self) -> None:
        self.bids: dict[int, Level] = {}
        self.asks: dict[int, Level] = {}
        self.orders: dict[str, Order] = {}
        self._bid_heap: list[int] = []  # negated prices: the best (highest) bid on top
        self._ask_heap: list[int] = []  # prices: the best (lowest) ask on top
        self._bid_keys: set[int] = set()  # prices in _bid_heap, live or stale
        self._ask_keys: set[int] = set()

    # -- queries -----------------------------------------------------------------------------
    @property
    def bid_prices(self) -> list[int]:
        """Occupied bid prices, ascending (a snapshot)."""
        return sorted(self.bids)

    @property
    def ask_prices(self) -> list[int]:
        """Occupied ask prices, ascending (a snapshot)."""
        return sorted(self.asks)

    def best_bid(self) -> int | None:
        heap = self._bid_heap
        return -heap[0] if heap else None

    def best_ask(self) -> int | None:
        heap = self._ask_heap
        return heap[0] if heap else None

    def best(self, side: Side) -> int | None:
        return self.best_bid() if side is _BUY else self.best_ask()

    def crosses(self, side: Side, price: int | None) -> bool:
        """Would an order on `side` limited at `price` (None: any price) meet resting liquidity?"""
        if side is _BUY:
            heap = self._ask_heap
            return bool(heap) and (price is None or heap[0] <= price)
        heap = self._bid_heap
        return bool(heap) and (price is None or -heap[0] >= price)

    def levels(self, taker_side: Side, limit: int | None) -> Iterator[Level]:
        """The opposite side's levels a taker on `taker_side` limited at `limit` (None: no
        limit) would reach, best price first. Lazy: do not mutate the book meanwhile."""
        if taker_side is _BUY:
            heap, levels, sign = self._ask_heap, self.asks, 1
        else:
            heap, levels, sign = self._bid_heap, self.bids, -1
        if not heap:
            return
        # keys are sign * price, smallest first; the limit as a key bound
        bound = sign * limit if limit is not None else None
        key = heap[0]
        if bound is not None and key > bound:
            return
        yield levels[sign * key]  # the top of the heap is always a live level
        # best-first walk of the heap tree without changing it: a frontier of (key, index)
        size = len(heap)
        if size < 3:
            frontier = [(heap[1], 1)] if size == 2 else []
        elif heap[1] < heap[2]:
            frontier = [(heap[1], 1), (heap[2], 2)]
        else:
            frontier = [(heap[2], 2), (heap[1], 1)]
        while frontier:
            key, i = heappop(frontier)
            if bound is not None and key > bound:
                return
            level = levels.get(sign * key)
            if level is not None:  # None: a stale price, its level is gone
                yield level
            i = 2 * i + 1
            if i < size:
                heappush(frontier, (heap[i], i))
                i += 1
                if i < size:
                    heappush(frontier, (heap[i], i))

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
            return [(p, bids[p].total) for p in sorted(bids, reverse=True)]
        asks = self.asks
        return [(p, asks[p].total) for p in sorted(asks)]

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
                keys = self._bid_keys
                if price not in keys:
                    keys.add(price)
                    heappush(self._bid_heap, -price)
        else:
            level = self.asks.get(price)
            if level is None:
                level = self.asks[price] = Level(price)
                keys = self._ask_keys
                if price not in keys:
                    keys.add(price)
                    heappush(self._ask_heap, price)
        level.queue.append(order)
        level.total += lots
        level.count += 1
        self.orders[order.order_id] = order

    def remove(self, order: Order) -> None:
        """Take a live order out of the book (cancel, or nothing left after a fill)."""
        del self.orders[order.order_id]
        order.alive = False
        self._unlink(order, order.qty - order.filled)

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

    def fill_many(self, fills: Iterable[tuple[Order, int]], now: int) -> None:
        """`fill(order, lots, now)` for each pair, in order."""
        orders, bids, asks, unlink = self.orders, self.bids, self.asks, self._unlink
        for order, lots in fills:
            filled = order.filled = order.filled + lots
            order.updated = now
            if filled == order.qty:
                del orders[order.order_id]
                order.alive = False
                unlink(order, lots)
            else:
                (bids if order.side is _BUY else asks)[order.price].total -= lots  # type: ignore[index]

    def shrink(self, order: Order, new_qty: int) -> None:
        """Lower an order's total size in place, keeping its time priority."""
        assert order.filled < new_qty <= order.qty
        levels = self.bids if order.side is _BUY else self.asks
        levels[order.price].total -= order.qty - new_qty  # type: ignore[index]
        order.qty = new_qty

    # -- internals ---------------------------------------------------------------------------
    def _unlink(self, order: Order, lots: int) -> None:
        """Take a dead order that still rested `lots` out of its level."""
        price = order.price
        assert price is not None
        levels = self.bids if order.side is _BUY else self.asks
        level = levels[price]
        level.total -= lots
        count = level.count = level.count - 1
        if count == 0:
            del levels[price]
            if order.side is _BUY:
                self._forget_level(self._bid_heap, self._bid_keys, levels, -price, -1)
            else:
                self._forget_level(self._ask_heap, self._ask_keys, levels, price, 1)
        elif len(level.queue) > 2 * count + 16:
            level.queue = [o for o in level.queue if o.alive]

    @staticmethod
    def _forget_level(
        heap: list[int], keys: set[int], levels: dict[int, Level], key: int, sign: int
    ) -> None:
        """A level (heap key `key`) is gone: pop it and any stale prices below it off the top
        of the heap, or rebuild the heap when stale prices outnumber live ones."""
        if heap[0] == key:
            while heap and sign * heap[0] not in levels:
                keys.discard(sign * heappop(heap))
        elif len(heap) > 2 * len(levels) + 64:
            heap[:] = [sign * price for price in levels]
            heapify(heap)
            keys.clear()
            keys.update(levels)
