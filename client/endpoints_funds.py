"""Transfers, withdrawal to Spot, subaccount transfers, RFQs and the assignment program as
``Call`` builders (pure), with the seed's method names in Python spelling.

RFQs follow the API of the seed (Kraken's v1 RFQ paths) by default: ``/rfqs``, ``/rfqs/{uid}``,
``/rfqs/open-offers``, ``/rfqs/{uid}/place-offer`` (POST, JSON body, as SPEC documents),
``/rfqs/{uid}/replace-offer`` (PUT, JSON body) and ``/rfqs/{uid}/cancel-offer`` (DELETE).
``api="v2"`` on ``submit_rfq_new_offer``/``cancel_rfq_offer`` uses the 2026 paths instead
(``/rfqs/place-offer/{uid}`` with query parameters, ``/rfqs/cancel-offer/{uid}[?offerUid=]``);
v2 has no replace. Open offers are read from ``offers`` (v2) or ``openOffers`` (v1).
Refusals raise either way: v1 sends error envelopes (``rfqNotFound`` -> ``NotFound``), v2 a
``reason`` beside ``result:"success"`` (read by ``core.result``). ``RFQ_ERRORS`` maps the one
order-status string RFQs reuse (``wouldCauseLiquidation`` -> ``InsufficientFunds``).
"""

from __future__ import annotations

from decimal import Decimal

from .core import V3, Call, params, payload, payload_list, payload_list_any, segment
from .errors import RFQ_ERRORS, WITHDRAWAL_ERRORS
from .models_funds import (
    Ack,
    AssignmentHistoryEntry,
    AssignmentPreference,
    Rfq,
    RfqOffer,
    Withdrawal,
)
from .orders import exact_json
from .values import Number, wire_bool, wire_number

TIME_FRAMES = ("all", "weekdays", "weekends", "ALL", "WEEKDAYS", "WEEKEND")
RFQ_APIS = ("v1", "v2")


def _api(api: str) -> str:
    if api not in RFQ_APIS:
        raise ValueError(f"api: {api!r} is not one of {', '.join(RFQ_APIS)}")
    return api


# -- transfers -----------------------------------------------------------------------------
def submit_wallet_transfer(
    from_account: str, to_account: str, unit: str, amount: Number,
) -> Call[Ack]:
    """POST /derivatives/api/v3/transfer: between two wallets of the account (``cash``,
    ``flex``, ``fi_xbtusd`` ...)."""
    pairs = (("fromAccount", from_account), ("toAccount", to_account), ("unit", unit),
             ("amount", wire_number("amount", amount)))
    return Call("POST", f"{V3}/transfer", Ack.from_json, pairs, cost=10)


def submit_transfer_to_spot(
    currency: str, amount: Number, source_wallet: str | None = None,
) -> Call[Withdrawal]:
    """POST /derivatives/api/v3/withdrawal: to the Kraken Spot wallet (default from ``cash``).
    Not enough funds (Kraken answers ``Unavailable`` here) raises ``InsufficientFunds``."""
    pairs = params(("currency", currency), ("amount", wire_number("amount", amount)),
                   ("sourceWallet", source_wallet))
    return Call("POST", f"{V3}/withdrawal", Withdrawal.from_json, pairs, cost=100,
                errors=WITHDRAWAL_ERRORS)


def submit_subaccount_transfer(
    from_user: str, to_user: str, from_account: str, to_account: str, unit: str,
    amount: Number,
) -> Call[Ack]:
    """POST /derivatives/api/v3/transfer/subaccount: between the master and a subaccount
    (users by account uid)."""
    pairs = (("fromUser", from_user), ("toUser", to_user), ("fromAccount", from_account),
             ("toAccount", to_account), ("unit", unit), ("amount", wire_number("amount", amount)))
    return Call("POST", f"{V3}/transfer/subaccount", Ack.from_json, pairs, cost=10)


# -- RFQs ------------------------------------------------------------------------------------
def get_open_rfqs() -> Call[list[Rfq]]:
    """GET /derivatives/api/v3/rfqs (public): every open RFQ."""
    return Call("GET", f"{V3}/rfqs", payload_list("rfqs", Rfq.from_json), private=False,
                errors=RFQ_ERRORS)


def get_open_rfq(rfq_uid: str) -> Call[Rfq]:
    """GET /derivatives/api/v3/rfqs/{rfqUid} (public)."""
    return Call("GET", f"{V3}/rfqs/{segment(rfq_uid)}", payload("rfq", Rfq.from_json),
                private=False, errors=RFQ_ERRORS)


def get_rfq_open_offers() -> Call[list[RfqOffer]]:
    """GET /derivatives/api/v3/rfqs/open-offers: the caller's offers on open RFQs (read from
    ``offers``, the 2026 key, or ``openOffers``, the v1 key)."""
    parse = payload_list_any(("offers", "openOffers"), RfqOffer.from_json)
    return Call("GET", f"{V3}/rfqs/open-offers", parse, errors=RFQ_ERRORS)


def _offer_sides(bid: Number | None, ask: Number | None) -> list[tuple[str, str]]:
    if bid is None and ask is None:
        raise ValueError("give at least one of bid and ask")
    return [(k, wire_number(k, v)) for k, v in (("bid", bid), ("ask", ask)) if v is not None]


def _offer_body(bid: Number | None, ask: Number | None) -> str:
    return exact_json([(k, Decimal(v)) for k, v in _offer_sides(bid, ask)])


def _offer_uid(envelope: dict[str, object]) -> str:
    uid = envelope["offerUid"]
    if not isinstance(uid, str) or not uid:
        raise ValueError(f"offerUid: {uid!r}")
    return uid


def submit_rfq_new_offer(
    rfq_uid: str, bid: Number | None = None, ask: Number | None = None, *, api: str = "v1",
) -> Call[str]:
    """POST /derivatives/api/v3/rfqs/{rfqUid}/place-offer (JSON body; ``api="v2"``: POST
    /rfqs/place-offer/{rfqUid} with query parameters): returns the new ``offerUid``."""
    if _api(api) == "v2":
        return Call("POST", f"{V3}/rfqs/place-offer/{segment(rfq_uid)}", _offer_uid,
                    tuple(_offer_sides(bid, ask)), errors=RFQ_ERRORS, query_params=True)
    return Call("POST", f"{V3}/rfqs/{segment(rfq_uid)}/place-offer", _offer_uid,
                json_body=_offer_body(bid, ask), errors=RFQ_ERRORS)


def update_rfq_open_offer(
    rfq_uid: str, bid: Number | None = None, ask: Number | None = None,
) -> Call[Ack]:
    """PUT /derivatives/api/v3/rfqs/{rfqUid}/replace-offer: new prices, same offer."""
    return Call("PUT", f"{V3}/rfqs/{segment(rfq_uid)}/replace-offer", Ack.from_json,
                json_body=_offer_body(bid, ask), errors=RFQ_ERRORS)


def cancel_rfq_offer(
    rfq_uid: str, *, api: str = "v1", offer_uid: str | None = None,
) -> Call[Ack]:
    """DELETE /derivatives/api/v3/rfqs/{rfqUid}/cancel-offer (``api="v2"``: DELETE
    /rfqs/cancel-offer/{rfqUid}, with ``offer_uid`` to name the offer; v2 only)."""
    if _api(api) == "v2":
        return Call("DELETE", f"{V3}/rfqs/cancel-offer/{segment(rfq_uid)}", Ack.from_json,
                    params(("offerUid", offer_uid)), errors=RFQ_ERRORS)
    if offer_uid is not None:
        raise ValueError("offer_uid: only the v2 cancel-offer takes it (api='v2')")
    return Call("DELETE", f"{V3}/rfqs/{segment(rfq_uid)}/cancel-offer", Ack.from_json,
                errors=RFQ_ERRORS)


# -- assignment program --------------------------------------------------------------------
def get_assignment_programs() -> Call[list[AssignmentPreference]]:
    """GET /derivatives/api/v3/assignmentprogram/current: the current preferences."""
    return Call("GET", f"{V3}/assignmentprogram/current",
                payload_list("participants", AssignmentPreference.from_json))


def add_assignment_preference(
    contract_type: str, *, accept_long: bool, accept_short: bool, time_frame: str,
    enabled: bool = True, contract: str | None = None, max_size: Number | None = None,
    max_position: Number | None = None,
) -> Call[AssignmentPreference]:
    """POST /derivatives/api/v3/assignmentprogram/add. ``contract_type`` is a wallet name
    (``flex``, ``fi_xbtusd``); ``time_frame``: all, weekdays or weekends (either case)."""
    if time_frame not in TIME_FRAMES:
        raise ValueError(f"time_frame: {time_frame!r} is not one of {', '.join(TIME_FRAMES)}")
    pairs = params(
        ("contractType", contract_type), ("contract", contract),
        ("maxSize", None if max_size is None else wire_number("max_size", max_size)),
        ("maxPosition",
         None if max_position is None else wire_number("max_position", max_position)),
        ("acceptLong", wire_bool("accept_long", accept_long)),
        ("acceptShort", wire_bool("accept_short", accept_short)),
        ("timeFrame", time_frame), ("enabled", wire_bool("enabled", enabled)),
    )
    return Call("POST", f"{V3}/assignmentprogram/add", AssignmentPreference.from_json, pairs)


def delete_assignment_preference(preference_id: int) -> Call[AssignmentPreference]:
    """POST /derivatives/api/v3/assignmentprogram/delete: returns the deleted preference."""
    if isinstance(preference_id, bool) or not isinstance(preference_id, int):
        raise TypeError(f"preference_id: an int, not {preference_id!r}")
    return Call("POST", f"{V3}/assignmentprogram/delete", AssignmentPreference.from_json,
                (("id", str(preference_id)),))


def get_assignment_preferences_history() -> Call[list[AssignmentHistoryEntry]]:
    """GET /derivatives/api/v3/assignmentprogram/history: every add and delete."""
    return Call("GET", f"{V3}/assignmentprogram/history",
                payload_list("participants", AssignmentHistoryEntry.from_json))
