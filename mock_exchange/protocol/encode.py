"""Outcomes and orders to Kraken's REST JSON for the order-management endpoints.

Shapes follow reference §4.1-§4.6 and §4.24-§4.25: `OrderJson` and `OrderTriggerJson` in
`orderEvents`; `sendStatus`, `editStatus`, `cancelStatus`, `batchStatus`. `orderEvents` is
always a list. A taker filled on arrival shows EXECUTION events only; rejected post-only and
IOC orders show a REJECT event; other refusals have no events.
"""

from __future__ import annotations

from typing import Any

from ..engine.events import OrderCancelled, OrderEdited, OrderPlaced, OrderRejected, Trade
from ..engine.reasons import Reject
from ..engine.types import OrderType, OrderView, TriggerSide, TriggerSignal
from ..exchange import Outcome
from .errors import REJECTS
from .formats import iso, num

JSON = dict[str, Any]

REST_TYPES = {
    OrderType.LMT: "lmt",
    OrderType.POST: "post",
    OrderType.IOC: "ioc",
    OrderType.MKT: "ioc",
    OrderType.FOK: "fok",
    OrderType.LIQUIDATION: "liquidation",
    OrderType.STP: "stp",
    OrderType.TAKE_PROFIT: "take_profit",
    OrderType.TRAILING_STOP: "trailing_stop",
}
EVENT_SIGNALS = {
    TriggerSignal.MARK: "mark_price",
    TriggerSignal.LAST: "last_price",
    TriggerSignal.INDEX: "spot_price",
}
TRIGGER_SIDES = {TriggerSide.ABOVE: "trigger_above", TriggerSide.BELOW: "trigger_below"}
_SHOWN_REJECTS = frozenset(
    {Reject.POST_WOULD_EXECUTE, Reject.IOC_WOULD_NOT_EXECUTE, Reject.FOK_WOULD_NOT_EXECUTE}
)


def order_json(view: OrderView, filled: Any = None) -> JSON:
    """OrderJson; `filled` overrides the view's (EXECUTION events show it before the fill)."""
    created = iso(view.created)  # most orders were last updated when they were created
    updated = created if view.updated == view.created else iso(view.updated)
    return {
        "orderId": view.order_id,
        "cliOrdId": view.cli_ord_id,
        "type": REST_TYPES[view.kind],
        "symbol": view.symbol,
        "side": view.side.value,
        "quantity": num(view.qty),
        "filled": num(view.filled if filled is None else filled),
        "limitPrice": num(view.limit_price),
        "reduceOnly": view.reduce_only,
        "timestamp": created,
        "lastUpdateTimestamp": updated,
    }


def trigger_json(view: OrderView) -> JSON:
    """OrderTriggerJson (note Kraken's `uid`/`clientId` here)."""
    out: JSON = {
        "uid": view.order_id,
        "clientId": view.cli_ord_id,
        "type": "lmt" if view.limit_price is not None else "ioc",
        "symbol": view.symbol,
        "side": view.side.value,
        "quantity": num(view.qty),
        "limitPrice": num(view.limit_price),
        "triggerPrice": num(view.stop_price),
        "triggerSide": TRIGGER_SIDES[view.trigger_side] if view.trigger_side else None,
        "triggerSignal": EVENT_SIGNALS[view.signal] if view.signal else None,
        "reduceOnly": view.reduce_only,
        "timestamp": iso(view.created),
        "lastUpdateTimestamp": iso(view.updated),
        "startTime": None,
    }
    if view.trailing is not None:
        out["trailingStopOptions"] = {
            "maxDeviation": num(view.trailing.max_deviation),
            "unit": view.trailing.unit.name,
        }
    return out


def _order_key(view: OrderView) -> tuple[str, JSON]:
    return ("orderTrigger", trigger_json(view)) if view.is_trigger else ("order", order_json(view))


def order_events(outcome: Outcome, order_id: str | None) -> list[JSON]:
    """The REST `orderEvents` of one order within a command's events."""
    if order_id is None:
        return []
    out: list[JSON] = []
    prior_edit: JSON | None = None
    for event in outcome.events:
        if isinstance(event, OrderPlaced) and event.order.order_id == order_id:
            key, body = _order_key(event.order)
            entry: JSON = {"type": "PLACE", key: body}
            if key == "order":
                entry["reducedQuantity"] = num(event.reduced_qty)
            out.append(entry)
        elif isinstance(event, OrderEdited) and event.new.order_id == order_id:
            if event.new.is_trigger:
                out.append(
                    {
                        "type": "EDIT",
                        "old": trigger_json(event.old),
                        "new": trigger_json(event.new),
                        "reducedQuantity": None,
                    }
                )
            else:
                prior_edit = order_json(event.old)
                out.append(
                    {
                        "type": "EDIT",
                        "old": prior_edit,
                        "new": order_json(event.new),
                        "reducedQuantity": num(event.reduced_qty),
                    }
                )
        elif isinstance(event, Trade) and event.taker.order_id == order_id:
            out.append(
                {
                    "type": "EXECUTION",
                    "executionId": event.trade_id,
                    "price": num(event.price),
                    "amount": num(event.qty),
                    "orderPriorEdit": prior_edit,
                    "orderPriorExecution": order_json(event.taker, event.taker.filled - event.qty),
                    "takerReducedQuantity": num(event.taker_reduced),
                }
            )
        elif isinstance(event, OrderCancelled) and event.order.order_id == order_id:
            if event.order.kind.is_immediate:
                continue  # the unfilled rest of an IOC leaves silently
            key, body = _order_key(event.order)
            out.append({"type": "CANCEL", "uid": order_id, key: body})
        elif (
            isinstance(event, OrderRejected)
            and event.order_id == order_id
            and event.reason in _SHOWN_REJECTS
            and event.order is not None
        ):
            out.append(
                {
                    "type": "REJECT",
                    "uid": order_id,
                    "order": order_json(event.order),
                    "reason": REJECTS[event.reason].order_error,
                }
            )
    return out


def status(outcome: Outcome, success: str) -> str:
    if outcome.reject is None:
        return success
    text = REJECTS[outcome.reject].status
    assert text is not None, "rejections without a status are answered as errors"
    return text


def send_status(outcome: Outcome, cli_ord_id: str | None) -> JSON:
    out: JSON = {
        "order_id": outcome.order_id,
        "status": status(outcome, "placed"),
        "receivedTime": iso(outcome.received),
        "orderEvents": order_events(outcome, outcome.order_id),
    }
    if outcome.order_id is None:
        del out["order_id"]
    if cli_ord_id is not None:
        out["cliOrdId"] = cli_ord_id
    return out


def edit_status(outcome: Outcome, order_id: str | None, cli_ord_id: str | None) -> JSON:
    oid = outcome.order_id or order_id
    out: JSON = {
        "status": status(outcome, "edited"),
        "orderId": oid,
        "receivedTime": iso(outcome.received),
        "orderEvents": order_events(outcome, oid) if outcome.ok else [],
    }
    if cli_ord_id is not None:
        out["cliOrdId"] = cli_ord_id
    return out


def cancel_status(outcome: Outcome, cli_ord_id: str | None) -> JSON:
    out: JSON = {"status": status(outcome, "cancelled"), "receivedTime": iso(outcome.received)}
    if outcome.ok:
        out["order_id"] = outcome.order_id
        out["orderEvents"] = order_events(outcome, outcome.order_id)
    if cli_ord_id is not None:
        out["cliOrdId"] = cli_ord_id
    return out


def cancel_all_status(outcome: Outcome, symbol: str | None) -> JSON:
    cancelled = [e.order for e in outcome.events if isinstance(e, OrderCancelled)]
    listed = []
    for view in cancelled:
        item: JSON = {"order_id": view.order_id}
        if view.cli_ord_id is not None:
            item["cliOrdId"] = view.cli_ord_id
        listed.append(item)
    events = []
    for view in cancelled:
        key, body = _order_key(view)
        events.append({"type": "CANCEL", "uid": view.order_id, key: body})
    return {
        "receivedTime": iso(outcome.received),
        "cancelOnly": symbol or "all",
        "status": status(outcome, "cancelled"),
        "cancelledOrders": listed,
        "orderEvents": events,
    }


def dead_man_switch_status(outcome: Outcome) -> JSON:
    trigger = iso(outcome.deadline) if outcome.deadline is not None else "0"
    return {"currentTime": iso(outcome.received), "triggerTime": trigger}


def rejected_view(outcome: Outcome) -> OrderView | None:
    for event in outcome.events:
        if isinstance(event, OrderRejected):
            return event.order
    return None
