"""Events: the exchange's only output. Each carries a global `seq` and a `time` (ms).

Every accepted order gets exactly one terminal event: a fill that leaves nothing (`Trade` with
the order's remaining at zero), `OrderCancelled`, or `OrderRejected` for orders that never rested.
Orders that leave the book because they were filled emit no `OrderCancelled`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from .reasons import Reject, UpdateReason
from .types import FillType, IdentityEnum, MarketState, OrderView, Side


@dataclass(frozen=True, slots=True)
class Event:
    seq: int
    time: int


@dataclass(frozen=True, slots=True)
class AccountOpened(Event):
    account_id: str
    name: str
    master_id: str | None


@dataclass(frozen=True, slots=True)
class OrderPlaced(Event):
    """An order (regular or trigger) entered the book. `reduced_qty`: what reduce-only trimmed."""

    order: OrderView
    reason: UpdateReason
    reduced_qty: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OrderEdited(Event):
    old: OrderView
    new: OrderView
    reason: UpdateReason
    reduced_qty: Decimal | None = None


@dataclass(frozen=True, slots=True)
class OrderCancelled(Event):
    """An order left the book without being filled (user, admin, timers, margin, ...)."""

    order: OrderView
    reason: UpdateReason


@dataclass(frozen=True, slots=True)
class OrderRejected(Event):
    """An order or edit was refused. `order` is what was asked for (None if it never existed)."""

    account_id: str
    order_id: str | None
    cli_ord_id: str | None
    order: OrderView | None
    reason: Reject


@dataclass(frozen=True, slots=True)
class TriggerActivated(Event):
    """A trigger order fired and left the trigger book; its child order follows."""

    order: OrderView
    signal_price: Decimal


@dataclass(frozen=True, slots=True)
class Trade(Event):
    """One execution between a resting maker and a taker.

    `maker`/`taker` are the orders *after* this fill. `taker_resting` is True when the taker was
    a resting order (an edit that crossed); `*_reduced`: what a reduce-only taker was trimmed by.
    """

    trade_id: str
    symbol: str
    price: Decimal
    qty: Decimal
    taker_side: Side
    maker: OrderView
    taker: OrderView
    maker_fill: FillType
    taker_fill: FillType
    maker_fee: Decimal
    taker_fee: Decimal
    fee_currency: str
    taker_resting: bool = False
    taker_reduced: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PositionChanged(Event):
    account_id: str
    symbol: str
    size: Decimal  # signed: long > 0
    entry_price: Decimal
    realised_pnl: Decimal


class BalanceKind(IdentityEnum):
    DEPOSIT = "deposit"
    FEE = "fee"
    REALISED_PNL = "realised_pnl"
    FUNDING = "funding"
    SETTLEMENT = "settlement"
    LIQUIDATION_FEE = "liquidation_fee"
    TRANSFER = "transfer"


@dataclass(frozen=True, slots=True)
class BalanceChanged(Event):
    account_id: str
    wallet: str
    currency: str
    delta: Decimal
    balance: Decimal
    kind: BalanceKind
    symbol: str | None = None
    ref: str | None = None  # trade id or other booking reference


@dataclass(frozen=True, slots=True)
class PricesChanged(Event):
    symbol: str
    mark: Decimal
    index: Decimal
    last: Decimal


@dataclass(frozen=True, slots=True)
class MarketStateChanged(Event):
    symbol: str
    state: MarketState


@dataclass(frozen=True, slots=True)
class FundingRateApplied(Event):
    symbol: str
    rate: Decimal  # relative, per interval
    mark: Decimal


@dataclass(frozen=True, slots=True)
class ContractSettled(Event):
    symbol: str
    price: Decimal


@dataclass(frozen=True, slots=True)
class AccountLiquidated(Event):
    account_id: str
    wallet: str
    equity: Decimal
    maintenance_margin: Decimal


# -- funds, subaccounts, RFQs and the assignment program (docs/funds-rfq-assignment.md) -----


class TransferKind(Enum):
    WALLET = "wallet"  # between two wallets of one account
    SUBACCOUNT = "subaccount"  # between a master and its subaccounts
    WITHDRAWAL = "withdrawal"  # from a Futures wallet to the simulated spot wallet


@dataclass(frozen=True, slots=True)
class FundsTransferred(Event):
    """A transfer as a whole; the two `BalanceChanged` (kind TRANSFER, `ref` = `transfer_id`)
    that book it follow."""

    transfer_id: str
    kind: TransferKind
    from_account: str
    from_wallet: str
    to_account: str
    to_wallet: str
    currency: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class TradingEnabledChanged(Event):
    account_id: str
    enabled: bool


@dataclass(frozen=True, slots=True)
class LeveragePreferenceSet(Event):
    """An account's maximum leverage for a symbol; None: back to cross margin."""

    account_id: str
    symbol: str
    max_leverage: Decimal | None


@dataclass(frozen=True, slots=True)
class PnlPreferenceSet(Event):
    """The currency an account's PnL in a symbol is realised in."""

    account_id: str
    symbol: str
    currency: str


class RfqStatus(Enum):
    OPEN = "open"
    EXPIRED = "expired"
    CANCELLED = "cancelled"
    FILLED_BID_SIDE = "filled_bid_side"
    FILLED_ASK_SIDE = "filled_ask_side"


@dataclass(frozen=True, slots=True)
class RfqOpened(Event):
    """`legs`: (symbol, signed size) per leg; `expiry` in ms."""

    rfq_uid: str
    requester: str
    legs: tuple[tuple[str, Decimal], ...]
    expiry: int


@dataclass(frozen=True, slots=True)
class RfqOfferPlaced(Event):
    """An offer entered (or, `replaced`, replaced the account's offer on) an open RFQ;
    `bid`/`ask` are package prices."""

    offer_uid: str
    rfq_uid: str
    account_id: str
    bid: Decimal | None
    ask: Decimal | None
    replaced: bool = False


@dataclass(frozen=True, slots=True)
class RfqOfferCancelled(Event):
    offer_uid: str
    rfq_uid: str
    account_id: str


@dataclass(frozen=True, slots=True)
class RfqClosed(Event):
    """An RFQ left the open list; when filled, the accepted offer and its account. The block
    trades (`Trade`, fill type BLOCK, one per leg) follow."""

    rfq_uid: str
    status: RfqStatus
    offer_uid: str | None = None
    offer_account: str | None = None


@dataclass(frozen=True, slots=True)
class AssignmentPreferenceChanged(Event):
    account_id: str
    preference_id: int
    deleted: bool


def order_updates(event: Event) -> list[tuple[OrderView, UpdateReason | Reject]]:
    """The per-order changes an event stands for, with Kraken's reason for each.

    This is what an account's open-orders view follows: fills of resting orders become
    PARTIAL_FILL / FULL_FILL, a fired trigger becomes STOP_ORDER_TRIGGERED. A taker filled on
    arrival never rested, so its fills are not order updates (only an edited, resting taker's
    are).
    """
    if isinstance(event, OrderPlaced | OrderCancelled):
        return [(event.order, event.reason)]
    if isinstance(event, OrderEdited):
        return [(event.new, event.reason)]
    if isinstance(event, TriggerActivated):
        return [(event.order, UpdateReason.STOP_ORDER_TRIGGERED)]
    if isinstance(event, Trade):
        updates = [(event.maker, _fill_reason(event.maker))]
        if event.taker_resting:
            updates.append((event.taker, _fill_reason(event.taker)))
        return updates  # type: ignore[return-value]
    if isinstance(event, OrderRejected) and event.order is not None:
        return [(event.order, event.reason)]
    return []


def _fill_reason(order: OrderView) -> UpdateReason:
    return UpdateReason.FULL_FILL if order.remaining == 0 else UpdateReason.PARTIAL_FILL
