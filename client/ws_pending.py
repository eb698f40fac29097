"""Matching the server's answers to one outstanding WebSocket request (sans I/O).

``FuturesWebSocket`` sends one request at a time (challenge, subscribe or unsubscribe) and feeds
every message that arrives meanwhile to ``PendingRequest.offer``, which decides whether the
request is answered, and how.

Invariants (docs/websocket.md "Requests and answers", reference §2, §3.0)
----------------------------------------------------------------------
* A product request is answered once every product is acknowledged (one ack per product, or
  one ack naming several) or refused (``subscribed_failed``, the invalid-product alert naming
  it); ``accepted`` lists the acknowledged products, ``error`` is set if any was refused.
* ``Already subscribed to feed, re-requesting`` counts as acknowledging the first product still
  waiting (the server re-sends the snapshot instead of an ack).
* ``Failed to subscribe to authenticated feed`` is an ``WebSocketAuthError``; any other alert
  or ``error`` event while a request waits answers it with a ``SubscriptionError``.
* ``offer`` only reads messages; every message still goes to the user unchanged, except what
  ``RequestSlot.offer`` holds back: the answers to a ``quiet`` request and, while
  ``hide_heartbeats`` is set, heartbeats (``FuturesWebSocket.sync``'s own round trip).
* ``sync_plan``: the round trip ``sync`` makes. It leaves the heartbeat subscription as it found
  it: subscribe + unsubscribe when there is none, unsubscribe + subscribe when there is one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Iterable
from typing import Any, Literal

from .ws_errors import (
    ALREADY_SUBSCRIBED_ALERT,
    AUTH_FAILED_ALERT,
    INVALID_PRODUCT_ALERT,
    PRODUCT_FEEDS,
    RequestTimeoutError,
    SubscriptionError,
    WebSocketAuthError,
    WebSocketError,
)
from .ws_messages import (
    Alert,
    ChallengeIssued,
    ErrorEvent,
    Heartbeat,
    SubscriptionEvent,
    WsMessage,
)

RequestKind = Literal["challenge", "subscribe", "unsubscribe"]
Subscription = tuple[str, str | None]  # (feed, product id or None)
HEARTBEAT: Subscription = ("heartbeat", None)


def sync_plan(heartbeat_subscribed: bool) -> tuple[RequestKind, RequestKind]:
    """The two heartbeat requests of a sync round trip, in order: each has a documented
    answer on Kraken, and the pair leaves the user's heartbeat subscription as it was."""
    if heartbeat_subscribed:
        return ("unsubscribe", "subscribe")
    return ("subscribe", "unsubscribe")


def check_products(feed: str, product_ids: Iterable[str] | None) -> tuple[str, ...]:
    """The request's product ids, upper-cased and without repeats; ValueError/TypeError when
    the feed needs products and has none, or takes none and got some (``fills`` takes an
    optional filter)."""
    if isinstance(product_ids, str):
        raise TypeError("product_ids must be a list of product ids, not one string")
    products = tuple(dict.fromkeys(p.upper() for p in product_ids or ()))
    if feed in PRODUCT_FEEDS and not products:
        raise ValueError(f"feed {feed!r} needs a non-empty list of product_ids")
    if feed not in PRODUCT_FEEDS and feed != "fills" and products:
        raise ValueError(f"feed {feed!r} takes no product_ids")
    return products


def request_message(
    kind: RequestKind, feed: str, products: tuple[str, ...] = (),
    auth: tuple[str, str, str] | None = None,
) -> dict[str, Any]:
    """A (un)subscribe request; ``auth`` = (api key, challenge, signed challenge) for a private
    feed."""
    message: dict[str, Any] = {"event": kind, "feed": feed}
    if products:
        message["product_ids"] = list(products)
    if auth is not None:
        key, challenge, signed = auth
        message |= {"api_key": key, "original_challenge": challenge, "signed_challenge": signed}
    return message


def renewals(subscriptions: Iterable[Subscription]) -> dict[str, list[str]]:
    """feed -> its products (empty for a feed without products), for renewing after a
    reconnect."""
    by_feed: dict[str, list[str]] = {}
    for feed, product in subscriptions:
        by_feed.setdefault(feed, []).extend([product] if product else [])
    return by_feed


def subscription_keys(
    feed: str, accepted: list[str], asked: tuple[str, ...]
) -> list[Subscription]:
    """The subscriptions an answered request concerns: one per accepted product, or the feed."""
    if not asked:
        return [(feed, None)]
    return [(feed, p) for p in accepted]


class PendingRequest:
    """One request waiting for its answer; ``done`` once answered."""

    def __init__(
        self, kind: RequestKind, feed: str, product_ids: tuple[str, ...] = (), quiet: bool = False
    ) -> None:
        self.kind = kind
        self.quiet = quiet  # its answers are not delivered to listeners or the iterator
        self.feed = feed
        self.product_ids = product_ids
        self.waiting: list[str] = list(product_ids)
        self.accepted: list[str] = []
        self.refused: dict[str, str] = {}
        self.challenge: str | None = None
        self.error: WebSocketError | None = None
        self.done = False

    def offer(self, message: WsMessage) -> bool:
        """Take ``message`` into account; True if it was an answer to this request."""
        if self.done:
            return False
        if isinstance(message, ChallengeIssued):
            if self.kind != "challenge":
                return False
            self.challenge = message.message
            self.done = True
            return True
        if isinstance(message, SubscriptionEvent):
            return self._ack(message)
        if isinstance(message, Alert):
            self._alert(message.message)
            return True
        if isinstance(message, ErrorEvent):
            self._fail(message.message)
            return True
        return False

    def _ack(self, ack: SubscriptionEvent) -> bool:
        ok = "subscribed" if self.kind == "subscribe" else "unsubscribed"
        if ack.feed != self.feed or ack.event not in (ok, ok + "_failed"):
            return False
        named = [p for p in ack.product_ids if p in self.waiting] or list(self.waiting)
        if ack.event == ok:
            self.accepted.extend(named)
        else:
            self.refused.update({p: ack.event for p in named} or {"": ack.event})
        self._settle(named)
        return True

    def _alert(self, text: str) -> None:
        if text == AUTH_FAILED_ALERT:
            self.error = WebSocketAuthError(self.feed, text)
            self.done = True
        elif text == ALREADY_SUBSCRIBED_ALERT and self.kind == "subscribe":
            first = self.waiting[:1]
            self.accepted.extend(first)
            self._settle(first)
        elif text.startswith(INVALID_PRODUCT_ALERT) and self.waiting:
            named = text.split("`")[1].upper() if text.count("`") >= 2 else ""
            product = named if named in self.waiting else self.waiting[0]
            self.refused[product] = text
            self._settle([product])
        else:
            self._fail(text)

    def _fail(self, text: str) -> None:
        if self.kind == "challenge":
            self.error = WebSocketAuthError(self.feed, f"challenge refused: {text}")
        else:
            self.error = SubscriptionError(self.feed, self.product_ids, text)
        self.done = True

    def _settle(self, products: list[str]) -> None:
        for product in products:
            if product in self.waiting:
                self.waiting.remove(product)
        if self.waiting:
            return
        self.done = True
        if self.refused:
            refused = tuple(p for p in self.refused if p)
            reasons = "; ".join(sorted(set(self.refused.values())))
            self.error = SubscriptionError(self.feed, refused, reasons)


class RequestSlot:
    """The one outstanding request of a connection: the lock that serialises requests, the
    request waiting for its answer and the event that wakes its sender."""

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.pending: PendingRequest | None = None
        self.hide_heartbeats = False  # while sync()'s own heartbeat subscription lasts
        self._answered = asyncio.Event()

    async def exchange(self, pending: PendingRequest, send: Awaitable[None], wait: float) -> None:
        """Await ``send`` (the request going out), then its answer; ``RequestTimeoutError``
        after ``wait`` s. ``pending.done`` is False if the connection closed first."""
        self.pending, self._answered = pending, asyncio.Event()
        try:
            await send
            async with asyncio.timeout(wait):
                await self._answered.wait()
        except TimeoutError:
            raise RequestTimeoutError(
                f"no answer to {pending.kind} {pending.feed} within {wait} s"
            ) from None
        finally:
            self.pending = None

    def abandon(self) -> None:
        """The connection closed: wake the sender (its request stays not ``done``)."""
        self._answered.set()

    def offer(self, message: WsMessage) -> bool:
        """Show ``message`` to the outstanding request; False if it must not be delivered."""
        pending = self.pending
        if pending is not None and pending.offer(message):
            if pending.done:
                self._answered.set()
            if pending.quiet:
                return False
        return not (self.hide_heartbeats and isinstance(message, Heartbeat))
