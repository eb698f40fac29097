"""Every `open_orders` reason of the seed, end to end over real sockets: uvicorn on a free port,
signed REST calls (httpx) and admin calls cause it, a `websockets` client subscribed to
`open_orders` and `open_orders_verbose` sees the exact delta."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from integration.server import running_server
from websockets.sync.client import ClientConnection, connect

from mock_exchange.engine.catalogue import default_instruments
from mock_exchange.protocol.auth import endpoint_path_for, sign_challenge, sign_rest
from mock_exchange.server.app import create_app

Json = dict[str, Any]
T0 = 1_767_225_600_000
SENTINEL = {"event": "alert", "message": "Bad websocket message"}


@dataclass
class Account:
    account_id: str
    key: str
    secret: str


class Live:
    """A running server with signing REST, admin and WebSocket helpers."""

    def __init__(self, base: str, stack: contextlib.ExitStack) -> None:
        self.base = base
        self.stack = stack
        self.http = httpx.Client(base_url=base, timeout=10)
        self.nonce = 1_800_000_000_000_000_000

    def account(self, usd: int = 100_000) -> Account:
        out = self.admin("/__admin/accounts", {"balances": {"USD": usd}})
        return Account(out["account_id"], out["api_key"], out["api_secret"])

    def admin(self, path: str, body: Json | None = None) -> Json:
        response = self.http.post(path, json=body or {})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def rest(self, acct: Account, endpoint: str, **params: Any) -> Json:
        path = f"/derivatives/api/v3/{endpoint}"
        body = urlencode(params)
        self.nonce += 1
        headers = {
            "APIKey": acct.key,
            "Nonce": str(self.nonce),
            "Authent": sign_rest(acct.secret, body, str(self.nonce), endpoint_path_for(path)),
            "Content-Type": "application/x-www-form-urlencoded",
        }
        out = self.http.post(path, content=body, headers=headers).json()
        assert out["result"] == "success", out
        return dict(out)

    def place(
        self,
        acct: Account,
        side: str,
        size: str,
        price: str | None = None,
        kind: str = "lmt",
        **extra: Any,
    ) -> str:
        params = {
            "orderType": kind,
            "symbol": extra.pop("symbol", "PF_XBTUSD"),
            "side": side,
            "size": size,
            **({"limitPrice": price} if price else {}),
            **extra,
        }
        return str(self.rest(acct, "sendorder", **params)["sendStatus"].get("order_id"))

    def watch(self, acct: Account) -> Feed:
        ws = self.stack.enter_context(connect(self.base.replace("http", "ws") + "/ws/v1"))
        feed = Feed(ws)
        assert feed.next() == {"event": "info", "version": 1}
        feed.send({"event": "challenge", "api_key": acct.key})
        challenge = feed.next()["message"]
        for name in ("open_orders", "open_orders_verbose"):
            feed.send(
                {
                    "event": "subscribe",
                    "feed": name,
                    "api_key": acct.key,
                    "original_challenge": challenge,
                    "signed_challenge": sign_challenge(acct.secret, challenge),
                }
            )
            assert feed.next() == {"event": "subscribed", "feed": name}
            assert feed.next()["feed"] == f"{name}_snapshot"
        return feed


class Feed:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    def send(self, message: Json) -> None:
        self.ws.send(json.dumps(message))

    def next(self) -> Json:
        return dict(json.loads(self.ws.recv(timeout=5)))

    def pair(self) -> tuple[Json, Json]:
        """The next plain delta and its verbose twin."""
        plain, verbose = self.next(), self.next()
        assert plain["feed"] == "open_orders" and verbose["feed"] == "open_orders_verbose"
        assert {**plain, "feed": "x"} == {**verbose, "feed": "x"}
        return plain, verbose

    def silent(self) -> None:
        self.send({"event": "sentinel"})
        assert self.next() == SENTINEL


@pytest.fixture
def live() -> Iterator[Live]:
    with running_server(create_app()) as base, contextlib.ExitStack() as stack:
        yield Live(base, stack)


def order(oid: str, qty: float, filled: float = 0.0, price: float = 59000.0, **extra: Any) -> Json:
    base = {
        "instrument": "PF_XBTUSD",
        "time": T0,
        "last_update_time": T0,
        "qty": qty,
        "filled": filled,
        "limit_price": price,
        "stop_price": 0.0,
        "type": "limit",
        "order_id": oid,
        "direction": 0,
        "reduce_only": False,
    }
    return base | extra


def test_new_partial_and_full_fill(live: Live) -> None:
    alice, bob = live.account(), live.account()
    feed = live.watch(alice)
    oid = live.place(alice, "buy", "1", "59000", cliOrdId="a-1")
    plain, _ = feed.pair()
    assert plain == {
        "feed": "open_orders",
        "order": order(oid, 1.0, cli_ord_id="a-1"),
        "is_cancel": False,
        "reason": "new_placed_order_by_user",
    }
    live.place(bob, "sell", "0.25", "59000", kind="ioc")
    plain, _ = feed.pair()
    assert plain == {
        "feed": "open_orders",
        "order": order(oid, 0.75, 0.25, cli_ord_id="a-1"),
        "is_cancel": False,
        "reason": "partial_fill",
    }
    live.place(bob, "sell", "0.75", "59000", kind="ioc")
    plain, _ = feed.pair()
    assert plain == {
        "feed": "open_orders",
        "order": order(oid, 0.0, 1.0, cli_ord_id="a-1"),
        "is_cancel": True,
        "reason": "full_fill",
    }
    feed.silent()


def test_taker_filled_on_arrival_is_silent(live: Live) -> None:
    alice, bob = live.account(), live.account()
    live.place(bob, "sell", "1", "60000")
    feed = live.watch(alice)
    live.place(alice, "buy", "1", "60000")
    feed.silent()


def test_cancelled_by_user_and_edited(live: Live) -> None:
    alice = live.account()
    feed = live.watch(alice)
    oid = live.place(alice, "buy", "1", "59000")
    feed.pair()
    live.rest(alice, "editorder", orderId=oid, size="2", limitPrice="59500")
    plain, _ = feed.pair()
    assert plain == {
        "feed": "open_orders",
        "order": order(oid, 2.0, price=59500.0),
        "is_cancel": False,
        "reason": "edited_by_user",
    }
    live.rest(alice, "cancelorder", order_id=oid)
    plain, _ = feed.pair()
    assert plain == {
        "feed": "open_orders",
        "order_id": oid,
        "is_cancel": True,
        "reason": "cancelled_by_user",
    }


def test_stop_triggered_then_limit_from_stop(live: Live) -> None:
    alice = live.account()
    feed = live.watch(alice)
    oid = live.place(alice, "buy", "1", "61500", kind="stp", stopPrice="61000")
    plain, _ = feed.pair()
    assert plain["order"] == order(
        oid, 1.0, price=61500.0, stop_price=61000.0, type="stop", triggerSignal="last"
    )
    live.admin("/__admin/prices", {"symbol": "PF_XBTUSD", "last": "61000"})
    plain, _ = feed.pair()
    assert plain == {
        "feed": "open_orders",
        "order_id": oid,
        "is_cancel": True,
        "reason": "stop_order_triggered",
    }
    plain, _ = feed.pair()
    assert plain == {
        "feed": "open_orders",
        "order": order(oid, 1.0, price=61500.0),
        "is_cancel": False,
        "reason": "limit_order_from_stop",
    }


@pytest.mark.parametrize(
    ("path", "body", "reason"),
    [
        ("/__admin/orders/{oid}/cancel", None, "cancelled_by_admin"),
        ("/__admin/markets/PF_XBTUSD", {"state": "inactive"}, "market_inactive"),
    ],
)
def test_admin_removals(live: Live, path: str, body: Json | None, reason: str) -> None:
    alice = live.account()
    feed = live.watch(alice)
    oid = live.place(alice, "buy", "1", "59000")
    feed.pair()
    live.admin(path.format(oid=oid), body)
    plain, _ = feed.pair()
    assert plain == {"feed": "open_orders", "order_id": oid, "is_cancel": True, "reason": reason}


def test_dead_man_switch(live: Live) -> None:
    alice = live.account()
    feed = live.watch(alice)
    oid = live.place(alice, "buy", "1", "59000")
    feed.pair()
    live.rest(alice, "cancelallordersafter", timeout="60")
    live.admin("/__admin/clock", {"advance_ms": 60_000})
    plain, _ = feed.pair()
    assert plain == {
        "feed": "open_orders",
        "order_id": oid,
        "is_cancel": True,
        "reason": "dead_man_switch",
    }


def test_not_enough_margin_and_liquidation(live: Live) -> None:
    small, poor, rich = live.account(1000), live.account(1000), live.account(1_000_000)
    feed = live.watch(small)
    oid = live.place(small, "buy", "0.8", "50000")
    feed.pair()
    live.admin("/__admin/prices", {"symbol": "PF_XBTUSD", "mark": "64000"})
    plain, _ = feed.pair()
    assert plain == {
        "feed": "open_orders",
        "order_id": oid,
        "is_cancel": True,
        "reason": "not_enough_margin",
    }
    live.admin("/__admin/prices", {"symbol": "PF_XBTUSD", "mark": "60000"})
    feed2 = live.watch(poor)
    live.place(rich, "sell", "0.3", "60000")
    live.place(poor, "buy", "0.3", "60000")
    resting = live.place(poor, "buy", "0.01", "59000")
    feed2.pair()
    live.admin("/__admin/prices", {"symbol": "PF_XBTUSD", "mark": "56000"})
    plain, _ = feed2.pair()
    assert plain == {
        "feed": "open_orders",
        "order_id": resting,
        "is_cancel": True,
        "reason": "liquidation",
    }


def test_contract_expired(live: Live) -> None:
    alice = live.account()
    dated = next(i.symbol for i in default_instruments(T0) if i.symbol.startswith("FF_"))
    feed = live.watch(alice)
    oid = live.place(alice, "buy", "0.01", "59000", symbol=dated)
    feed.pair()
    for _ in range(40):  # a month, a day at a time
        live.admin("/__admin/clock", {"advance_ms": 86_400_000})
        feed.send({"event": "sentinel"})
        message = feed.next()
        if message != SENTINEL:
            assert message == {
                "feed": "open_orders",
                "order_id": oid,
                "is_cancel": True,
                "reason": "contract_expired",
            }
            return
    raise AssertionError("the dated contract never expired")


@pytest.mark.parametrize(
    ("side", "kind", "price", "reason"),
    [
        ("buy", "post", "60000", "post_order_failed_because_it_would_filled"),
        ("sell", "ioc", "50000", "ioc_order_failed_because_it_would_not_be_executed"),
        ("sell", "lmt", "59000", "would_execute_self"),
    ],
)
def test_refusals_only_on_verbose(
    live: Live, side: str, kind: str, price: str, reason: str
) -> None:
    alice, bob = live.account(), live.account()
    live.place(bob, "sell", "1", "60000")
    feed = live.watch(alice)
    if reason == "would_execute_self":
        live.place(alice, "buy", "1", "59000")
        feed.pair()
    live.place(alice, side, "1", price, kind=kind)
    verbose = feed.next()
    assert verbose["feed"] == "open_orders_verbose"
    assert (verbose["reason"], verbose["is_cancel"]) == (reason, True)
    assert (verbose["order"]["qty"], verbose["order"]["limit_price"]) == (1.0, float(price))
    feed.silent()


def test_reduce_only_and_edit_not_found(live: Live) -> None:
    alice = live.account()
    feed = live.watch(alice)
    live.place(alice, "sell", "1", "61000", reduceOnly="true")
    verbose = feed.next()
    assert (verbose["feed"], verbose["reason"], verbose["is_cancel"]) == (
        "open_orders_verbose",
        "would_not_reduce_position",
        True,
    )
    assert verbose["order"]["reduce_only"] is True
    missing = "00000000-0000-4000-8000-00000000beef"
    live.rest(alice, "editorder", orderId=missing, size="1")
    assert feed.next() == {
        "feed": "open_orders_verbose",
        "order_id": missing,
        "is_cancel": True,
        "reason": "order_for_edit_not_found",
    }
    feed.silent()
