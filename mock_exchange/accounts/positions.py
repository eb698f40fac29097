"""Net positions per symbol with average entry price and realised PnL.

Linear contracts average the entry price by size; inverse contracts average it harmonically
(by value in the base coin), as their PnL is counted in the base coin.
"""

from __future__ import annotations

from decimal import Decimal

from ..engine.instruments import Instrument

_ZERO = Decimal(0)


class Position:
    __slots__ = ("entry", "realised", "size", "symbol", "updated")

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        self.size = _ZERO  # signed contracts: long > 0
        self.entry = _ZERO
        self.realised = _ZERO
        self.updated = 0

    def apply(self, instrument: Instrument, qty: Decimal, price: Decimal, now: int) -> Decimal:
        """Add a signed fill; return the PnL it realises (settlement currency)."""
        self.updated = now
        self.size, self.entry, pnl = after_fill(instrument, self.size, self.entry, qty, price)
        self.realised += pnl
        return pnl

    def unrealised(self, instrument: Instrument, mark: Decimal) -> Decimal:
        if self.size == 0 or mark <= 0:
            return _ZERO
        return instrument.pnl(self.size, self.entry, mark)


def after_fill(
    instrument: Instrument, size: Decimal, entry: Decimal, qty: Decimal, price: Decimal
) -> tuple[Decimal, Decimal, Decimal]:
    """(size, entry, realised PnL) after a signed fill of `qty` at `price`."""
    if size == 0 or (size > 0) == (qty > 0):
        total = size + qty
        if size == 0:
            return total, price, _ZERO
        if instrument.inverse:
            return total, total / (size / entry + qty / price), _ZERO
        return total, (size * entry + qty * price) / total, _ZERO
    closing = min(abs(qty), abs(size))
    pnl = instrument.pnl(closing if size > 0 else -closing, entry, price)
    total = size + qty
    if total == 0:
        return total, _ZERO, pnl
    if (total > 0) != (size > 0):
        return total, price, pnl  # flipped: the rest opened at this price
    return total, entry, pnl
