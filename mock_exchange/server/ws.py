"""WebSocket v1 at /ws/v1: challenge, subscribe/unsubscribe, and one writer per connection.

Job
---
Accept the connection, send `{"event":"info","version":1}`, then read frames in the handler's
own task (-> `Session.on_frame`) beside three helper tasks: the writer (outbox -> socket), the
ticker (periodic `ticker`, `ticker_lite` and `heartbeat` messages) and the closer (waits for the
outbox to be marked closing -- slow consumer, limits, admin reset -- and sends the close frame).
The handler ends when the client's disconnect arrives. Everything a request causes
(acks, snapshots, errors) goes through the same outbox as the feed messages, so each client
sees one ordered stream. Ping frames are answered by the ASGI server (uvicorn auto-pongs).

Invariants
----------
* A frame never crashes the connection: bad JSON, binary frames, unknown events and feeds get
  an error or alert event and the connection stays usable; only the limits close it, always
  with a code and a reason text (1008 too many requests/connections, 1009 frame too big,
  1013 slow consumer, 1012 exchange reset, 1000 idle).
* Private subscriptions need a challenge issued on this connection for that key and a valid
  signature (`verify_challenge`); otherwise the observed `Failed to subscribe to authenticated
  feed` alert and nothing else. Unsubscribing needs no signature (it only affects this socket).
* The connection leaves the hub (subscriptions, address count) whenever the handler exits.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque

from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from ..protocol import feeds
from ..protocol.auth import verify_challenge
from ..protocol.feeds import Message, WsRequest
from ..protocol.feeds_public import heartbeat
from .hub import Connection, Hub, Outbox
from .state import ServerState


class Session:
    """The request side of one connection: rate limit, parsing, challenge, (un)subscribe."""

    def __init__(self, hub: Hub, conn: Connection, clock: asyncio.AbstractEventLoop) -> None:
        self.hub = hub
        self.conn = conn
        self.loop = clock
        self.recent: deque[float] = deque()
        self.next_ticker = self.next_heartbeat = 0.0
        self.aborted = False  # the handler was ended because not even a close could be sent

    @property
    def state(self) -> ServerState:
        return self.hub.state

    def send(self, message: Message) -> None:
        self.conn.send(message)

    def close(self, code: int, reason: str) -> None:
        self.conn.outbox.close(code, reason)

    # -- inbound -------------------------------------------------------------------------------
    def on_frame(self, text: str | None, size: int) -> None:
        limits = self.hub.limits
        if size > limits.max_frame_bytes:
            return self.close(*feeds.FRAME_TOO_BIG)
        if limits.max_requests_per_second is not None and self._flooding(
            limits.max_requests_per_second
        ):
            return self.close(*feeds.TOO_MANY_REQUESTS)
        request = feeds.parse_request(text) if text is not None else feeds.error(feeds.JSON_ERROR)
        if isinstance(request, dict):
            return self.send(request)
        if request.event == "challenge":
            return self.send(feeds.challenge(self.hub.issue_challenge(self.conn, request.api_key)))
        if request.event == "subscribe":
            return self.subscribe(request)
        return self.unsubscribe(request)

    def _flooding(self, per_second: int) -> bool:
        now = self.loop.time()
        self.recent.append(now)
        while self.recent and self.recent[0] <= now - 1.0:
            self.recent.popleft()
        return len(self.recent) > per_second

    def subscribe(self, req: WsRequest) -> None:
        if req.private:
            account_id = self._authenticate(req)
            if account_id is None:
                return self.send(feeds.alert(feeds.AUTH_FAILED))
            only = frozenset(req.product_ids) if req.feed == "fills" and req.product_ids else None
            return self._subscribe_one(req.feed, account_id, only, None, req.product_ids)
        for product in self._products(req, alert=True):
            self._subscribe_one(req.feed, product, None, product or None, None)

    def _subscribe_one(
        self,
        feed: str,
        key: str,
        only: frozenset[str] | None,
        product: str | None,
        echo: tuple[str, ...] | None,
    ) -> None:
        if (feed, key) in self.conn.subs:
            self.send(feeds.alert(feeds.ALREADY_SUBSCRIBED))
        elif len(self.conn.subs) >= self.hub.limits.max_subscriptions:
            return self.send(feeds.ack("subscribed_failed", feed, product, echo))
        else:
            self.hub.add(self.conn, feed, key, only)
            self.send(feeds.ack("subscribed", feed, product, echo))
        for message in self.hub.initial(self.conn, feed, key):
            self.send(message)

    def unsubscribe(self, req: WsRequest) -> None:
        if req.private:
            account_id = self._account_for_unsubscribe(req)
            done = account_id is not None and self.hub.remove(self.conn, req.feed, account_id)
            event = "unsubscribed" if done else "unsubscribed_failed"
            return self.send(feeds.ack(event, req.feed, None, req.product_ids))
        for product in self._products(req, alert=False):
            done = self.hub.remove(self.conn, req.feed, product)
            event = "unsubscribed" if done else "unsubscribed_failed"
            self.send(feeds.ack(event, req.feed, product or None))

    def _products(self, req: WsRequest, alert: bool) -> list[str]:
        """The request's known product ids ("" for heartbeat); unknown ones are alerted."""
        if req.feed not in feeds.PRODUCT_FEEDS:
            return [""]
        markets = self.state.exchange.markets
        known = [p for p in req.product_ids or () if p in markets]
        for product in req.product_ids or ():
            if product not in markets:
                if alert:
                    self.send(feeds.invalid_product(product))
                else:
                    self.send(feeds.ack("unsubscribed_failed", req.feed, product))
        return known

    def _authenticate(self, req: WsRequest) -> str | None:
        """The account behind a private request, if its challenge was issued here and signed."""
        key = self.state.keys.get(req.api_key) if req.api_key else None
        if key is None or not req.original_challenge or not req.signed_challenge:
            return None
        if req.original_challenge not in self.conn.challenges.get(req.api_key, ()):
            return None
        if not verify_challenge(key.secret, req.original_challenge, req.signed_challenge):
            return None
        return key.account_id if key.account_id in self.state.exchange.accounts else None

    def _account_for_unsubscribe(self, req: WsRequest) -> str | None:
        key = self.state.keys.get(req.api_key) if req.api_key else None
        if key is not None:
            return key.account_id
        mine = [k for (f, k) in self.conn.subs if f == req.feed]
        return mine[0] if len(mine) == 1 else None

    # -- periodic ------------------------------------------------------------------------------
    def tick(self) -> None:
        now, limits = self.loop.time(), self.hub.limits
        if now >= self.next_ticker:
            self.next_ticker = now + limits.ticker_interval_s
            for feed, key in list(self.conn.subs):
                if feed in ("ticker", "ticker_lite"):
                    self.send(self.hub.ticker(feed, key))
        if now >= self.next_heartbeat:
            self.next_heartbeat = now + limits.heartbeat_interval_s
            if ("heartbeat", "") in self.conn.subs:
                self.send(heartbeat(self.state.exchange.clock.now_ms()))


# -- the connection's tasks --------------------------------------------------------------------
async def _read(websocket: WebSocket, session: Session) -> None:
    """Runs in the handler's own task, so a client's disconnect ends the handler at once."""
    idle = session.hub.limits.idle_timeout_s
    while True:
        try:
            message = await asyncio.wait_for(websocket.receive(), idle)
        except TimeoutError:
            session.close(*feeds.IDLE)
            continue
        if message["type"] != "websocket.receive":
            return
        if session.conn.outbox.closing is None:
            text, data = message.get("text"), message.get("bytes")
            size = len(text.encode()) if text is not None else len(data or b"")
            session.on_frame(text, size)


async def _write(websocket: WebSocket, outbox: Outbox) -> None:
    while (text := await outbox.get()) is not None:
        await websocket.send_text(text)


async def _tick(session: Session) -> None:
    limits = session.hub.limits
    step = max(0.01, min(limits.ticker_interval_s, limits.heartbeat_interval_s) / 4)
    session.next_ticker = session.loop.time() + limits.ticker_interval_s
    session.next_heartbeat = session.loop.time() + limits.heartbeat_interval_s
    while True:
        await asyncio.sleep(step)
        session.tick()


async def _close_when_asked(
    websocket: WebSocket, session: Session, writer: asyncio.Task[None], main: asyncio.Task[None]
) -> None:
    """Once the outbox is marked closing: stop the writer (even mid-send), send the close frame
    with its reason; if even that cannot be written in time, end the handler."""
    code, reason = await session.conn.outbox.closed()
    writer.cancel()
    with contextlib.suppress(Exception):
        timeout = session.hub.limits.close_timeout_s
        await asyncio.wait_for(websocket.close(code, reason), timeout)
        return  # the server now hands the reader its disconnect
    session.aborted = True
    main.cancel()


async def _serve(websocket: WebSocket, session: Session) -> None:
    main = asyncio.current_task()
    assert main is not None
    writer = asyncio.create_task(_write(websocket, session.conn.outbox))
    helpers = [
        writer,
        asyncio.create_task(_tick(session)),
        asyncio.create_task(_close_when_asked(websocket, session, writer, main)),
    ]
    try:
        await _read(websocket, session)
    except asyncio.CancelledError:
        if not session.aborted:
            raise
        main.uncancel()
    finally:
        for task in helpers:
            task.cancel()


async def endpoint(websocket: WebSocket) -> None:
    state: ServerState = websocket.app.state.mx
    hub = Hub.of(state)
    loop = asyncio.get_running_loop()
    await websocket.accept()
    ip = websocket.client.host if websocket.client is not None else ""
    conn = hub.connect(ip, Outbox(loop, hub.limits.queue_size))
    if conn is None:
        with contextlib.suppress(Exception):
            await websocket.close(*feeds.TOO_MANY_CONNECTIONS)
        return
    try:
        conn.send(feeds.info())
        await _serve(websocket, Session(hub, conn, loop))
    finally:
        hub.disconnect(conn)


routes: list[BaseRoute] = [WebSocketRoute("/ws/v1", endpoint)]
