"""Accounts and their wallets.

An account has a multi-collateral `flex` wallet (linear PF_/FF_ contracts), a `cash` wallet, and
single-collateral margin wallets named like Kraken's (`fi_xbtusd`) for inverse contracts. It also
keeps, per symbol, the lots its resting orders would buy and sell, for margin with orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..engine.types import Order, SelfTradeStrategy
from .positions import Position

_ZERO = Decimal(0)


@dataclass(slots=True)
class Wallet:
    name: str
    balances: dict[str, Decimal] = field(default_factory=dict)

    def balance(self, currency: str) -> Decimal:
        return self.balances.get(currency, _ZERO)

    def credit(self, currency: str, amount: Decimal) -> Decimal:
        new = self.balances.get(currency, _ZERO) + amount
        self.balances[currency] = new
        return new


class Account:
    __slots__ = (
        "account_id",
        "cli_ids",
        "dms_deadline",
        "leverage",
        "master_id",
        "name",
        "open_buys",
        "open_sells",
        "order_counts",
        "orders",
        "pnl_currency",
        "positions",
        "reduce_only",
        "strategy",
        "trading_enabled",
        "wallets",
    )

    def __init__(self, account_id: str, name: str, master_id: str | None = None) -> None:
        self.account_id = account_id
        self.name = name
        self.master_id = master_id
        self.wallets: dict[str, Wallet] = {"flex": Wallet("flex"), "cash": Wallet("cash")}
        self.positions: dict[str, Position] = {}
        self.orders: dict[str, Order] = {}  # live orders (regular and trigger) by id
        self.cli_ids: dict[str, str] = {}  # cliOrdId -> order id, for live orders
        self.order_counts: dict[str, int] = {}  # live orders per symbol
        self.reduce_only: set[str] = set()  # ids of live reduce-only regular orders
        self.open_buys: dict[str, int] = {}
        self.open_sells: dict[str, int] = {}
        self.strategy = SelfTradeStrategy.REJECT_TAKER
        self.dms_deadline: int | None = None
        self.leverage: dict[str, Decimal] = {}  # symbol -> max leverage (exchange.preferences)
        self.pnl_currency: dict[str, str] = {}  # symbol -> PnL currency (exchange.preferences)
        self.trading_enabled = True

    def wallet(self, name: str) -> Wallet:
        wallet = self.wallets.get(name)
        if wallet is None:
            wallet = self.wallets[name] = Wallet(name)
        return wallet

    def position(self, symbol: str) -> Position:
        pos = self.positions.get(symbol)
        if pos is None:
            pos = self.positions[symbol] = Position(symbol)
        return pos

    def position_size(self, symbol: str) -> Decimal:
        pos = self.positions.get(symbol)
        return pos.size if pos is not None else _ZERO

    def register(self, order: Order) -> None:
        """Note a live order; regular orders also count toward margin with orders."""
        self.orders[order.order_id] = order
        if order.cli_ord_id is not None:
            self.cli_ids[order.cli_ord_id] = order.order_id
        self.order_counts[order.symbol] = self.order_counts.get(order.symbol, 0) + 1
        if not order.kind.is_trigger:
            self.track_order(order.symbol, order.side.sign > 0, order.remaining)
            if order.reduce_only:
                self.reduce_only.add(order.order_id)

    def unregister(self, order: Order) -> None:
        """Forget a live order; its unfilled lots stop counting toward margin."""
        del self.orders[order.order_id]
        if order.cli_ord_id is not None:
            self.cli_ids.pop(order.cli_ord_id, None)
        self.order_counts[order.symbol] -= 1
        if not order.kind.is_trigger:
            self.track_order(order.symbol, order.side.sign > 0, -order.remaining)
            self.reduce_only.discard(order.order_id)

    def track_order(self, symbol: str, buy: bool, lots: int) -> None:
        """Add (or with negative lots, remove) resting order lots for margin with orders."""
        book = self.open_buys if buy else self.open_sells
        book[symbol] = book.get(symbol, 0) + lots

    @property
    def family(self) -> str:
        """The master account id that groups an account with its subaccounts."""
        return self.master_id or self.account_id
