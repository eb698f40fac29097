"""A deliberately naive reference matcher for one symbol: the oracle for the real engine.

Resting orders live in one plain list in arrival order. A taker scans that list for the orders
it crosses, sorts them by price (stable, so arrival order breaks ties) and trades at the maker's
price. Orders are named by the caller (their submission index), accounts by any string.

Semantics, as the engine documents them:
- lmt: trade what crosses, rest the remainder.
- post: rejected if it would cross at all, else rests.
- ioc: trade what crosses, drop the remainder; rejected if nothing could trade.
- fok: all or nothing; rejected unless the whole size can trade at once.
- self-trade (reject taker): trades with other accounts happen until the first maker of the
  taker's own account would be met; the taker's remainder is then cancelled (never rested).
  If nothing could trade before that, the order is rejected.

`place` and `cancel` return what happened as records, in order:
("trade", maker, taker, price, qty), ("placed", order), ("cancelled", order, reason),
("rejected", order, reason) for a refused order, ("refused", order, reason) for a refused cancel.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

Record = tuple[object, ...]


@dataclass
class Resting:
    ref: int
    account: str
    side: str  # "buy" | "sell"
    price: Decimal
    remaining: Decimal


class ReferenceMatcher:
    def __init__(self) -> None:
        self.resting: list[Resting] = []  # arrival order
        self.filled: set[int] = set()  # orders that were completely filled

    def _makers(self, side: str, price: Decimal) -> list[Resting]:
        """Resting orders a taker on `side` limited at `price` meets, best first, FIFO within."""
        if side == "buy":
            crossing = [o for o in self.resting if o.side == "sell" and o.price <= price]
            return sorted(crossing, key=lambda o: o.price)
        crossing = [o for o in self.resting if o.side == "buy" and o.price >= price]
        return sorted(crossing, key=lambda o: -o.price)

    def place(
        self, ref: int, account: str, side: str, kind: str, price: Decimal, qty: Decimal
    ) -> list[Record]:
        makers = self._makers(side, price)
        if kind == "post":
            if makers:
                return [("rejected", ref, "post_would_execute")]
            self.resting.append(Resting(ref, account, side, price, qty))
            return [("placed", ref)]
        fills: list[tuple[Resting, Decimal]] = []
        left = qty
        met_self = False
        for maker in makers:
            if left == 0:
                break
            if maker.account == account:
                met_self = True
                break
            take = min(left, maker.remaining)
            fills.append((maker, take))
            left -= take
        if met_self and left == qty:
            return [("rejected", ref, "would_execute_self")]
        if kind == "fok" and left > 0:
            return [("rejected", ref, "fok_would_not_execute")]
        if kind in ("ioc", "fok") and left == qty:
            return [("rejected", ref, "ioc_would_not_execute")]
        records: list[Record] = []
        for maker, take in fills:
            maker.remaining -= take
            if maker.remaining == 0:
                self.resting.remove(maker)
                self.filled.add(maker.ref)
            records.append(("trade", maker.ref, ref, maker.price, take))
        if left == 0:
            self.filled.add(ref)
        elif met_self:
            records.append(("cancelled", ref, "would_execute_self"))
        elif kind == "ioc":
            records.append(("cancelled", ref, "ioc_remainder"))
        else:
            self.resting.append(Resting(ref, account, side, price, left))
            records.append(("placed", ref))
        return records

    def cancel(self, ref: int) -> list[Record]:
        for order in self.resting:
            if order.ref == ref:
                self.resting.remove(order)
                return [("cancelled", ref, "cancelled_by_user")]
        return [("refused", ref, "already_filled" if ref in self.filled else "not_found")]

    def book(self) -> dict[str, list[tuple[int, Decimal]]]:
        """Per side, (order, remaining) in priority order: best price first, then arrival."""
        bids = sorted((o for o in self.resting if o.side == "buy"), key=lambda o: -o.price)
        asks = sorted((o for o in self.resting if o.side == "sell"), key=lambda o: o.price)
        return {
            "buy": [(o.ref, o.remaining) for o in bids],
            "sell": [(o.ref, o.remaining) for o in asks],
        }
