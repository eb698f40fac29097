"""The RFQ book: open and recently closed RFQs, their offers, and the checks on both.

`Rfq` holds signed legs, an expiry, a requester (a user, or the house standing in for a
simulated requester with an intended side) and the live offers by account; `Offer` holds unit
prices per leg for each side it quotes. Prices are exact: a package price P is apportioned by
pricing legs 2..n at their mark (floored to the tick) and leg 1 at (P - the others) / size,
which must be exact and on the tick grid; package = sum(size x price). The checks here never
change anything; `rfq.py` applies commands. Limits and choices: docs/funds-rfq-assignment.md.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from ..engine.commands import Quote, RfqLeg
from ..engine.events import RfqStatus
from ..engine.reasons import Reject
from ..engine.types import MarketState, Side
from . import risk

if TYPE_CHECKING:
    from ..accounts.account import Account
    from .core import Exchange

HOUSE = "house"
DEFAULT_LIFETIME_MS = 60_000
MIN_LIFETIME_MS = 5_000
MAX_LIFETIME_MS = 86_400_000
MAX_LEGS = 10
MAX_OPEN_RFQS = 10  # per requesting user (the simulated requester has no limit)
CLOSED_MEMORY = 1_000
CLOSED_MARKETS = (MarketState.SUSPENDED, MarketState.INACTIVE)

Prices = tuple[Decimal, ...]
Legs = tuple[RfqLeg, ...]
PerLeg = tuple[tuple[str, Decimal], ...]


@dataclass(slots=True)
class Offer:
    uid: str
    rfq_uid: str
    account_id: str
    bid: Prices | None  # unit price per leg, in leg order
    ask: Prices | None
    bid_per_leg: bool
    ask_per_leg: bool
    placed: int
    updated: int
    rank: int  # time priority among equal prices
    status: RfqStatus = RfqStatus.OPEN

    def prices(self, quote: Quote) -> Prices | None:
        return self.bid if quote is Quote.BID else self.ask


@dataclass(slots=True)
class Rfq:
    uid: str
    requester: str
    legs: Legs
    created: int
    expiry: int
    intent: Quote | None  # the side a simulated requester will accept (None: either)
    offers: dict[str, Offer] = field(default_factory=dict)  # by account
    status: RfqStatus = RfqStatus.OPEN
    closed_at: int | None = None

    def package(self, prices: Prices) -> Decimal:
        return sum((leg.size * p for leg, p in zip(self.legs, prices, strict=True)), Decimal(0))

    def best(self, quote: Quote) -> Offer | None:
        ranked = ranked_offers(self, quote)
        return ranked[0] if ranked else None


class RfqBook:
    """Open RFQs, recently closed ones (bounded) and each account's closed offers."""

    def __init__(self) -> None:
        self.open: dict[str, Rfq] = {}
        self.closed: OrderedDict[str, Rfq] = OrderedDict()
        self.closed_offers: dict[str, deque[Offer]] = {}
        self.rank = 0

    def find(self, uid: str) -> Rfq | None:
        return self.open.get(uid) or self.closed.get(uid)


def ranked_offers(rfq: Rfq, quote: Quote) -> list[Offer]:
    """Live offers with a `quote` side, best price first, then time priority."""
    sign = -1 if quote is Quote.BID else 1
    quoted = [o for o in rfq.offers.values() if o.prices(quote) is not None]
    return sorted(quoted, key=lambda o: (sign * rfq.package(o.prices(quote) or ()), o.rank))


def package_mark(ex: Exchange, rfq: Rfq) -> Decimal:
    return sum((leg.size * ex.markets[leg.symbol].mark for leg in rfq.legs), Decimal(0))


# -- checks (nothing changes here) ----------------------------------------------------------
def check_request(ex: Exchange, acct: Account, legs: Legs, expiry: int) -> Reject | None:
    if not acct.trading_enabled:
        return Reject.ACCOUNT_INACTIVE
    if acct.account_id != HOUSE:
        mine = sum(1 for r in ex.rfqs.open.values() if r.requester == acct.account_id)
        if mine >= MAX_OPEN_RFQS:
            return Reject.TOO_MANY_OPEN_RFQS
    if not legs:
        return Reject.NO_LEGS_SPECIFIED
    if len(legs) > MAX_LEGS:
        return Reject.TOO_MANY_LEGS
    for leg in legs:
        market = ex.markets.get(leg.symbol)
        if market is None:
            return Reject.MARKET_NOT_FOUND
        if market.instrument.to_lots(abs(leg.size)) is None:
            return Reject.INVALID_SIZE
        if market.state in CLOSED_MARKETS:
            return Reject.MARKET_SUSPENDED
    if len({leg.symbol for leg in legs}) < len(legs):
        return Reject.INVALID_SIZE
    pairs = {(ex.instruments[leg.symbol].base, ex.instruments[leg.symbol].quote) for leg in legs}
    if len(pairs) > 1:
        return Reject.MIXED_CURRENCY_PAIRS
    if expiry <= ex.now or expiry - ex.now > MAX_LIFETIME_MS:
        return Reject.INVALID_EXPIRY
    if expiry - ex.now < MIN_LIFETIME_MS:
        return Reject.EXPIRY_TOO_SHORT
    if acct.account_id == HOUSE:
        return None
    marks = tuple(mark_price(ex, leg.symbol) for leg in legs)
    probe = Rfq("", acct.account_id, legs, ex.now, expiry, None)
    return margin(ex, acct, probe, marks, 1) or margin(ex, acct, probe, marks, -1)


def mark_price(ex: Exchange, symbol: str) -> Decimal:
    market = ex.markets[symbol]
    return market.instrument.price(max(1, market.instrument.ticks_floor(market.mark)))


def leg_prices(
    ex: Exchange, rfq: Rfq, package: Decimal | None, per_leg: PerLeg | None
) -> Prices | Reject | None:
    """One side of an offer as unit prices per leg (None: that side is not quoted)."""
    if package is None and per_leg is None:
        return None
    if package is not None and per_leg is not None:
        return Reject.INVALID_PRICE
    if per_leg is not None:
        given = dict(per_leg)
        if len(given) != len(per_leg) or set(given) != {leg.symbol for leg in rfq.legs}:
            return Reject.INVALID_PRICE
        prices = tuple(given[leg.symbol] for leg in rfq.legs)
    else:
        assert package is not None
        others = tuple(mark_price(ex, leg.symbol) for leg in rfq.legs[1:])
        first = rfq.legs[0]
        residual = package - sum(leg.size * p for leg, p in zip(rfq.legs[1:], others, strict=True))
        unit = residual / first.size
        if unit * first.size != residual:
            return Reject.INVALID_PRICE
        prices = (unit, *others)
    for leg, price in zip(rfq.legs, prices, strict=True):
        if ex.instruments[leg.symbol].to_ticks(price) is None:
            return Reject.INVALID_PRICE
    return prices


def band(ex: Exchange, rfq: Rfq, prices: Prices) -> Reject | None:
    for leg, price in zip(rfq.legs, prices, strict=True):
        market = ex.markets[leg.symbol]
        if abs(price - market.mark) > market.mark * market.instrument.collar:
            return Reject.PRICE_TOO_FAR_FROM_MARKET
    return None


def margin(ex: Exchange, acct: Account, rfq: Rfq, prices: Prices, sign: int) -> Reject | None:
    """Can `acct` take every leg (sign 1: as defined, -1: the opposite) at `prices`?"""
    for leg, price in zip(rfq.legs, prices, strict=True):
        inst = ex.instruments[leg.symbol]
        side = Side.BUY if leg.size * sign > 0 else Side.SELL
        ticks, lots = inst.to_ticks(price), inst.to_lots(abs(leg.size))
        assert ticks is not None and lots is not None
        refusal = risk.check_order(ex, acct, inst, side, [(ticks, lots)], 0, 0)
        if refusal is not None:
            return refusal
    return None
