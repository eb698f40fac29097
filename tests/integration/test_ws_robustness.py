"""Robustness over real sockets: a consumer too slow is disconnected with a reason while the
engine, REST and other connections carry on; garbage, binary, oversized frames and request
floods get an error event or a close with a reason, never a crash; nothing leaks."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest
from integration.server import running_server
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from mock_exchange.engine import commands as c
from mock_exchange.engine.types import OrderType, Side
from mock_exchange.server.app import create_app
from mock_exchange.server.hub import Hub

Json = dict[str, Any]


@pytest.fixture
def stack() -> Iterator[contextlib.ExitStack]:
    with contextlib.ExitStack() as opened:
        yield opened


def _ws(stack: contextlib.ExitStack, base: str, **kwargs: Any) -> ClientConnection:
    ws = stack.enter_context(connect(base.replace("http", "ws") + "/ws/v1", **kwargs))
    assert json.loads(ws.recv(timeout=5)) == {"event": "info", "version": 1}
    return ws


def _closed(ws: ClientConnection, timeout: float = 20) -> tuple[int, str]:
    """Read until the server closes; its close code and reason."""
    deadline = time.monotonic() + timeout
    with pytest.raises(ConnectionClosed) as closed:
        while time.monotonic() < deadline:
            ws.recv(timeout=timeout)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


def _deep_book_app(levels: int, **limits: Any) -> Any:
    app = create_app()
    state = app.state.mx
    state.extras["ws_limits"] = limits
    ex = state.exchange
    maker = ex.submit(c.OpenAccount("maker", {"flex": {"USD": Decimal(10**9)}})).account_id
    for i in range(levels):
        ex.submit(
            c.PlaceOrder(
                maker, "PF_XBTUSD", Side.BUY, OrderType.LMT, Decimal("0.01"), Decimal(59_000 - i)
            )
        )
    return app


def _wait_until(predicate: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "condition not reached"
        time.sleep(0.02)


@pytest.fixture
def deep() -> Iterator[tuple[Any, str]]:
    app = _deep_book_app(1500, queue_size=20, close_timeout_s=30)
    with running_server(app) as base:
        yield app, base


def test_slow_consumer_is_closed_and_others_carry_on(
    deep: tuple[Any, str], stack: contextlib.ExitStack
) -> None:
    app, base = deep
    fast = _ws(stack, base)
    small = socket.socket()  # a small receive window, so the server's writes back up quickly
    small.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
    small.connect(("127.0.0.1", int(base.rsplit(":", 1)[1])))
    slow = _ws(stack, base, max_queue=1, sock=small)
    request = json.dumps({"event": "subscribe", "feed": "book", "product_ids": ["PF_XBTUSD"]})
    with contextlib.suppress(ConnectionClosed):  # the server may close it mid-flood
        for _ in range(400):  # each repeat re-sends a ~40 KB snapshot; `slow` reads nothing
            slow.send(request)
    hub = Hub.of(app.state.mx)
    _wait_until(  # marked closing, or already gone
        lambda: len(hub.connections) == 1
        or any(conn.outbox.closing for conn in hub.connections.values())
    )
    # the engine, REST and the fast connection do not wait for the slow one
    fast.send(json.dumps({"event": "subscribe", "feed": "trade", "product_ids": ["PF_XBTUSD"]}))
    assert json.loads(fast.recv(timeout=5))["event"] == "subscribed"
    assert json.loads(fast.recv(timeout=5))["feed"] == "trade_snapshot"
    started = time.monotonic()
    account = httpx.post(f"{base}/__admin/accounts", json={"balances": {"USD": 10**6}}).json()
    ex = app.state.mx.exchange
    assert account["account_id"] in ex.accounts and time.monotonic() - started < 5
    assert _closed(slow) == (1013, "Slow consumer: outgoing queue full")
    _wait_until(lambda: len(hub.connections) == 1)
    fast.close()
    _wait_until(lambda: not hub.connections and not hub.subs)


@pytest.fixture
def base() -> Iterator[str]:
    app = create_app()
    app.state.mx.extras["ws_limits"] = {"max_requests_per_second": 50}
    with running_server(app) as url:
        yield url


def test_garbage_binary_and_unknown_input_leave_the_connection_usable(
    base: str, stack: contextlib.ExitStack
) -> None:
    ws = _ws(stack, base)
    for frame in ("{not json", "null", b"\xff\x00binary", json.dumps({"event": 1})):
        ws.send(frame)
        assert json.loads(ws.recv(timeout=5)) == {"event": "error", "message": "Json Error"}
    ws.send(json.dumps({"event": "subscribe", "feed": "heartbeat"}))
    assert json.loads(ws.recv(timeout=5)) == {"event": "subscribed", "feed": "heartbeat"}
    ws.close()


def test_oversized_frame_closes_with_1009(base: str, stack: contextlib.ExitStack) -> None:
    ws = _ws(stack, base)
    ws.send("x" * (64 * 1024 + 1))
    assert _closed(ws) == (1009, "Message too big")
    _ws(stack, base).close()  # the server still serves


def test_request_flood_closes_with_1008(stack: contextlib.ExitStack) -> None:
    app = create_app()
    app.state.mx.extras["ws_limits"] = {"max_requests_per_second": 5}  # far below any flood
    base = stack.enter_context(running_server(app))
    ws = _ws(stack, base)
    challenge = json.dumps({"event": "challenge", "api_key": "k"})
    with contextlib.suppress(ConnectionClosed):  # the server may close mid-flood
        for _ in range(200):
            ws.send(challenge)
    assert _closed(ws) == (1008, "Too many requests")
    _ws(stack, base).close()
