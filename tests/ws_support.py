"""WebSocket test support: a hub on a Harness exchange whose connection outboxes are read
directly, and builders for expected open_orders bodies."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from support import Harness

from mock_exchange.history import History
from mock_exchange.keys import KeyStore
from mock_exchange.server.hub import Connection, Hub, Outbox
from mock_exchange.server.state import ServerState

Json = dict[str, Any]
T0 = 1_767_225_600_000


class Tap:
    """A hub on a Harness exchange; `watch` subscribes a fresh connection to feeds."""

    def __init__(self) -> None:
        self.h = Harness()
        self.state = ServerState(self.h.ex, KeyStore(self.h.ex.ids))
        History.attach(self.state)  # as create_app does: the hub needs it (account_log)
        self.hub = Hub.attach(self.state)
        self.loop = asyncio.new_event_loop()

    def watch(self, key: str, *feeds: str) -> Connection:
        conn = self.hub.connect("test", Outbox(self.loop, 100_000))
        assert conn is not None
        for feed in feeds:
            self.hub.add(conn, feed, key, None)
            for message in self.hub.initial(conn, feed, key):
                conn.send(message)
        return conn

    def close(self) -> None:
        self.loop.close()


def got(conn: Connection, feed: str | None = None) -> list[Json]:
    out = [json.loads(text) for text in conn.outbox.drain()]
    return [m for m in out if feed is None or m.get("feed") == feed]


def orders(tap: Tap, name: str = "alice", usd: int = 100_000) -> tuple[str, Connection]:
    account = tap.h.account(name, usd=usd)
    conn = tap.watch(account, "open_orders", "open_orders_verbose")
    got(conn)
    return account, conn


def body(
    order_id: str,
    qty: float,
    filled: float = 0.0,
    price: float = 59000.0,
    direction: int = 0,
    time: int = T0,
    updated: int = T0,
    **extra: Any,
) -> Json:
    out: Json = {
        "instrument": "PF_XBTUSD",
        "time": time,
        "last_update_time": updated,
        "qty": qty,
        "filled": filled,
        "limit_price": price,
        "stop_price": 0.0,
        "type": "limit",
        "order_id": order_id,
        "direction": direction,
        "reduce_only": False,
    }
    return out | extra
