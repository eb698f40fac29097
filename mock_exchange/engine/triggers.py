"""The trigger book: stop, take-profit and trailing-stop orders waiting for a signal price.

Per signal (mark, index, last) two sorted lists: ABOVE triggers fire when the signal rises to
their stop price, BELOW triggers when it falls to it. Trailing stops re-price as the signal moves
in their favour and never move back. Prices are in ticks; the signal is compared exactly.

Invariant: an order is in `orders` iff it is in exactly one of the sorted lists.
"""

from __future__ import annotations

from decimal import Decimal

from sortedcontainers import SortedList

from .instruments import Instrument
from .types import DeviationUnit, Order, Side, TriggerSide, TriggerSignal

_HUNDRED = Decimal(100)


def trigger_side_for(kind_is_take_profit: bool, side: Side) -> TriggerSide:
    """stp buy / take-profit sell fire on a rise; stp sell / take-profit buy on a fall."""
    rising = (side is Side.BUY) != kind_is_take_profit
    return TriggerSide.ABOVE if rising else TriggerSide.BELOW


def trailing_stop_ticks(instrument: Instrument, order: Order, signal: Decimal) -> int:
    """Where a trailing stop sits for a signal price: `max_deviation` away, rounded outward."""
    assert order.trailing is not None
    dev = order.trailing.max_deviation
    offset = signal * dev / _HUNDRED if order.trailing.unit is DeviationUnit.PERCENT else dev
    if order.trigger_side is TriggerSide.BELOW:
        return max(1, instrument.ticks_floor(signal - offset))
    return instrument.ticks_ceiling(signal + offset)


class TriggerBook:
    __slots__ = ("_lists", "_seq", "instrument", "orders")

    def __init__(self, instrument: Instrument) -> None:
        self.instrument = instrument
        self.orders: dict[str, tuple[tuple[int, int, str], Order]] = {}
        self._lists: dict[tuple[TriggerSignal, TriggerSide], SortedList] = {
            (sig, side): SortedList() for sig in TriggerSignal for side in TriggerSide
        }
        self._seq = 0

    def __len__(self) -> int:
        return len(self.orders)

    def add(self, order: Order) -> None:
        assert order.stop is not None and order.signal is not None and order.trigger_side
        self._seq += 1
        entry = (order.stop, self._seq, order.order_id)
        self._lists[(order.signal, order.trigger_side)].add(entry)
        self.orders[order.order_id] = (entry, order)

    def remove(self, order: Order) -> None:
        entry, _ = self.orders.pop(order.order_id)
        assert order.signal is not None and order.trigger_side is not None
        self._lists[(order.signal, order.trigger_side)].remove(entry)
        order.alive = False

    def reprice(self, order: Order, stop: int) -> None:
        """Move a trigger to a new stop price (edits, trailing); it keeps its place in time."""
        entry, _ = self.orders[order.order_id]
        key = (order.signal, order.trigger_side)
        self._lists[key].remove(entry)  # type: ignore[index]
        order.stop = stop
        new_entry = (stop, entry[1], order.order_id)
        self._lists[key].add(new_entry)  # type: ignore[index]
        self.orders[order.order_id] = (new_entry, order)

    def trail(self, signal: TriggerSignal, price: Decimal) -> list[tuple[Order, int]]:
        """Ratchet the trailing stops on `signal`; return (order, previous stop) for each move."""
        moved = []
        for _, order in list(self.orders.values()):
            if order.trailing is None or order.signal is not signal:
                continue
            stop = trailing_stop_ticks(self.instrument, order, price)
            assert order.stop is not None
            better = (
                stop > order.stop if order.trigger_side is TriggerSide.BELOW else stop < order.stop
            )
            if better:
                moved.append((order, order.stop))
                self.reprice(order, stop)
        return moved

    def due(self, signal: TriggerSignal, price: Decimal) -> list[Order]:
        """The triggers that `price` on `signal` sets off, in placement order (not removed)."""
        hits: list[tuple[int, str]] = []
        rising = self._lists[(signal, TriggerSide.ABOVE)]
        if rising:
            floor_ticks = self.instrument.ticks_floor(price)
            hits += [
                (seq, oid) for _, seq, oid in rising.irange(maximum=(floor_ticks, 1 << 62, ""))
            ]
        falling = self._lists[(signal, TriggerSide.BELOW)]
        if falling:
            ceil_ticks = self.instrument.ticks_ceiling(price)
            bottom = (ceil_ticks, 0, "")
            hits += [(seq, oid) for _, seq, oid in falling.irange(minimum=bottom)]
        hits.sort()
        return [self.orders[oid][1] for _, oid in hits]
