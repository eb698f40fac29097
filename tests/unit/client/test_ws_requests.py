"""FuturesWebSocket's request side: PendingRequest matching answers (sans I/O), and the client
against a scripted `websockets` server on 127.0.0.1 that answers (or fails to answer) exactly as
told, to pin the frames the client sends, its errors, and reconnect with resubscription."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from websockets.asyncio.server import ServerConnection, serve

from client.signing import sign_challenge
from client.ws import FuturesWebSocket
from client.ws_errors import (
    ConnectionClosedError,
    RequestTimeoutError,
    SubscriptionError,
    WebSocketAuthError,
    WebSocketError,
)
from client.ws_messages import (
    Alert,
    ChallengeIssued,
    ErrorEvent,
    Heartbeat,
    Info,
    Reconnected,
    SubscriptionEvent,
    UnknownMessage,
)
from client.ws_pending import PendingRequest, RequestSlot, sync_plan

SECRET = "7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm"
Json = dict[str, Any]
Script = Callable[[ServerConnection, Json, int], Awaitable[None]]
Connected = Callable[[ServerConnection], Awaitable[None]]


def test_pending_product_request_needs_every_product() -> None:
    p = PendingRequest("subscribe", "book", ("PF_A", "PF_B", "PF_C"))
    assert not p.offer(Heartbeat(1))
    assert not p.offer(SubscriptionEvent("subscribed", "trade", ("PF_A",)))
    assert p.offer(SubscriptionEvent("subscribed", "book", ("PF_A",))) and not p.done
    assert p.offer(Alert("Already subscribed to feed, re-requesting")) and not p.done
    assert p.offer(Alert("Couldn't subscribe to invalid product `pf_c`")) and p.done
    assert p.accepted == ["PF_A", "PF_B"]
    assert isinstance(p.error, SubscriptionError) and p.error.product_ids == ("PF_C",)
    assert not p.offer(SubscriptionEvent("subscribed", "book", ("PF_A",)))


@pytest.mark.parametrize(("answer", "error", "text"), [
    (Alert("Failed to subscribe to authenticated feed"), WebSocketAuthError,
     "fills: Failed to subscribe to authenticated feed"),
    (ErrorEvent("Invalid feed"), SubscriptionError, "fills: Invalid feed"),
    (SubscriptionEvent("subscribed_failed", "fills"), SubscriptionError,
     "fills: subscribed_failed"),
    (Alert("Bad websocket message"), SubscriptionError, "fills: Bad websocket message"),
])
def test_pending_refusals(answer: Any, error: type[Exception], text: str) -> None:
    p = PendingRequest("subscribe", "fills")
    assert p.offer(answer) and p.done
    assert type(p.error) is error and str(p.error) == text and p.accepted == []


def test_pending_challenge_and_unsubscribe() -> None:
    c = PendingRequest("challenge", "open_orders")
    assert not c.offer(Info(1))
    assert c.offer(ChallengeIssued("abc")) and (c.done, c.challenge) == (True, "abc")
    u = PendingRequest("unsubscribe", "ticker", ("PF_A",))
    assert not u.offer(SubscriptionEvent("subscribed", "ticker", ("PF_A",)))
    assert u.offer(SubscriptionEvent("unsubscribed_failed", "ticker", ("PF_A",))) and u.done
    assert isinstance(u.error, SubscriptionError) and u.accepted == []


class Scripted:
    """A websockets server; `script(conn, request, connection_number)` answers each request."""

    def __init__(self, script: Script, on_connect: Connected | None = None) -> None:
        self.script, self.on_connect = script, on_connect
        self.requests: list[tuple[int, Json]] = []
        self.connections = 0

    async def handler(self, conn: ServerConnection) -> None:
        self.connections += 1
        number = self.connections
        await conn.send(json.dumps({"event": "info", "version": 1}))
        if self.on_connect is not None:
            await self.on_connect(conn)
        async for frame in conn:
            request = json.loads(frame)
            self.requests.append((number, request))
            await self.script(conn, request, number)


async def _acks(conn: ServerConnection, request: Json, number: int) -> None:
    if request["event"] == "challenge":
        await conn.send(json.dumps({"event": "challenge", "message": f"chal-{number}"}))
        return
    done = "subscribed" if request["event"] == "subscribe" else "unsubscribed"
    for product in request.get("product_ids") or [None]:
        ack: Json = {"event": done, "feed": request["feed"]}
        if product:
            ack["product_ids"] = [product]
        await conn.send(json.dumps(ack))
    if number == 1 and request["feed"] == "fills" and done == "subscribed":
        await conn.close(1012, "Exchange reset")


def run_with(script: Script, body: Callable[[str, Scripted], Awaitable[None]],
             on_connect: Connected | None = None) -> Scripted:  # fmt: skip
    server = Scripted(script, on_connect)

    async def main() -> None:
        async with serve(server.handler, "127.0.0.1", 0) as running:
            port = next(iter(running.sockets)).getsockname()[1]
            await body(f"ws://127.0.0.1:{port}", server)

    asyncio.run(main())
    return server


def test_reconnect_renews_every_subscription_with_a_fresh_challenge() -> None:
    async def body(url: str, server: Scripted) -> None:
        ws = FuturesWebSocket(url, api_key="KEY", api_secret=SECRET, reconnect=True,
                              reconnect_delays=[0.01])
        async with ws:
            await ws.subscribe("book", ["pf_xbtusd", "PF_ETHUSD"])
            await ws.subscribe("heartbeat")
            await ws.subscribe("fills")  # the server then closes with 1012
            seen = await ws.receive_until(lambda m: isinstance(m, Reconnected), timeout=5)
            assert seen == Reconnected(1, (("book", "PF_XBTUSD"), ("book", "PF_ETHUSD"),
                                           ("heartbeat", None), ("fills", None)))
            await ws.receive_until(
                lambda m: m == SubscriptionEvent("subscribed", "fills"), timeout=5)
            assert ws.reconnects == 1 and (ws.close_code, ws.close_reason) == (
                1012, "Exchange reset")

    server = run_with(_acks, body)
    sent = [(n, r["event"], r.get("feed"), r.get("product_ids"), r.get("original_challenge"))
            for n, r in server.requests]
    assert sent == [
        (1, "subscribe", "book", ["PF_XBTUSD", "PF_ETHUSD"], None),
        (1, "subscribe", "heartbeat", None, None),
        (1, "challenge", None, None, None),
        (1, "subscribe", "fills", None, "chal-1"),
        (2, "subscribe", "book", ["PF_XBTUSD", "PF_ETHUSD"], None),
        (2, "subscribe", "heartbeat", None, None),
        (2, "challenge", None, None, None),
        (2, "subscribe", "fills", None, "chal-2"),
    ]
    fills = server.requests[-1][1]
    assert fills["api_key"] == "KEY"
    assert fills["signed_challenge"] == sign_challenge(SECRET, "chal-2")


def test_without_reconnect_a_server_close_ends_the_iterator_with_its_code() -> None:
    async def body(url: str, server: Scripted) -> None:
        async with FuturesWebSocket(url, api_key="KEY", api_secret=SECRET) as ws:
            await ws.subscribe("fills")
            with pytest.raises(ConnectionClosedError) as caught:
                async for _ in ws:
                    pass
            assert (caught.value.code, caught.value.reason) == (1012, "Exchange reset")
            with pytest.raises(ConnectionClosedError):
                await ws.recv(1)
            with pytest.raises(ConnectionClosedError, match="not connected"):
                await ws.subscribe("heartbeat")

    run_with(_acks, body)


def test_no_answer_is_a_timeout_and_bad_frames_are_reported() -> None:
    async def silent(conn: ServerConnection, request: Json, number: int) -> None:
        await conn.send("not json")
        await conn.send(json.dumps({"feed": "heartbeat", "time": "soon"}))

    async def body(url: str, server: Scripted) -> None:
        async with FuturesWebSocket(url, request_timeout=0.2) as ws:
            with pytest.raises(RequestTimeoutError, match="no answer to subscribe ticker"):
                await ws.subscribe("ticker", ["PF_XBTUSD"])
            assert ws.subscriptions == ()
            assert await ws.recv(1) == Info(1)
            with pytest.raises(WebSocketError, match="unparsable message: frame is not JSON"):
                await ws.recv(1)
            with pytest.raises(WebSocketError, match="field 'time' must be an integer"):
                await ws.recv(1)

    run_with(silent, body)


def test_requests_are_checked_before_anything_is_sent() -> None:
    async def body(url: str, server: Scripted) -> None:
        async with FuturesWebSocket(url) as ws:
            with pytest.raises(WebSocketAuthError, match="need api_key and api_secret"):
                await ws.subscribe("open_orders")
            with pytest.raises(ValueError, match="needs a non-empty list of product_ids"):
                await ws.subscribe("book")
            with pytest.raises(ValueError, match="takes no product_ids"):
                await ws.subscribe("heartbeat", ["PF_XBTUSD"])
            with pytest.raises(TypeError):
                await ws.subscribe("book", "PF_XBTUSD")

    server = run_with(_acks, body)
    assert server.requests == []
    with pytest.raises(ValueError, match="ws:// or wss://"):
        FuturesWebSocket("http://127.0.0.1:1/ws/v1")
    with pytest.raises(ValueError, match="both api_key and api_secret"):
        FuturesWebSocket(api_key="k")
    assert FuturesWebSocket().url == "wss://futures.kraken.com/ws/v1"


def test_failed_reconnects_give_up_with_a_clear_error() -> None:
    async def main() -> None:
        server = Scripted(_acks)
        async with serve(server.handler, "127.0.0.1", 0) as running:
            port = next(iter(running.sockets)).getsockname()[1]
            ws = FuturesWebSocket(f"ws://127.0.0.1:{port}", reconnect=True,
                                  reconnect_delays=[0.01], max_reconnect_attempts=3)
            await ws.connect()
            assert await ws.recv(5) == Info(1)
        # the server is gone (it closed the connection with 1001 and stopped listening)
        with pytest.raises(ConnectionClosedError, match="3 reconnect attempts failed") as caught:
            await ws.recv(10)
        assert caught.value.code == 1001
        await ws.close()

    asyncio.run(main())


def test_buffer_overflow_and_failing_listeners_are_reported_not_hidden() -> None:
    async def burst(conn: ServerConnection, request: Json, number: int) -> None:
        await _acks(conn, request, number)
        for t in range(5):
            await conn.send(json.dumps({"feed": "heartbeat", "time": t}))

    async def body(url: str, server: Scripted) -> None:
        seen: list[object] = []
        async with FuturesWebSocket(url, max_buffered=3) as ws:
            ws.add_listener(seen.append)
            await ws.subscribe("heartbeat")
            await asyncio.sleep(0.2)
            assert seen[-1] == Heartbeat(4) and len(seen) == 7  # listeners saw everything
            with pytest.raises(WebSocketError, match="4 messages dropped"):
                await ws.recv(1)
            assert [await ws.recv(1) for _ in range(3)] == [
                Info(1), SubscriptionEvent("subscribed", "heartbeat"), Heartbeat(0)]

        def broken(message: object) -> None:
            raise RuntimeError("tracker bug")

        async with FuturesWebSocket(url) as ws:
            ws.add_listener(broken)
            with pytest.raises(WebSocketError, match="failed: RuntimeError\\('tracker bug'\\)"):
                await ws.recv(1)
            assert await ws.recv(1) == Info(1)  # the stream goes on

    run_with(burst, body)


def test_sync_plan_leaves_the_heartbeat_subscription_as_it_was() -> None:
    assert sync_plan(False) == ("subscribe", "unsubscribe")
    assert sync_plan(True) == ("unsubscribe", "subscribe")
    slot = RequestSlot()
    slot.pending, slot.hide_heartbeats = PendingRequest("subscribe", "heartbeat", quiet=True), True
    assert slot.offer(UnknownMessage({"feed": "news"}))  # not an answer: delivered
    assert not slot.offer(Heartbeat(1))  # a heartbeat of sync()'s own subscription
    assert not slot.offer(SubscriptionEvent("subscribed", "heartbeat"))  # its answer
    assert slot.pending.done and slot.offer(SubscriptionEvent("subscribed", "heartbeat"))


def sync_acks() -> Script:
    """Acks every request; a heartbeat follows each heartbeat subscribe ack (time 90, 91...)."""
    sent: list[int] = []

    async def script(conn: ServerConnection, request: Json, number: int) -> None:
        await _acks(conn, request, number)
        if request == {"event": "subscribe", "feed": "heartbeat"}:
            await conn.send(json.dumps({"feed": "heartbeat", "time": 90 + len(sent)}))
            sent.append(number)

    return script


def test_sync_returns_after_everything_sent_before_it_and_stays_invisible() -> None:
    news = [{"feed": "news", "n": n} for n in range(200)]

    async def handler_burst(conn: ServerConnection) -> None:
        for item in news:  # sent before any request arrives
            await conn.send(json.dumps(item))

    async def body(url: str, server: Scripted) -> None:
        seen: list[object] = []
        async with FuturesWebSocket(url) as ws:
            ws.add_listener(seen.append)
            await ws.sync()
            assert seen == [Info(1), *(UnknownMessage(n) for n in news)]
            assert ws.subscriptions == ()
            assert [await ws.recv(1) for _ in range(201)] == seen
            with pytest.raises(TimeoutError):
                await ws.recv(0.2)  # neither the acks nor heartbeat 90 were delivered
            await ws.subscribe("heartbeat")  # the user's own heartbeat subscription
            await ws.sync()
            assert ws.subscriptions == (("heartbeat", None),)
            assert [await ws.recv(1) for _ in range(3)] == [
                SubscriptionEvent("subscribed", "heartbeat"), Heartbeat(91), Heartbeat(92)
            ]  # the sync's acks are hidden, the user's heartbeats are not

    server = run_with(sync_acks(), body, on_connect=handler_burst)
    assert [(r["event"], r["feed"]) for _, r in server.requests] == [
        ("subscribe", "heartbeat"), ("unsubscribe", "heartbeat"),  # the first sync
        ("subscribe", "heartbeat"),  # the user's
        ("unsubscribe", "heartbeat"), ("subscribe", "heartbeat"),  # sync: the user's kept
    ]


def test_sync_timeouts_refusals_and_closed_connections_raise() -> None:
    subscribes: list[int] = []

    async def picky(conn: ServerConnection, request: Json, number: int) -> None:
        if request["event"] == "unsubscribe":
            return  # never answered: a timeout
        subscribes.append(number)
        if len(subscribes) == 1:
            await _acks(conn, request, number)
            return
        await conn.send(json.dumps({"event": "alert", "message": "Bad request"}))

    async def body(url: str, server: Scripted) -> None:
        async with FuturesWebSocket(url) as ws:
            with pytest.raises(RequestTimeoutError, match=r"^no answer to sync within 0\.3 s$"):
                await ws.sync(timeout=0.3)
            with pytest.raises(SubscriptionError, match=r"^heartbeat: Bad request$"):
                await ws.subscribe("heartbeat")  # the server now refuses heartbeat
            await ws.close()
            with pytest.raises(ConnectionClosedError, match="not connected"):
                await ws.sync()
        async with FuturesWebSocket(url) as ws:
            with pytest.raises(SubscriptionError, match=r"^heartbeat: Bad request$"):
                await ws.sync()
            assert await ws.recv(1) == Info(1)
            with pytest.raises(TimeoutError):
                await ws.recv(0.2)  # the refusal answered the sync: raised, not delivered

    server = run_with(picky, body)
    assert [(n, r["event"]) for n, r in server.requests] == [
        (1, "subscribe"), (1, "unsubscribe"), (1, "subscribe"), (2, "subscribe")]
