"""``FuturesWebSocket``: an asyncio client for Kraken Futures WebSocket v1 (``/ws/v1``) on the
``websockets`` library: challenge handshake, (un)subscribe to every public and private feed, an
async iterator of typed messages, ping keep-alive, and optional reconnect with resubscription.

Invariants
----------
* One reader task reads every frame in order, parses it (``ws_messages.parse_frame``), offers it
  to the one outstanding request (``ws_pending``), calls the listeners (trackers) and buffers it
  for the iterator. Listeners therefore see messages in wire order, whether or not anyone
  iterates.
* Requests (challenge, subscribe, unsubscribe) are sent one at a time, each awaiting its answer
  (acks, alerts, errors) with a timeout; a refused request raises and registers nothing.
* ``sync()``: a heartbeat round trip (``ws_pending.sync_plan``) under the request lock, answered
  behind every frame sent before it. Its own answers (and heartbeats of its own subscription)
  are not delivered; the user's heartbeat subscription is left as it was.
* ``subscriptions`` holds what the server acknowledged; after a reconnect a fresh challenge is
  requested and exactly those subscriptions are renewed. ``Reconnected`` is emitted before the
  renewal, so trackers drop their state before the new snapshots arrive.
* Keep-alive: RFC 6455 ping frames every ``ping_interval`` seconds; no pong within
  ``ping_timeout`` closes the connection (then reconnect applies). No JSON ping is ever sent.
* The client never imports ``mock_exchange``; any ``ws://`` or ``wss://`` URL is accepted.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import ssl as ssl_module
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from .signing import sign_challenge
from .ws_buffer import Delivery, Listener
from .ws_errors import (
    DEFAULT_URL,
    PRIVATE_FEEDS,
    ConnectionClosedError,
    RequestTimeoutError,
    SubscriptionError,
    WebSocketAuthError,
    WebSocketError,
)
from .ws_messages import MessageFormatError, Reconnected, WsMessage, parse_frame
from .ws_pending import (
    HEARTBEAT,
    PendingRequest,
    RequestKind,
    RequestSlot,
    Subscription,
    check_products,
    renewals,
    request_message,
    subscription_keys,
    sync_plan,
)

log = logging.getLogger(__name__)

DEFAULT_RECONNECT_DELAYS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0)


class FuturesWebSocket:
    """An async Kraken Futures WebSocket v1 client; see docs/client-websocket.md."""

    def __init__(
        self, url: str = DEFAULT_URL, *, api_key: str | None = None,
        api_secret: str | None = None, reconnect: bool = False,
        reconnect_delays: Sequence[float] = DEFAULT_RECONNECT_DELAYS,
        max_reconnect_attempts: int | None = 30, ping_interval: float | None = 30.0,
        ping_timeout: float | None = 20.0, request_timeout: float = 10.0,
        open_timeout: float = 10.0, max_buffered: int | None = 100_000,
        max_frame_bytes: int = 2**24, ssl: ssl_module.SSLContext | None = None,
    ) -> None:  # fmt: skip
        if not url.startswith(("ws://", "wss://")):
            raise ValueError(f"url must start with ws:// or wss://, got {url!r}")
        if (api_key is None) != (api_secret is None):
            raise ValueError("give both api_key and api_secret, or neither")
        if not reconnect_delays or any(d < 0 for d in reconnect_delays):
            raise ValueError("reconnect_delays must be a non-empty list of delays >= 0")
        self.url = url
        self._key, self._secret = api_key, api_secret
        self.reconnect = reconnect
        self._delays = tuple(reconnect_delays)
        self._max_attempts = max_reconnect_attempts
        self._ping = (ping_interval, ping_timeout)
        self.request_timeout = request_timeout
        self._open_timeout, self._max_size, self._ssl = open_timeout, max_frame_bytes, ssl
        self._conn: ClientConnection | None = None
        self._reader: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._out = Delivery(max_buffered)
        self._buffer = self._out.buffer
        self._slot = RequestSlot()
        self._challenge: str | None = None
        self._subs: dict[Subscription, None] = {}
        self._resyncing: set[Subscription] = set()
        self._closing = asyncio.Event()
        self.reconnects = 0
        self.close_code: int | None = None
        self.close_reason = ""

    # -- lifecycle -----------------------------------------------------------------------------

    async def connect(self) -> FuturesWebSocket:
        """Open the connection and start reading; returns self."""
        if self._conn is not None:
            raise WebSocketError("already connected")
        self._conn = await self._open()
        self._reader = asyncio.create_task(self._run(), name=f"kraken-ws-reader {self.url}")
        return self

    async def close(self) -> None:
        """Close the connection (code 1000); the iterator then ends. Idempotent."""
        self._closing.set()
        for task in list(self._tasks):
            task.cancel()
        if self._conn is not None:
            await self._conn.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    async def __aenter__(self) -> FuturesWebSocket:
        return await self.connect()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def connected(self) -> bool:
        return self._conn is not None and self._conn.close_code is None

    @property
    def latency(self) -> float:
        """Round-trip time of the last answered ping frame, in seconds (0 before any)."""
        return self._conn.latency if self._conn is not None else 0.0

    @property
    def closed_error(self) -> WebSocketError | None:
        """Why the stream ended for good (None while it runs or after ``close()``)."""
        return self._buffer.terminal

    @property
    def subscriptions(self) -> tuple[Subscription, ...]:
        """What the server acknowledged, in order: (feed, product id or None)."""
        return tuple(self._subs)

    # -- listeners and the iterator ------------------------------------------------------------

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(message)`` for every message, in order, from the reader task."""
        self._out.listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._out.listeners.remove(listener)

    def __aiter__(self) -> FuturesWebSocket:
        return self

    async def __anext__(self) -> WsMessage:
        return await self._buffer.get()

    async def recv(self, timeout: float | None = None) -> WsMessage:
        """The next message (``TimeoutError`` after ``timeout`` seconds)."""
        return await asyncio.wait_for(self.__anext__(), timeout)

    async def receive_until(
        self, predicate: Callable[[WsMessage], bool], timeout: float = 10.0
    ) -> WsMessage:
        """Consume messages until one satisfies ``predicate``; return it."""
        async with asyncio.timeout(timeout):
            while True:
                message = await self.__anext__()
                if predicate(message):
                    return message

    # -- requests ------------------------------------------------------------------------------

    async def subscribe(self, feed: str, product_ids: Iterable[str] | None = None) -> None:
        """Subscribe to ``feed`` (for ticker, ticker_lite, book and trade: ``product_ids``;
        ``fills`` takes an optional product filter). Returns once the server acknowledged every
        product; raises ``SubscriptionError`` / ``WebSocketAuthError`` if it refused (products
        it did accept stay subscribed)."""
        products = check_products(feed, product_ids)
        pending = await self._request("subscribe", feed, products)
        accepted = subscription_keys(feed, pending.accepted, products)
        if products or pending.error is None:
            self._subs.update(dict.fromkeys(accepted))
        if pending.error is not None:
            raise pending.error

    async def unsubscribe(self, feed: str, product_ids: Iterable[str] | None = None) -> None:
        """Unsubscribe from ``feed`` (the given products); raises ``SubscriptionError`` when the
        server answers ``unsubscribed_failed``."""
        products = check_products(feed, product_ids)
        pending = await self._request("unsubscribe", feed, products)
        for key in subscription_keys(feed, pending.accepted, products):
            self._subs.pop(key, None)
        if pending.error is not None:
            raise pending.error

    async def sync(self, timeout: float | None = None) -> None:
        """Return once every message the server sent before this call has been delivered to
        the listeners and the iterator's buffer: a heartbeat subscribe + unsubscribe round trip
        (unsubscribe + subscribe if heartbeat is subscribed) whose answers are not delivered.
        Raises ``RequestTimeoutError`` after ``timeout`` s (default ``request_timeout``),
        ``ConnectionClosedError``, or ``SubscriptionError`` if the server refuses a step."""
        wait = self.request_timeout if timeout is None else timeout
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait
        async with self._slot.lock:
            had = HEARTBEAT in self._subs
            self._slot.hide_heartbeats = not had
            try:
                for kind in sync_plan(had):
                    pending = PendingRequest(kind, "heartbeat", quiet=True)
                    message = request_message(kind, "heartbeat")
                    await self._exchange(pending, message, deadline - loop.time())
                    if pending.error is not None:
                        if kind == "subscribe" and had:  # unsubscribed, not renewed: say so
                            self._subs.pop(HEARTBEAT, None)
                        raise pending.error
            except RequestTimeoutError:
                raise RequestTimeoutError(f"no answer to sync within {wait} s") from None
            finally:
                self._slot.hide_heartbeats = False

    def request_resync(self, feed: str, product_id: str) -> None:
        """Unsubscribe and subscribe again in the background, for a fresh snapshot (used by
        trackers on a sequence gap); a second request while one runs is ignored."""
        key = (feed, product_id)
        if key in self._resyncing or self._closing.is_set():
            return
        self._resyncing.add(key)
        self._spawn(self._resync(feed, product_id))

    async def _resync(self, feed: str, product_id: str) -> None:
        try:
            with contextlib.suppress(SubscriptionError):
                await self.unsubscribe(feed, [product_id])
            await self.subscribe(feed, [product_id])
        except ConnectionClosedError:
            pass  # a reconnect renews the subscription (and the snapshot) anyway
        except WebSocketError as exc:
            log.warning("resync of %s %s failed: %s", feed, product_id, exc)
            self._buffer.put(exc)
        finally:
            self._resyncing.discard((feed, product_id))

    async def _request(
        self, kind: RequestKind, feed: str, products: tuple[str, ...]
    ) -> PendingRequest:
        private = feed in PRIVATE_FEEDS
        if private and (self._key is None or self._secret is None):
            raise WebSocketAuthError(feed, "private feeds need api_key and api_secret")
        async with self._slot.lock:
            auth = await self._auth(feed) if private else None
            message = request_message(kind, feed, products, auth)
            return await self._exchange(PendingRequest(kind, feed, products), message)

    async def _auth(self, feed: str) -> tuple[str, str, str]:
        """(api key, challenge, signed challenge), asking for a challenge once per connection."""
        if self._challenge is None:
            pending = await self._exchange(
                PendingRequest("challenge", feed), {"event": "challenge", "api_key": self._key}
            )
            if pending.error is not None:
                raise pending.error
            self._challenge = pending.challenge
        assert self._challenge is not None and self._key is not None
        return self._key, self._challenge, sign_challenge(str(self._secret), self._challenge)

    async def _exchange(
        self, pending: PendingRequest, message: dict[str, Any], timeout: float | None = None
    ) -> PendingRequest:
        conn = self._live()
        wait = self.request_timeout if timeout is None else timeout
        try:
            await self._slot.exchange(pending, conn.send(_dumps(message)), wait)
        except ConnectionClosed:
            raise self._closed_error("while sending a request") from None
        if not pending.done:
            raise self._closed_error(f"before the answer to {pending.kind} {pending.feed}")
        return pending

    def _live(self) -> ClientConnection:
        if self._conn is None or self._conn.close_code is not None or self._closing.is_set():
            raise self._closed_error("not connected")
        return self._conn

    def _closed_error(self, detail: str) -> ConnectionClosedError:
        conn = self._conn
        code = conn.close_code if conn is not None else None
        reason = (conn.close_reason or "") if conn is not None else ""
        return ConnectionClosedError(code, reason, detail)

    # -- the reader ----------------------------------------------------------------------------

    async def _open(self) -> ClientConnection:
        interval, timeout = self._ping
        return await connect(self.url, ping_interval=interval, ping_timeout=timeout,
                             open_timeout=self._open_timeout, max_size=self._max_size,
                             ssl=self._ssl, close_timeout=5)  # fmt: skip

    async def _run(self) -> None:
        try:
            await self._read_until_done()
        except Exception as exc:  # a bug here must end the stream, not hang it
            log.exception("WebSocket reader failed")
            self._buffer.finish(WebSocketError(f"reader failed: {exc!r}"))

    async def _read_until_done(self) -> None:
        conn = self._conn
        while conn is not None:
            with contextlib.suppress(ConnectionClosed):
                async for frame in conn:
                    self._on_frame(frame)
            self.close_code, self.close_reason = conn.close_code, conn.close_reason or ""
            self._slot.abandon()  # a pending request sees done=False: closed
            if self._closing.is_set():
                self._buffer.finish(None)
                return
            if not self.reconnect:
                self._buffer.finish(self._closed_error("closed by the server"))
                return
            conn = await self._reopen()

    async def _reopen(self) -> ClientConnection | None:
        attempt = 0
        last: Exception | None = None
        while self._max_attempts is None or attempt < self._max_attempts:
            delay = self._delays[min(attempt, len(self._delays) - 1)]
            attempt += 1
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._closing.wait()
            if self._closing.is_set():
                self._buffer.finish(None)
                return None
            try:
                conn = await self._open()
            except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
                last = exc
                continue
            if self._closing.is_set():  # close() came while the connection was opening
                await conn.close()
                self._buffer.finish(None)
                return None
            self._conn, self._challenge = conn, None
            self.reconnects += 1
            renew = tuple(self._subs)
            self._out.dispatch(Reconnected(self.reconnects, renew))
            self._spawn(self._resubscribe(renew))
            return conn
        self._buffer.finish(ConnectionClosedError(
            self.close_code, self.close_reason, f"{attempt} reconnect attempts failed: {last}"
        ))  # fmt: skip
        return None

    async def _resubscribe(self, subscriptions: tuple[Subscription, ...]) -> None:
        for feed, products in renewals(subscriptions).items():
            try:
                await self.subscribe(feed, products or None)
            except ConnectionClosedError:
                return  # the next reconnect renews them again
            except WebSocketError as exc:
                log.warning("resubscription to %s failed: %s", feed, exc)
                keys: list[Subscription] = [(feed, p) for p in products] or [(feed, None)]
                for key in keys:
                    self._subs.pop(key, None)
                self._buffer.put(exc)

    def _on_frame(self, frame: str | bytes) -> None:
        try:
            message = parse_frame(frame)
        except MessageFormatError as exc:
            log.warning("unparsable frame %r: %s", frame[:200], exc)
            self._buffer.put(WebSocketError(f"unparsable message: {exc}"))
            return
        if self._slot.offer(message):  # False: part of sync()'s own round trip
            self._out.dispatch(message)

    def _spawn(self, coro: Any) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _dumps(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


__all__ = ["DEFAULT_URL", "FuturesWebSocket", "Listener", "Subscription"]
