"""RFQs: requests for quote, offers on them, and acceptance as block trades.

A requester (a user, or the house standing in for a simulated requester) publishes signed legs;
other accounts place offers: a bid (the offerer buys the package as defined by the legs) and/or
an ask (it sells), priced per package or per leg. Accepting one side of one offer executes every
leg as a block trade (`Trade`, fill type BLOCK both sides; order ids: the offer uid for the
offerer, the RFQ uid for the requester) booked like any trade: positions, realised PnL, fees
(maker fee for the offerer, taker fee for the requester; the house pays none).

Invariants (choices in docs/funds-rfq-assignment.md; state and checks in `rfq_book.py`):
leg prices are on the tick grid and within the collar of mark; one live offer per account per
RFQ, only on open RFQs, never on one's own; margin is checked on offering and, for both sides,
on acceptance (nothing is reserved between); an RFQ closes exactly once (expired, cancelled or
filled on one side); at expiry a simulated requester takes its best offer that passes checks.
"""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import TYPE_CHECKING

from ..engine import commands as c
from ..engine import events as ev
from ..engine.commands import Quote, RfqLeg
from ..engine.events import RfqStatus
from ..engine.reasons import Reject
from ..engine.types import FillType, OrderType, OrderView, Side
from . import fills
from .rfq_book import (
    CLOSED_MARKETS,
    CLOSED_MEMORY,
    DEFAULT_LIFETIME_MS,
    HOUSE,
    Offer,
    Rfq,
    RfqBook,
    band,
    check_request,
    leg_prices,
    margin,
    package_mark,
    ranked_offers,
)

if TYPE_CHECKING:
    from .core import Exchange, Outcome

__all__ = [
    "RfqBook",
    "accept",
    "cancel",
    "cancel_offer",
    "create",
    "expire",
    "expire_due",
    "next_expiry",
    "place_offer",
]

Choice = tuple[Offer, Quote]


# -- commands ------------------------------------------------------------------------------
def create(ex: Exchange, cmd: c.CreateRfq) -> Outcome:
    expire_due(ex)
    acct = ex.account(cmd.account_id if cmd.account_id is not None else HOUSE)
    expiry = cmd.expiry
    if expiry is None:
        expiry = ex.now + (cmd.lifetime_ms if cmd.lifetime_ms is not None else DEFAULT_LIFETIME_MS)
    refusal = check_request(ex, acct, cmd.legs, expiry)
    if refusal is not None:
        return ex.outcome(refusal, account_id=acct.account_id)
    uid = ex.ids.uuid()
    intent = None if cmd.side is None else Quote.ASK if cmd.side is Side.BUY else Quote.BID
    ex.rfqs.open[uid] = Rfq(uid, acct.account_id, cmd.legs, ex.now, expiry, intent)
    legs = tuple((leg.symbol, leg.size) for leg in cmd.legs)
    ex.emit(ev.RfqOpened(*ex.stamp(), uid, acct.account_id, legs, expiry))
    return ex.outcome(account_id=acct.account_id)


def place_offer(ex: Exchange, cmd: c.PlaceRfqOffer) -> Outcome:
    expire_due(ex)
    acct = ex.account(cmd.account_id)
    rfq = ex.rfqs.open.get(cmd.rfq_uid)
    if rfq is None:
        return ex.outcome(Reject.RFQ_NOT_FOUND, account_id=acct.account_id)
    live = rfq.offers.get(acct.account_id)
    refusal = (
        Reject.ACCOUNT_INACTIVE if not acct.trading_enabled
        else Reject.WOULD_EXECUTE_SELF if rfq.requester == acct.account_id
        else Reject.OFFER_NOT_FOUND if cmd.replace and live is None
        else Reject.OFFER_ALREADY_EXISTS if not cmd.replace and live is not None
        else None
    )  # fmt: skip
    if refusal is not None:
        return ex.outcome(refusal, account_id=acct.account_id)
    bid = leg_prices(ex, rfq, cmd.bid, cmd.bid_side)
    ask = leg_prices(ex, rfq, cmd.ask, cmd.ask_side)
    if isinstance(bid, Reject) or isinstance(ask, Reject) or (bid is None and ask is None):
        return ex.outcome(Reject.INVALID_PRICE, account_id=acct.account_id)
    if bid is not None and ask is not None and rfq.package(bid) >= rfq.package(ask):
        return ex.outcome(Reject.INVALID_PRICE, account_id=acct.account_id)
    for prices, sign in ((bid, 1), (ask, -1)):
        if prices is not None:
            refusal = band(ex, rfq, prices) or margin(ex, acct, rfq, prices, sign)
            if refusal is not None:
                return ex.outcome(refusal, account_id=acct.account_id)
    placed = live.placed if live is not None else ex.now
    uid = live.uid if live is not None else ex.ids.uuid()
    per_leg, ex.rfqs.rank = (cmd.bid_side is not None, cmd.ask_side is not None), ex.rfqs.rank + 1
    rfq.offers[acct.account_id] = Offer(
        uid, rfq.uid, acct.account_id, bid, ask, *per_leg, placed, ex.now, ex.rfqs.rank
    )
    bid_p, ask_p = (rfq.package(p) if p is not None else None for p in (bid, ask))
    replaced = live is not None
    ex.emit(ev.RfqOfferPlaced(*ex.stamp(), uid, rfq.uid, acct.account_id, bid_p, ask_p, replaced))
    return ex.outcome(account_id=acct.account_id)


def cancel_offer(ex: Exchange, cmd: c.CancelRfqOffer) -> Outcome:
    expire_due(ex)
    ex.account(cmd.account_id)
    rfq = ex.rfqs.open.get(cmd.rfq_uid)
    if rfq is None:
        return ex.outcome(Reject.RFQ_NOT_FOUND, account_id=cmd.account_id)
    live = rfq.offers.get(cmd.account_id)
    if live is None or cmd.offer_uid not in (None, live.uid):
        return ex.outcome(Reject.OFFER_NOT_FOUND, account_id=cmd.account_id)
    del rfq.offers[cmd.account_id]
    live.status, live.updated = RfqStatus.CANCELLED, ex.now
    _archive_offer(ex, live)
    ex.emit(ev.RfqOfferCancelled(*ex.stamp(), live.uid, rfq.uid, cmd.account_id))
    return ex.outcome(account_id=cmd.account_id)


def cancel(ex: Exchange, cmd: c.CancelRfq) -> Outcome:
    expire_due(ex)
    ex.account(cmd.account_id)
    rfq = ex.rfqs.open.get(cmd.rfq_uid)
    if rfq is None or rfq.requester != cmd.account_id:
        return ex.outcome(Reject.RFQ_NOT_FOUND, account_id=cmd.account_id)
    _close(ex, rfq, RfqStatus.CANCELLED)
    return ex.outcome(account_id=cmd.account_id)


def accept(ex: Exchange, cmd: c.AcceptRfqOffer) -> Outcome:
    expire_due(ex)
    rfq = ex.rfqs.open.get(cmd.rfq_uid)
    if rfq is None or cmd.account_id not in (None, rfq.requester):
        return ex.outcome(Reject.RFQ_NOT_FOUND, account_id=cmd.account_id)
    if cmd.offer_account is not None and cmd.offer_account not in rfq.offers:
        return ex.outcome(Reject.OFFER_NOT_FOUND, account_id=cmd.account_id)
    choices = _candidates(ex, rfq, cmd.quote, cmd.offer_account)
    if not choices:
        missing = Reject.OFFER_NOT_FOUND if cmd.price is None else Reject.OFFER_NO_LONGER_VALID
        return ex.outcome(missing, account_id=cmd.account_id)
    offer, quote = choices[0]
    if cmd.price is not None and rfq.package(offer.prices(quote) or ()) != cmd.price:
        return ex.outcome(Reject.OFFER_NO_LONGER_VALID, account_id=cmd.account_id)
    refusal = _execute(ex, rfq, offer, quote)
    return ex.outcome(refusal, order_id=offer.uid, account_id=cmd.account_id)


def expire(ex: Exchange, cmd: c.ExpireRfqs) -> Outcome:
    expire_due(ex)
    return ex.outcome()


# -- timers (`expire_due` at `next_expiry`) ------------------------------------------------
def next_expiry(ex: Exchange) -> int | None:
    return min((r.expiry for r in ex.rfqs.open.values()), default=None)


def expire_due(ex: Exchange) -> None:
    """Close every RFQ whose expiry has passed, earliest first; a simulated requester takes
    the best offer on its side that still passes the checks."""
    due = sorted((r.expiry, r.uid) for r in ex.rfqs.open.values() if r.expiry <= ex.now)
    for _, uid in due:
        rfq = ex.rfqs.open[uid]
        if rfq.requester == HOUSE:
            for offer, quote in _candidates(ex, rfq, None, None):
                if _execute(ex, rfq, offer, quote) is None:
                    break
        if rfq.status is RfqStatus.OPEN:
            _close(ex, rfq, RfqStatus.EXPIRED)


# -- helpers ---------------------------------------------------------------------------------------
def _candidates(ex: Exchange, rfq: Rfq, quote: Quote | None, account: str | None) -> list[Choice]:
    """(offer, side) pairs the requester may accept, best first."""
    quotes = [quote] if quote is not None else [rfq.intent] if rfq.intent else list(Quote)
    mark = package_mark(ex, rfq)
    pairs = []
    for q in quotes:
        for offer in ranked_offers(rfq, q):
            if account is None or offer.account_id == account:
                package = rfq.package(offer.prices(q) or ())
                edge = package - mark if q is Quote.BID else mark - package
                pairs.append((-edge, offer.rank, q is Quote.ASK, offer, q))
    pairs.sort(key=lambda p: p[:3])
    return [(offer, q) for *_, offer, q in pairs]


def _execute(ex: Exchange, rfq: Rfq, offer: Offer, quote: Quote) -> Reject | None:
    prices = offer.prices(quote)
    assert prices is not None
    sign = 1 if quote is Quote.BID else -1
    if any(ex.markets[leg.symbol].state in CLOSED_MARKETS for leg in rfq.legs):
        return Reject.MARKET_SUSPENDED
    offerer, requester = ex.accounts[offer.account_id], ex.accounts[rfq.requester]
    if not offerer.trading_enabled or margin(ex, offerer, rfq, prices, sign) is not None:
        return Reject.OFFER_NO_LONGER_VALID
    if requester.account_id != HOUSE:
        if not requester.trading_enabled:
            return Reject.ACCOUNT_INACTIVE
        refusal = margin(ex, requester, rfq, prices, -sign)
        if refusal is not None:
            return refusal
    status = RfqStatus.FILLED_BID_SIDE if quote is Quote.BID else RfqStatus.FILLED_ASK_SIDE
    _close(ex, rfq, status, offer)
    for leg, price in zip(rfq.legs, prices, strict=True):
        _block_trade(ex, rfq, offer, leg, price, Side.BUY if leg.size * sign > 0 else Side.SELL)
    return None


def _block_trade(
    ex: Exchange, rfq: Rfq, offer: Offer, leg: RfqLeg, price: Decimal, side: Side
) -> None:
    """One leg: the offerer trades `side`, the requester the opposite, at `price`."""
    inst = ex.instruments[leg.symbol]
    qty = abs(leg.size)
    value = inst.value(qty, price)
    maker_fee = value * ex.settings.fees.maker
    taker_fee = Decimal(0) if rfq.requester == HOUSE else value * ex.settings.fees.taker
    maker = OrderView(
        offer.uid,
        offer.account_id,
        inst.symbol,
        side,
        OrderType.LMT,
        qty,
        qty,
        price,
        None,
        offer.placed,
        ex.now,
    )
    taker = OrderView(
        rfq.uid,
        rfq.requester,
        inst.symbol,
        side.opposite,
        OrderType.LMT,
        qty,
        qty,
        price,
        None,
        rfq.created,
        ex.now,
    )
    trade_id = ex.ids.uuid()
    block, currency = FillType.BLOCK, inst.settlement_currency
    ex.emit(
        ev.Trade(
            *ex.stamp(),
            trade_id,
            inst.symbol,
            price,
            qty,
            side.opposite,
            maker,
            taker,
            block,
            block,
            maker_fee,
            taker_fee,
            currency,
        )
    )
    offerer, requester = ex.accounts[offer.account_id], ex.accounts[rfq.requester]
    fills.book_fill(ex, offerer, inst, side.sign * qty, price, maker_fee, trade_id)
    fills.book_fill(ex, requester, inst, -side.sign * qty, price, taker_fee, trade_id)


def _close(ex: Exchange, rfq: Rfq, status: RfqStatus, winner: Offer | None = None) -> None:
    del ex.rfqs.open[rfq.uid]
    rfq.status, rfq.closed_at = status, ex.now
    for offer in sorted(rfq.offers.values(), key=lambda o: o.rank):
        offer.status = status
        _archive_offer(ex, offer)
    closed = ex.rfqs.closed
    closed[rfq.uid] = rfq
    while len(closed) > CLOSED_MEMORY:
        closed.popitem(last=False)
    uid, account = (winner.uid, winner.account_id) if winner is not None else (None, None)
    ex.emit(ev.RfqClosed(*ex.stamp(), rfq.uid, status, uid, account))


def _archive_offer(ex: Exchange, offer: Offer) -> None:
    log = ex.rfqs.closed_offers.setdefault(offer.account_id, deque(maxlen=CLOSED_MEMORY))
    log.append(offer)
