"""THE table from domain reasons to Kraken's wire strings, and the wire error types.

Every `Reject` has an answer on REST: an order-level status (`sendStatus.status` and friends),
or, for argument problems, a top-level error envelope. Every reason also has its names on the
other surfaces: the REJECT event / `orders/status` error (`OrderError`), the WebSocket
`open_orders` reason, and the `orders/status` `updateReason`. A test proves the tables are total.
Choices where Kraken's documentation is silent are recorded in docs/fidelity.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.reasons import Reject, UpdateReason


class WireError(Exception):
    """Bad input at the edge: answered with `{"result":"error","error":<code>}`."""

    def __init__(self, code: str, http_status: int = 200) -> None:
        super().__init__(code)
        self.code = code
        self.http_status = http_status


def missing(name: str) -> WireError:
    return WireError("requiredArgumentMissing")


def invalid(name: str) -> WireError:
    return WireError(f"invalidArgument: {name}")


AUTHENTICATION_ERROR = "authenticationError"
API_LIMIT_EXCEEDED = "apiLimitExceeded"
CONTRACT_NOT_FOUND = "contractNotFound"


@dataclass(frozen=True, slots=True)
class Wire:
    """How one `Reject` is written on each surface.

    `status`: the order-level status string; None means the request as a whole fails with the
    top-level `error` string instead. `order_error`: Kraken's OrderError name (REJECT events,
    `orders/status.error`). `verbose`: the `open_orders_verbose` reason, when the order is shown.
    `code`: when set, the request fails with Kraken's coded form instead (HTTP 400,
    `{"status":"BAD_REQUEST","result":"error","errors":[{"code":code,"message":error}]}`).
    """

    status: str | None
    order_error: str | None
    error: str | None = None
    verbose: str | None = None
    code: int | None = None


REJECTS: dict[Reject, Wire] = {
    Reject.MARKET_SUSPENDED: Wire("marketSuspended", "MARKET_SUSPENDED"),
    Reject.MARKET_INACTIVE: Wire("marketInactive", "MARKET_SUSPENDED"),
    Reject.MARKET_NOT_FOUND: Wire(None, "MARKET_NOT_FOUND", CONTRACT_NOT_FOUND),
    Reject.MARKET_IS_POST_ONLY: Wire("marketIsPostOnly", "MARKET_IS_POST_ONLY"),
    Reject.INVALID_PRICE: Wire("invalidPrice", "INVALID_PRICE"),
    Reject.INVALID_SIZE: Wire("invalidSize", "INVALID_QUANTITY"),
    Reject.INSUFFICIENT_AVAILABLE_FUNDS: Wire("insufficientAvailableFunds", "INSUFFICIENT_MARGIN"),
    Reject.WOULD_CAUSE_LIQUIDATION: Wire("wouldCauseLiquidation", "WOULD_CAUSE_LIQUIDATION"),
    Reject.CLIENT_ORDER_ID_ALREADY_EXIST: Wire(
        "clientOrderIdAlreadyExist", "CLIENT_ORDER_ID_IN_USE"
    ),
    Reject.CLIENT_ORDER_ID_TOO_LONG: Wire("clientOrderIdTooLong", "CLIENT_ORDER_ID_TOO_LONG"),
    Reject.MAX_POSITION_VIOLATION: Wire("maxPositionViolation", "MAX_POSITION_EXCEEDED"),
    Reject.OUTSIDE_PRICE_COLLAR: Wire("outsidePriceCollar", "PRICE_COLLAR"),
    Reject.POST_WOULD_EXECUTE: Wire(
        "postWouldExecute",
        "POST_WOULD_EXECUTE",
        verbose="post_order_failed_because_it_would_filled",
    ),
    Reject.IOC_WOULD_NOT_EXECUTE: Wire(
        "iocWouldNotExecute",
        "IOC_WOULD_NOT_EXECUTE",
        verbose="ioc_order_failed_because_it_would_not_be_executed",
    ),
    Reject.FOK_WOULD_NOT_EXECUTE: Wire(
        "iocWouldNotExecute",
        "IOC_WOULD_NOT_EXECUTE",
        verbose="ioc_order_failed_because_it_would_not_be_executed",
    ),
    Reject.WOULD_EXECUTE_SELF: Wire("selfFill", "WOULD_EXECUTE_SELF", verbose="would_execute_self"),
    Reject.WOULD_NOT_REDUCE_POSITION: Wire(
        "wouldNotReducePosition", "WOULD_NOT_REDUCE_POSITION", verbose="would_not_reduce_position"
    ),
    Reject.TOO_MANY_ORDERS: Wire("tooManyOrders", "ORDER_LIMIT_EXCEEDED"),
    Reject.ORDER_FOR_EDIT_NOT_FOUND: Wire(
        "orderForEditNotFound", "ORDER_FOR_EDIT_NOT_FOUND", verbose="order_for_edit_not_found"
    ),
    Reject.ORDER_FOR_EDIT_NOT_A_STOP: Wire(
        "orderForEditNotAStop", "ORDER_CANNOT_HAVE_TRIGGER_PRICE"
    ),
    Reject.NOT_FOUND: Wire("notFound", "ORDER_FOR_CANCELLATION_NOT_FOUND"),
    Reject.ALREADY_FILLED: Wire("filled", None),
    Reject.NO_ORDERS_TO_CANCEL: Wire("noOrdersToCancel", None),
    Reject.WOULD_PROCESS_AFTER_SPECIFIED_TIME: Wire("wouldProcessAfterSpecifiedTime", None),
    Reject.CANNOT_EDIT_TRIGGER_PRICE_OF_TRAILING_STOP: Wire(
        "cannotEditTriggerPriceOfTrailingStop", "CANNOT_EDIT_TRIGGER_PRICE_OF_TRAILING_STOP"
    ),
    Reject.CANNOT_EDIT_LIMIT_PRICE_OF_TRAILING_STOP: Wire(
        "cannotEditLimitPriceOfTrailingStop", "CANNOT_EDIT_LIMIT_PRICE_OF_TRAILING_STOP"
    ),
    Reject.TRAILING_STOP_MAX_DEVIATION_TOO_LARGE: Wire(
        None, "TRAILING_STOP_MAX_DEVIATION_TOO_LARGE", "invalidArgument: trailingStopMaxDeviation"
    ),
    Reject.TRAILING_STOP_MAX_DEVIATION_TOO_SMALL: Wire(
        None, "TRAILING_STOP_MAX_DEVIATION_TOO_SMALL", "invalidArgument: trailingStopMaxDeviation"
    ),
    Reject.TRAILING_STOP_QUOTE_DEVIATION_NOT_MULTIPLE_OF_TICK_SIZE: Wire(
        None,
        "TRAILING_STOP_QUOTE_DEVIATION_NOT_MULTIPLE_OF_TICK_SIZE",
        "invalidArgument: trailingStopMaxDeviation",
    ),
    Reject.LIMIT_PRICE_SET_AS_ABSOLUTE_AND_RELATIVE: Wire(
        None, "LIMIT_PRICE_SET_AS_ABSOLUTE_AND_RELATIVE", "invalidArgument: limitPriceOffsetValue"
    ),
    Reject.LIMIT_PRICE_OFFSET_INVALID: Wire(
        None, "LIMIT_PRICE_OFFSET_MUST_HAVE_VALUE_AND_UNIT", "invalidArgument: limitPriceOffsetUnit"
    ),
    # transfers, subaccounts, RFQs: top-level errors (the v2 RFQ API carries them as `reason`)
    Reject.INSUFFICIENT_FUNDS: Wire(None, None, "insufficientFunds"),
    Reject.INVALID_ACCOUNT: Wire(None, None, "invalidAccount"),
    Reject.INVALID_UNIT: Wire(None, None, "invalidUnit"),
    Reject.INVALID_AMOUNT: Wire(None, None, "invalidAmount"),
    Reject.INVALID_ARGUMENT: Wire(None, None, "invalidArgument"),
    Reject.ACCOUNT_INACTIVE: Wire(None, None, "accountInactive"),
    Reject.RFQ_NOT_FOUND: Wire(None, None, "rfqNotFound"),
    Reject.OFFER_NOT_FOUND: Wire(None, None, "offerNotFound"),
    Reject.OFFER_NO_LONGER_VALID: Wire(None, None, "offerNoLongerValid"),
    Reject.OFFER_ALREADY_EXISTS: Wire(None, None, "offerAlreadyExists"),
    Reject.PRICE_TOO_FAR_FROM_MARKET: Wire(None, None, "priceTooFarFromMarket"),
    Reject.NO_LEGS_SPECIFIED: Wire(None, None, "noLegsSpecified"),
    Reject.TOO_MANY_LEGS: Wire(None, None, "tooManyLegs"),
    Reject.MIXED_CURRENCY_PAIRS: Wire(None, None, "mixedCurrencyPairs"),
    Reject.INVALID_EXPIRY: Wire(None, None, "invalidExpiry"),
    Reject.EXPIRY_TOO_SHORT: Wire(None, None, "expiryTooShort"),
    Reject.TOO_MANY_OPEN_RFQS: Wire(None, None, "tooManyOpenRfqs"),
    # leverage and PnL preferences: the coded form (docs/fidelity-reads.md) or invalidArgument
    Reject.CONTRACT_DOES_NOT_EXIST: Wire(None, None, "CONTRACT_DOES_NOT_EXIST", code=87),
    Reject.CONTRACT_IS_NOT_MULTI_COLLATERAL: Wire(
        None, None, "CONTRACT_IS_NOT_MULTI_COLLATERAL", code=88
    ),
    Reject.CURRENCY_DOES_NOT_EXIST: Wire(None, None, "CURRENCY_DOES_NOT_EXIST", code=89),
    Reject.INVALID_MAX_LEVERAGE: Wire(None, None, "invalidArgument: maxLeverage"),
}

#: Reasons an order changed: (open_orders feed reason or None if not published there,
#: orders/status updateReason).
UPDATES: dict[UpdateReason, tuple[str | None, str]] = {
    UpdateReason.NEW_USER_ORDER: ("new_placed_order_by_user", "NEW_USER_ORDER"),
    UpdateReason.LIQUIDATION: ("liquidation", "LIQUIDATION_ORDER"),
    UpdateReason.STOP_ORDER_TRIGGERED: ("stop_order_triggered", "STOP_ORDER_TRIGGERED"),
    UpdateReason.LIMIT_FROM_STOP: ("limit_order_from_stop", "LIMIT_FROM_STOP"),
    UpdateReason.PARTIAL_FILL: ("partial_fill", "PARTIAL_FILL"),
    UpdateReason.FULL_FILL: ("full_fill", "FULL_FILL"),
    UpdateReason.CANCELLED_BY_USER: ("cancelled_by_user", "CANCELLED_BY_USER"),
    UpdateReason.CONTRACT_EXPIRED: ("contract_expired", "CONTRACT_EXPIRED"),
    UpdateReason.NOT_ENOUGH_MARGIN: ("not_enough_margin", "NOT_ENOUGH_MARGIN"),
    UpdateReason.MARKET_INACTIVE: ("market_inactive", "MARKET_INACTIVE"),
    UpdateReason.CANCELLED_BY_ADMIN: ("cancelled_by_admin", "CANCELLED_BY_ADMIN"),
    UpdateReason.DEAD_MAN_SWITCH: ("dead_man_switch", "DEAD_MAN_SWITCH"),
    UpdateReason.EDITED_BY_USER: ("edited_by_user", "EDITED_BY_USER"),
    UpdateReason.TRAILING_STOP_PRICE_UPDATED: ("edited_by_user", "TRAILING_STOP_PRICE_UPDATED"),
    UpdateReason.WOULD_EXECUTE_SELF: ("would_execute_self", "WOULD_EXECUTE_SELF_REASON"),
    UpdateReason.WOULD_NOT_REDUCE_POSITION: (
        "would_not_reduce_position",
        "WOULD_NOT_REDUCE_POSITION",
    ),
    UpdateReason.IOC_REMAINDER: (None, "IOC_WOULD_NOT_EXECUTE_REASON"),
}

#: orders/status updateReason for orders refused before they rested.
REJECT_UPDATE_REASONS: dict[Reject, str] = {
    Reject.POST_WOULD_EXECUTE: "POST_WOULD_EXECUTE_REASON",
    Reject.IOC_WOULD_NOT_EXECUTE: "IOC_WOULD_NOT_EXECUTE_REASON",
    Reject.FOK_WOULD_NOT_EXECUTE: "IOC_WOULD_NOT_EXECUTE_REASON",
    Reject.WOULD_EXECUTE_SELF: "WOULD_EXECUTE_SELF_REASON",
    Reject.WOULD_NOT_REDUCE_POSITION: "WOULD_NOT_REDUCE_POSITION",
    Reject.ORDER_FOR_EDIT_NOT_FOUND: "ORDER_FOR_EDIT_NOT_FOUND_REASON",
}


def feed_reason(reason: UpdateReason | Reject) -> str | None:
    """The open_orders(_verbose) reason for an order update, or None if it is not shown."""
    if isinstance(reason, UpdateReason):
        return UPDATES[reason][0]
    return REJECTS[reason].verbose


def update_reason(reason: UpdateReason | Reject | None) -> str | None:
    """The orders/status `updateReason` for an order's latest change."""
    if reason is None:
        return None
    if isinstance(reason, UpdateReason):
        return UPDATES[reason][1]
    return REJECT_UPDATE_REASONS.get(reason)
