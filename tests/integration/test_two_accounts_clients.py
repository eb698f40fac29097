"""Two accounts trade with each other through the two real client libraries over real sockets:
alice uses python-kraken-sdk 3.5.1, bob uses ccxt 4.5.90 (both unmodified, base URLs repointed,
real-clients-on-the-wire.md §1.1 and §1.3).

Fresh `create_app()` server: manual clock at 2026-01-01T00:00Z, PF_XBTUSD mark 60,000, no
makers, so every trade is between alice and bob. Fees: maker 0.02 %, taker 0.05 %, charged in
USD on the flex wallet; initial margin 2 %.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import ccxt
import httpx
import pytest
from integration.server import running_server
from kraken.futures import Trade, User

from mock_exchange.server.app import create_app

T0 = "2026-01-01T00:00:00.000Z"
T1 = "2026-01-01T00:00:01.000Z"
XBT = "PF_XBTUSD"
BTC = "BTC/USD:USD"


@pytest.fixture
def base() -> Iterator[str]:
    with running_server(create_app()) as url:
        yield url


def _admin(base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = httpx.post(f"{base}/__admin/{path}", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _ccxt(base: str, acct: dict[str, Any]) -> Any:
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


def test_pks_and_ccxt_accounts_trade_with_each_other(base: str) -> None:
    alice_keys = _admin(base, "accounts", {"name": "alice", "balances": {"USD": 100_000}})
    bob_keys = _admin(base, "accounts", {"name": "bob", "balances": {"USD": 100_000}})
    alice = Trade(key=alice_keys["api_key"], secret=alice_keys["api_secret"], url=base)
    alice_user = User(key=alice_keys["api_key"], secret=alice_keys["api_secret"], url=base)
    bob = _ccxt(base, bob_keys)

    # -- round 1 at T0: alice (PKS) makes, bob (ccxt) takes at market --------------------------
    ask = alice.create_order(
        orderType="lmt", side="sell", size=0.1, symbol=XBT, limitPrice=60000, cliOrdId="alice ask"
    )["sendStatus"]
    assert ask["status"] == "placed"
    bought = bob.create_order(BTC, "market", "buy", 0.1)
    assert (bought["status"], bought["filled"], bought["average"], bought["cost"]) == (
        "closed",
        0.1,
        60000.0,
        6000.0,
    )

    (short,) = alice_user.get_open_positions()["openPositions"]
    (long,) = bob.fetch_positions()
    assert (short["side"], short["size"], short["price"]) == ("short", 0.1, 60000)
    assert (long["side"], long["contracts"], long["entryPrice"]) == ("long", 0.1, 60000.0)
    # maker 0.02 % of 6,000 = 1.2; taker 0.05 % of 6,000 = 3
    assert alice_user.get_wallets()["accounts"]["flex"]["currencies"]["USD"]["quantity"] == (
        99998.8
    )
    assert bob.fetch_balance()["USD"]["total"] == 99997.0

    # -- round 2 at T1: bob (ccxt) makes post-only, alice (PKS) takes with a crossing limit -----
    _admin(base, "clock", {"advance_ms": 1000})
    offer = bob.create_order(BTC, "limit", "sell", 0.04, 60500, {"postOnly": True})
    assert (offer["status"], offer["postOnly"]) == ("open", True)
    lifted = alice.create_order(
        orderType="lmt", side="buy", size=0.04, symbol=XBT, limitPrice=60500
    )["sendStatus"]
    (execution,) = lifted["orderEvents"]
    assert (lifted["status"], execution["type"], execution["price"], execution["amount"]) == (
        "placed",
        "EXECUTION",
        60500,
        0.04,
    )
    assert bob.fetch_order(offer["id"])["status"] == "closed"

    # positions: opposite and equal, both entered at 60,000
    (short,) = alice_user.get_open_positions()["openPositions"]
    (long,) = bob.fetch_positions()
    assert (short["side"], short["size"], short["price"]) == ("short", 0.06, 60000)
    assert (long["side"], long["contracts"], long["entryPrice"]) == ("long", 0.06, 60000.0)

    # fills on both sides, newest first, with maker/taker fill types
    alice_fills = [
        (
            f["order_id"],
            f["side"],
            f["size"],
            f["price"],
            f["fillTime"],
            f["fillType"],
            f.get("cliOrdId"),
        )
        for f in alice.get_fills()["fills"]
    ]
    assert alice_fills == [
        (lifted["order_id"], "buy", 0.04, 60500, T1, "taker", None),
        (ask["order_id"], "sell", 0.1, 60000, T0, "maker", "alice ask"),
    ]
    bob_fills = [
        (
            t["order"],
            t["side"],
            t["amount"],
            t["price"],
            t["datetime"],
            t["takerOrMaker"],
            t["info"]["fillType"],
        )
        for t in bob.fetch_my_trades()
    ]
    assert sorted(bob_fills, key=lambda t: t[4], reverse=True) == [
        (offer["id"], "sell", 0.04, 60500.0, T1, "maker", "maker"),
        (bought["id"], "buy", 0.1, 60000.0, T0, "taker", "taker"),
    ]

    # balances reduced by exact fees, plus the realised PnL of the 0.04 closed at 60,500:
    # alice: - 1.2 - 0.04 x 500 - 0.05 % of 2,420 (1.21); bob: - 3 + 20 - 0.02 % of 2,420 (0.484)
    flex = alice_user.get_wallets()["accounts"]["flex"]
    assert (flex["balanceValue"], flex["pnl"], flex["initialMargin"]) == (99977.59, 0, 72)
    usd = bob.fetch_balance()["USD"]
    assert (usd["total"], usd["free"]) == (100016.516, 99944.516)

    # a mark move shows the two positions as mirror images
    _admin(base, "prices", {"symbol": XBT, "mark": 61000})
    flex = alice_user.get_wallets()["accounts"]["flex"]
    assert (flex["pnl"], flex["portfolioValue"], flex["initialMargin"]) == (-60, 99917.59, 73.2)
    usd = bob.fetch_balance()["USD"]
    # free = equity (total + 60 unrealised) - 2 % of 0.06 x 61,000
    assert (usd["total"], usd["free"]) == (100016.516, 100003.316)
