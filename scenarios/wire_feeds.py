"""Each account's recorded WebSocket for the over-the-wire target (`scenarios.wire`).

`AccountFeed` is one `client.ws.FuturesWebSocket` per account, subscribed to `open_orders`,
`open_orders_verbose` and `fills`, recorded by a listener. The target is synchronous, so every
socket of a target lives on one `LoopThread`: an asyncio loop in a daemon thread, which keeps
reading (and answering pings) while the scenario thread waits or sleeps.

Invariants
----------
* The listener only queues the deltas it sees (`OpenOrdersUpdate` of either order feed and
  `FillsMessage` deltas; snapshots are not recorded); it runs on the loop thread.
* `sync(now)` runs `ws.sync()` and then, still on the loop thread, moves the queue into
  `messages` and `fills`, stamping each order message with `now`: when `ws.sync()` returns,
  every message the server sent before the call has passed the listener, so the recording is
  complete up to that point. The scenario thread reads `messages` and `fills` only between
  calls, never while the loop thread changes them.
* A failed connection or subscription at `open` is a `WireSetupError` naming it; later failures
  (the connection closed, no answer within `timeout_s`) are the client's `WebSocketError`s.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, TypeVar

from websockets.exceptions import WebSocketException

from client.ws import FuturesWebSocket
from client.ws_errors import WebSocketError
from client.ws_messages import FillsMessage, OpenOrdersUpdate, WsMessage
from client.ws_private import Fill as WsFill

from .target import Fill, OrderMessage

ORDER_FEEDS = ("open_orders", "open_orders_verbose")
FEEDS = (*ORDER_FEEDS, "fills")
T = TypeVar("T")


class WireSetupError(RuntimeError):
    """The server cannot run this scenario (unreachable, other instruments, not the scenario's
    starting market, a speed its real clock cannot go, feed refused); the message says what to
    do."""


class LoopThread:
    """An asyncio event loop running in a daemon thread; `run` executes a coroutine on it."""

    def __init__(self, name: str = "scenario-wire-loop") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._serve, name=name, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the loop and wait for its result (its exception is raised here)."""
        done: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return done.result()

    def stop(self) -> None:
        """Stop the loop and join the thread; idempotent."""
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join()
        self.loop.close()


class AccountFeed:
    """One account's socket and what it recorded: order messages and fills, in wire order."""

    def __init__(self, loop: LoopThread, ws: FuturesWebSocket, timeout_s: float) -> None:
        self.loop, self.ws, self.timeout_s = loop, ws, timeout_s
        self.messages: list[OrderMessage] = []
        self.fills: list[Fill] = []
        self._arrived: list[OpenOrdersUpdate | FillsMessage] = []  # since the last sync
        ws.add_listener(self._on_message)

    @classmethod
    def open(cls, loop: LoopThread, url: str, key: str, secret: str,
             timeout_s: float) -> AccountFeed:  # fmt: skip
        """Connect, subscribe to the three feeds and sync; `WireSetupError` if refused."""
        ws = FuturesWebSocket(url, api_key=key, api_secret=secret, request_timeout=timeout_s,
                              open_timeout=timeout_s, max_buffered=0)  # fmt: skip
        feed = cls(loop, ws, timeout_s)
        try:
            loop.run(feed._start())
        except BaseException:
            feed.close()
            raise
        return feed

    async def _start(self) -> None:
        try:
            await self.ws.connect()
        except (OSError, TimeoutError, WebSocketException) as exc:
            raise WireSetupError(f"cannot connect to {self.ws.url}: {exc}") from None
        for name in FEEDS:
            try:
                await self.ws.subscribe(name)
            except WebSocketError as exc:
                raise WireSetupError(
                    f"the server refused the subscription to {name}: {exc}"
                ) from None
        await self._sync(0)

    def _on_message(self, message: WsMessage) -> None:
        if isinstance(message, OpenOrdersUpdate) or (
            isinstance(message, FillsMessage) and not message.snapshot
        ):
            self._arrived.append(message)

    def sync(self, now: int) -> None:
        """Record everything the server sent before this call, order messages stamped `now`."""
        self.loop.run(self._sync(now))

    async def _sync(self, now: int) -> None:
        await self.ws.sync(self.timeout_s)
        arrived, self._arrived = self._arrived, []
        for message in arrived:
            if isinstance(message, OpenOrdersUpdate):
                self.messages.append(order_message(now, message))
            else:
                self.fills.extend(fill(f) for f in message.fills)

    def close(self) -> None:
        self.loop.run(self.ws.close())


def order_message(now: int, update: OpenOrdersUpdate) -> OrderMessage:
    """An order feed delta as the target records it (quantities only with a full body)."""
    body = update.order
    return OrderMessage(now, update.feed, update.reason, update.order_id, update.cli_ord_id,
                        update.is_cancel, None if body is None else body.qty,
                        None if body is None else body.filled)  # fmt: skip


def fill(raw: WsFill) -> Fill:
    return Fill(raw.fill_id, raw.order_id, raw.instrument, "buy" if raw.buy else "sell",
                raw.qty, raw.price, raw.fill_type, raw.time)  # fmt: skip
