"""Commands: everything that can change the exchange, as immutable values.

The protocol layer decodes wire parameters into these; the admin API and scenarios build them
directly; the journal stores them. Amounts are `Decimal`, times integer milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .types import (
    DeviationUnit,
    MarketState,
    OrderType,
    QtyMode,
    SelfTradeStrategy,
    Side,
    TriggerSignal,
)


@dataclass(frozen=True, slots=True)
class OpenAccount:
    """Create an account with starting balances per wallet ({"flex": {"USD": 10000}})."""

    name: str
    balances: dict[str, dict[str, Decimal]] = field(default_factory=dict)
    master_id: str | None = None


@dataclass(frozen=True, slots=True)
class PlaceOrder:
    account_id: str
    symbol: str
    side: Side
    order_type: OrderType
    size: Decimal
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trigger_signal: TriggerSignal | None = None
    reduce_only: bool = False
    cli_ord_id: str | None = None
    trailing_max_deviation: Decimal | None = None
    trailing_unit: DeviationUnit | None = None
    limit_offset_value: Decimal | None = None
    limit_offset_unit: DeviationUnit | None = None
    process_before: int | None = None


@dataclass(frozen=True, slots=True)
class EditOrder:
    account_id: str
    order_id: str | None = None
    cli_ord_id: str | None = None
    size: Decimal | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trailing_max_deviation: Decimal | None = None
    trailing_unit: DeviationUnit | None = None
    qty_mode: QtyMode = QtyMode.RELATIVE
    process_before: int | None = None


@dataclass(frozen=True, slots=True)
class CancelOrder:
    account_id: str
    order_id: str | None = None
    cli_ord_id: str | None = None
    process_before: int | None = None


@dataclass(frozen=True, slots=True)
class CancelAll:
    account_id: str
    symbol: str | None = None


@dataclass(frozen=True, slots=True)
class ArmDeadManSwitch:
    """Cancel all the account's orders `timeout_s` seconds from now; 0 disarms."""

    account_id: str
    timeout_s: int


@dataclass(frozen=True, slots=True)
class SetSelfTradeStrategy:
    account_id: str
    strategy: SelfTradeStrategy


@dataclass(frozen=True, slots=True)
class SetPrices:
    """Move reference prices; triggers, margin and liquidation are evaluated at once."""

    symbol: str
    mark: Decimal | None = None
    index: Decimal | None = None
    last: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SetMarketState:
    symbol: str
    state: MarketState


@dataclass(frozen=True, slots=True)
class SetFundingRate:
    """Relative funding rate per interval for a perpetual; None returns to the premium formula."""

    symbol: str
    rate: Decimal | None


@dataclass(frozen=True, slots=True)
class AdminCancel:
    order_id: str


Command = (
    OpenAccount
    | PlaceOrder
    | EditOrder
    | CancelOrder
    | CancelAll
    | ArmDeadManSwitch
    | SetSelfTradeStrategy
    | SetPrices
    | SetMarketState
    | SetFundingRate
    | AdminCancel
)
