"""One tradeable contract: its book, trigger book, state and reference prices.

`mark`, `index` and `last` are exact decimals; `last` moves with every trade, `mark` and `index`
only through `SetPrices` (an admin call, a scenario or the market-maker simulation).
"""

from __future__ import annotations

from decimal import Decimal

from .book import Book
from .instruments import Instrument
from .triggers import TriggerBook
from .types import MarketState, TriggerSignal


class Market:
    __slots__ = (
        "book",
        "funding_history",
        "funding_rate",
        "index",
        "instrument",
        "last",
        "last_size",
        "last_time",
        "mark",
        "state",
        "trade_count",
        "triggers",
    )

    def __init__(self, instrument: Instrument, price: Decimal) -> None:
        self.instrument = instrument
        self.book = Book()
        self.triggers = TriggerBook(instrument)
        self.state = MarketState.OPEN
        self.mark = self.index = self.last = price
        self.last_size = Decimal(0)
        self.last_time = 0
        self.trade_count = 0
        self.funding_rate: Decimal | None = None  # None: from the mark/index premium
        self.funding_history: list[tuple[int, Decimal, Decimal]] = []  # (time, relative, absolute)

    @property
    def symbol(self) -> str:
        return self.instrument.symbol

    def signal(self, signal: TriggerSignal) -> Decimal:
        if signal is TriggerSignal.MARK:
            return self.mark
        if signal is TriggerSignal.INDEX:
            return self.index
        return self.last

    def relative_funding_rate(self) -> Decimal:
        """Rate per funding interval: the override, else premium / coefficient, clamped."""
        if self.funding_rate is not None:
            return self.funding_rate
        inst = self.instrument
        if self.index <= 0:
            return Decimal(0)
        premium = (self.mark - self.index) / self.index / inst.funding_rate_coefficient
        cap = inst.max_relative_funding_rate
        return max(-cap, min(cap, premium))
