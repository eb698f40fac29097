"""``Delivery`` and ``MessageBuffer``: where ``FuturesWebSocket``'s reader puts every message.

``Delivery.dispatch`` calls the listeners in the order they were added, then buffers the message
for the iterator; a listener that raises is logged, reported once in the stream as a
``WebSocketError`` (before the message it failed on) and stays registered.

``MessageBuffer`` invariants: items come out in the order they were put in; at most ``limit``
items are held (``None``: no limit; 0: nothing is buffered and ``get`` refuses), and items that
do not fit are counted and reported once as ``MessageBufferOverflow`` before the next item; a
non-terminal ``WebSocketError`` put in is raised once at its place in the stream; after
``finish`` the buffered items still come out, then the terminal error is raised on every further
``get`` (or ``StopAsyncIteration`` for a user close).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from .ws_errors import MessageBufferOverflow, WebSocketError
from .ws_messages import WsMessage

log = logging.getLogger("client.ws")

Listener = Callable[[WsMessage], None]


class _End:
    """The stream is over (closed by the user)."""


class MessageBuffer:
    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self._queue: asyncio.Queue[WsMessage | WebSocketError | _End] = asyncio.Queue()
        self._dropped = 0
        self.terminal: WebSocketError | None = None

    def put(self, item: WsMessage | WebSocketError) -> None:
        if self.limit == 0:
            return
        if self.limit is not None and self._queue.qsize() >= self.limit:
            self._dropped += 1
            return
        self._queue.put_nowait(item)

    def finish(self, error: WebSocketError | None) -> None:
        """End the stream: with ``error`` (raised from then on) or cleanly (None)."""
        self.terminal = error
        if error is None:
            self._queue.put_nowait(_End())
        elif self.limit != 0:
            self._queue.put_nowait(error)

    async def get(self) -> WsMessage:
        if self.limit == 0:
            raise WebSocketError("this client was created with max_buffered=0 (no iterator)")
        if self._dropped:
            dropped, self._dropped = self._dropped, 0
            raise MessageBufferOverflow(dropped)
        if self.terminal is not None and self._queue.empty():
            raise self.terminal
        item = await self._queue.get()
        if isinstance(item, _End):
            self._queue.put_nowait(item)
            raise StopAsyncIteration
        if isinstance(item, WebSocketError):
            raise item
        return item


class Delivery:
    """The listeners and the iterator's buffer of one ``FuturesWebSocket``."""

    def __init__(self, limit: int | None) -> None:
        self.listeners: list[Listener] = []
        self.buffer = MessageBuffer(limit)

    def dispatch(self, message: WsMessage) -> None:
        for listener in list(self.listeners):
            try:
                listener(message)
            except Exception as exc:
                log.exception("WebSocket listener %r failed", listener)
                self.buffer.put(WebSocketError(f"listener {listener!r} failed: {exc!r}"))
        self.buffer.put(message)
