"""python-kraken-sdk 3.5.1 and ccxt 4.5.90 order management against a real uvicorn server.

Both libraries are used unmodified: only their base URLs are repointed (and ccxt's rate limiter
is off), as in real-clients-on-the-wire.md §1.1 and §1.3. Every test gets a fresh server
(`create_app()`: manual clock at 2026-01-01T00:00Z, seed 0, mark 60,000 for PF_XBTUSD, no
makers); accounts come from POST /__admin/accounts, time moves only through POST /__admin/clock
and prices through POST /__admin/prices. Fees: maker 0.02 %, taker 0.05 %; initial margin 2 %.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ccxt
import httpx
import pytest
from integration.server import running_server
from kraken.exceptions import KrakenInsufficientAvailableFundsError, KrakenNotFoundError
from kraken.futures import Trade, User

from mock_exchange.server.app import create_app

Json = dict[str, Any]

T0 = "2026-01-01T00:00:00.000Z"
T1 = "2026-01-01T00:00:01.000Z"
XBT = "PF_XBTUSD"
BTC = "BTC/USD:USD"  # ccxt's name for PF_XBTUSD
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def base() -> Iterator[str]:
    with running_server(create_app()) as url:
        yield url


# -- helpers -------------------------------------------------------------------------------------
def _account(base: str, usd: int = 100_000) -> Json:
    response = httpx.post(f"{base}/__admin/accounts", json={"balances": {"USD": usd}})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _advance(base: str, ms: int) -> Json:
    response = httpx.post(f"{base}/__admin/clock", json={"advance_ms": ms})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _set_mark(base: str, mark: int) -> None:
    response = httpx.post(f"{base}/__admin/prices", json={"symbol": XBT, "mark": mark})
    assert response.status_code == 200, response.text


def _pks(base: str, acct: Json) -> tuple[Trade, User]:
    key, secret = acct["api_key"], acct["api_secret"]
    return Trade(key=key, secret=secret, url=base), User(key=key, secret=secret, url=base)


def _ccxt(base: str, acct: Json) -> Any:
    exchange = ccxt.krakenfutures(
        {"apiKey": acct["api_key"], "secret": acct["api_secret"], "enableRateLimit": False}
    )
    exchange.urls["api"] = {
        **exchange.urls["api"],
        "public": base + "/derivatives/api/",
        "private": base + "/derivatives/api/",
        "charts": base + "/api/charts/",
        "history": base + "/api/history/",
    }
    return exchange


def _order(order_id: str, side: str, qty: float, price: float | None, **over: Any) -> Json:
    """OrderJson as it appears in orderEvents (reference §4.25)."""
    out = {
        "orderId": order_id,
        "cliOrdId": None,
        "type": "lmt",
        "symbol": XBT,
        "side": side,
        "quantity": qty,
        "filled": 0,
        "limitPrice": price,
        "reduceOnly": False,
        "timestamp": T0,
        "lastUpdateTimestamp": T0,
    }
    out.update(over)
    return out


def _trigger(
    uid: str,
    side: str,
    qty: float,
    stop: float,
    limit: float | None,
    trigger_side: str,
    signal: str,
    **over: Any,
) -> Json:
    """OrderTriggerJson (note `uid`/`clientId`)."""
    out = {
        "uid": uid,
        "clientId": None,
        "type": "lmt" if limit is not None else "ioc",
        "symbol": XBT,
        "side": side,
        "quantity": qty,
        "limitPrice": limit,
        "triggerPrice": stop,
        "triggerSide": trigger_side,
        "triggerSignal": signal,
        "reduceOnly": False,
        "timestamp": T0,
        "lastUpdateTimestamp": T0,
        "startTime": None,
    }
    out.update(over)
    return out


def _oid(response: Json) -> str:
    order_id: str = response["sendStatus"]["order_id"]
    return order_id


def _open_ids(user: User) -> list[str]:
    return [o["order_id"] for o in user.get_open_orders()["openOrders"]]


def _status_rows(trade: Trade, **ids: Any) -> list[tuple[str, str, str | None, str | None]]:
    rows = trade.get_orders_status(**ids)["orders"]
    return [(r["order"]["orderId"], r["status"], r["updateReason"], r["error"]) for r in rows]


# == python-kraken-sdk ==========================================================================
def test_pks_limit_and_post_rejections_come_back_as_data(base: str) -> None:
    trade, user = _pks(base, _account(base))

    bid = trade.create_order(
        orderType="lmt", side="buy", size=0.01, symbol=XBT, limitPrice=59000, cliOrdId="bid 1"
    )
    bid_id = _oid(bid)
    assert bid == {
        "result": "success",
        "serverTime": T0,
        "sendStatus": {
            "order_id": bid_id,
            "status": "placed",
            "receivedTime": T0,
            "orderEvents": [
                {
                    "type": "PLACE",
                    "reducedQuantity": None,
                    "order": _order(bid_id, "buy", 0.01, 59000, cliOrdId="bid 1"),
                }
            ],
            "cliOrdId": "bid 1",
        },
    }
    ask = trade.create_order(
        orderType="post", side="sell", size=0.02, symbol=XBT, limitPrice=61000
    )["sendStatus"]
    assert (ask["status"], ask["orderEvents"]) == (
        "placed",
        [
            {
                "type": "PLACE",
                "reducedQuantity": None,
                "order": _order(ask["order_id"], "sell", 0.02, 61000, type="post"),
            }
        ],
    )

    # a post-only order that would take our own bid: status as data, REJECT event, no raise
    crossing = trade.create_order(
        orderType="post", side="sell", size=0.01, symbol=XBT, limitPrice=59000
    )["sendStatus"]
    crossing_id = crossing["order_id"]
    assert crossing == {
        "order_id": crossing_id,
        "status": "postWouldExecute",
        "receivedTime": T0,
        "orderEvents": [
            {
                "type": "REJECT",
                "uid": crossing_id,
                "reason": "POST_WOULD_EXECUTE",
                "order": _order(crossing_id, "sell", 0.01, 59000, type="post"),
            }
        ],
    }
    # an IOC with nothing to take (no asks below 61000)
    ioc = trade.create_order(orderType="ioc", side="buy", size=0.01, symbol=XBT, limitPrice=60000)[
        "sendStatus"
    ]
    assert (ioc["status"], ioc["orderEvents"]) == (
        "iocWouldNotExecute",
        [
            {
                "type": "REJECT",
                "uid": ioc["order_id"],
                "reason": "IOC_WOULD_NOT_EXECUTE",
                "order": _order(ioc["order_id"], "buy", 0.01, 60000, type="ioc"),
            }
        ],
    )

    # insufficientAvailableFunds is in the SDK's exception map: it raises
    poor_trade, poor_user = _pks(base, _account(base, usd=1_000))
    with pytest.raises(KrakenInsufficientAvailableFundsError) as raised:
        # initial margin 2 % of 59,000 = 1,180 > 1,000
        poor_trade.create_order(orderType="lmt", side="buy", size=1, symbol=XBT, limitPrice=59000)
    assert "'status': 'insufficientAvailableFunds'" in str(raised.value)
    assert poor_user.get_open_orders()["openOrders"] == []

    # both received at T0: Kraken sorts by receivedTime only, so compare them by id
    listed = {o["order_id"]: o for o in user.get_open_orders()["openOrders"]}
    assert sorted(listed) == sorted([ask["order_id"], bid_id])
    assert listed[ask["order_id"]] == {
        "order_id": ask["order_id"],
        "symbol": XBT,
        "side": "sell",
        "orderType": "post",
        "limitPrice": 61000,
        "unfilledSize": 0.02,
        "receivedTime": T0,
        "status": "untouched",
        "filledSize": 0,
        "reduceOnly": False,
        "lastUpdateTime": T0,
    }
    bid_row = listed[bid_id]
    assert (bid_row["cliOrdId"], bid_row["orderType"], bid_row["limitPrice"]) == (
        "bid 1",
        "lmt",
        59000,
    )
    assert _status_rows(trade, orderIds=[bid_id, crossing_id, ioc["order_id"]]) == [
        (bid_id, "ENTERED_BOOK", None, None),
        (crossing_id, "REJECTED", "POST_WOULD_EXECUTE_REASON", "POST_WOULD_EXECUTE"),
        (ioc["order_id"], "REJECTED", "IOC_WOULD_NOT_EXECUTE_REASON", "IOC_WOULD_NOT_EXECUTE"),
    ]


def test_pks_market_and_ioc_fills_positions_wallets_and_fills(base: str) -> None:
    maker_trade, maker_user = _pks(base, _account(base))
    trade, user = _pks(base, _account(base))
    ask_id = _oid(
        maker_trade.create_order(
            orderType="lmt", side="sell", size=0.02, symbol=XBT, limitPrice=60100, cliOrdId="ask"
        )
    )

    market = trade.create_order(orderType="mkt", side="buy", size=0.01, symbol=XBT)["sendStatus"]
    market_id = market["order_id"]
    (execution,) = market["orderEvents"]
    assert market["status"] == "placed"
    assert execution == {
        "type": "EXECUTION",
        "executionId": execution["executionId"],
        "price": 60100,
        "amount": 0.01,
        "orderPriorEdit": None,
        # a market order is an IOC limited 1 % beyond the mark (60,000 x 1.01)
        "orderPriorExecution": _order(market_id, "buy", 0.01, 60600, type="ioc"),
        "takerReducedQuantity": None,
    }

    _advance(base, 1000)
    ioc = trade.create_order(orderType="ioc", side="buy", size=0.02, symbol=XBT, limitPrice=60100)[
        "sendStatus"
    ]
    ioc_id = ioc["order_id"]
    # 0.01 fills, the unfilled rest leaves silently (no CANCEL event)
    assert [(e["type"], e["price"], e["amount"]) for e in ioc["orderEvents"]] == [
        ("EXECUTION", 60100, 0.01)
    ]
    assert ioc["orderEvents"][0]["orderPriorExecution"] == _order(
        ioc_id, "buy", 0.02, 60100, type="ioc", timestamp=T1, lastUpdateTimestamp=T1
    )

    assert user.get_open_orders()["openOrders"] == []
    assert maker_user.get_open_orders()["openOrders"] == []
    assert user.get_open_positions()["openPositions"] == [
        {
            "side": "long",
            "symbol": XBT,
            "price": 60100,
            "fillTime": T1,
            "size": 0.02,
            "unrealizedFunding": 0,
            "pnlCurrency": "USD",
        }
    ]
    assert maker_user.get_open_positions()["openPositions"] == [
        {
            "side": "short",
            "symbol": XBT,
            "price": 60100,
            "fillTime": T1,
            "size": 0.02,
            "unrealizedFunding": 0,
            "pnlCurrency": "USD",
        }
    ]

    # taker: 2 x 0.05 % of 601 = 0.601; long 0.02 from 60,100 at mark 60,000 = -2 unrealised
    flex = user.get_wallets()["accounts"]["flex"]
    assert flex["currencies"] == {
        "USD": {
            "quantity": 99999.399,
            "value": 99999.399,
            "collateral": 99999.399,
            "available": 99973.399,
        }
    }
    assert (
        flex["initialMargin"],
        flex["maintenanceMargin"],
        flex["pnl"],
        flex["availableMargin"],
        flex["portfolioValue"],
    ) == (24, 12, -2, 99973.399, 99997.399)
    # maker: 0.02 % of 1,202 = 0.2404; short from 60,100 at 60,000 = +2
    maker_flex = maker_user.get_wallets()["accounts"]["flex"]
    assert (maker_flex["balanceValue"], maker_flex["pnl"]) == (99999.7596, 2)

    fills = trade.get_fills()["fills"]
    assert [
        (f["order_id"], f["side"], f["size"], f["price"], f["fillTime"], f["fillType"])
        for f in fills
    ] == [
        (ioc_id, "buy", 0.01, 60100, T1, "taker"),
        (market_id, "buy", 0.01, 60100, T0, "taker"),
    ]
    assert "cliOrdId" not in fills[0]
    older = trade.get_fills(lastFillTime=T1)["fills"]
    assert [f["order_id"] for f in older] == [market_id]
    maker_fills = maker_trade.get_fills()["fills"]
    assert [
        (f["order_id"], f["side"], f["size"], f["fillType"], f["cliOrdId"]) for f in maker_fills
    ] == [(ask_id, "sell", 0.01, "maker", "ask")] * 2

    assert _status_rows(trade, orderIds=[market_id, ioc_id]) == [
        (market_id, "FULLY_EXECUTED", "FULL_FILL", None),
        (ioc_id, "CANCELLED", "IOC_WOULD_NOT_EXECUTE_REASON", None),
    ]
    assert _status_rows(maker_trade, cliOrdIds=["ask"]) == [
        (ask_id, "FULLY_EXECUTED", "FULL_FILL", None)
    ]


def test_pks_trigger_orders_place_list_and_fire(base: str) -> None:
    maker_trade, _ = _pks(base, _account(base))
    trade, user = _pks(base, _account(base))

    stop = trade.create_order(
        orderType="stp",
        side="sell",
        size=0.01,
        symbol=XBT,
        limitPrice=55000,
        stopPrice=56000,
        triggerSignal="mark",
        cliOrdId="stop 1",
    )["sendStatus"]
    stop_id = stop["order_id"]
    assert stop == {
        "order_id": stop_id,
        "status": "placed",
        "receivedTime": T0,
        "orderEvents": [
            {
                "type": "PLACE",
                "orderTrigger": _trigger(
                    stop_id,
                    "sell",
                    0.01,
                    56000,
                    55000,
                    "trigger_below",
                    "mark_price",
                    clientId="stop 1",
                ),
            }
        ],
        "cliOrdId": "stop 1",
    }
    take = trade.create_order(
        orderType="take_profit", side="sell", size=0.01, symbol=XBT, stopPrice=65000
    )["sendStatus"]
    take_id = take["order_id"]
    # no triggerSignal: last; no limitPrice: a market order on trigger (type ioc)
    assert take["orderEvents"] == [
        {
            "type": "PLACE",
            "orderTrigger": _trigger(
                take_id, "sell", 0.01, 65000, None, "trigger_above", "last_price"
            ),
        }
    ]
    trail = trade.create_order(
        orderType="trailing_stop",
        side="sell",
        size=0.01,
        symbol=XBT,
        triggerSignal="mark",
        trailingStopMaxDeviation="5",
        trailingStopDeviationUnit="PERCENT",
    )["sendStatus"]
    trail_id = trail["order_id"]
    # 5 % under the mark of 60,000
    assert trail["orderEvents"] == [
        {
            "type": "PLACE",
            "orderTrigger": _trigger(
                trail_id,
                "sell",
                0.01,
                57000,
                None,
                "trigger_below",
                "mark_price",
                trailingStopOptions={"maxDeviation": 5, "unit": "PERCENT"},
            ),
        }
    ]

    listed = user.get_open_orders()["openOrders"]
    assert sorted(
        (
            o["order_id"],
            o["orderType"],
            o["stopPrice"],
            o.get("limitPrice"),
            o["triggerSignal"],
            o["status"],
            o.get("cliOrdId"),
        )
        for o in listed
    ) == sorted(
        [
            (trail_id, "trailing_stop", 57000, None, "mark", "untouched", None),
            (take_id, "take_profit", 65000, None, "last", "untouched", None),
            (stop_id, "stp", 56000, 55000, "mark", "untouched", "stop 1"),
        ]
    )
    assert _status_rows(trade, orderIds=[stop_id]) == [(stop_id, "TRIGGER_PLACED", None, None)]

    # a bid to sell into, then the mark drops through both sell stops (56,000 and 57,000)
    bid_id = _oid(
        maker_trade.create_order(
            orderType="lmt", side="buy", size=0.02, symbol=XBT, limitPrice=55500
        )
    )
    _set_mark(base, 55900)
    assert _open_ids(user) == [take_id]
    fills = trade.get_fills()["fills"]
    assert sorted(
        (f["order_id"], f["side"], f["size"], f["price"], f["fillType"]) for f in fills
    ) == sorted(
        [
            (stop_id, "sell", 0.01, 55500, "taker"),
            (trail_id, "sell", 0.01, 55500, "taker"),
        ]
    )
    assert [f["order_id"] for f in maker_trade.get_fills()["fills"]] == [bid_id, bid_id]
    (position,) = user.get_open_positions()["openPositions"]
    assert (position["side"], position["size"], position["price"]) == ("short", 0.02, 55500)
    assert _status_rows(trade, cliOrdIds=["stop 1"]) == [
        (stop_id, "FULLY_EXECUTED", "FULL_FILL", None)
    ]


def test_pks_reduce_only(base: str) -> None:
    maker_trade, _ = _pks(base, _account(base))
    trade, user = _pks(base, _account(base))
    maker_trade.create_order(orderType="lmt", side="sell", size=0.01, symbol=XBT, limitPrice=60000)
    trade.create_order(orderType="mkt", side="buy", size=0.01, symbol=XBT)

    # larger than the long of 0.01: trimmed to it, the excess reported as reducedQuantity
    closing = trade.create_order(
        orderType="lmt", side="sell", size=0.03, symbol=XBT, limitPrice=62000, reduceOnly=True
    )["sendStatus"]
    assert (closing["status"], closing["orderEvents"]) == (
        "placed",
        [
            {
                "type": "PLACE",
                "reducedQuantity": 0.02,
                "order": _order(closing["order_id"], "sell", 0.01, 62000, reduceOnly=True),
            }
        ],
    )
    # same direction as the position: refused, returned as data
    growing = trade.create_order(
        orderType="lmt", side="buy", size=0.01, symbol=XBT, limitPrice=58000, reduceOnly=True
    )["sendStatus"]
    assert (growing["status"], growing["orderEvents"]) == ("wouldNotReducePosition", [])

    (listed,) = user.get_open_orders()["openOrders"]
    assert (listed["order_id"], listed["reduceOnly"], listed["unfilledSize"]) == (
        closing["order_id"],
        True,
        0.01,
    )
    assert _status_rows(trade, orderIds=[growing["order_id"]]) == [
        (growing["order_id"], "REJECTED", "WOULD_NOT_REDUCE_POSITION", "WOULD_NOT_REDUCE_POSITION")
    ]


def test_pks_edit_and_cancel(base: str) -> None:
    trade, user = _pks(base, _account(base))
    first = _oid(
        trade.create_order(
            orderType="lmt", side="buy", size=0.01, symbol=XBT, limitPrice=59000, cliOrdId="e1"
        )
    )
    second = _oid(
        trade.create_order(
            orderType="lmt", side="buy", size=0.01, symbol=XBT, limitPrice=58000, cliOrdId="e2"
        )
    )
    stop = _oid(
        trade.create_order(
            orderType="stp", side="sell", size=0.01, symbol=XBT, limitPrice=49000, stopPrice=50000
        )
    )
    eth = _oid(
        trade.create_order(
            orderType="lmt", side="buy", size=0.1, symbol="PF_ETHUSD", limitPrice=2900
        )
    )
    _advance(base, 1000)

    edited = trade.edit_order(orderId=first, size=0.02, limitPrice=59500)
    assert edited == {
        "result": "success",
        "serverTime": T1,
        "editStatus": {
            "status": "edited",
            "orderId": first,
            "receivedTime": T1,
            "orderEvents": [
                {
                    "type": "EDIT",
                    "old": _order(first, "buy", 0.01, 59000, cliOrdId="e1"),
                    "new": _order(first, "buy", 0.02, 59500, cliOrdId="e1", lastUpdateTimestamp=T1),
                    "reducedQuantity": None,
                }
            ],
        },
    }
    by_client = trade.edit_order(cliOrdId="e2", limitPrice=57000)["editStatus"]
    assert (by_client["status"], by_client["orderId"], by_client["cliOrdId"]) == (
        "edited",
        second,
        "e2",
    )
    assert by_client["orderEvents"][0]["new"]["limitPrice"] == 57000
    moved = trade.edit_order(orderId=stop, stopPrice=51000, limitPrice=50000)["editStatus"]
    assert moved["orderEvents"] == [
        {
            "type": "EDIT",
            "old": _trigger(stop, "sell", 0.01, 50000, 49000, "trigger_below", "last_price"),
            "new": _trigger(
                stop,
                "sell",
                0.01,
                51000,
                50000,
                "trigger_below",
                "last_price",
                lastUpdateTimestamp=T1,
            ),
            "reducedQuantity": None,
        }
    ]
    # editStatus is never mapped to an exception by the SDK
    missing = trade.edit_order(orderId=UNKNOWN_ID, size=1)["editStatus"]
    assert missing == {
        "status": "orderForEditNotFound",
        "orderId": UNKNOWN_ID,
        "receivedTime": T1,
        "orderEvents": [],
    }

    cancelled = trade.cancel_order(order_id=first)["cancelStatus"]
    assert cancelled == {
        "status": "cancelled",
        "receivedTime": T1,
        "order_id": first,
        "orderEvents": [
            {
                "type": "CANCEL",
                "uid": first,
                "order": _order(first, "buy", 0.02, 59500, cliOrdId="e1", lastUpdateTimestamp=T1),
            }
        ],
    }
    by_cli = trade.cancel_order(cliOrdId="e2")["cancelStatus"]
    assert (by_cli["status"], by_cli["order_id"], by_cli["cliOrdId"]) == ("cancelled", second, "e2")
    assert trade.cancel_order(order_id=UNKNOWN_ID)["cancelStatus"] == {
        "status": "notFound",
        "receivedTime": T1,
    }
    assert trade.cancel_order(order_id=first)["cancelStatus"]["status"] == "notFound"

    only_eth = trade.cancel_all_orders(symbol="PF_ETHUSD")["cancelStatus"]
    assert (only_eth["cancelOnly"], only_eth["status"], only_eth["cancelledOrders"]) == (
        "PF_ETHUSD",
        "cancelled",
        [{"order_id": eth}],
    )
    assert _open_ids(user) == [stop]
    everything = trade.cancel_all_orders()["cancelStatus"]
    assert everything == {
        "receivedTime": T1,
        "cancelOnly": "all",
        "status": "cancelled",
        "cancelledOrders": [{"order_id": stop}],
        "orderEvents": [
            {
                "type": "CANCEL",
                "uid": stop,
                "orderTrigger": _trigger(
                    stop,
                    "sell",
                    0.01,
                    51000,
                    50000,
                    "trigger_below",
                    "last_price",
                    lastUpdateTimestamp=T1,
                ),
            }
        ],
    }
    nothing = trade.cancel_all_orders()["cancelStatus"]
    assert (nothing["status"], nothing["cancelledOrders"], nothing["orderEvents"]) == (
        "noOrdersToCancel",
        [],
        [],
    )
    assert _status_rows(trade, orderIds=[first, stop]) == [
        (first, "CANCELLED", "CANCELLED_BY_USER", None),
        (stop, "CANCELLED", "CANCELLED_BY_USER", None),
    ]


def test_pks_dead_mans_switch_fires_on_the_admin_clock(base: str) -> None:
    trade, user = _pks(base, _account(base))
    resting = _oid(
        trade.create_order(
            orderType="lmt", side="buy", size=0.01, symbol=XBT, limitPrice=59000, cliOrdId="d1"
        )
    )
    stop = _oid(
        trade.create_order(
            orderType="stp",
            side="sell",
            size=0.01,
            symbol=XBT,
            stopPrice=50000,
            triggerSignal="mark",
        )
    )

    armed = trade.dead_mans_switch(timeout=60)
    assert armed == {
        "result": "success",
        "serverTime": T0,
        "status": {"currentTime": T0, "triggerTime": "2026-01-01T00:01:00.000Z"},
    }
    assert _advance(base, 59_999)["timer_events"] == 0
    assert sorted(_open_ids(user)) == sorted([stop, resting])
    assert _advance(base, 1)["timer_events"] == 2
    assert user.get_open_orders()["openOrders"] == []
    assert _status_rows(trade, orderIds=[resting, stop]) == [
        (resting, "CANCELLED", "DEAD_MAN_SWITCH", None),
        (stop, "CANCELLED", "DEAD_MAN_SWITCH", None),
    ]

    # re-armed, then disarmed with 0: nothing fires any more
    later = _oid(
        trade.create_order(orderType="lmt", side="buy", size=0.01, symbol=XBT, limitPrice=59000)
    )
    assert trade.dead_mans_switch(timeout=30)["status"]["triggerTime"] == (
        "2026-01-01T00:01:30.000Z"
    )
    assert trade.dead_mans_switch(timeout=0)["status"] == {
        "currentTime": "2026-01-01T00:01:00.000Z",
        "triggerTime": "0",
    }
    assert _advance(base, 120_000)["timer_events"] == 0
    assert _open_ids(user) == [later]


def test_pks_batch_send_edit_cancel(base: str) -> None:
    trade, user = _pks(base, _account(base))
    first = _oid(
        trade.create_order(
            orderType="lmt", side="buy", size=0.01, symbol=XBT, limitPrice=59000, cliOrdId="e1"
        )
    )
    second = _oid(
        trade.create_order(orderType="lmt", side="buy", size=0.01, symbol=XBT, limitPrice=58000)
    )

    out = trade.create_batch_order(
        batchorder_list=[
            {
                "order": "send",
                "order_tag": "1",
                "orderType": "lmt",
                "symbol": XBT,
                "side": "sell",
                "size": 0.01,
                "limitPrice": 61000,
                "cliOrdId": "b1",
            },
            {
                "order": "send",
                "order_tag": "2",
                "orderType": "stp",
                "symbol": XBT,
                "side": "sell",
                "size": 0.01,
                "limitPrice": 55000,
                "stopPrice": 56000,
            },
            {"order": "edit", "order_id": first, "size": 0.02, "limitPrice": 59500},
            {"order": "cancel", "order_id": second},
            {"order": "cancel", "cliOrdId": "b1"},
        ]
    )
    sent, stop, edited, cancelled, by_cli = out["batchStatus"]
    sent_id, stop_id = sent["order_id"], stop["order_id"]
    assert sent == {
        "status": "placed",
        "order_tag": "1",
        "cliOrdId": "b1",
        "order_id": sent_id,
        "dateTimeReceived": T0,
        "orderEvents": [
            {
                "type": "PLACE",
                "reducedQuantity": None,
                "order": _order(sent_id, "sell", 0.01, 61000, cliOrdId="b1"),
            }
        ],
    }
    assert stop == {
        "status": "placed",
        "order_tag": "2",
        "order_id": stop_id,
        "dateTimeReceived": T0,
        "orderEvents": [
            {
                "type": "PLACE",
                "orderTrigger": _trigger(
                    stop_id, "sell", 0.01, 56000, 55000, "trigger_below", "last_price"
                ),
            }
        ],
    }
    assert edited == {
        "status": "edited",
        "order_id": first,
        "orderEvents": [
            {
                "type": "EDIT",
                "reducedQuantity": None,
                "old": _order(first, "buy", 0.01, 59000, cliOrdId="e1"),
                "new": _order(first, "buy", 0.02, 59500, cliOrdId="e1"),
            }
        ],
    }
    assert cancelled == {
        "status": "cancelled",
        "order_id": second,
        "orderEvents": [
            {"type": "CANCEL", "uid": second, "order": _order(second, "buy", 0.01, 58000)}
        ],
    }
    assert (by_cli["status"], by_cli["cliOrdId"], by_cli["orderEvents"][0]["uid"]) == (
        "cancelled",
        "b1",
        sent_id,
    )
    assert sorted(_open_ids(user)) == sorted([stop_id, first])  # all received at T0

    # a `notFound` entry is in the SDK's exception map: the whole call raises, although the
    # other instruction of the batch was carried out
    with pytest.raises(KrakenNotFoundError):
        trade.create_batch_order(
            batchorder_list=[
                {
                    "order": "send",
                    "order_tag": "3",
                    "orderType": "lmt",
                    "symbol": XBT,
                    "side": "buy",
                    "size": 0.01,
                    "limitPrice": 57000,
                    "cliOrdId": "b3",
                },
                {"order": "cancel", "order_id": UNKNOWN_ID},
            ]
        )
    assert sorted(str(o.get("cliOrdId")) for o in user.get_open_orders()["openOrders"]) == [
        "None",
        "b3",
        "e1",
    ]


# == ccxt =======================================================================================
_UNIFIED = (
    "id",
    "clientOrderId",
    "status",
    "type",
    "side",
    "amount",
    "filled",
    "remaining",
    "postOnly",
    "reduceOnly",
    "triggerPrice",
)


def _u(order: Json) -> tuple[Any, ...]:
    return tuple(order[k] for k in _UNIFIED)


def test_ccxt_create_order_types(base: str) -> None:
    maker = _ccxt(base, _account(base))
    taker = _ccxt(base, _account(base))
    ask = maker.create_order(BTC, "limit", "sell", 0.02, 60100)

    bid = taker.create_order(BTC, "limit", "buy", 0.01, 59000, {"clientOrderId": "cx 1"})
    assert _u(bid) == (
        bid["id"],
        "cx 1",
        "open",
        "limit",
        "buy",
        0.01,
        0.0,
        0.01,
        False,
        False,
        None,
    )
    assert bid["info"]["orderEvents"][0]["order"] == _order(
        bid["id"], "buy", 0.01, 59000, cliOrdId="cx 1"
    )
    post = taker.create_order(BTC, "limit", "sell", 0.01, 61000, {"postOnly": True})
    assert _u(post)[2:] == ("open", "limit", "sell", 0.01, 0.0, 0.01, True, False, None)
    assert post["info"]["orderEvents"][0]["order"]["type"] == "post"

    market = taker.create_order(BTC, "market", "buy", 0.01)
    assert _u(market)[2:] == ("closed", "market", "buy", 0.01, 0.01, 0.0, False, False, None)
    assert (market["average"], market["cost"]) == (60100.0, 601.0)
    assert market["info"]["orderEvents"][0]["orderPriorExecution"]["limitPrice"] == 60600
    # IOC through timeInForce: takes the 0.01 left at 60,100, the rest is dropped
    ioc = taker.create_order(BTC, "limit", "buy", 0.02, 60100, {"timeInForce": "ioc"})
    assert (ioc["filled"], ioc["timeInForce"], ioc["average"]) == (0.01, "ioc", 60100.0)
    assert ioc["info"]["orderEvents"][0]["orderPriorExecution"]["type"] == "ioc"
    assert taker.fetch_order(ioc["id"])["status"] == "canceled"  # done, 0.01 unfilled
    assert maker.fetch_order(ask["id"])["status"] == "closed"

    stop = taker.create_order(
        BTC, "limit", "sell", 0.01, 55000, {"triggerPrice": 56000, "triggerSignal": "mark"}
    )
    assert (stop["triggerPrice"], stop["status"], stop["reduceOnly"]) == (56000.0, "open", False)
    assert stop["info"]["orderEvents"][0]["orderTrigger"] == _trigger(
        stop["id"], "sell", 0.01, 56000, 55000, "trigger_below", "mark_price"
    )
    stop_loss = taker.create_order(BTC, "market", "sell", 0.01, None, {"stopLossPrice": 50000})
    assert stop_loss["info"]["orderEvents"][0]["orderTrigger"] == _trigger(
        stop_loss["id"], "sell", 0.01, 50000, None, "trigger_below", "last_price", reduceOnly=True
    )
    take_profit = taker.create_order(BTC, "market", "sell", 0.01, None, {"takeProfitPrice": 70000})
    assert take_profit["info"]["orderEvents"][0]["orderTrigger"] == _trigger(
        take_profit["id"], "sell", 0.01, 70000, None, "trigger_above", "last_price", reduceOnly=True
    )
    # reduce-only above the long of 0.02: trimmed
    closing = taker.create_order(BTC, "limit", "sell", 0.05, 62000, {"reduceOnly": True})
    (place,) = closing["info"]["orderEvents"]
    assert (closing["reduceOnly"], closing["amount"], place["reducedQuantity"]) == (
        True,
        0.02,
        0.03,
    )

    listed = {o["id"]: o for o in taker.fetch_open_orders()}
    assert set(listed) == {
        bid["id"],
        post["id"],
        stop["id"],
        stop_loss["id"],
        take_profit["id"],
        closing["id"],
    }
    assert (listed[stop["id"]]["triggerPrice"], listed[stop["id"]]["info"]["orderType"]) == (
        56000.0,
        "stp",
    )
    assert listed[take_profit["id"]]["info"]["orderType"] == "take_profit"
    assert (listed[bid["id"]]["remaining"], listed[bid["id"]]["clientOrderId"]) == (0.01, "cx 1")

    (position,) = taker.fetch_positions()
    assert (
        position["symbol"],
        position["side"],
        position["contracts"],
        position["entryPrice"],
    ) == (BTC, "long", 0.02, 60100.0)
    usd = taker.fetch_balance()["USD"]
    # total: fees 2 x 0.3005. free: equity (total - 2 unrealised) - initial margin with orders,
    # the worst case being the long of 0.02 plus the resting bid of 0.01: 2 % of 0.03 x 60,000
    assert (usd["total"], usd["free"]) == (99999.399, 99961.399)
    trades = taker.fetch_my_trades()
    assert sorted(
        (t["order"], t["side"], t["amount"], t["price"], t["takerOrMaker"]) for t in trades
    ) == sorted(
        [
            (market["id"], "buy", 0.01, 60100.0, "taker"),
            (ioc["id"], "buy", 0.01, 60100.0, "taker"),
        ]
    )


def test_ccxt_edit_cancel_batch_and_dead_mans_switch(base: str) -> None:
    ex = _ccxt(base, _account(base))
    order = ex.create_order(BTC, "limit", "buy", 0.01, 59000, {"clientOrderId": "x1"})

    edited = ex.edit_order(order["id"], BTC, "limit", "buy", 0.02, 58000)
    assert _u(edited) == (
        order["id"],
        "x1",
        "open",
        "limit",
        "buy",
        0.02,
        0.0,
        0.02,
        False,
        False,
        None,
    )
    assert edited["info"]["editStatus"]["orderEvents"][0]["new"] == _order(
        order["id"], "buy", 0.02, 58000, cliOrdId="x1"
    )
    fetched = ex.fetch_order(order["id"])
    assert (
        fetched["status"],
        fetched["amount"],
        fetched["info"]["order"]["limitPrice"],
        fetched["info"]["updateReason"],
    ) == ("open", 0.02, 58000, "EDITED_BY_USER")

    cancelled = ex.cancel_order(order["id"])
    assert (cancelled["id"], cancelled["status"]) == (order["id"], "canceled")
    assert ex.fetch_order(order["id"])["status"] == "canceled"

    batch = ex.create_orders(
        [
            {"symbol": BTC, "type": "limit", "side": "buy", "amount": 0.01, "price": 57000},
            {
                "symbol": BTC,
                "type": "limit",
                "side": "sell",
                "amount": 0.01,
                "price": 63000,
                "params": {"clientOrderId": "s1"},
            },
            {
                "symbol": BTC,
                "type": "limit",
                "side": "sell",
                "amount": 0.01,
                "price": 56000,
                "params": {"postOnly": True},
            },
        ]
    )
    by_tag = {o["info"]["order_tag"]: o for o in batch}
    assert sorted(by_tag) == [0, 1, 2]
    assert [(by_tag[t]["status"], by_tag[t]["info"]["status"]) for t in (0, 1, 2)] == [
        ("open", "placed"),
        ("open", "placed"),
        ("rejected", "postWouldExecute"),
    ]
    assert by_tag[1]["clientOrderId"] == "s1"
    assert by_tag[2]["info"]["orderEvents"][0]["reason"] == "POST_WOULD_EXECUTE"
    ids = [by_tag[0]["id"], by_tag[1]["id"]]
    assert sorted(o["id"] for o in ex.fetch_open_orders()) == sorted(ids)

    gone = ex.cancel_orders(ids)
    assert sorted((o["id"], o["status"]) for o in gone) == sorted(
        [(ids[0], "canceled"), (ids[1], "canceled")]
    )
    assert ex.fetch_open_orders() == []

    xbt = ex.create_order(BTC, "limit", "buy", 0.01, 50000)
    eth = ex.create_order("ETH/USD:USD", "limit", "buy", 0.1, 2900)
    assert [o["id"] for o in ex.cancel_all_orders(BTC)] == [xbt["id"]]
    assert [o["id"] for o in ex.fetch_open_orders()] == [eth["id"]]
    assert [o["id"] for o in ex.cancel_all_orders()] == [eth["id"]]
    assert ex.cancel_all_orders() == []

    resting = ex.create_order(BTC, "limit", "buy", 0.01, 50000)
    armed = ex.cancel_all_orders_after(10_000)  # milliseconds; sent as timeout=10
    assert armed["status"] == {"currentTime": T0, "triggerTime": "2026-01-01T00:00:10.000Z"}
    assert _advance(base, 9_999)["timer_events"] == 0
    assert [o["id"] for o in ex.fetch_open_orders()] == [resting["id"]]
    assert _advance(base, 1)["timer_events"] == 1
    assert ex.fetch_open_orders() == []
    fired = ex.fetch_order(resting["id"])
    assert (fired["status"], fired["info"]["updateReason"]) == ("canceled", "DEAD_MAN_SWITCH")
    assert ex.cancel_all_orders_after(0)["status"]["triggerTime"] == "0"


def test_ccxt_mapped_exceptions(base: str) -> None:
    ex = _ccxt(base, _account(base))
    resting = ex.create_order(BTC, "limit", "buy", 0.01, 59000, {"clientOrderId": "dup"})

    with pytest.raises(ccxt.OrderImmediatelyFillable):  # postWouldExecute
        ex.create_order(BTC, "limit", "sell", 0.01, 59000, {"postOnly": True})
    with pytest.raises(ccxt.OrderNotFillable):  # iocWouldNotExecute
        ex.create_order(BTC, "limit", "buy", 0.01, 60000, {"timeInForce": "ioc"})
    with pytest.raises(ccxt.OrderNotFillable):  # a market order with an empty book
        ex.create_order(BTC, "market", "buy", 0.01)
    with pytest.raises(ccxt.InsufficientFunds):  # IM 2 % of 100 x 59,000 > 100,000
        ex.create_order(BTC, "limit", "buy", 100, 59000)
    with pytest.raises(ccxt.OrderNotFound):  # cancel: notFound
        ex.cancel_order(UNKNOWN_ID)
    with pytest.raises(ccxt.OrderNotFound):  # edit: orderForEditNotFound
        ex.edit_order(UNKNOWN_ID, BTC, "limit", "buy", 0.01, 58000)
    # ccxt rounds prices to the tick itself; the venue's own field and edit_order (which sends
    # the raw float) reach the server off the 1 USD grid: invalidPrice
    with pytest.raises(ccxt.InvalidOrder, match="invalidPrice"):
        ex.create_order(BTC, "limit", "buy", 0.01, 59000, {"limitPrice": "59000.5"})
    with pytest.raises(ccxt.InvalidOrder, match="invalidPrice"):
        ex.edit_order(resting["id"], BTC, "limit", "buy", 0.01, 59000.5)
    with pytest.raises(ccxt.DuplicateOrderId):  # clientOrderIdAlreadyExist
        ex.create_order(BTC, "limit", "buy", 0.01, 58000, {"clientOrderId": "dup"})
    with pytest.raises(ccxt.BadSymbol, match="contractNotFound"):
        ex.create_order(BTC, "limit", "buy", 0.01, 59000, {"symbol": "PF_DOGEUSD"})

    # none of the refusals changed anything
    (still,) = ex.fetch_open_orders()
    assert (still["id"], still["amount"], still["info"]["limitPrice"]) == (
        resting["id"],
        0.01,
        59000,
    )
    assert ex.fetch_positions() == []
    assert ex.fetch_balance()["USD"]["total"] == 100000.0
