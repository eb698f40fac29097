"""Typed results of Kraken's account and market reads: accounts, openpositions, fills,
instruments, tickers, orderbook, public trade history, leverage and PnL preferences.

Same rules as ``models``: ``from_json`` takes JSON decoded with ``Decimal`` floats, keeps the
original object in ``raw``, gives ``Decimal`` amounts and aware UTC ``datetime`` times, and
leaves a field Kraken did not send as ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from .values import dec, flag, opt_dec, opt_flag, opt_str, opt_timestamp, timestamp

Json = dict[str, Any]


def _decimals(obj: Json | None) -> dict[str, Decimal]:
    return {k: dec(v) for k, v in (obj or {}).items() if v is not None}


@dataclass(frozen=True)
class Position:
    """One open position: ``size`` is positive, the direction is ``side`` (long/short)."""

    symbol: str
    side: str
    size: Decimal
    price: Decimal
    fill_time: datetime
    unrealized_funding: Decimal | None
    pnl_currency: str | None
    max_fixed_leverage: Decimal | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Position:
        return cls(
            symbol=obj["symbol"], side=obj["side"], size=dec(obj["size"]),
            price=dec(obj["price"]), fill_time=timestamp(obj["fillTime"]),
            unrealized_funding=opt_dec(obj.get("unrealizedFunding")),
            pnl_currency=obj.get("pnlCurrency"),
            max_fixed_leverage=opt_dec(obj.get("maxFixedLeverage")), raw=obj,
        )


@dataclass(frozen=True)
class CollateralCurrency:
    quantity: Decimal
    value: Decimal
    collateral: Decimal
    available: Decimal


@dataclass(frozen=True)
class FlexAccount:
    """The multi-collateral wallet (``flex``)."""

    currencies: dict[str, CollateralCurrency]
    initial_margin: Decimal
    initial_margin_with_orders: Decimal
    maintenance_margin: Decimal
    balance_value: Decimal
    portfolio_value: Decimal
    collateral_value: Decimal
    pnl: Decimal
    unrealized_funding: Decimal
    total_unrealized: Decimal
    available_margin: Decimal
    margin_equity: Decimal
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> FlexAccount:
        currencies = {
            name: CollateralCurrency(dec(c["quantity"]), dec(c["value"]), dec(c["collateral"]),
                                     dec(c["available"]))
            for name, c in (obj.get("currencies") or {}).items()
        }
        return cls(
            currencies=currencies, initial_margin=dec(obj["initialMargin"]),
            initial_margin_with_orders=dec(obj["initialMarginWithOrders"]),
            maintenance_margin=dec(obj["maintenanceMargin"]),
            balance_value=dec(obj["balanceValue"]), portfolio_value=dec(obj["portfolioValue"]),
            collateral_value=dec(obj["collateralValue"]), pnl=dec(obj["pnl"]),
            unrealized_funding=dec(obj["unrealizedFunding"]),
            total_unrealized=dec(obj["totalUnrealized"]),
            available_margin=dec(obj["availableMargin"]), margin_equity=dec(obj["marginEquity"]),
            raw=obj,
        )


@dataclass(frozen=True)
class MarginAccount:
    """A single-collateral wallet (``fi_xbtusd`` ...): balances, auxiliary figures, margins."""

    currency: str | None
    balances: dict[str, Decimal]
    auxiliary: dict[str, Decimal]
    margin_requirements: dict[str, Decimal]
    trigger_estimates: dict[str, Decimal]
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> MarginAccount:
        return cls(
            currency=obj.get("currency"), balances=_decimals(obj.get("balances")),
            auxiliary=_decimals(obj.get("auxiliary")),
            margin_requirements=_decimals(obj.get("marginRequirements")),
            trigger_estimates=_decimals(obj.get("triggerEstimates")), raw=obj,
        )


@dataclass(frozen=True)
class Accounts:
    """GET /accounts: the ``cash`` balances, the ``flex`` wallet and the margin wallets."""

    cash: dict[str, Decimal]
    flex: FlexAccount | None
    margin: dict[str, MarginAccount]
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Accounts:
        cash = obj.get("cash") or {}
        flex = obj.get("flex")
        margin = {name: MarginAccount.from_json(wallet) for name, wallet in obj.items()
                  if name not in ("cash", "flex")}
        return cls(_decimals(cash.get("balances")),
                   None if flex is None else FlexAccount.from_json(flex), margin, obj)


@dataclass(frozen=True)
class Fill:
    fill_id: str
    symbol: str
    side: str
    order_id: str
    cli_ord_id: str | None
    size: Decimal
    price: Decimal
    fill_time: datetime
    fill_type: str
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Fill:
        return cls(
            fill_id=obj["fill_id"], symbol=obj["symbol"], side=obj["side"],
            order_id=obj["order_id"], cli_ord_id=opt_str(obj.get("cliOrdId")),
            size=dec(obj["size"]), price=dec(obj["price"]), fill_time=timestamp(obj["fillTime"]),
            fill_type=obj["fillType"], raw=obj,
        )


@dataclass(frozen=True)
class Instrument:
    """One tradeable contract; descriptive fields Kraken adds stay reachable in ``raw``."""

    symbol: str
    type: str | None
    tradeable: bool
    tick_size: Decimal | None
    contract_size: Decimal | None
    contract_value_trade_precision: int | None
    max_position_size: Decimal | None
    post_only: bool | None  # None: not sent (index instruments)
    opening_date: datetime | None
    last_trading_time: datetime | None
    base: str | None
    quote: str | None
    margin_levels: list[Json]
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Instrument:
        precision = obj.get("contractValueTradePrecision")
        return cls(
            symbol=obj["symbol"], type=obj.get("type"), tradeable=flag(obj["tradeable"]),
            tick_size=opt_dec(obj.get("tickSize")), contract_size=opt_dec(obj.get("contractSize")),
            contract_value_trade_precision=None if precision is None else int(precision),
            max_position_size=opt_dec(obj.get("maxPositionSize")),
            post_only=opt_flag(obj.get("postOnly")),
            opening_date=opt_timestamp(obj.get("openingDate")),
            last_trading_time=opt_timestamp(obj.get("lastTradingTime")),
            base=obj.get("base"), quote=obj.get("quote"),
            margin_levels=list(obj.get("marginLevels") or []), raw=obj,
        )


@dataclass(frozen=True)
class Ticker:
    """A contract or index ticker (index tickers carry only symbol, last and last_time)."""

    symbol: str
    tag: str | None
    pair: str | None
    mark_price: Decimal | None
    bid: Decimal | None
    bid_size: Decimal | None
    ask: Decimal | None
    ask_size: Decimal | None
    last: Decimal | None
    last_time: datetime | None
    last_size: Decimal | None
    vol24h: Decimal | None
    volume_quote: Decimal | None
    open_interest: Decimal | None
    open24h: Decimal | None
    high24h: Decimal | None
    low24h: Decimal | None
    index_price: Decimal | None
    funding_rate: Decimal | None
    funding_rate_prediction: Decimal | None
    change24h: Decimal | None
    suspended: bool | None  # None: not sent (index tickers)
    post_only: bool | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Ticker:
        g = obj.get
        return cls(
            symbol=obj["symbol"], tag=g("tag"), pair=g("pair"), mark_price=opt_dec(g("markPrice")),
            bid=opt_dec(g("bid")), bid_size=opt_dec(g("bidSize")), ask=opt_dec(g("ask")),
            ask_size=opt_dec(g("askSize")), last=opt_dec(g("last")),
            last_time=opt_timestamp(g("lastTime")), last_size=opt_dec(g("lastSize")),
            vol24h=opt_dec(g("vol24h")), volume_quote=opt_dec(g("volumeQuote")),
            open_interest=opt_dec(g("openInterest")), open24h=opt_dec(g("open24h")),
            high24h=opt_dec(g("high24h")), low24h=opt_dec(g("low24h")),
            index_price=opt_dec(g("indexPrice")), funding_rate=opt_dec(g("fundingRate")),
            funding_rate_prediction=opt_dec(g("fundingRatePrediction")),
            change24h=opt_dec(g("change24h")), suspended=opt_flag(g("suspended")),
            post_only=opt_flag(g("postOnly")), raw=obj,
        )


@dataclass(frozen=True)
class OrderBook:
    """Full book: ``bids`` best (highest) first, ``asks`` best (lowest) first; (price, size)."""

    bids: list[tuple[Decimal, Decimal]]
    asks: list[tuple[Decimal, Decimal]]
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> OrderBook:
        def levels(rows: Any) -> list[tuple[Decimal, Decimal]]:
            return [(dec(price), dec(size)) for price, size in rows or []]

        return cls(levels(obj.get("bids")), levels(obj.get("asks")), obj)


@dataclass(frozen=True)
class Trade:
    """One public trade of GET /history; ``side`` is the taker's side."""

    time: datetime
    trade_id: int | None
    price: Decimal
    size: Decimal
    side: str | None
    type: str | None
    uid: str | None
    raw: Json = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: Json) -> Trade:
        trade_id = obj.get("trade_id")
        return cls(
            time=timestamp(obj["time"]), trade_id=None if trade_id is None else int(trade_id),
            price=dec(obj["price"]), size=dec(obj["size"]), side=obj.get("side"),
            type=obj.get("type"), uid=obj.get("uid"), raw=obj,
        )


@dataclass(frozen=True)
class LeveragePreference:
    """Isolated-margin leverage cap of one contract (absent contracts trade cross margin)."""

    symbol: str
    max_leverage: Decimal

    @classmethod
    def from_json(cls, obj: Json) -> LeveragePreference:
        return cls(obj["symbol"], dec(obj["maxLeverage"]))


@dataclass(frozen=True)
class PnlPreference:
    """The currency a contract's profit and loss is settled in."""

    symbol: str
    pnl_currency: str

    @classmethod
    def from_json(cls, obj: Json) -> PnlPreference:
        return cls(obj["symbol"], obj["pnlCurrency"])
