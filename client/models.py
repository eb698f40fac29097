"""Typed results of Kraken's order-management endpoints (sendorder, editorder, cancelorder,
cancelallorders, cancelallordersafter, batchorder, openorders, orders/status) and their parsers.

Each dataclass has ``from_json(obj)`` taking the JSON object as decoded by
``values.decode_json`` (Decimals for non-integers) and keeps the original object in ``raw``,
so fields Kraken adds later are still reachable. Quantities and prices are ``Decimal``; times
are aware UTC ``datetime``. Field names follow Python, not Kraken (``limitPrice`` ->
``limit_price``); docs/client.md lists the mapping per endpoint.

Invariant: parsers are pure and raise ``ValueError``/``KeyError`` on a shape Kraken never
sends; optional Kraken fields become ``None``, never a made-up default.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Self

from .errors import is_accepted, order_error
from .values import dec, flag, opt_dec, opt_str, opt_timestamp, timestamp

Json = dict[str, Any]

#: The kinds of batch instruction, as ``BatchResult.kind`` names them.
BATCH_KINDS = ("send", "edit", "cancel")


@dataclass(frozen=True)
class Order:
    """An order as written in order events (Kraken's OrderJson)."""

    order_id: str
    cli_ord_id: str | None
    type: str
    symbol: str
    side: str
    quantity: Decimal
    filled: Decimal
    limit_price: Decimal | None
    reduce_only: bool
    timestamp: datetime
    last_update_timestamp: datetime
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Order:
        return cls(
            order_id=obj["orderId"], cli_ord_id=opt_str(obj.get("cliOrdId")), type=obj["type"],
            symbol=obj["symbol"], side=obj["side"], quantity=dec(obj["quantity"]),
            filled=dec(obj["filled"]), limit_price=opt_dec(obj.get("limitPrice")),
            reduce_only=flag(obj["reduceOnly"]), timestamp=timestamp(obj["timestamp"]),
            last_update_timestamp=timestamp(obj["lastUpdateTimestamp"]), raw=obj,
        )


@dataclass(frozen=True)
class TriggerOrder:
    """A stop, take-profit or trailing-stop order before it triggers (OrderTriggerJson)."""

    uid: str
    client_id: str | None
    type: str
    symbol: str
    side: str
    quantity: Decimal
    limit_price: Decimal | None
    trigger_price: Decimal | None
    trigger_side: str | None
    trigger_signal: str | None
    reduce_only: bool
    timestamp: datetime
    last_update_timestamp: datetime
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> TriggerOrder:
        return cls(
            uid=obj["uid"], client_id=opt_str(obj.get("clientId")), type=obj["type"],
            symbol=obj["symbol"], side=obj["side"], quantity=dec(obj["quantity"]),
            limit_price=opt_dec(obj.get("limitPrice")),
            trigger_price=opt_dec(obj.get("triggerPrice")),
            trigger_side=obj.get("triggerSide"), trigger_signal=obj.get("triggerSignal"),
            reduce_only=flag(obj["reduceOnly"]), timestamp=timestamp(obj["timestamp"]),
            last_update_timestamp=timestamp(obj["lastUpdateTimestamp"]), raw=obj,
        )


def _order(obj: Any) -> Order | None:
    return None if obj is None else Order.from_json(obj)


def _trigger(obj: Any) -> TriggerOrder | None:
    return None if obj is None else TriggerOrder.from_json(obj)


@dataclass(frozen=True)
class OrderEvent:
    """One entry of ``orderEvents``: PLACE, EDIT, CANCEL, EXECUTION or REJECT.

    Which fields are set depends on ``type`` (reference §4.24); the others are ``None``. An
    EDIT of a trigger order carries ``old_trigger``/``new_trigger`` instead of ``old``/``new``.
    """

    type: str
    order: Order | None = None
    order_trigger: TriggerOrder | None = None
    old: Order | None = None
    new: Order | None = None
    old_trigger: TriggerOrder | None = None
    new_trigger: TriggerOrder | None = None
    uid: str | None = None
    reason: str | None = None
    reduced_quantity: Decimal | None = None
    execution_id: str | None = None
    price: Decimal | None = None
    amount: Decimal | None = None
    order_prior_edit: Order | None = None
    order_prior_execution: Order | None = None
    taker_reduced_quantity: Decimal | None = None
    raw: Json = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> OrderEvent:
        trigger = obj.get("orderTrigger")
        old, new = obj.get("old"), obj.get("new")
        is_trigger_edit = isinstance(new, dict) and "uid" in new and "orderId" not in new
        return cls(
            type=obj["type"], order=_order(obj.get("order")), order_trigger=_trigger(trigger),
            old=None if is_trigger_edit else _order(old),
            new=None if is_trigger_edit else _order(new),
            old_trigger=_trigger(old) if is_trigger_edit else None,
            new_trigger=_trigger(new) if is_trigger_edit else None,
            uid=obj.get("uid"), reason=obj.get("reason"),
            reduced_quantity=opt_dec(obj.get("reducedQuantity")),
            execution_id=obj.get("executionId"), price=opt_dec(obj.get("price")),
            amount=opt_dec(obj.get("amount")),
            order_prior_edit=_order(obj.get("orderPriorEdit")),
            order_prior_execution=_order(obj.get("orderPriorExecution")),
            taker_reduced_quantity=opt_dec(obj.get("takerReducedQuantity")), raw=obj,
        )


def _events(obj: Json) -> list[OrderEvent]:
    return [OrderEvent.from_json(e) for e in obj.get("orderEvents") or []]


@dataclass(frozen=True)
class _StatusWithClientId:
    """The shape sendorder's ``sendStatus`` and cancelorder's ``cancelStatus`` share (both
    write ``order_id`` and ``cliOrdId``); each is its own public class below."""

    status: str
    order_id: str | None
    cli_ord_id: str | None
    received_time: datetime | None
    order_events: list[OrderEvent]
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Self:
        return cls(
            status=obj["status"], order_id=obj.get("order_id"),
            cli_ord_id=opt_str(obj.get("cliOrdId")),
            received_time=opt_timestamp(obj.get("receivedTime")), order_events=_events(obj),
            raw=obj,
        )


@dataclass(frozen=True)
class SendStatus(_StatusWithClientId):
    """``sendStatus`` of sendorder. ``filled_quantity`` sums the EXECUTION events."""

    @property
    def filled_quantity(self) -> Decimal:
        return sum((e.amount or Decimal(0) for e in self.order_events
                    if e.type == "EXECUTION"), Decimal(0))


@dataclass(frozen=True)
class EditStatus:
    """``editStatus`` of editorder (Kraken writes ``orderId`` here, and no ``cliOrdId``)."""

    status: str
    order_id: str | None
    received_time: datetime | None
    order_events: list[OrderEvent]
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> EditStatus:
        return cls(
            status=obj["status"], order_id=obj.get("orderId"),
            received_time=opt_timestamp(obj.get("receivedTime")), order_events=_events(obj),
            raw=obj,
        )


@dataclass(frozen=True)
class CancelStatus(_StatusWithClientId):
    """``cancelStatus`` of cancelorder."""


@dataclass(frozen=True)
class CancelledOrder:
    order_id: str
    cli_ord_id: str | None


@dataclass(frozen=True)
class CancelAllStatus:
    """``cancelStatus`` of cancelallorders: ``cancelled`` or ``noOrdersToCancel``."""

    status: str
    cancel_only: str
    cancelled_orders: list[CancelledOrder]
    received_time: datetime | None
    order_events: list[OrderEvent]
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> CancelAllStatus:
        listed = [CancelledOrder(o["order_id"], opt_str(o.get("cliOrdId")))
                  for o in obj["cancelledOrders"]]
        return cls(
            status=obj["status"], cancel_only=obj["cancelOnly"],
            cancelled_orders=listed, received_time=opt_timestamp(obj.get("receivedTime")),
            order_events=_events(obj), raw=obj,
        )


@dataclass(frozen=True)
class DeadMansSwitch:
    """``status`` of cancelallordersafter; ``trigger_time`` is None when disarmed."""

    current_time: datetime
    trigger_time: datetime | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> DeadMansSwitch:
        return cls(timestamp(obj["currentTime"]), opt_timestamp(obj.get("triggerTime")), obj)


@dataclass(frozen=True)
class BatchResult:
    """One ``batchStatus`` entry, for the instruction at the same position. Rejections are not
    raised: call ``error()`` or check ``ok``. ``kind`` is that instruction's kind (``send``,
    ``edit`` or ``cancel``): it decides what ``status`` means (``filled`` is success for a send,
    ``OrderAlreadyFilled`` for a cancel; ``cancelled`` is success only for a cancel)."""

    kind: str
    status: str
    order_tag: str | None
    order_id: str | None
    cli_ord_id: str | None
    date_time_received: datetime | None
    order_events: list[OrderEvent]
    raw: Json = field(repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.error() is None

    def error(self) -> Exception | None:
        """The exception ``submit_order``/``edit_order``/``cancel_order`` would have raised."""
        if is_accepted(self.kind, self.status):
            return None
        return order_error(self.kind, self.status, self, self.raw)

    @classmethod
    def from_json(cls, obj: Json, kind: str) -> BatchResult:
        if kind not in BATCH_KINDS:
            raise ValueError(f"kind: {kind!r} is not one of {', '.join(BATCH_KINDS)}")
        tag = obj.get("order_tag")
        return cls(
            kind=kind, status=obj["status"], order_tag=None if tag is None else str(tag),
            order_id=obj.get("order_id"), cli_ord_id=opt_str(obj.get("cliOrdId")),
            date_time_received=opt_timestamp(obj.get("dateTimeReceived")),
            order_events=_events(obj), raw=obj,
        )


@dataclass(frozen=True)
class OpenOrder:
    """One entry of openorders (untriggered trigger orders included, with ``stop_price``)."""

    order_id: str
    cli_ord_id: str | None
    symbol: str
    side: str
    order_type: str
    limit_price: Decimal | None
    stop_price: Decimal | None
    unfilled_size: Decimal
    filled_size: Decimal
    status: str
    reduce_only: bool
    trigger_signal: str | None
    received_time: datetime
    last_update_time: datetime
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> OpenOrder:
        return cls(
            order_id=obj["order_id"], cli_ord_id=opt_str(obj.get("cliOrdId")),
            symbol=obj["symbol"], side=obj["side"], order_type=obj["orderType"],
            limit_price=opt_dec(obj.get("limitPrice")), stop_price=opt_dec(obj.get("stopPrice")),
            unfilled_size=dec(obj["unfilledSize"]), filled_size=dec(obj["filledSize"]),
            status=obj["status"], reduce_only=flag(obj["reduceOnly"]),
            trigger_signal=obj.get("triggerSignal"),
            received_time=timestamp(obj["receivedTime"]),
            last_update_time=timestamp(obj["lastUpdateTime"]), raw=obj,
        )


@dataclass(frozen=True)
class OrderStatus:
    """One entry of orders/status: the cached order, its status, why it last changed; trigger
    orders (``type`` TRIGGER_ORDER) add their trigger price, side and signal."""

    order_id: str
    cli_ord_id: str | None
    type: str
    symbol: str
    side: str
    quantity: Decimal
    filled: Decimal
    limit_price: Decimal | None
    reduce_only: bool
    timestamp: datetime
    last_update_timestamp: datetime
    trigger_price: Decimal | None
    trigger_side: str | None
    trigger_signal: str | None
    status: str
    update_reason: str | None
    error: str | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> OrderStatus:
        order = obj["order"]
        trigger = order.get("priceTriggerOptions") or {}
        return cls(
            order_id=order["orderId"], cli_ord_id=opt_str(order.get("cliOrdId")),
            type=order["type"], symbol=order["symbol"], side=order["side"],
            quantity=dec(order["quantity"]), filled=dec(order["filled"]),
            limit_price=opt_dec(order.get("limitPrice")),
            reduce_only=flag(order["reduceOnly"]),
            timestamp=timestamp(order["timestamp"]),
            last_update_timestamp=timestamp(order["lastUpdateTimestamp"]),
            trigger_price=opt_dec(trigger.get("triggerPrice")),
            trigger_side=trigger.get("triggerSide"), trigger_signal=trigger.get("triggerSignal"),
            status=obj["status"],
            update_reason=obj.get("updateReason"), error=obj.get("error"), raw=obj,
        )
