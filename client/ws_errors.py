"""Exceptions of the WebSocket client and the feed catalogue it checks requests against.

Every failure a ``FuturesWebSocket`` user can see is a ``WebSocketError``:

* ``WebSocketAuthError``: a private (un)subscribe was refused (the server's
  ``Failed to subscribe to authenticated feed`` alert), or no credentials were given.
* ``SubscriptionError``: a (un)subscribe was refused (``Invalid feed``, an invalid product,
  ``subscribed_failed``, ``unsubscribed_failed``, ``Json Error``, any other alert).
* ``ConnectionClosedError``: the connection closed and is not (or no longer) being reconnected;
  it carries the close code and reason the server sent.
* ``RequestTimeoutError``: the server did not answer a request in time.
* ``MessageBufferOverflow``: the iterator's buffer filled up and messages were dropped.
* ``MessageFormatError`` (from ``ws_fields``): a frame of a known feed had the wrong shape.
"""

from __future__ import annotations

from .ws_fields import MessageFormatError

DEFAULT_URL = "wss://futures.kraken.com/ws/v1"

PRODUCT_FEEDS = frozenset({"ticker", "ticker_lite", "book", "trade"})
PUBLIC_FEEDS = PRODUCT_FEEDS | {"heartbeat"}
PRIVATE_FEEDS = frozenset({
    "open_orders", "open_orders_verbose", "fills", "open_positions", "balances",
    "account_log", "notifications_auth",
})  # fmt: skip

AUTH_FAILED_ALERT = "Failed to subscribe to authenticated feed"
ALREADY_SUBSCRIBED_ALERT = "Already subscribed to feed, re-requesting"
INVALID_PRODUCT_ALERT = "Couldn't subscribe to invalid product"


class WebSocketError(Exception):
    """Base class of every error the WebSocket client raises."""


class WebSocketAuthError(WebSocketError):
    """The server refused a private subscription (wrong key, secret or challenge)."""

    def __init__(self, feed: str, message: str) -> None:
        super().__init__(f"{feed}: {message}")
        self.feed = feed
        self.message = message


class SubscriptionError(WebSocketError):
    """The server refused a subscribe or unsubscribe request."""

    def __init__(self, feed: str, product_ids: tuple[str, ...], message: str) -> None:
        where = f"{feed} {list(product_ids)}" if product_ids else feed
        super().__init__(f"{where}: {message}")
        self.feed = feed
        self.product_ids = product_ids
        self.message = message


class ConnectionClosedError(WebSocketError):
    """The connection is closed and will not be reopened by this client."""

    def __init__(self, code: int | None, reason: str, detail: str = "") -> None:
        text = f"connection closed (code {code}{', ' + repr(reason) if reason else ''})"
        super().__init__(f"{text}: {detail}" if detail else text)
        self.code = code
        self.reason = reason


class RequestTimeoutError(WebSocketError, TimeoutError):
    """No answer to a challenge or (un)subscribe request within the request timeout."""


class MessageBufferOverflow(WebSocketError):
    """The iterator's buffer was full; ``dropped`` messages were not kept for it."""

    def __init__(self, dropped: int) -> None:
        super().__init__(f"{dropped} messages dropped: the message buffer was full")
        self.dropped = dropped


__all__ = [
    "ALREADY_SUBSCRIBED_ALERT",
    "AUTH_FAILED_ALERT",
    "DEFAULT_URL",
    "INVALID_PRODUCT_ALERT",
    "PRIVATE_FEEDS",
    "PRODUCT_FEEDS",
    "PUBLIC_FEEDS",
    "ConnectionClosedError",
    "MessageBufferOverflow",
    "MessageFormatError",
    "RequestTimeoutError",
    "SubscriptionError",
    "WebSocketAuthError",
    "WebSocketError",
]
