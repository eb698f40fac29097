"""The `kraken_exchange` fixture used directly (the plugin is loaded by its pytest11 entry
point): the default in-process exchange, its URLs and accounts, every helper, and the settings
a `kraken_exchange` marker chooses. In external mode (KRAKEN_FUTURES_MOCK_URL set) these tests
are skipped: they assert what an in-process exchange looks like."""

from __future__ import annotations

import json
from decimal import Decimal

import httpx
import pytest
from websockets.sync.client import connect

from client.admin import AdminInputError, AdminNotFoundError, ClockMove
from mock_exchange.testing import KrakenExchange

D = Decimal
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z, the plugin's start
DEMO1_KEY = "+JOi7vsyVV5xwYaQ7kLJC3G7VNjRAbW5w00L/5AVAoDgmexs1zY8pYXn"  # seed 1 (docs/cli.md)

pytestmark = pytest.mark.kraken_exchange(seed=1)  # in-process only: skipped when external


def test_default_exchange(kraken_exchange: KrakenExchange) -> None:
    ex = kraken_exchange
    assert ex.rest_url.startswith("http://127.0.0.1:") and not ex.external
    assert ex.ws_url == ex.rest_url.replace("http://", "ws://") + "/ws/v1"
    assert list(ex.accounts) == ["demo1", "demo2"]
    assert ex["demo1"].api_key == DEMO1_KEY and ex.seed == 1
    state = ex.state()
    assert state.server == {"seed": 1, "clock": "manual", "makers": False}
    assert state.clock.now_ms == T0 and state.clock.kind == "manual"
    assert state.orders == () and all(not m.bids and not m.asks for m in state.markets.values())
    assert state.markets["PF_XBTUSD"].mark == D(60_000)
    demo1 = state.account_named("demo1")
    assert demo1.wallets["flex"] == {"USD": D(100_000)}
    assert demo1.wallets["fi_xbtusd"] == {"XBT": D(1)}
    public = httpx.get(ex.rest_url + "/derivatives/api/v3/tickers").json()
    assert public["result"] == "success"


def test_the_websocket_url_answers_a_challenge(kraken_exchange: KrakenExchange) -> None:
    with connect(kraken_exchange.ws_url) as ws:
        assert json.loads(ws.recv(timeout=5)) == {"event": "info", "version": 1}
        ws.send(json.dumps({"event": "challenge", "api_key": kraken_exchange["demo2"].api_key}))
        answer = json.loads(ws.recv(timeout=5))
        assert answer["event"] == "challenge" and len(answer["message"]) == 36


def test_clock_helpers(kraken_exchange: KrakenExchange) -> None:
    ex = kraken_exchange
    assert ex.advance(1_500) == ClockMove(T0 + 1_500, 0)
    assert ex.now_ms() == T0 + 1_500
    assert ex.set_time(T0 + 3_600_000).now_ms == T0 + 3_600_000
    with pytest.raises(AdminInputError) as back:
        ex.set_time(T0)
    assert back.value.message.endswith("a clock cannot move backwards")
    assert ex.now_ms() == T0 + 3_600_000


def test_price_market_and_funding_helpers(kraken_exchange: KrakenExchange) -> None:
    ex = kraken_exchange
    prices = ex.set_prices("PF_XBTUSD", mark=58_000, index="58010.5")
    assert (prices.mark, prices.index, prices.last) == (D(58_000), D("58010.5"), D(60_000))
    assert ex.set_market_state("PF_ETHUSD", "post_only").state == "post_only"
    assert ex.set_funding_rate("PF_XBTUSD", "0.0003").effective_rate == D("0.0003")
    market = ex.state().markets
    assert market["PF_ETHUSD"].state == "post_only"
    assert market["PF_XBTUSD"].funding_rate_override == D("0.0003")


def test_accounts_cancel_and_reset(kraken_exchange: KrakenExchange) -> None:
    ex = kraken_exchange
    alice = ex.open_account("alice", balances={"USD": 5_000})
    assert ex["alice"] == alice and list(ex.accounts) == ["demo1", "demo2", "alice"]
    with pytest.raises(ValueError, match=r"^this test already has an account called 'alice'$"):
        ex.open_account("alice")
    with pytest.raises(KeyError, match=r"no account 'bob' in this exchange \(ready: demo1, "):
        ex["bob"]
    order = _rest_order(ex, "alice")
    cancelled = ex.cancel_order(order)
    assert (cancelled.account_id, cancelled.reason) == (alice.account_id, "cancelled_by_admin")
    ex.advance(10_000)
    keys = ex.reset()
    assert list(keys) == ["demo1", "demo2"] and keys["demo1"].api_key == DEMO1_KEY
    assert list(ex.accounts) == ["demo1", "demo2"] and ex.now_ms() == T0
    with pytest.raises(AdminNotFoundError):
        ex.admin.account(alice.account_id)


def _rest_order(ex: KrakenExchange, name: str) -> str:
    """A resting limit buy through python-kraken-sdk; its order id."""
    from kraken.futures import Trade

    keys = ex[name]
    trade = Trade(key=keys.api_key, secret=keys.api_secret, url=ex.rest_url)
    sent = trade.create_order(orderType="lmt", side="buy", size=0.01, symbol="PF_XBTUSD",
                              limitPrice=50_000)  # fmt: skip
    assert sent["sendStatus"]["status"] == "placed"
    return str(sent["sendStatus"]["order_id"])


@pytest.mark.kraken_exchange(makers=True, seed=7)
def test_marker_turns_makers_on(kraken_exchange: KrakenExchange) -> None:
    state = kraken_exchange.state()
    assert state.server == {"seed": 7, "clock": "manual", "makers": True}
    xbt = state.markets["PF_XBTUSD"]
    assert len(xbt.bids) == 5 and len(xbt.asks) == 5 and xbt.bids[0][0] < xbt.asks[0][0]
    assert kraken_exchange.seed == 7


@pytest.mark.kraken_exchange(
    prices={"XBT": 65_000}, symbols=["PF_XBTUSD"], start="2026-03-01T12:00:00Z",
    accounts=[{"name": "alice", "balances": {"USD": 2_500}}],
)  # fmt: skip
def test_marker_sets_market_and_accounts(kraken_exchange: KrakenExchange) -> None:
    state = kraken_exchange.state()
    assert list(state.markets) == ["PF_XBTUSD"] and state.markets["PF_XBTUSD"].mark == D(65_000)
    assert state.clock.time == "2026-03-01T12:00:00.000Z"
    assert list(kraken_exchange.accounts) == ["alice"]
    assert state.account_named("alice").wallets["flex"] == {"USD": D(2_500)}
