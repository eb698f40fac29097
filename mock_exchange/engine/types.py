"""Domain vocabulary of the engine: enums, exact-number helpers and the order records.

Invariants:
- Prices and sizes inside the book are integers (ticks and lots of the instrument); everything
  that leaves the engine (events, views) carries `Decimal`s. No float is ever used.
- An `Order` is mutable and lives in exactly one place (a book level or the trigger book); an
  `OrderView` is the immutable picture of it that events carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import Enum


class IdentityEnum(Enum):
    """An Enum hashed by identity in C (members are singletons), not by Enum's Python
    `__hash__`: these members key dicts and sets on every order."""

    __hash__ = object.__hash__


class Side(IdentityEnum):
    BUY = "buy"
    SELL = "sell"

    @property
    def sign(self) -> int:
        return 1 if self is Side.BUY else -1

    @property
    def opposite(self) -> Side:
        return Side.SELL if self is Side.BUY else Side.BUY


class OrderType(IdentityEnum):
    """Order types as a user asks for them; `MKT` rests nowhere and reports as IOC."""

    LMT = "lmt"
    POST = "post"
    IOC = "ioc"
    MKT = "mkt"
    FOK = "fok"
    STP = "stp"
    TAKE_PROFIT = "take_profit"
    TRAILING_STOP = "trailing_stop"
    LIQUIDATION = "liquidation"

    @property
    def is_trigger(self) -> bool:
        return self in _TRIGGER_TYPES

    @property
    def is_immediate(self) -> bool:
        """True for types that never rest in the book."""
        return self in _IMMEDIATE_TYPES


_TRIGGER_TYPES = frozenset({OrderType.STP, OrderType.TAKE_PROFIT, OrderType.TRAILING_STOP})
_IMMEDIATE_TYPES = frozenset({OrderType.IOC, OrderType.MKT, OrderType.FOK, OrderType.LIQUIDATION})


class TriggerSignal(IdentityEnum):
    MARK = "mark"
    INDEX = "index"
    LAST = "last"


class TriggerSide(Enum):
    """ABOVE fires when the signal price rises to the trigger price, BELOW when it falls to it."""

    ABOVE = "above"
    BELOW = "below"


class DeviationUnit(Enum):
    PERCENT = "percent"
    QUOTE_CURRENCY = "quote_currency"


class QtyMode(Enum):
    """RELATIVE: the new size is the new open (unfilled) size; ABSOLUTE: the new total size."""

    RELATIVE = "relative"
    ABSOLUTE = "absolute"


class SelfTradeStrategy(IdentityEnum):
    REJECT_TAKER = "reject_taker"
    CANCEL_MAKER_SELF = "cancel_maker_self"
    CANCEL_MAKER_CHILD = "cancel_maker_child"
    CANCEL_MAKER_ANY = "cancel_maker_any"


class MarketState(IdentityEnum):
    OPEN = "open"
    POST_ONLY = "post_only"
    SUSPENDED = "suspended"
    INACTIVE = "inactive"


class FillType(IdentityEnum):
    MAKER = "maker"
    TAKER = "taker"
    TAKER_AFTER_EDIT = "takerAfterEdit"
    LIQUIDATION = "liquidation"
    ASSIGNOR = "assignor"
    ASSIGNEE = "assignee"
    UNWIND_BANKRUPT = "unwindBankrupt"
    UNWIND_COUNTERPARTY = "unwindCounterparty"
    BLOCK = "block"


@dataclass(frozen=True, slots=True)
class Trailing:
    """Trailing-stop settings: the trigger trails the signal by at most `max_deviation`."""

    max_deviation: Decimal
    unit: DeviationUnit


@dataclass(frozen=True, slots=True)
class LimitOffset:
    """Limit price of a triggered order expressed relative to its stop price."""

    value: Decimal
    unit: DeviationUnit


class Order:
    """A live order. Regular orders rest in a book level; trigger orders in the trigger book.

    `price` is the limit price in ticks (None for a trigger that becomes a market order);
    `qty` the total size in lots, `filled` the executed part in lots. `alive` turns False the
    moment the order leaves its place, which lets book levels delete lazily.
    """

    __slots__ = (
        "account_id",
        "alive",
        "cli_ord_id",
        "created",
        "filled",
        "kind",
        "limit_offset",
        "order_id",
        "price",
        "qty",
        "reduce_only",
        "side",
        "signal",
        "stop",
        "symbol",
        "trailing",
        "trigger_side",
        "updated",
    )

    def __init__(
        self,
        order_id: str,
        account_id: str,
        symbol: str,
        side: Side,
        kind: OrderType,
        price: int | None,
        qty: int,
        created: int,
        cli_ord_id: str | None = None,
        reduce_only: bool = False,
    ) -> None:
        self.order_id = order_id
        self.account_id = account_id
        self.symbol = symbol
        self.side = side
        self.kind = kind
        self.price = price
        self.qty = qty
        self.filled = 0
        self.created = created
        self.updated = created
        self.cli_ord_id = cli_ord_id
        self.reduce_only = reduce_only
        self.alive = True
        self.stop: int | None = None
        self.signal: TriggerSignal | None = None
        self.trigger_side: TriggerSide | None = None
        self.trailing: Trailing | None = None
        self.limit_offset: LimitOffset | None = None

    @property
    def remaining(self) -> int:
        return self.qty - self.filled

    def clone(self) -> Order:
        """A fresh live copy (same id): used when an edit moves an order to the back of a queue."""
        copy = Order(
            self.order_id,
            self.account_id,
            self.symbol,
            self.side,
            self.kind,
            self.price,
            self.qty,
            self.created,
            self.cli_ord_id,
            self.reduce_only,
        )
        copy.filled = self.filled
        copy.updated = self.updated
        copy.stop, copy.signal, copy.trigger_side = self.stop, self.signal, self.trigger_side
        copy.trailing, copy.limit_offset = self.trailing, self.limit_offset
        return copy

    def __repr__(self) -> str:
        return (
            f"Order({self.order_id[:8]} {self.side.value} {self.kind.value} {self.symbol} "
            f"px={self.price} qty={self.qty} filled={self.filled})"
        )


@dataclass(frozen=True, slots=True)
class OrderView:
    """Immutable picture of an order at one moment, in exact decimal units."""

    order_id: str
    account_id: str
    symbol: str
    side: Side
    kind: OrderType
    qty: Decimal
    filled: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    created: int
    updated: int
    cli_ord_id: str | None = None
    reduce_only: bool = False
    signal: TriggerSignal | None = None
    trigger_side: TriggerSide | None = None
    trailing: Trailing | None = None
    limit_offset: LimitOffset | None = None

    @property
    def remaining(self) -> Decimal:
        return self.qty - self.filled

    @property
    def is_trigger(self) -> bool:
        return self.kind.is_trigger

    def with_filled(self, filled: Decimal) -> OrderView:
        """This view with another `filled` (`dataclasses.replace` without its introspection)."""
        return OrderView(
            self.order_id,
            self.account_id,
            self.symbol,
            self.side,
            self.kind,
            self.qty,
            filled,
            self.limit_price,
            self.stop_price,
            self.created,
            self.updated,
            self.cli_ord_id,
            self.reduce_only,
            self.signal,
            self.trigger_side,
            self.trailing,
            self.limit_offset,
        )
