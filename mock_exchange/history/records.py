"""The records a `History` keeps: plain values built from events, read by the protocol encoders.

Invariants:
- Records carry domain values (order views, decimals, enums, ms times); no Kraken wire names.
- `n` is the record's position in the history's single increasing counter: it orders records
  and pages through them; `uid` is a UUID-shaped string derived from `n` alone. Account-log
  entries are the exception: their `uid` is the booking uid, derived from the `seq` of the
  exchange event that opened the entry (`booking_uid`), so any reader of the same event stream
  names the same entry alike.
- Only `Candle`, `LogEntry` and `PositionUpdate` are mutable, and only while the batch of events
  that created them is being recorded (a trade's fee and PnL arrive as separate events).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum

from ..engine.events import Trade
from ..engine.reasons import Reject, UpdateReason
from ..engine.types import FillType, OrderView, Side

DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
MONDAY_OFFSET_MS = 4 * DAY_MS  # 1970-01-05 was a Monday: weekly candles start on Mondays

#: Candle widths by Kraken's resolution names (which are also the plain English ones).
RESOLUTIONS_MS: dict[str, int] = {
    "1m": 60_000,
    "5m": 300_000,
    "15m": 900_000,
    "30m": 1_800_000,
    "1h": 3_600_000,
    "4h": 14_400_000,
    "12h": 43_200_000,
    "1d": DAY_MS,
    "1w": WEEK_MS,
}


def bucket_start(time: int, width: int) -> int:
    """Start of the candle holding `time`; weeks start on Monday 00:00 UTC."""
    offset = MONDAY_OFFSET_MS if width == WEEK_MS else 0
    return time - (time - offset) % width


def uid_for(n: int) -> str:
    """A deterministic UUID-shaped id for the n-th record (version and variant bits set)."""
    h = f"{n:032x}"[-32:]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-8{h[17:20]}-{h[20:]}"


def booking_uid(seq: int) -> str:
    """The deterministic UUID-shaped booking uid of the account-log entry opened by the event
    with this `seq` (variant nibble `b`, so it never equals a `uid_for` id)."""
    h = f"{seq:032x}"[-32:]
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-b{h[17:20]}-{h[20:]}"


class CandleSource(Enum):
    TRADE = "trade"
    MARK = "mark"
    INDEX = "index"


PRICE_SOURCES = (CandleSource.MARK, CandleSource.INDEX)


class Candle:
    __slots__ = ("close", "high", "low", "open", "time", "volume")

    def __init__(self, time: int, price: Decimal, qty: Decimal) -> None:
        self.time = time
        self.open = self.high = self.low = self.close = price
        self.volume = qty

    def add(self, price: Decimal, qty: Decimal) -> None:
        self.high = max(self.high, price)
        self.low = min(self.low, price)
        self.close = price
        self.volume += qty


@dataclass(frozen=True, slots=True)
class Fill:
    """One account's side of one trade."""

    fill_id: str
    symbol: str
    side: Side
    order_id: str
    cli_ord_id: str | None
    size: Decimal
    price: Decimal
    time: int
    fill_type: FillType
    fee: Decimal
    fee_currency: str


@dataclass(frozen=True, slots=True)
class Execution:
    """A trade with what the history API adds: the mark and both positions after it."""

    n: int
    uid: str
    trade: Trade
    mark: Decimal
    maker_position: Decimal
    taker_position: Decimal

    @property
    def time(self) -> int:
        return self.trade.time


@dataclass(frozen=True, slots=True)
class PublicTrade:
    trade_no: int  # increases by one per trade of the contract
    execution: Execution


class OrderKind(Enum):
    PLACED = "placed"
    UPDATED = "updated"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    NOT_FOUND = "not_found"  # an edit named an order that does not exist
    TRIGGER_PLACED = "trigger_placed"
    TRIGGER_UPDATED = "trigger_updated"
    TRIGGER_CANCELLED = "trigger_cancelled"
    TRIGGER_ACTIVATED = "trigger_activated"

    @property
    def is_trigger(self) -> bool:
        return self.name.startswith("TRIGGER_")


@dataclass(frozen=True, slots=True)
class OrderRecord:
    """One order-history element. `order` is the order after the change (None for NOT_FOUND);
    `old` the order before it (updates)."""

    n: int
    uid: str
    time: int
    kind: OrderKind
    account_id: str
    order: OrderView | None
    old: OrderView | None
    reason: UpdateReason | Reject | None
    reduced_qty: Decimal | None
    order_id: str | None = None


class LogKind(Enum):
    """What an account-log entry books (the protocol maps each to Kraken's `info` string)."""

    TRADE = "trade"
    LIQUIDATION = "liquidation"
    ASSIGNOR = "assignor"
    ASSIGNEE = "assignee"
    UNWIND_COUNTERPARTY = "unwind_counterparty"
    UNWIND_BANKRUPT = "unwind_bankrupt"
    SETTLEMENT = "settlement"
    FUNDING = "funding"
    DEPOSIT = "deposit"
    TRANSFER = "transfer"  # between two wallets of one account
    SUBACCOUNT_TRANSFER = "subaccount_transfer"  # between two accounts of one master
    CROSS_EXCHANGE_TRANSFER = "cross_exchange_transfer"  # a withdrawal to the spot wallet

    @classmethod
    def for_fill(cls, fill_type: FillType) -> LogKind:
        return _FILL_LOG_KINDS.get(fill_type, cls.TRADE)

    @classmethod
    def for_transfer(cls, source: str, target: str | None) -> LogKind:
        """A transfer's kind from its accounts (`target` None: a withdrawal to spot)."""
        if target is None:
            return cls.CROSS_EXCHANGE_TRANSFER
        return cls.TRANSFER if source == target else cls.SUBACCOUNT_TRANSFER

    @property
    def charges_liquidation_fee(self) -> bool:
        """The liquidated side of a liquidation or assignment pays the liquidation fee."""
        return self in (LogKind.LIQUIDATION, LogKind.ASSIGNOR)


_FILL_LOG_KINDS = {
    FillType.LIQUIDATION: LogKind.LIQUIDATION,
    FillType.ASSIGNOR: LogKind.ASSIGNOR,
    FillType.ASSIGNEE: LogKind.ASSIGNEE,
    FillType.UNWIND_COUNTERPARTY: LogKind.UNWIND_COUNTERPARTY,
    FillType.UNWIND_BANKRUPT: LogKind.UNWIND_BANKRUPT,
}


@dataclass(slots=True)
class LogEntry:
    """One account-log entry, the single record both the History API and the `account_log`
    feed render: a wallet balance (asset = currency) or a position (asset = symbol, balances
    are signed sizes). Built once by `history.ledger`; complete when its batch is recorded."""

    id: int  # per account, from 1
    uid: str  # the booking uid: `booking_uid(seq)`
    time: int
    kind: LogKind
    wallet: str  # the exchange's wallet name: cash, flex, fi_xbtusd
    asset: str
    old_balance: Decimal
    new_balance: Decimal
    symbol: str | None
    fee: Decimal | None = None
    realised_pnl: Decimal | None = None
    realised_funding: Decimal | None = None
    funding_rate: Decimal | None = None
    mark: Decimal | None = None
    trade_price: Decimal | None = None
    execution: str | None = None
    old_entry: Decimal | None = None
    new_entry: Decimal | None = None
    seq: int = 0  # the exchange event that opened the entry
    collateral: str | None = None  # the currency of a single-collateral wallet's entry
    liquidation_fee: Decimal | None = None

    @property
    def is_position(self) -> bool:
        return self.symbol is not None and self.asset == self.symbol


@dataclass(slots=True)
class PositionUpdate:
    """One change of one position: a fill (`execution` is the trade id) or a settlement."""

    n: int
    uid: str
    time: int
    account_id: str
    symbol: str
    old_size: Decimal
    old_entry: Decimal
    new_size: Decimal
    new_entry: Decimal
    fee: Decimal
    realised: Decimal
    execution: str | None
    price: Decimal
    qty: Decimal
    fill_type: FillType | None


@dataclass(frozen=True, slots=True)
class PriceRecord:
    n: int
    uid: str
    time: int
    mark: Decimal
