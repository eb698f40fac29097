"""Typed messages of Kraken Futures WebSocket v1: control events, the public feeds (``ticker``,
``ticker_lite``, ``book``, ``trade``, ``heartbeat``) and, re-exported from ``ws_private``, the
private feeds; ``parse_message`` turns one decoded frame into one of them.

Invariants (reference kraken-futures-ws.md §1-§4)
-----------------------------------------------
* Every frame maps to exactly one ``WsMessage``: a known event or feed to its dataclass, anything
  else to ``UnknownMessage`` (so a new feed or event on the real exchange never breaks a
  stream). A known feed whose fields are wrong raises ``MessageFormatError``.
* Prices, quantities, volumes and rates are ``Decimal`` (``parse_frame`` decodes JSON numbers
  exactly); times are integer epoch milliseconds.
* ``Reconnected`` is not a wire message: ``FuturesWebSocket`` emits it when it has opened a new
  connection and renewed its subscriptions, before the new snapshots.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from .ws_fields import (
    Json,
    MessageFormatError,
    decode_frame,
    objects,
    opt_bool,
    opt_dec,
    opt_int,
    opt_str,
    req_dec,
    req_int,
    req_str,
    str_tuple,
)
from .ws_private import (
    AccountLog,
    AccountLogEntry,
    Balances,
    Fill,
    FillsMessage,
    FlexWallet,
    FuturesWallet,
    Notification,
    Notifications,
    OpenOrdersSnapshot,
    OpenOrdersUpdate,
    OpenPositions,
    OrderBody,
    Position,
    TrailingStopOptions,
    parse_account_log,
    parse_balances,
    parse_fills,
    parse_notifications,
    parse_open_orders_snapshot,
    parse_open_orders_update,
    parse_open_positions,
)

# -- control events --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Info:
    version: int


@dataclass(frozen=True, slots=True)
class ChallengeIssued:
    message: str


@dataclass(frozen=True, slots=True)
class SubscriptionEvent:
    """``subscribed``, ``unsubscribed``, ``subscribed_failed`` or ``unsubscribed_failed``."""

    event: str
    feed: str
    product_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Alert:
    message: str


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    message: str


@dataclass(frozen=True, slots=True)
class Reconnected:
    """Emitted by the client (not the server) after a reconnect and resubscription."""

    attempt: int
    subscriptions: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True, slots=True)
class UnknownMessage:
    raw: Mapping[str, Any] = field(repr=True)


# -- public feeds ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Heartbeat:
    time: int


@dataclass(frozen=True, slots=True)
class Ticker:
    product_id: str
    time: int
    bid: Decimal
    ask: Decimal
    bid_size: Decimal
    ask_size: Decimal
    last: Decimal | None
    volume: Decimal | None
    volume_quote: Decimal | None
    change: Decimal | None  # percent over 24 h
    premium: Decimal | None
    index: Decimal | None
    mark_price: Decimal | None
    open_interest: Decimal | None
    funding_rate: Decimal | None  # perpetuals only
    funding_rate_prediction: Decimal | None
    relative_funding_rate: Decimal | None
    relative_funding_rate_prediction: Decimal | None
    next_funding_rate_time: int | None  # absolute epoch ms
    open: Decimal | None
    high: Decimal | None
    low: Decimal | None
    leverage: str | None
    dtm: int | None
    maturity_time: int | None
    tag: str | None
    pair: str | None
    suspended: bool | None
    post_only: bool | None


@dataclass(frozen=True, slots=True)
class TickerLite:
    product_id: str
    bid: Decimal
    ask: Decimal
    change: Decimal | None
    premium: Decimal | None
    volume: Decimal | None
    volume_quote: Decimal | None
    tag: str | None
    pair: str | None
    dtm: int | None
    maturity_time: int | None


@dataclass(frozen=True, slots=True)
class BookLevel:
    price: Decimal
    qty: Decimal


@dataclass(frozen=True, slots=True)
class BookSnapshot:
    product_id: str
    timestamp: int
    seq: int
    bids: tuple[BookLevel, ...]  # best (highest) first
    asks: tuple[BookLevel, ...]  # best (lowest) first


@dataclass(frozen=True, slots=True)
class BookUpdate:
    """One price level's new absolute size (0 removes the level)."""

    product_id: str
    side: str  # "buy" (bid) or "sell" (ask)
    seq: int
    price: Decimal
    qty: Decimal
    timestamp: int


@dataclass(frozen=True, slots=True)
class Trade:
    product_id: str
    uid: str
    side: str  # the taker's side
    type: str  # fill, liquidation, block, ...
    seq: int
    time: int
    qty: Decimal
    price: Decimal


@dataclass(frozen=True, slots=True)
class TradeSnapshot:
    product_id: str
    trades: tuple[Trade, ...]  # newest first, as sent


WsMessage = (
    Info | ChallengeIssued | SubscriptionEvent | Alert | ErrorEvent | Reconnected
    | UnknownMessage | Heartbeat | Ticker | TickerLite | BookSnapshot | BookUpdate | Trade
    | TradeSnapshot | OpenOrdersSnapshot | OpenOrdersUpdate | FillsMessage | OpenPositions
    | Balances | AccountLog | Notifications
)


def _ticker(m: Json) -> Ticker:
    d = {k: opt_dec(m, w) for k, w in (
        ("last", "last"), ("volume", "volume"), ("volume_quote", "volumeQuote"),
        ("change", "change"), ("premium", "premium"), ("index", "index"),
        ("mark_price", "markPrice"), ("open_interest", "openInterest"),
        ("funding_rate", "funding_rate"), ("funding_rate_prediction", "funding_rate_prediction"),
        ("relative_funding_rate", "relative_funding_rate"),
        ("relative_funding_rate_prediction", "relative_funding_rate_prediction"),
        ("open", "open"), ("high", "high"), ("low", "low"),
    )}
    return Ticker(
        product_id=req_str(m, "product_id"), time=req_int(m, "time"),
        bid=req_dec(m, "bid"), ask=req_dec(m, "ask"),
        bid_size=req_dec(m, "bid_size"), ask_size=req_dec(m, "ask_size"),
        next_funding_rate_time=opt_int(m, "next_funding_rate_time"),
        leverage=opt_str(m, "leverage"), dtm=opt_int(m, "dtm"),
        maturity_time=opt_int(m, "maturityTime"), tag=opt_str(m, "tag"), pair=opt_str(m, "pair"),
        suspended=opt_bool(m, "suspended"), post_only=opt_bool(m, "post_only"),
        **d,
    )  # fmt: skip


def _ticker_lite(m: Json) -> TickerLite:
    return TickerLite(
        product_id=req_str(m, "product_id"), bid=req_dec(m, "bid"), ask=req_dec(m, "ask"),
        change=opt_dec(m, "change"), premium=opt_dec(m, "premium"),
        volume=opt_dec(m, "volume"), volume_quote=opt_dec(m, "volumeQuote"),
        tag=opt_str(m, "tag"), pair=opt_str(m, "pair"), dtm=opt_int(m, "dtm"),
        maturity_time=opt_int(m, "maturityTime"),
    )  # fmt: skip


def _levels(m: Json, key: str) -> tuple[BookLevel, ...]:
    return tuple(BookLevel(req_dec(x, "price"), req_dec(x, "qty")) for x in objects(m, key))


def _book_snapshot(m: Json) -> BookSnapshot:
    return BookSnapshot(
        req_str(m, "product_id"), req_int(m, "timestamp"), req_int(m, "seq"),
        _levels(m, "bids"), _levels(m, "asks"),
    )


def _book_update(m: Json) -> BookUpdate:
    side = req_str(m, "side")
    if side not in ("buy", "sell"):
        raise MessageFormatError(f"book: side must be 'buy' or 'sell', got {side!r}")
    return BookUpdate(
        req_str(m, "product_id"), side, req_int(m, "seq"), req_dec(m, "price"),
        req_dec(m, "qty"), req_int(m, "timestamp"),
    )


def _trade(m: Json) -> Trade:
    return Trade(
        req_str(m, "product_id"), req_str(m, "uid"), req_str(m, "side"), req_str(m, "type"),
        req_int(m, "seq"), req_int(m, "time"), req_dec(m, "qty"), req_dec(m, "price"),
    )


def _trade_snapshot(m: Json) -> TradeSnapshot:
    return TradeSnapshot(req_str(m, "product_id"), tuple(_trade(t) for t in objects(m, "trades")))


_ACK_EVENTS = frozenset({"subscribed", "unsubscribed", "subscribed_failed", "unsubscribed_failed"})


def _event(m: Json, event: str) -> WsMessage:
    if event == "info":
        return Info(req_int(m, "version"))
    if event == "challenge":
        return ChallengeIssued(req_str(m, "message"))
    if event in _ACK_EVENTS:
        return SubscriptionEvent(event, req_str(m, "feed"), str_tuple(m, "product_ids"))
    if event == "alert":
        return Alert(str(m.get("message", "")))
    if event == "error":
        return ErrorEvent(str(m.get("message", "")))
    return UnknownMessage(m)


def _feed(m: Json, feed: str) -> WsMessage:
    match feed:
        case "heartbeat":
            return Heartbeat(req_int(m, "time"))
        case "ticker":
            return _ticker(m)
        case "ticker_lite":
            return _ticker_lite(m)
        case "book_snapshot":
            return _book_snapshot(m)
        case "book":
            return _book_update(m)
        case "trade_snapshot":
            return _trade_snapshot(m)
        case "trade":
            return _trade(m)
        case "open_orders_snapshot" | "open_orders_verbose_snapshot":
            return parse_open_orders_snapshot(m, feed.removesuffix("_snapshot"))
        case "open_orders" | "open_orders_verbose":
            return parse_open_orders_update(m, feed)
        case "fills_snapshot" | "fills":
            return parse_fills(m, snapshot=feed == "fills_snapshot")
        case "open_positions":
            return parse_open_positions(m)
        case "balances_snapshot" | "balances":
            return parse_balances(m, snapshot=feed == "balances_snapshot")
        case "account_log_snapshot" | "account_log":
            return parse_account_log(m, snapshot=feed == "account_log_snapshot")
        case "notifications_auth":
            return parse_notifications(m)
    return UnknownMessage(m)


def parse_message(m: Json) -> WsMessage:
    """One decoded frame as its typed message (see the module docstring)."""
    event = m.get("event")
    if isinstance(event, str):
        return _event(m, event)
    feed = m.get("feed")
    if isinstance(feed, str):
        return _feed(m, feed)
    return UnknownMessage(m)


def parse_frame(text: str | bytes) -> WsMessage:
    """Decode one text frame (numbers exactly, as Decimal) and parse it."""
    return parse_message(decode_frame(text))


__all__ = [
    "AccountLog", "AccountLogEntry", "Alert", "Balances", "BookLevel", "BookSnapshot",
    "BookUpdate", "ChallengeIssued", "ErrorEvent", "Fill", "FillsMessage", "FlexWallet",
    "FuturesWallet", "Heartbeat", "Info", "MessageFormatError", "Notification",
    "Notifications", "OpenOrdersSnapshot", "OpenOrdersUpdate", "OpenPositions", "OrderBody",
    "Position", "Reconnected", "SubscriptionEvent", "Ticker", "TickerLite", "Trade",
    "TradeSnapshot", "TrailingStopOptions", "UnknownMessage", "WsMessage", "decode_frame",
    "parse_frame", "parse_message",
]
