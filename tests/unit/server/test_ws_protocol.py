"""/ws/v1 in process (Starlette TestClient): the connection protocol, errors, auth, limits.

A reply that must *not* come is checked with a sentinel: an unknown event is always answered
with the `Bad websocket message` alert, so "the next message is that alert" proves silence.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from support import served_account

from mock_exchange.engine.clock import ManualClock
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.exchange import Exchange
from mock_exchange.protocol.auth import sign_challenge
from mock_exchange.server.app import create_app
from mock_exchange.server.hub import Hub, Outbox
from mock_exchange.server.state import ServerSettings

Json = dict[str, Any]
BAD = {"event": "alert", "message": "Bad websocket message"}
AUTH = {"event": "alert", "message": "Failed to subscribe to authenticated feed"}


def _app(**limits: Any) -> Any:
    app = create_app()
    if limits:
        app.state.mx.extras["ws_limits"] = limits
    return app


@pytest.fixture
def app() -> Any:
    return _app()


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as tc:
        yield tc


def silent(ws: Any) -> None:
    """Nothing else is pending: the next message answers the sentinel."""
    ws.send_json({"event": "sentinel"})
    assert ws.receive_json() == BAD


@contextlib.contextmanager
def connect(client: TestClient) -> Iterator[Any]:
    with client.websocket_connect("/ws/v1") as ws:
        assert ws.receive_json() == {"event": "info", "version": 1}
        yield ws


def test_bad_input_gets_errors_and_the_connection_stays_usable(client: TestClient) -> None:
    with connect(client) as ws:
        answers = [
            ("text", "not json", {"event": "error", "message": "Json Error"}),
            ("text", "[1, 2]", {"event": "error", "message": "Json Error"}),
            ("bytes", b"\x00\x01", {"event": "error", "message": "Json Error"}),
            ("json", {"event": "ping"}, BAD),
            ("json", {"event": "subscribe"}, {"event": "error", "message": "Json Error"}),
            ("json", {"event": "challenge"}, {"event": "error", "message": "Json Error"}),
            (
                "json",
                {"event": "subscribe", "feed": "candles"},
                {"event": "error", "message": "Invalid feed"},
            ),
            (
                "json",
                {"event": "subscribe", "feed": "book"},
                {"event": "error", "message": "Json Error"},
            ),
            (
                "json",
                {"event": "subscribe", "feed": "book", "product_ids": [3]},
                {"event": "error", "message": "Json Error"},
            ),
            (
                "json",
                {"event": "subscribe", "feed": "ticker", "product_ids": ["PF_NOPE"]},
                {"event": "alert", "message": "Couldn't subscribe to invalid product `PF_NOPE`"},
            ),
        ]
        for kind, payload, expected in answers:
            getattr(ws, f"send_{kind}")(payload)
            assert ws.receive_json() == expected, payload
        ws.send_json({"event": "subscribe", "feed": "heartbeat", "req_id": 7})
        assert ws.receive_json() == {"event": "subscribed", "feed": "heartbeat"}
        silent(ws)


def test_one_ack_per_product_then_snapshot(client: TestClient) -> None:
    with connect(client) as ws:
        ws.send_json(
            {"event": "subscribe", "feed": "book", "product_ids": ["PF_XBTUSD", "pf_ethusd"]}
        )
        for product in ("PF_XBTUSD", "PF_ETHUSD"):
            assert ws.receive_json() == {
                "event": "subscribed",
                "feed": "book",
                "product_ids": [product],
            }
            snap = ws.receive_json()
            assert (snap["feed"], snap["product_id"]) == ("book_snapshot", product)
        ws.send_json({"event": "subscribe", "feed": "book", "product_ids": ["PF_XBTUSD"]})
        assert ws.receive_json() == {
            "event": "alert",
            "message": "Already subscribed to feed, re-requesting",
        }
        assert ws.receive_json()["feed"] == "book_snapshot"
        ws.send_json({"event": "unsubscribe", "feed": "book", "product_ids": ["PF_XBTUSD"]})
        assert ws.receive_json() == {
            "event": "unsubscribed",
            "feed": "book",
            "product_ids": ["PF_XBTUSD"],
        }
        ws.send_json({"event": "unsubscribe", "feed": "book", "product_ids": ["PF_XBTUSD"]})
        assert ws.receive_json() == {
            "event": "unsubscribed_failed",
            "feed": "book",
            "product_ids": ["PF_XBTUSD"],
        }
        silent(ws)


def _private(ws: Any, key: str, challenge: str, signed: str, feed: str = "open_orders") -> None:
    ws.send_json(
        {
            "event": "subscribe",
            "feed": feed,
            "api_key": key,
            "original_challenge": challenge,
            "signed_challenge": signed,
        }
    )


def _challenge(ws: Any, key: str) -> str:
    ws.send_json({"event": "challenge", "api_key": key})
    answer = ws.receive_json()
    assert answer["event"] == "challenge" and len(answer["message"]) == 36
    return str(answer["message"])


def test_private_subscription_needs_a_challenge_from_this_connection(
    app: Any, client: TestClient
) -> None:
    alice = served_account(app, "alice")
    with connect(client) as other, connect(client) as ws:
        foreign = _challenge(other, alice.key)
        mine = _challenge(ws, alice.key)
        assert mine != foreign
        failures = [
            (alice.key, foreign, sign_challenge(alice.secret, foreign)),  # issued elsewhere
            (alice.key, mine, sign_challenge(alice.secret, mine + "x")),  # wrong signature
            ("unknown-key", mine, sign_challenge(alice.secret, mine)),
            (alice.key, "", ""),
        ]
        for key, challenge, signed in failures:
            _private(ws, key, challenge, signed)
            assert ws.receive_json() == AUTH
        silent(ws)
        _private(ws, alice.key, mine, sign_challenge(alice.secret, mine))
        assert ws.receive_json() == {"event": "subscribed", "feed": "open_orders"}
        assert ws.receive_json() == {
            "feed": "open_orders_snapshot",
            "account": alice.account_id,
            "orders": [],
        }
        ws.send_json({"event": "unsubscribe", "feed": "open_orders", "api_key": alice.key})
        assert ws.receive_json() == {"event": "unsubscribed", "feed": "open_orders"}


def test_challenges_are_deterministic_per_seed() -> None:
    def first(seed: int) -> str:
        app = create_app(Exchange(ManualClock(), IdGenerator(seed)))
        with TestClient(app) as tc, connect(tc) as ws:
            return _challenge(ws, "any-key")

    assert first(3) == first(3) != first(4)


def test_heartbeat_and_ticker_are_periodic() -> None:
    app = _app(ticker_interval_s=0.05, heartbeat_interval_s=0.05)
    with TestClient(app) as tc, connect(tc) as ws:
        ws.send_json({"event": "subscribe", "feed": "ticker", "product_ids": ["PF_XBTUSD"]})
        assert ws.receive_json()["event"] == "subscribed"
        assert ws.receive_json()["feed"] == "ticker"
        ws.send_json({"event": "subscribe", "feed": "heartbeat"})
        seen = {ws.receive_json().get("feed") for _ in range(8)}
        assert {"ticker", "heartbeat"} <= seen


@pytest.mark.parametrize(
    ("limits", "flood", "code", "reason"),
    [
        ({}, "x" * 70_000, 1009, "Message too big"),
        ({"max_requests_per_second": 5}, None, 1008, "Too many requests"),
    ],
)
def test_limits_close_with_a_reason(
    limits: Json, flood: str | None, code: int, reason: str
) -> None:
    with TestClient(_app(**limits)) as tc, connect(tc) as ws:
        if flood is not None:
            ws.send_text(flood)
        else:
            for _ in range(20):
                ws.send_json({"event": "subscribe", "feed": "heartbeat"})
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                ws.receive_json()
        assert (closed.value.code, closed.value.reason) == (code, reason)


def test_connection_and_subscription_caps() -> None:
    app = _app(max_connections_per_ip=1, max_subscriptions=1)
    with TestClient(app) as tc, connect(tc) as ws:
        with pytest.raises(WebSocketDisconnect) as refused, tc.websocket_connect("/ws/v1") as extra:
            extra.receive_json()
        assert (refused.value.code, refused.value.reason) == (
            1008,
            "Too many connections from this address",
        )
        ws.send_json(
            {"event": "subscribe", "feed": "trade", "product_ids": ["PF_XBTUSD", "PF_ETHUSD"]}
        )
        assert ws.receive_json()["event"] == "subscribed"
        assert ws.receive_json()["feed"] == "trade_snapshot"
        assert ws.receive_json() == {
            "event": "subscribed_failed",
            "feed": "trade",
            "product_ids": ["PF_ETHUSD"],
        }


def test_admin_reset_closes_connections(client: TestClient) -> None:
    with connect(client) as ws:
        assert client.post("/__admin/reset").status_code == 200
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert (closed.value.code, closed.value.reason) == (1012, "Exchange reset")


def test_messages_are_queued_before_submit_returns(app: Any) -> None:
    alice = served_account(app, "alice")
    state = app.state.mx
    hub = Hub.of(state)
    loop = asyncio.new_event_loop()
    conn = hub.connect("local", Outbox(loop, 100))
    assert conn is not None
    hub.add(conn, "open_orders", alice.account_id, None)
    alice.post(
        "sendorder", orderType="lmt", symbol="PF_XBTUSD", side="buy", size="1", limitPrice="59000"
    )
    assert len(conn.outbox) == 1  # queued by the listener, before the REST answer returned
    loop.close()


def test_outbox_overflow_marks_a_slow_consumer() -> None:
    loop = asyncio.new_event_loop()
    box = Outbox(loop, 3)
    assert all(box.put(str(i)) for i in range(3))
    assert box.put("4") is False
    assert box.closing == (1013, "Slow consumer: outgoing queue full")
    assert box.drain() == [] and box.put("5") is False
    loop.close()


def test_outbox_wakes_its_reader_from_another_thread() -> None:
    async def main() -> str | None:
        box = Outbox(asyncio.get_running_loop(), 10)
        threading.Timer(0.05, box.put, ("hello",)).start()
        return await asyncio.wait_for(box.get(), 5)

    assert asyncio.run(main()) == "hello"


def test_kraken_rate_limits_also_set_the_websocket_limits() -> None:
    app = create_app(settings=ServerSettings(rate_limits=True))
    with TestClient(app) as tc, connect(tc) as ws:
        hub = Hub.of(app.state.mx)
        assert (hub.limits.max_connections_per_ip, hub.limits.max_requests_per_second) == (100, 100)
        for _ in range(101):
            ws.send_json({"event": "subscribe", "feed": "heartbeat"})
        with pytest.raises(WebSocketDisconnect) as closed:
            while True:
                ws.receive_json()
        assert (closed.value.code, closed.value.reason) == (1008, "Too many requests")
