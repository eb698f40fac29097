"""The `Target` protocol: everything a scenario runner may ask of an exchange.

Two targets implement it: `scenarios.inprocess.InProcessTarget` (an `Exchange` on a manual clock,
driven through `Exchange.submit`, no HTTP) and the over-the-wire target (`scenarios.wire`: REST,
admin API and a real WebSocket per account against any server URL).

Invariants
----------
* Accounts are named by their *scenario* name (`"alice"`, `"mm"`); each target keeps the mapping
  to exchange account ids. `open_account` is called once per name before anything else.
* Orders are asked for in Kraken's own REST dialect (`OrderRequest` carries `sendorder`
  parameters: `orderType` "lmt" / "post" / "ioc" / "mkt" / "stp" / "take_profit" /
  "trailing_stop", side "buy" / "sell", ...), so both targets accept and refuse exactly the same
  things. Acknowledgements carry Kraken's `sendStatus.status` (`"placed"`, `"postWouldExecute"`,
  `"marketSuspended"`, ...) or, for requests Kraken answers with a top-level error, `error`.
* Every `open_orders` and `open_orders_verbose` message an account receives is recorded, in
  order, as an `OrderMessage` with Kraken's wire `reason` string (`"new_placed_order_by_user"`,
  `"cancelled_by_admin"`, ...): the same text the WebSocket sends, on both targets.
* Time: `now_ms()` is the exchange clock; `advance_to(ms)` moves it forward to `ms` (a manual
  clock jumps, firing every timer due on the way: dead man's switch, expiry, funding; a real
  clock is waited for). It never moves backwards.
* Every amount is a `Decimal`; every time integer milliseconds since the epoch.
* Methods are synchronous; a target that needs threads or an event loop hides them.

This module is additive-only: part 2 of E6 (the wire target, CLI, live app) codes against it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol, runtime_checkable

#: Order types a scenario may send (Kraken's `orderType` values for sendorder).
ORDER_TYPES = ("lmt", "post", "ioc", "mkt", "stp", "take_profit", "trailing_stop")
#: Market states (`/__admin/markets/{symbol}`).
MARKET_STATES = ("open", "post_only", "suspended", "inactive")
#: Order lifecycle as a scenario sees it (`Target.order_state`).
ORDER_STATES = ("open", "filled", "cancelled", "rejected", "unknown")


@dataclass(frozen=True)
class OrderRequest:
    """One `sendorder`, in Kraken's parameters. `limit_price` for lmt/post/ioc (and optional
    for stp/take_profit: a stop-limit); `stop_price` for stp/take_profit; `trigger_signal`
    "mark" / "index" / "last"; trailing stops use `trailing_deviation` + `trailing_unit`
    ("percent" / "quote_currency")."""

    symbol: str
    side: str  # "buy" | "sell"
    order_type: str  # one of ORDER_TYPES
    size: Decimal
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trigger_signal: str | None = None
    reduce_only: bool = False
    cli_ord_id: str | None = None
    trailing_deviation: Decimal | None = None
    trailing_unit: str | None = None

    def params(self) -> dict[str, str]:
        """The request as Kraken `sendorder` parameters (strings, in a fixed order)."""
        out = {
            "orderType": self.order_type,
            "symbol": self.symbol,
            "side": self.side,
            "size": str(self.size),
        }
        optional = {
            "limitPrice": self.limit_price,
            "stopPrice": self.stop_price,
            "triggerSignal": self.trigger_signal,
            "cliOrdId": self.cli_ord_id,
            "trailingStopMaxDeviation": self.trailing_deviation,
            "trailingStopDeviationUnit": self.trailing_unit,
        }
        out |= {k: str(v) for k, v in optional.items() if v is not None}
        if self.reduce_only:
            out["reduceOnly"] = "true"
        return out


@dataclass(frozen=True)
class OrderEdit:
    """One `editorder`: new absolute size and/or prices for an open order."""

    order_id: str
    size: Decimal | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None

    def params(self) -> dict[str, str]:
        out = {"orderId": self.order_id}
        optional = {"size": self.size, "limitPrice": self.limit_price, "stopPrice": self.stop_price}
        return out | {k: str(v) for k, v in optional.items() if v is not None}


@dataclass(frozen=True)
class Ack:
    """Kraken's answer to a place / edit / cancel / cancel-all request.

    `status`: the `sendStatus` / `editStatus` / `cancelStatus` status (`"placed"`, `"edited"`,
    `"cancelled"`, `"postWouldExecute"`, `"notFound"`, ...), or "" when `error` is set (the
    request failed as a whole: `"invalidArgument: size"`, `"contractNotFound"`, ...).
    `order_id`: the order concerned, when Kraken names it. `cancelled`: order ids a cancel-all
    removed."""

    status: str
    order_id: str | None = None
    error: str | None = None
    cancelled: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.error is None and self.status in ("placed", "edited", "cancelled")


@dataclass(frozen=True)
class OrderMessage:
    """One `open_orders` / `open_orders_verbose` delta an account received.

    `reason` is Kraken's wire string; `order_id` / `cli_ord_id` name the order (from the body or
    the id-only form); `qty` / `filled` are present when the message carried the full body."""

    time: int  # the exchange clock when it was recorded
    feed: str  # "open_orders" | "open_orders_verbose"
    reason: str
    order_id: str | None
    cli_ord_id: str | None
    is_cancel: bool
    qty: Decimal | None = None
    filled: Decimal | None = None


@dataclass(frozen=True)
class OpenOrder:
    order_id: str
    symbol: str
    side: str  # "buy" | "sell"
    order_type: str  # Kraken's openorders orderType: "lmt", "post", "stp", "take_profit", ...
    size: Decimal  # remaining
    filled: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    cli_ord_id: str | None = None


@dataclass(frozen=True)
class Fill:
    fill_id: str
    order_id: str
    symbol: str
    side: str  # "buy" | "sell"
    size: Decimal
    price: Decimal
    fill_type: str  # Kraken's fillType: "maker", "taker", "liquidation", ...
    time: int


@dataclass(frozen=True)
class Position:
    symbol: str
    size: Decimal  # signed: long > 0, short < 0
    entry_price: Decimal


@dataclass(frozen=True)
class Prices:
    mark: Decimal
    index: Decimal
    last: Decimal


@dataclass(frozen=True)
class AccountState:
    """One account at one instant. `balances`: wallet -> currency -> amount (wallet names as in
    the admin API: "flex", "cash", "fi_xbtusd"); `equity`: the flex wallet's portfolio value in
    USD (collateral after haircuts + unrealised PnL), the figure PnL is measured on."""

    balances: Mapping[str, Mapping[str, Decimal]]
    positions: Mapping[str, Position]
    equity: Decimal
    open_orders: tuple[OpenOrder, ...] = field(default=())


@dataclass(frozen=True)
class OrderState:
    """An order's lifecycle as far as the exchange remembers it (one of ORDER_STATES)."""

    order_id: str
    state: str
    filled: Decimal
    reason: str | None = None  # wire reason of the last change, when known


@runtime_checkable
class Target(Protocol):
    """What a runner can ask of an exchange. See the module docstring for the invariants."""

    # -- setup and time -----------------------------------------------------------------
    def open_account(
        self,
        name: str,
        balances: Mapping[str, Decimal],
        wallets: Mapping[str, Mapping[str, Decimal]],
    ) -> str:
        """Create a funded account (flex `balances`, other `wallets`); returns its account id."""
        ...

    def now_ms(self) -> int: ...

    def advance_to(self, ms: int) -> None:
        """Move the clock forward to `ms` (no-op if already there); timers due on the way fire."""
        ...

    # -- trading as an account ----------------------------------------------------------
    def place(self, account: str, order: OrderRequest) -> Ack: ...

    def edit(self, account: str, edit: OrderEdit) -> Ack: ...

    def cancel(self, account: str, order_id: str) -> Ack: ...

    def cancel_all(self, account: str, symbol: str | None = None) -> Ack: ...

    def dead_man_switch(self, account: str, timeout_s: int) -> None:
        """Arm (timeout_s > 0) or disarm (0) the account's cancel-all-after timer."""
        ...

    # -- the operator (admin) -----------------------------------------------------------
    def set_prices(
        self,
        symbol: str,
        mark: Decimal | None = None,
        index: Decimal | None = None,
        last: Decimal | None = None,
    ) -> None: ...

    def set_market_state(self, symbol: str, state: str) -> None:
        """One of MARKET_STATES; "inactive" cancels the market's orders (market_inactive)."""
        ...

    def set_funding_rate(self, symbol: str, rate: Decimal | None) -> None:
        """Relative funding rate per interval (None: back to the premium formula)."""
        ...

    def admin_cancel(self, order_id: str) -> bool:
        """Cancel any open order as the operator (cancelled_by_admin); False if not open."""
        ...

    # -- reading ------------------------------------------------------------------------
    def prices(self, symbol: str) -> Prices: ...

    def account_state(self, account: str) -> AccountState: ...

    def open_orders(self, account: str) -> tuple[OpenOrder, ...]: ...

    def fills(self, account: str) -> tuple[Fill, ...]: ...

    def order_state(self, account: str, order_id: str) -> OrderState: ...

    def order_messages(self, account: str) -> tuple[OrderMessage, ...]:
        """Every open_orders / open_orders_verbose message the account got so far, in order."""
        ...

    def close(self) -> None:
        """Release sockets, threads and servers the target started."""
        ...
