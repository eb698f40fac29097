"""Why an order changed (`UpdateReason`) and why a command was refused (`Reject`).

These are domain values only; the Kraken wire strings for them live in one table in
`mock_exchange.protocol.errors`, and a test proves that table covers every member.
"""

from __future__ import annotations

from .types import IdentityEnum


class UpdateReason(IdentityEnum):
    """Why an order entered, changed or left the set of open orders."""

    NEW_USER_ORDER = "new_user_order"
    LIQUIDATION = "liquidation"
    STOP_ORDER_TRIGGERED = "stop_order_triggered"
    LIMIT_FROM_STOP = "limit_from_stop"
    PARTIAL_FILL = "partial_fill"
    FULL_FILL = "full_fill"
    CANCELLED_BY_USER = "cancelled_by_user"
    CONTRACT_EXPIRED = "contract_expired"
    NOT_ENOUGH_MARGIN = "not_enough_margin"
    MARKET_INACTIVE = "market_inactive"
    CANCELLED_BY_ADMIN = "cancelled_by_admin"
    DEAD_MAN_SWITCH = "dead_man_switch"
    EDITED_BY_USER = "edited_by_user"
    TRAILING_STOP_PRICE_UPDATED = "trailing_stop_price_updated"
    WOULD_EXECUTE_SELF = "would_execute_self"
    WOULD_NOT_REDUCE_POSITION = "would_not_reduce_position"
    IOC_REMAINDER = "ioc_remainder"  # the unfilled rest of an IOC, market or liquidation order


class Reject(IdentityEnum):
    """Why a command was refused (nothing changed: not the book, not the account)."""

    MARKET_SUSPENDED = "market_suspended"
    MARKET_INACTIVE = "market_inactive"
    MARKET_NOT_FOUND = "market_not_found"
    MARKET_IS_POST_ONLY = "market_is_post_only"
    INVALID_PRICE = "invalid_price"
    INVALID_SIZE = "invalid_size"
    INSUFFICIENT_AVAILABLE_FUNDS = "insufficient_available_funds"
    WOULD_CAUSE_LIQUIDATION = "would_cause_liquidation"
    CLIENT_ORDER_ID_ALREADY_EXIST = "client_order_id_already_exist"
    CLIENT_ORDER_ID_TOO_LONG = "client_order_id_too_long"
    MAX_POSITION_VIOLATION = "max_position_violation"
    OUTSIDE_PRICE_COLLAR = "outside_price_collar"
    POST_WOULD_EXECUTE = "post_would_execute"
    IOC_WOULD_NOT_EXECUTE = "ioc_would_not_execute"
    FOK_WOULD_NOT_EXECUTE = "fok_would_not_execute"
    WOULD_EXECUTE_SELF = "would_execute_self"
    WOULD_NOT_REDUCE_POSITION = "would_not_reduce_position"
    TOO_MANY_ORDERS = "too_many_orders"
    ORDER_FOR_EDIT_NOT_FOUND = "order_for_edit_not_found"
    ORDER_FOR_EDIT_NOT_A_STOP = "order_for_edit_not_a_stop"
    NOT_FOUND = "not_found"
    ALREADY_FILLED = "already_filled"
    NO_ORDERS_TO_CANCEL = "no_orders_to_cancel"
    WOULD_PROCESS_AFTER_SPECIFIED_TIME = "would_process_after_specified_time"
    CANNOT_EDIT_TRIGGER_PRICE_OF_TRAILING_STOP = "cannot_edit_trigger_price_of_trailing_stop"
    CANNOT_EDIT_LIMIT_PRICE_OF_TRAILING_STOP = "cannot_edit_limit_price_of_trailing_stop"
    TRAILING_STOP_MAX_DEVIATION_TOO_LARGE = "trailing_stop_max_deviation_too_large"
    TRAILING_STOP_MAX_DEVIATION_TOO_SMALL = "trailing_stop_max_deviation_too_small"
    TRAILING_STOP_QUOTE_DEVIATION_NOT_MULTIPLE_OF_TICK_SIZE = (
        "trailing_stop_quote_deviation_not_multiple_of_tick_size"
    )
    LIMIT_PRICE_SET_AS_ABSOLUTE_AND_RELATIVE = "limit_price_set_as_absolute_and_relative"
    LIMIT_PRICE_OFFSET_INVALID = "limit_price_offset_invalid"
    # transfers, subaccounts, RFQs (docs/funds-rfq-assignment.md)
    INSUFFICIENT_FUNDS = "insufficient_funds"
    INVALID_ACCOUNT = "invalid_account"
    INVALID_UNIT = "invalid_unit"
    INVALID_AMOUNT = "invalid_amount"
    INVALID_ARGUMENT = "invalid_argument"
    ACCOUNT_INACTIVE = "account_inactive"
    RFQ_NOT_FOUND = "rfq_not_found"
    OFFER_NOT_FOUND = "offer_not_found"
    OFFER_NO_LONGER_VALID = "offer_no_longer_valid"
    OFFER_ALREADY_EXISTS = "offer_already_exists"
    PRICE_TOO_FAR_FROM_MARKET = "price_too_far_from_market"
    NO_LEGS_SPECIFIED = "no_legs_specified"
    TOO_MANY_LEGS = "too_many_legs"
    MIXED_CURRENCY_PAIRS = "mixed_currency_pairs"
    INVALID_EXPIRY = "invalid_expiry"
    EXPIRY_TOO_SHORT = "expiry_too_short"
    TOO_MANY_OPEN_RFQS = "too_many_open_rfqs"
    # leverage and PnL preferences
    CONTRACT_DOES_NOT_EXIST = "contract_does_not_exist"
    CONTRACT_IS_NOT_MULTI_COLLATERAL = "contract_is_not_multi_collateral"
    CURRENCY_DOES_NOT_EXIST = "currency_does_not_exist"
    INVALID_MAX_LEVERAGE = "invalid_max_leverage"


#: The rejections that, like an order that rested, are reported to the account as an order
#: update (Kraken's `open_orders_verbose` shows them with their own reason).
VERBOSE_REJECTS = frozenset(
    {
        Reject.POST_WOULD_EXECUTE,
        Reject.IOC_WOULD_NOT_EXECUTE,
        Reject.FOK_WOULD_NOT_EXECUTE,
        Reject.WOULD_EXECUTE_SELF,
        Reject.WOULD_NOT_REDUCE_POSITION,
        Reject.ORDER_FOR_EDIT_NOT_FOUND,
    }
)
