"""REST routes for transfers, subaccounts, RFQs (v2 primary, v1 aliases) and the assignment
program. Each handler reads, decodes, authenticates, submits and encodes; the wire rules are in
`protocol.encode_funds`, the behaviour in `exchange.funds`, `exchange.rfq`, `exchange.assignment`.

Route order matters: the literal `GET /rfqs/open-offers`, `/closed-offers` and `/open-rfqs` come
before `GET /rfqs/{rfqUid}`. RFQs due to expire are closed (`ExpireRfqs`) before any RFQ read.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..engine import commands as c
from ..engine import events as ev
from ..engine.reasons import Reject
from ..exchange import Outcome, rfq
from ..exchange.funds import subaccounts
from ..protocol import decode_funds as decode
from ..protocol import encode_funds as wire
from ..protocol.decode import Params
from ..protocol.errors import AUTHENTICATION_ERROR, WireError
from .http import Call, KrakenJSON, authenticate, read, submit, success
from .state import ServerState

V3 = "/derivatives/api/v3"


async def _submit(call: Call, command: Any) -> Outcome:
    return await submit(call.state, replace(command, account_id=call.account_id))


def _checked(outcome: Outcome, table: dict[Any, str] | None = None) -> Outcome:
    """Refusals as Kraken's error envelope (`table` overrides the error string)."""
    if outcome.reject is not None:
        raise WireError((table or {}).get(outcome.reject) or wire.error_code(outcome.reject))
    return outcome


def _event(outcome: Outcome, kind: type) -> Any:
    return next(e for e in outcome.events if isinstance(e, kind))


# -- transfers and subaccounts -------------------------------------------------------------
async def transfer(request: Request) -> Response:
    call = await read(request)
    command = decode.transfer(call.params)
    authenticate(call, 10)
    _checked(await _submit(call, command))
    return success(call.state)


async def subaccount_transfer(request: Request) -> Response:
    call = await read(request)
    command = decode.subaccount_transfer(call.params)
    authenticate(call, 10)
    _checked(await _submit(call, command))
    return success(call.state)


async def withdrawal(request: Request) -> Response:
    call = await read(request)
    command = decode.withdrawal(call.params)
    authenticate(call, 100)
    outcome = _checked(await _submit(call, command), wire.WITHDRAWAL_ERRORS)
    return success(call.state, uid=_event(outcome, ev.FundsTransferred).transfer_id)


async def transfers(request: Request) -> Response:
    """Legacy history of Futures <-> Spot movements (withdrawals), oldest first."""
    call = await read(request)
    text = call.params.text("lastTransferTime")  # ms since the epoch or RFC 3339
    digits = text is not None and text.isdigit()
    since = int(text or 0) if digits else call.params.time("lastTransferTime")
    authenticate(call)
    records = call.state.exchange.transfers.of(call.account_id, since)
    shown = [wire.transfer_json(r) for r in records if r.kind is ev.TransferKind.WITHDRAWAL]
    return success(call.state, transfers=shown)


async def list_subaccounts(request: Request) -> Response:
    call = authenticate(await read(request))
    return success(call.state, **wire.subaccounts_json(call.state.exchange, call.account_id))


def _own_subaccount(call: Call, uid: str) -> None:
    """Only a master may ask, and only about its own subaccounts (else HTTP 404)."""
    exchange = call.state.exchange
    if not subaccounts(exchange, call.account_id):
        raise WireError(AUTHENTICATION_ERROR)
    sub = exchange.accounts.get(uid)
    if sub is None or sub.master_id != call.account_id:
        raise WireError("notFound", 404)


async def get_trading_enabled(request: Request) -> Response:
    call = authenticate(await read(request), 2)
    uid = request.path_params["uid"]
    _own_subaccount(call, uid)
    return KrakenJSON({"tradingEnabled": call.state.exchange.accounts[uid].trading_enabled})


async def put_trading_enabled(request: Request) -> Response:
    call = await read(request)
    enabled = decode.flag(call.params, "tradingEnabled")
    authenticate(call, 2)
    uid = request.path_params["uid"]
    _own_subaccount(call, uid)
    _checked(await _submit(call, c.SetTradingEnabled("", uid, enabled)))
    return KrakenJSON({"tradingEnabled": enabled})


# -- RFQs: public and own views ------------------------------------------------------------
def _sweep(state: ServerState) -> None:
    """Close RFQs whose expiry passed before anyone reads them (the timers may not have)."""
    due = rfq.next_expiry(state.exchange)
    if due is not None and due <= state.now_ms():
        state.exchange.submit(c.ExpireRfqs())


async def list_rfqs(request: Request) -> Response:
    call = await read(request)
    _sweep(call.state)
    ex = call.state.exchange
    return success(call.state, rfqs=[wire.rfq_json(ex, r) for r in ex.rfqs.open.values()])


async def get_rfq(request: Request) -> Response:
    call = await read(request)
    _sweep(call.state)
    ex = call.state.exchange
    found = ex.rfqs.find(request.path_params["rfqUid"])
    if found is None:
        raise WireError("rfqNotFound")
    return success(call.state, rfq=wire.rfq_json(ex, found))


async def open_offers(request: Request) -> Response:
    call = authenticate(await read(request))
    _sweep(call.state)
    me, books = call.account_id, call.state.exchange.rfqs.open.values()
    mine = [wire.offer_json(r, r.offers[me]) for r in books if me in r.offers]
    return success(call.state, offers=mine, openOffers=mine)


async def closed_offers(request: Request) -> Response:
    call = authenticate(await read(request))
    _sweep(call.state)
    book = call.state.exchange.rfqs
    offers = book.closed_offers.get(call.account_id, ())
    shown = [wire.offer_json(r, o) for o in offers if (r := book.find(o.rfq_uid)) is not None]
    return success(call.state, offers=shown)


async def open_rfqs(request: Request) -> Response:
    call = authenticate(await read(request))
    _sweep(call.state)
    ex = call.state.exchange
    requested = [r for r in ex.rfqs.open.values() if r.requester == call.account_id]
    mine = [wire.own_rfq_json(ex, r) for r in requested]
    return success(call.state, rfqs=mine)


# -- RFQs v2: refusals are `reason`s beside result "success" --------------------------------
async def create_rfq(request: Request) -> Response:
    call = await read(request)
    decoded = decode.create_rfq(call.params)
    authenticate(call)
    if isinstance(decoded, Reject):
        return success(call.state, status="failed", reason=wire.rfq_reason(decoded))
    outcome = await _submit(call, decoded)
    if outcome.reject is not None:
        return success(call.state, status="failed", reason=wire.rfq_reason(outcome.reject))
    return success(call.state, status="placed", rfqUid=_event(outcome, ev.RfqOpened).rfq_uid)


async def cancel_rfq(request: Request) -> Response:
    call = authenticate(await read(request))
    uid = request.path_params["rfqUid"]
    outcome = await _submit(call, c.CancelRfq("", uid))
    if outcome.reject is not None:
        return success(call.state, reason=wire.rfq_reason(outcome.reject))
    return success(call.state, rfqUid=uid)


async def accept_offer(request: Request) -> Response:
    call = await read(request)
    quote, price = decode.acceptance(call.params)
    authenticate(call)
    uid = request.path_params["rfqUid"]
    outcome = await _submit(call, c.AcceptRfqOffer("", uid, quote, price))
    if outcome.reject is not None:
        return success(call.state, reason=wire.rfq_reason(outcome.reject))
    return success(call.state, rfqUid=uid)


async def place_offer_v2(request: Request) -> Response:
    call = await read(request)
    command = replace(decode.offer(call.params), rfq_uid=request.path_params["rfqUid"])
    authenticate(call)
    outcome = await _submit(call, command)
    if outcome.reject is not None:
        return success(call.state, reason=wire.rfq_reason(outcome.reject))
    return success(call.state, offerUid=_event(outcome, ev.RfqOfferPlaced).offer_uid)


async def cancel_offer_v2(request: Request) -> Response:
    call = authenticate(await read(request))
    command = c.CancelRfqOffer("", request.path_params["rfqUid"], call.params.text("offerUid"))
    outcome = await _submit(call, command)
    if outcome.reject is not None:
        return success(call.state, status="failed", reason=wire.rfq_reason(outcome.reject))
    return success(call.state, status="cancelled")


# -- RFQs v1 (aliases on the same book): refusals are error envelopes ----------------------
def _v1_params(call: Call) -> Params:
    """SPEC sends a JSON body; accept one even under a form content type."""
    body = call.raw_body.lstrip()
    if body.startswith(b"{") and not any(k in call.params for k in ("bid", "ask")):
        try:
            document = json.loads(body)
        except (ValueError, RecursionError):
            raise WireError("Json Parse Error") from None
        if isinstance(document, dict):
            return call.params.merged(Params.from_mapping(document))
    return call.params


async def place_offer_v1(request: Request) -> Response:
    call = await read(request)
    command = replace(decode.offer(_v1_params(call)), rfq_uid=request.path_params["rfqUid"])
    authenticate(call)
    outcome = _checked(await _submit(call, command))
    return success(call.state, offerUid=_event(outcome, ev.RfqOfferPlaced).offer_uid)


async def replace_offer_v1(request: Request) -> Response:
    call = await read(request)
    command = replace(decode.offer(_v1_params(call), True), rfq_uid=request.path_params["rfqUid"])
    authenticate(call)
    _checked(await _submit(call, command))
    return success(call.state)


async def cancel_offer_v1(request: Request) -> Response:
    call = authenticate(await read(request))
    _checked(await _submit(call, c.CancelRfqOffer("", request.path_params["rfqUid"])))
    return success(call.state)


# -- assignment program --------------------------------------------------------------------
async def current_preferences(request: Request) -> Response:
    call = authenticate(await read(request))
    mine = call.state.exchange.assignment.current.get(call.account_id, {})
    shown = [{"id": pid, "participant": wire.preference_json(p)} for pid, p in mine.items()]
    return success(call.state, participants=shown)


async def add_preference(request: Request) -> Response:
    call = await read(request)
    command = decode.add_preference(call.params)
    authenticate(call)
    outcome = _checked(await _submit(call, command))
    pid = _event(outcome, ev.AssignmentPreferenceChanged).preference_id
    pref = call.state.exchange.assignment.current[call.account_id][pid]
    return success(call.state, id=pid, participant=wire.preference_json(pref))


async def delete_preference(request: Request) -> Response:
    call = await read(request)
    pid = call.params.integer("id", True)
    assert pid is not None
    authenticate(call)
    _checked(await _submit(call, c.DeleteAssignmentPreference("", pid)))
    entry = call.state.exchange.assignment.history[call.account_id][-1]
    return success(call.state, id=pid, participant=wire.preference_json(entry.preference))


async def preference_history(request: Request) -> Response:
    call = authenticate(await read(request))
    entries = call.state.exchange.assignment.history.get(call.account_id, [])
    return success(call.state, participants=[wire.history_json(e) for e in entries])


RFQS = f"{V3}/rfqs"
routes: list[BaseRoute] = [
    Route(f"{V3}/transfer", transfer, methods=["POST"]),
    Route(f"{V3}/transfer/subaccount", subaccount_transfer, methods=["POST"]),
    Route(f"{V3}/withdrawal", withdrawal, methods=["POST"]),
    Route(f"{V3}/transfers", transfers, methods=["GET"]),
    Route(f"{V3}/subaccounts", list_subaccounts, methods=["GET"]),
    Route(f"{V3}/subaccount/{{uid}}/trading-enabled", get_trading_enabled, methods=["GET"]),
    Route(f"{V3}/subaccount/{{uid}}/trading-enabled", put_trading_enabled, methods=["PUT"]),
    Route(RFQS, list_rfqs, methods=["GET"]),
    Route(f"{RFQS}/open-offers", open_offers, methods=["GET"]),
    Route(f"{RFQS}/closed-offers", closed_offers, methods=["GET"]),
    Route(f"{RFQS}/open-rfqs", open_rfqs, methods=["GET"]),
    Route(f"{RFQS}/open-rfqs", create_rfq, methods=["POST"]),
    Route(f"{RFQS}/open-rfqs/accept-offer/{{rfqUid}}", accept_offer, methods=["POST"]),
    Route(f"{RFQS}/open-rfqs/{{rfqUid}}", cancel_rfq, methods=["DELETE"]),
    Route(f"{RFQS}/place-offer/{{rfqUid}}", place_offer_v2, methods=["POST"]),
    Route(f"{RFQS}/cancel-offer/{{rfqUid}}", cancel_offer_v2, methods=["DELETE"]),
    Route(f"{RFQS}/{{rfqUid}}/place-offer", place_offer_v1, methods=["POST"]),
    Route(f"{RFQS}/{{rfqUid}}/replace-offer", replace_offer_v1, methods=["PUT"]),
    Route(f"{RFQS}/{{rfqUid}}/cancel-offer", cancel_offer_v1, methods=["DELETE"]),
    Route(f"{RFQS}/{{rfqUid}}", get_rfq, methods=["GET"]),
    Route(f"{V3}/assignmentprogram/current", current_preferences, methods=["GET"]),
    Route(f"{V3}/assignmentprogram/add", add_preference, methods=["POST"]),
    Route(f"{V3}/assignmentprogram/delete", delete_preference, methods=["POST"]),
    Route(f"{V3}/assignmentprogram/history", preference_history, methods=["GET"]),
]
