"""The typed answers of the admin API: one frozen dataclass per answer shape, each with a
`read(Reader)` classmethod that checks every field.

Invariants: amounts are `Decimal`, times are integer milliseconds, optional fields are None
only where the API documents null; unknown extra fields in an answer are ignored (the admin
API only ever adds fields).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .reader import Reader


@dataclass(frozen=True)
class AccountKeys:
    """An account and its API key (POST /__admin/accounts, and each account of a reset)."""

    name: str
    account_id: str
    api_key: str
    api_secret: str

    @classmethod
    def read(cls, r: Reader) -> AccountKeys:
        return cls(r.text("name"), r.text("account_id"), r.text("api_key"), r.text("api_secret"))


@dataclass(frozen=True)
class ResetResult:
    now_ms: int
    accounts: tuple[AccountKeys, ...]  # the configured default accounts, as after a fresh start

    @classmethod
    def read(cls, r: Reader) -> ResetResult:
        return cls(r.integer("now_ms"), tuple(AccountKeys.read(a) for a in r.children("accounts")))


@dataclass(frozen=True)
class ClockState:
    now_ms: int
    time: str  # ISO 8601, e.g. "2026-01-01T00:00:00.000Z"
    kind: str  # "manual" or "real"
    next_deadline_ms: int | None  # the next timer (funding, expiry, dead man's switch)

    @classmethod
    def read(cls, r: Reader) -> ClockState:
        return cls(r.integer("now_ms"), r.text("time"), r.text("kind"),
                   r.opt_integer("next_deadline_ms"))  # fmt: skip


@dataclass(frozen=True)
class ClockMove:
    now_ms: int
    timer_events: int  # events produced by the timers that fell due on the way

    @classmethod
    def read(cls, r: Reader) -> ClockMove:
        return cls(r.integer("now_ms"), r.integer("timer_events"))


@dataclass(frozen=True)
class MarketPrices:
    symbol: str
    mark: Decimal
    index: Decimal
    last: Decimal

    @classmethod
    def read(cls, r: Reader) -> MarketPrices:
        return cls(r.text("symbol"), r.decimal("mark"), r.decimal("index"), r.decimal("last"))


@dataclass(frozen=True)
class MarketStateChange:
    symbol: str
    state: str  # open | post_only | suspended | inactive

    @classmethod
    def read(cls, r: Reader) -> MarketStateChange:
        return cls(r.text("symbol"), r.text("state"))


@dataclass(frozen=True)
class AdminCancellation:
    order_id: str
    cli_ord_id: str | None
    account_id: str
    symbol: str
    status: str  # "cancelled"
    reason: str  # "cancelled_by_admin"

    @classmethod
    def read(cls, r: Reader) -> AdminCancellation:
        return cls(r.text("order_id"), r.opt_text("cli_ord_id"), r.text("account_id"),
                   r.text("symbol"), r.text("status"), r.text("reason"))  # fmt: skip


@dataclass(frozen=True)
class FundingRate:
    symbol: str
    rate: Decimal | None  # the override; None: the premium formula
    effective_rate: Decimal  # what the next funding uses

    @classmethod
    def read(cls, r: Reader) -> FundingRate:
        return cls(r.text("symbol"), r.opt_decimal("rate"), r.decimal("effective_rate"))


@dataclass(frozen=True)
class Margin:
    """One margin wallet. `initial*` are given by the state dump only (None elsewhere)."""

    currency: str
    equity: Decimal
    maintenance: Decimal
    available: Decimal
    initial: Decimal | None = None
    initial_with_orders: Decimal | None = None

    @classmethod
    def read(cls, r: Reader) -> Margin:
        opt = {k: r.decimal(k) for k in ("initial", "initial_with_orders") if k in r.raw}
        return cls(r.text("currency"), r.decimal("equity"), r.decimal("maintenance"),
                   r.decimal("available"), **opt)  # fmt: skip

    @staticmethod
    def table(r: Reader) -> dict[str, Margin]:
        return {wallet: Margin.read(r.child(wallet)) for wallet in r.raw}


@dataclass(frozen=True)
class Position:
    symbol: str
    size: Decimal  # signed: long > 0
    entry_price: Decimal
    realised_pnl: Decimal | None = None  # given by the state dump only

    @classmethod
    def read(cls, r: Reader) -> Position:
        pnl = r.decimal("realised_pnl") if "realised_pnl" in r.raw else None
        return cls(r.text("symbol"), r.decimal("size"), r.decimal("entry_price"), pnl)


@dataclass(frozen=True)
class AccountDetails:
    """GET /__admin/accounts/{id}: every wallet (the simulated `spot` one included)."""

    account_id: str
    name: str
    master_id: str | None
    subaccounts: tuple[str, ...]
    trading_enabled: bool
    wallets: dict[str, dict[str, Decimal]]
    margin: dict[str, Margin]
    positions: tuple[Position, ...]

    @classmethod
    def read(cls, r: Reader) -> AccountDetails:
        return cls(
            r.text("account_id"), r.text("name"), r.opt_text("master_id"), r.texts("subaccounts"),
            r.flag("trading_enabled"), r.wallets("wallets"), Margin.table(r.child("margin")),
            tuple(Position.read(p) for p in r.children("positions")),
        )  # fmt: skip


@dataclass(frozen=True)
class RfqCreated:
    rfq_uid: str
    expiry_ms: int

    @classmethod
    def read(cls, r: Reader) -> RfqCreated:
        return cls(r.text("rfq_uid"), r.integer("expiry_ms"))


@dataclass(frozen=True)
class BlockTrade:
    trade_id: str
    symbol: str
    price: Decimal
    size: Decimal
    offerer_side: str
    fill_type: str
    offerer_fee: Decimal
    requester_fee: Decimal
    fee_currency: str

    @classmethod
    def read(cls, r: Reader) -> BlockTrade:
        return cls(
            r.text("trade_id"), r.text("symbol"), r.decimal("price"), r.decimal("size"),
            r.text("offerer_side"), r.text("fill_type"), r.decimal("offerer_fee"),
            r.decimal("requester_fee"), r.text("fee_currency"),
        )  # fmt: skip


@dataclass(frozen=True)
class RfqAcceptance:
    rfq_uid: str
    status: str
    offer_uid: str | None
    offer_account_id: str | None
    requester_account_id: str | None
    trades: tuple[BlockTrade, ...]

    @classmethod
    def read(cls, r: Reader) -> RfqAcceptance:
        return cls(
            r.text("rfq_uid"), r.text("status"), r.opt_text("offer_uid"),
            r.opt_text("offer_account_id"), r.opt_text("requester_account_id"),
            tuple(BlockTrade.read(t) for t in r.children("trades")),
        )  # fmt: skip


@dataclass(frozen=True)
class MarketSnapshot:
    symbol: str
    state: str
    mark: Decimal
    index: Decimal
    last: Decimal
    funding_rate_override: Decimal | None
    funding_rate: Decimal
    tick_size: Decimal
    lot_size: Decimal
    last_trading_ms: int | None
    bids: tuple[tuple[Decimal, Decimal], ...]  # (price, size), best first
    asks: tuple[tuple[Decimal, Decimal], ...]
    trigger_orders: int

    @classmethod
    def read(cls, symbol: str, r: Reader) -> MarketSnapshot:
        d = r.decimal
        return cls(
            symbol, r.text("state"), d("mark"), d("index"), d("last"),
            r.opt_decimal("funding_rate_override"), d("funding_rate"), d("tick_size"),
            d("lot_size"), r.opt_integer("last_trading_ms"), r.levels("bids"), r.levels("asks"),
            r.integer("trigger_orders"),
        )  # fmt: skip


@dataclass(frozen=True)
class OrderSnapshot:
    order_id: str
    account_id: str
    cli_ord_id: str | None
    symbol: str
    side: str
    type: str
    size: Decimal
    filled: Decimal
    limit_price: Decimal | None
    stop_price: Decimal | None
    trigger_signal: str | None
    reduce_only: bool
    created_ms: int
    updated_ms: int

    @classmethod
    def read(cls, r: Reader) -> OrderSnapshot:
        return cls(
            r.text("order_id"), r.text("account_id"), r.opt_text("cli_ord_id"), r.text("symbol"),
            r.text("side"), r.text("type"), r.decimal("size"), r.decimal("filled"),
            r.opt_decimal("limit_price"), r.opt_decimal("stop_price"),
            r.opt_text("trigger_signal"), r.flag("reduce_only"), r.integer("created_ms"),
            r.integer("updated_ms"),
        )  # fmt: skip


@dataclass(frozen=True)
class AccountSnapshot:
    account_id: str
    name: str
    master_id: str | None
    wallets: dict[str, dict[str, Decimal]]
    margin: dict[str, Margin]
    positions: tuple[Position, ...]
    open_orders: int

    @classmethod
    def read(cls, r: Reader) -> AccountSnapshot:
        return cls(
            r.text("account_id"), r.text("name"), r.opt_text("master_id"), r.wallets("wallets"),
            Margin.table(r.child("margin")),
            tuple(Position.read(p) for p in r.children("positions")), r.integer("open_orders"),
        )  # fmt: skip


@dataclass(frozen=True)
class StateDump:
    """GET /__admin/state, typed; `raw` keeps the parsed document for byte-level comparisons."""

    clock: ClockState
    seq: int
    server: dict[str, Any]  # run facts: seed, clock, makers (empty for a plain create_app())
    markets: dict[str, MarketSnapshot]
    orders: tuple[OrderSnapshot, ...]
    accounts: tuple[AccountSnapshot, ...]
    raw: dict[str, Any]

    @classmethod
    def read(cls, r: Reader) -> StateDump:
        markets = r.child("markets")
        return cls(
            ClockState.read(r.child("clock")), r.integer("seq"), dict(r.child("server").raw),
            {s: MarketSnapshot.read(s, markets.child(s)) for s in markets.raw},
            tuple(OrderSnapshot.read(o) for o in r.children("orders")),
            tuple(AccountSnapshot.read(a) for a in r.children("accounts")), r.raw,
        )  # fmt: skip

    def account_named(self, name: str) -> AccountSnapshot:
        """The first account with that name (KeyError if none)."""
        for acct in self.accounts:
            if acct.name == name:
                return acct
        raise KeyError(name)
