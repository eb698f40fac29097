"""Commands: everything that can change the exchange, as immutable values.

The protocol layer decodes wire parameters into these; the admin API and scenarios build them
directly; the journal stores them. Amounts are `Decimal`, times integer milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum

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
class SetLeveragePreference:
    """Isolate the account's position in a multi-collateral `symbol` at `max_leverage` (above 0,
    at most 1 / the first tier's initial margin); None returns it to cross margin."""

    account_id: str
    symbol: str
    max_leverage: Decimal | None


@dataclass(frozen=True, slots=True)
class SetPnlPreference:
    """Realise the PnL of a multi-collateral `symbol` in `currency` (a collateral currency)."""

    account_id: str
    symbol: str
    currency: str


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


# -- funds, subaccounts, RFQs and the assignment program (docs/funds-rfq-assignment.md) -----


@dataclass(frozen=True, slots=True)
class TransferFunds:
    """Move `amount` of `currency` between wallets. `account_id` is the caller; `from_user` /
    `to_user` name the caller's own subaccounts (None: the caller itself)."""

    account_id: str
    from_wallet: str
    to_wallet: str
    currency: str
    amount: Decimal
    from_user: str | None = None
    to_user: str | None = None


@dataclass(frozen=True, slots=True)
class Withdraw:
    """Move `amount` of `currency` from a Futures wallet to the account's simulated spot wallet."""

    account_id: str
    currency: str
    amount: Decimal
    source_wallet: str = "cash"


@dataclass(frozen=True, slots=True)
class SetTradingEnabled:
    """A master account switches trading on or off for one of its subaccounts."""

    account_id: str
    subaccount_id: str
    enabled: bool


class Quote(Enum):
    """The two sides of an RFQ offer: the offerer's bid (it buys the package) or ask."""

    BID = "bid"
    ASK = "ask"


class TimeFrame(Enum):
    """When an assignment preference applies (days in UTC)."""

    ALL = "ALL"
    WEEKDAYS = "WEEKDAYS"
    WEEKEND = "WEEKEND"


@dataclass(frozen=True, slots=True)
class RfqLeg:
    """One leg of an RFQ package: a contract and a signed size (negative: a short leg)."""

    symbol: str
    size: Decimal


@dataclass(frozen=True, slots=True)
class CreateRfq:
    """Open an RFQ. `account_id` None: a simulated requester (admin API, scenarios) whose
    intended side is `side` (None: two-way). `expiry` (ms) or `lifetime_ms`, else a default."""

    account_id: str | None
    legs: tuple[RfqLeg, ...]
    expiry: int | None = None
    lifetime_ms: int | None = None
    side: Side | None = None


@dataclass(frozen=True, slots=True)
class PlaceRfqOffer:
    """Quote an RFQ: package prices (`bid`/`ask`) or per-leg prices (`*_side`: (symbol, price)).
    `replace`: replace the account's live offer (v1 replace-offer) instead of adding one."""

    account_id: str
    rfq_uid: str
    bid: Decimal | None = None
    ask: Decimal | None = None
    bid_side: tuple[tuple[str, Decimal], ...] | None = None
    ask_side: tuple[tuple[str, Decimal], ...] | None = None
    replace: bool = False


@dataclass(frozen=True, slots=True)
class CancelRfqOffer:
    account_id: str
    rfq_uid: str
    offer_uid: str | None = None


@dataclass(frozen=True, slots=True)
class CancelRfq:
    """The requester withdraws its RFQ."""

    account_id: str
    rfq_uid: str


@dataclass(frozen=True, slots=True)
class AcceptRfqOffer:
    """The requester accepts a side of an offer. `account_id` None: on behalf of the requester
    (admin API). `quote` None: the requester's intended side, else the better one. `price`: the
    package price the caller saw (the best offer on that side must still have it).
    `offer_account`: that account's offer, else the best one."""

    account_id: str | None
    rfq_uid: str
    quote: Quote | None = None
    price: Decimal | None = None
    offer_account: str | None = None


@dataclass(frozen=True, slots=True)
class ExpireRfqs:
    """Close every RFQ whose expiry has passed (a simulated requester takes its best offer)."""


@dataclass(frozen=True, slots=True)
class AssignmentPreference:
    """Which liquidated positions an account is willing to be assigned (Kraken's participant)."""

    contract_type: str
    accept_long: bool
    accept_short: bool
    time_frame: TimeFrame
    enabled: bool
    contract: str | None = None
    max_size: Decimal | None = None
    max_position: Decimal | None = None
    base_currency: str | None = None
    quote_currency: str | None = None
    max_notional: Decimal | None = None
    min_long_bps: int | None = None
    min_short_bps: int | None = None

    @property
    def rank(self) -> int:
        """0 wallet-wide, 1 currency pair, 2 single contract (finer overrides coarser)."""
        return 2 if self.contract is not None else 1 if self.base_currency is not None else 0


@dataclass(frozen=True, slots=True)
class AddAssignmentPreference:
    account_id: str
    preference: AssignmentPreference


@dataclass(frozen=True, slots=True)
class DeleteAssignmentPreference:
    account_id: str
    preference_id: int


Command = (
    OpenAccount
    | PlaceOrder
    | EditOrder
    | CancelOrder
    | CancelAll
    | ArmDeadManSwitch
    | SetSelfTradeStrategy
    | SetLeveragePreference
    | SetPnlPreference
    | SetPrices
    | SetMarketState
    | SetFundingRate
    | AdminCancel
    | TransferFunds
    | Withdraw
    | SetTradingEnabled
    | CreateRfq
    | PlaceRfqOffer
    | CancelRfqOffer
    | CancelRfq
    | AcceptRfqOffer
    | ExpireRfqs
    | AddAssignmentPreference
    | DeleteAssignmentPreference
)
