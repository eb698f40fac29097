"""Kraken's JSON for transfers, subaccounts, RFQs and the assignment program (reference file
kraken-futures-rfq-assignment-transfers.md); the parameters are read in `decode_funds`.

Encoding: amounts are JSON numbers except the offer `bid`/`ask` (decimal strings); times are
RFC 3339 with milliseconds. v2 RFQ refusals are `reason` strings (`rfq_reason`); everything else
uses the one table in `errors.REJECTS`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..engine.commands import AssignmentPreference as Preference
from ..engine.commands import Quote
from ..engine.reasons import Reject
from ..exchange import Exchange
from ..exchange.assignment import HistoryEntry
from ..exchange.funds import TransferRecord, currencies, margin_wallets, subaccounts
from ..exchange.rfq_book import Offer, Rfq, package_mark
from .errors import REJECTS
from .formats import iso, num

JSON = dict[str, Any]

#: v2 RFQ `reason` strings where they differ from the REST error of the same refusal.
RFQ_REASONS: dict[Reject, str] = {
    Reject.MARKET_NOT_FOUND: "symbolNotFound",
    Reject.INVALID_SIZE: "invalidQuantity",
    Reject.INSUFFICIENT_AVAILABLE_FUNDS: "insufficientMargin",
    Reject.MAX_POSITION_VIOLATION: "maxPositionExceed",
    Reject.MARKET_SUSPENDED: "marketRestricted",
    Reject.MARKET_INACTIVE: "marketRestricted",
    Reject.WOULD_EXECUTE_SELF: "orderError",
}
#: `POST /withdrawal` answers an over-withdrawal with `Unavailable` (reference §2.3).
WITHDRAWAL_ERRORS = {Reject.INSUFFICIENT_FUNDS: "Unavailable"}


def error_code(reason: Reject) -> str:
    return REJECTS[reason].error or REJECTS[reason].status or "unknownError"


def rfq_reason(reason: Reject) -> str:
    return RFQ_REASONS.get(reason) or error_code(reason)


# -- encoding ------------------------------------------------------------------------------
def decimal_text(value: Decimal) -> str:
    return "0" if value == 0 else format(value.normalize(), "f")


def _legs(ex: Exchange, rfq: Rfq) -> list[JSON]:
    return [
        {"symbol": leg.symbol, "size": num(leg.size), "markPrice": num(ex.markets[leg.symbol].mark)}
        for leg in rfq.legs
    ]


def rfq_json(ex: Exchange, rfq: Rfq) -> JSON:
    """An RFQ in both generations' names (`uid` v2, `rfqUid` v1), without offers or requester."""
    return {
        "uid": rfq.uid,
        "rfqUid": rfq.uid,
        "expiry": iso(rfq.expiry),
        "markPrice": num(package_mark(ex, rfq)),
        "status": rfq.status.value,
        "legs": _legs(ex, rfq),
    }


def own_rfq_json(ex: Exchange, rfq: Rfq) -> JSON:
    """The requester's view: best package prices and, for per-leg offers, their legs."""
    out = rfq_json(ex, rfq)
    for quote, price_key, side_key in (
        (Quote.BID, "bestBid", "bidSide"),
        (Quote.ASK, "bestAsk", "askSide"),
    ):
        best = rfq.best(quote)
        prices = best.prices(quote) if best is not None else None
        if best is not None and prices is not None:
            out[price_key] = num(rfq.package(prices))
            per_leg = best.bid_per_leg if quote is Quote.BID else best.ask_per_leg
            out[side_key] = _side(rfq, prices) if per_leg else None
        else:
            out[side_key] = None
    return out


def _side(rfq: Rfq, prices: tuple[Decimal, ...]) -> list[JSON]:
    return [
        {"tradeable": leg.symbol, "price": num(p)} for leg, p in zip(rfq.legs, prices, strict=True)
    ]


def offer_json(rfq: Rfq, offer: Offer) -> JSON:
    """v1 `OpenRfqOffer` plus the v2 `bidSide`/`askSide`/`status`."""
    out: JSON = {
        "uid": offer.uid,
        "rfqUid": offer.rfq_uid,
        "placementDate": iso(offer.placed),
        "lastUpdateDate": iso(offer.updated),
    }
    for quote, key, per_leg in (
        (Quote.BID, "bid", offer.bid_per_leg),
        (Quote.ASK, "ask", offer.ask_per_leg),
    ):
        prices = offer.prices(quote)
        if prices is not None and not per_leg:
            out[key] = decimal_text(rfq.package(prices))
        out[f"{key}Side"] = _side(rfq, prices) if prices is not None and per_leg else None
    out["status"] = offer.status.value
    return out


def preference_json(pref: Preference) -> JSON:
    out: JSON = {
        "contractType": pref.contract_type,
        "contract": pref.contract,
        "maxSize": num(pref.max_size),
        "maxPosition": num(pref.max_position),
        "acceptLong": pref.accept_long,
        "acceptShort": pref.accept_short,
        "timeFrame": pref.time_frame.value,
        "enabled": pref.enabled,
    }
    extended = (
        ("baseCurrency", pref.base_currency),
        ("quoteCurrency", pref.quote_currency),
        ("cashAccountOpenPositionMaxNotional", num(pref.max_notional)),
        ("minimumProfitabilityPerAssignmentLongBps", pref.min_long_bps),
        ("minimumProfitabilityPerAssignmentShortBps", pref.min_short_bps),
    )
    out.update({k: v for k, v in extended if v is not None})  # only when set (2026 fields)
    return out


def history_json(entry: HistoryEntry) -> JSON:
    return {
        "deleted": entry.deleted,
        "timestamp": iso(entry.time),
        "participant": preference_json(entry.preference),
    }


def transfer_json(record: TransferRecord) -> JSON:
    """Legacy `GET /transfers` element: Futures <-> Spot movements of one account."""
    out = record.to_wallet == "spot"
    return {
        "id": record.transfer_id,
        "date": iso(record.time),
        "from": "futures" if out else "spot",
        "to": "spot" if out else "futures",
        "asset": record.currency.lower(),
        "amount": num(record.amount),
        "status": "success",
    }


def subaccount_json(ex: Exchange, account_id: str) -> JSON:
    """One `SubAccount`: holding (cash) balances, single-collateral wallets and flex."""
    acct = ex.accounts[account_id]
    cash = acct.wallets.get("cash")
    holding = [
        {"currency": cur.lower(), "amount": num(cash.balance(cur) if cash else Decimal(0))}
        for cur in currencies(ex)
    ]
    futures = []
    for wallet in margin_wallets(ex):
        if wallet != "flex":
            base, quote = wallet[3:-3], wallet[-3:]
            summary = ex.margin.summary(acct, wallet)
            futures.append({"name": f"f-{base}:{quote}", "availableMargin": num(summary.available)})
    return {
        "accountUid": account_id,
        "email": acct.name,
        "fullName": None,
        "holdingAccounts": holding,
        "futuresAccounts": futures,
        "flexAccount": _flex(ex, account_id),
    }


def _flex(ex: Exchange, account_id: str) -> JSON:
    acct = ex.accounts[account_id]
    s = ex.margin.summary(acct, "flex")
    rows = []
    flex = acct.wallets.get("flex")
    for cur, qty in sorted(flex.balances.items()) if flex is not None else []:
        price = ex.usd_price(cur)
        haircut = ex.settings.haircuts.get(cur, Decimal("0.1"))
        value = qty * price
        collateral = value * (1 - haircut) if qty > 0 else value
        per_unit = price * (1 - haircut)
        room = s.available / per_unit if per_unit > 0 else Decimal(0)
        available = max(Decimal(0), min(qty, room))
        rows.append(
            {
                "currency": cur.lower(),
                "quantity": num(qty),
                "value": num(value),
                "collateral": num(collateral),
                "available": num(available),
            }
        )
    return {
        "currencies": rows,
        "initialMargin": num(s.initial),
        "initialMarginWithOrders": num(s.initial_with_orders),
        "maintenanceMargin": num(s.maintenance),
        "balanceValue": num(s.balance_value),
        "portfolioValue": num(s.portfolio_value),
        "collateralValue": num(s.collateral),
        "pnl": num(s.unrealised),
        "unrealizedFunding": 0,
        "totalUnrealized": num(s.unrealised),
        "totalUnrealizedAsMargin": num(s.unrealised),
        "availableMargin": num(s.available),
        "marginEquity": num(s.equity),
    }


def subaccounts_json(ex: Exchange, master_id: str) -> JSON:
    return {
        "masterAccountUid": master_id,
        "subaccounts": [subaccount_json(ex, a.account_id) for a in subaccounts(ex, master_id)],
    }
