"""Parameters of the transfer, subaccount, RFQ and assignment-program endpoints to commands.

The reference's server rule (kraken-futures-rfq-assignment-transfers.md §1): query string and
form body merged (`Params`); booleans in any case (`true`, `True`); amounts as numbers or
strings. Wallet names are read lower case, currencies upper case, `BTC` as Kraken's `XBT`.
Problems raise `WireError` before anything reaches the exchange, with one exception: the v2
RFQ create call answers a malformed leg or expiry with a `reason`, so `create_rfq` returns the
`Reject` instead. Commands come back with an empty account id, filled in after authentication.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

from ..engine import commands as c
from ..engine.commands import Quote
from ..engine.reasons import Reject
from .decode import Params, to_decimal
from .errors import WireError, invalid, missing
from .formats import parse_bool, parse_iso, symbol

CURRENCY_ALIASES = {"BTC": "XBT"}


def currency(text: str) -> str:
    code = text.strip().upper()
    return CURRENCY_ALIASES.get(code, code)


def _amount(params: Params, name: str) -> Decimal:
    text = params.text(name, True) or ""
    try:
        return to_decimal(text, name)
    except WireError:
        raise WireError("invalidAmount") from None


def _required(params: Params, name: str) -> str:
    return params.text(name, True) or ""


def transfer(params: Params) -> c.TransferFunds:
    """`POST /transfer`: fromAccount, toAccount, unit, amount."""
    return c.TransferFunds(
        "",
        _required(params, "fromAccount").strip().lower(),
        _required(params, "toAccount").strip().lower(),
        currency(_required(params, "unit")),
        _amount(params, "amount"),
    )


def subaccount_transfer(params: Params) -> c.TransferFunds:
    """`POST /transfer/subaccount`: fromUser, toUser and the wallet transfer's parameters."""
    from_user, to_user = _required(params, "fromUser"), _required(params, "toUser")
    base = transfer(params)
    return replace(base, from_user=from_user.strip(), to_user=to_user.strip())


def withdrawal(params: Params) -> c.Withdraw:
    """`POST /withdrawal`: currency, amount, optional sourceWallet (default `cash`)."""
    wallet = (params.text("sourceWallet") or "cash").strip().lower()
    unit = currency(_required(params, "currency"))
    return c.Withdraw("", unit, _amount(params, "amount"), wallet)


def flag(params: Params, name: str) -> bool:
    value = parse_bool(_required(params, name))
    if value is None:
        raise invalid(name)
    return value


def create_rfq(params: Params) -> c.CreateRfq | Reject:
    """The `json` parameter of `POST /rfqs/open-rfqs`: {"legs":[{tradeable,size}],"expiry"?}."""
    document = _json(_required(params, "json"))
    if not isinstance(document, dict):
        raise WireError("Json Parse Error")
    raw_legs = document.get("legs") or []
    if not isinstance(raw_legs, list):
        raise WireError("Json Parse Error")
    legs = []
    for item in raw_legs:
        if not isinstance(item, dict) or not isinstance(item.get("tradeable"), str):
            return Reject.MARKET_NOT_FOUND
        size = _number(item.get("size"))
        if size is None:
            return Reject.INVALID_SIZE
        legs.append(c.RfqLeg(symbol(item["tradeable"]), size))
    expiry = document.get("expiry")
    expiry_ms = parse_iso(expiry) if isinstance(expiry, str) else None
    if expiry is not None and expiry_ms is None:
        return Reject.INVALID_EXPIRY
    return c.CreateRfq("", tuple(legs), expiry=expiry_ms)


def offer(params: Params, replace: bool = False) -> c.PlaceRfqOffer:
    """Offer prices: `bid`/`ask` per package, or `bidSide`/`askSide` per leg (JSON)."""
    bid, ask = params.decimal("bid"), params.decimal("ask")
    bid_side, ask_side = _per_leg(params, "bidSide"), _per_leg(params, "askSide")
    if bid is None and ask is None and bid_side is None and ask_side is None:
        raise missing("bid")
    if (bid is not None and bid_side is not None) or (ask is not None and ask_side is not None):
        raise invalid("bidSide" if bid_side is not None and bid is not None else "askSide")
    return c.PlaceRfqOffer("", "", bid, ask, bid_side, ask_side, replace)


def acceptance(params: Params) -> tuple[Quote, Decimal | None]:
    """Exactly one of `bidAccepted`/`askAccepted`: the package price seen, or `true`."""
    bid, ask = params.text("bidAccepted"), params.text("askAccepted")
    if bid is None and ask is None:
        raise missing("bidAccepted")
    if bid is not None and ask is not None:
        raise invalid("askAccepted")
    quote, name = (Quote.BID, "bidAccepted") if bid is not None else (Quote.ASK, "askAccepted")
    text = (bid or ask or "").strip()
    if text.lower() == "true":
        return quote, None
    if text.lower() == "false":
        raise invalid(name)
    return quote, to_decimal(text, name)


TIME_FRAMES = {
    "all": c.TimeFrame.ALL,
    "weekdays": c.TimeFrame.WEEKDAYS,
    "weekends": c.TimeFrame.WEEKEND,
    "weekend": c.TimeFrame.WEEKEND,
}


def add_preference(params: Params) -> c.AddAssignmentPreference:
    """`POST /assignmentprogram/add` (legacy and 2026 extended fields)."""
    contract_type = _required(params, "contractType").strip().lower()
    accept_long, accept_short = flag(params, "acceptLong"), flag(params, "acceptShort")
    frame = TIME_FRAMES.get(_required(params, "timeFrame").strip().lower())
    if frame is None:
        raise invalid("timeFrame")
    enabled = flag(params, "enabled")
    contract = params.text("contract")
    base, quote = params.text("baseCurrency"), params.text("quoteCurrency")
    return c.AddAssignmentPreference(
        "",
        c.AssignmentPreference(
            contract_type,
            accept_long,
            accept_short,
            frame,
            enabled,
            symbol(contract) if contract is not None else None,
            _non_negative(params, "maxSize"),
            _non_negative(params, "maxPosition"),
            currency(base) if base is not None else None,
            currency(quote) if quote is not None else None,
            _non_negative(params, "cashAccountOpenPositionMaxNotional"),
            params.integer("minimumProfitabilityPerAssignmentLongBps"),
            params.integer("minimumProfitabilityPerAssignmentShortBps"),
        ),
    )


def _non_negative(params: Params, name: str) -> Decimal | None:
    value = params.decimal(name)
    if value is not None and value < 0:
        raise invalid(name)
    return value


def _json(text: str) -> Any:
    try:
        return json.loads(text, parse_float=Decimal)
    except (ValueError, RecursionError):
        raise WireError("Json Parse Error") from None


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | Decimal | str):
        return None
    try:
        return to_decimal(str(value), "size")
    except WireError:
        return None


def _per_leg(params: Params, name: str) -> tuple[tuple[str, Decimal], ...] | None:
    text = params.text(name)
    if text is None:
        return None
    items = _json(text)
    if not isinstance(items, list) or not items:
        raise invalid(name)
    out = []
    for item in items:
        price = _number(item.get("price")) if isinstance(item, dict) else None
        if price is None or not isinstance(item.get("tradeable"), str):
            raise invalid(name)
        out.append((symbol(item["tradeable"]), price))
    return tuple(out)
