"""WebSocket v1 dialect, part 1: requests, control messages and the feed catalogue.

Job
---
Turn one inbound text frame into a `WsRequest` (or the error/alert message to answer), and build
every control message the server sends: `info`, `challenge`, the (un)subscribe acks, `error`
and `alert` events. The data feeds live in `feeds_public` (ticker, book, trade, heartbeat) and
`feeds_private` (open orders, fills, positions, balances, account log, notifications).

Invariants
----------
* Pure: no I/O, no clock, no module-level mutable state; every Kraken string of the WebSocket
  lives in this package (the strings here, the order reasons in `errors.py`).
* `parse_request` never raises, whatever the input; it tolerates unknown keys (`req_id`).
* Choices where the reference is unsure (docs/websocket.md): bad JSON and missing fields answer
  `{"event":"error","message":"Json Error"}`; an unknown feed `{"event":"error","message":
  "Invalid feed"}` (the seed's wording); an unknown product the observed back-ticked alert; a
  failed private subscription the observed `Failed to subscribe to authenticated feed` alert;
  private acks are the observed short form `{"event":"subscribed","feed":F}`.
* Numbers go out as JSON doubles (`1.0`, `0.0`), like the live server; times as integer ms.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

Message = dict[str, Any]

PRODUCT_FEEDS: Final = ("ticker", "ticker_lite", "book", "trade")
PUBLIC_FEEDS: Final = (*PRODUCT_FEEDS, "heartbeat")
PRIVATE_FEEDS: Final = (
    "open_orders",
    "open_orders_verbose",
    "fills",
    "open_positions",
    "balances",
    "account_log",
    "notifications_auth",
)
EVENTS: Final = ("challenge", "subscribe", "unsubscribe")

JSON_ERROR: Final = "Json Error"
INVALID_FEED: Final = "Invalid feed"
AUTH_FAILED: Final = "Failed to subscribe to authenticated feed"
BAD_MESSAGE: Final = "Bad websocket message"
ALREADY_SUBSCRIBED: Final = "Already subscribed to feed, re-requesting"

#: Close codes and reasons (RFC 6455): the server's own decisions, with a text that says why.
SLOW_CONSUMER: Final = (1013, "Slow consumer: outgoing queue full")
TOO_MANY_REQUESTS: Final = (1008, "Too many requests")
TOO_MANY_CONNECTIONS: Final = (1008, "Too many connections from this address")
FRAME_TOO_BIG: Final = (1009, "Message too big")
IDLE: Final = (1000, "Idle connection closed")
EXCHANGE_RESET: Final = (1012, "Exchange reset")


@dataclass(frozen=True, slots=True)
class WsRequest:
    """One well-formed request. `product_ids` is None when the request carried none."""

    event: str
    feed: str = ""
    product_ids: tuple[str, ...] | None = None
    api_key: str = ""
    original_challenge: str = ""
    signed_challenge: str = ""

    @property
    def private(self) -> bool:
        return self.feed in PRIVATE_FEEDS


def parse_request(text: str) -> WsRequest | Message:
    """A request, or the message that answers a malformed one."""
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError):
        return error(JSON_ERROR)
    if not isinstance(doc, dict) or not isinstance(doc.get("event"), str):
        return error(JSON_ERROR)
    event = doc["event"]
    if event not in EVENTS:
        return alert(BAD_MESSAGE)
    if event == "challenge":
        key = doc.get("api_key")
        return WsRequest(event, api_key=key) if isinstance(key, str) and key else error(JSON_ERROR)
    feed = doc.get("feed")
    if not isinstance(feed, str) or not feed:
        return error(JSON_ERROR)
    if feed not in PUBLIC_FEEDS and feed not in PRIVATE_FEEDS:
        return error(INVALID_FEED)
    products = _products(doc.get("product_ids"))
    if products == () or (feed in PRODUCT_FEEDS and not products):
        return error(JSON_ERROR)
    auth = [doc.get(k) for k in ("api_key", "original_challenge", "signed_challenge")]
    key, challenge, signed = (a if isinstance(a, str) else "" for a in auth)
    return WsRequest(event, feed, products or None, key, challenge, signed)


def _products(value: object) -> tuple[str, ...] | None:
    """None when absent, the ids when a list of strings (a bare string is read as one id),
    () when malformed or empty."""
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(p, str) and p.strip() for p in value):
        return ()
    return tuple(dict.fromkeys(p.strip().upper() for p in value))


# -- control messages ----------------------------------------------------------------------
def info() -> Message:
    return {"event": "info", "version": 1}


def challenge(message: str) -> Message:
    return {"event": "challenge", "message": message}


def ack(event: str, feed: str, product: str | None = None, products: Any = None) -> Message:
    """`subscribed` / `unsubscribed` / `*_failed`: one per product, always with `feed`."""
    out: Message = {"event": event, "feed": feed}
    if product is not None:
        out["product_ids"] = [product]
    elif products:
        out["product_ids"] = list(products)
    return out


def error(message: str) -> Message:
    return {"event": "error", "message": message}


def alert(message: str) -> Message:
    return {"event": "alert", "message": message}


def invalid_product(product: str) -> Message:
    return alert(f"Couldn't subscribe to invalid product `{product}`")


# -- rendering -----------------------------------------------------------------------------
def dumps(message: Message) -> str:
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False)


def num(value: Decimal | int | None) -> float:
    """A price or size as Kraken's Java double (`1000.0`, `0.0`); None reads as 0.0."""
    return 0.0 if value is None else float(value)
