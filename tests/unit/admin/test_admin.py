"""The admin API in process: every route, its answers, and bad input that changes nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient
from support import KrakenTestClient, served_account

from mock_exchange.config import Settings, build
from mock_exchange.engine import commands as c
from mock_exchange.engine.events import AccountLiquidated
from mock_exchange.engine.reasons import UpdateReason
from mock_exchange.server.app import create_app
from mock_exchange.server.state import ServerSettings

Json = dict[str, Any]
D = Decimal


def _client(app: Any) -> TestClient:
    return TestClient(app)


@pytest.fixture
def app() -> Any:
    """A plain app: manual clock at 2026-01-01, no accounts, no makers."""
    return create_app()


@pytest.fixture
def admin(app: Any) -> TestClient:
    return _client(app)


def _state(admin: TestClient) -> Json:
    response = admin.get("/__admin/state")
    assert response.status_code == 200
    body: Json = response.json()
    return body


def _account(state: Json, account_id: str) -> Json:
    (found,) = [a for a in state["accounts"] if a["account_id"] == account_id]
    return found


# -- health, switch, state -----------------------------------------------------------------


def test_health(admin: TestClient) -> None:
    response = admin.get("/__admin/health")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


def test_admin_can_be_switched_off() -> None:
    off = _client(create_app(settings=ServerSettings(admin=False)))
    for method, path in [("GET", "/__admin/health"), ("GET", "/__admin/state"),
                         ("POST", "/__admin/reset"), ("POST", "/__admin/prices")]:
        assert off.request(method, path).status_code == 404


def test_state_shows_clock_markets_orders_and_accounts(app: Any, admin: TestClient) -> None:
    alice = served_account(app, "alice")
    alice.post("sendorder", orderType="lmt", symbol="PF_XBTUSD", side="buy", size="0.5",
               limitPrice="59000", cliOrdId="c1")
    state = _state(admin)
    assert state["clock"] == {"now_ms": 1_767_225_600_000, "time": "2026-01-01T00:00:00.000Z",
                              "kind": "manual", "next_deadline_ms": 1_767_229_200_000}
    xbt = state["markets"]["PF_XBTUSD"]
    assert (xbt["state"], xbt["mark"], xbt["bids"], xbt["asks"]) == (
        "open", "60000", [["59000", "0.5"]], [])
    (order,) = state["orders"]
    assert (order["cli_ord_id"], order["side"], order["size"], order["limit_price"]) == (
        "c1", "buy", "0.5", "59000")
    account = _account(state, alice.account_id)  # type: ignore[attr-defined]
    assert account["wallets"]["flex"] == {"USD": "100000"}
    assert account["open_orders"] == 1


def test_wrong_method_is_not_a_server_error(admin: TestClient) -> None:
    assert admin.get("/__admin/prices").status_code == 405


# -- accounts ------------------------------------------------------------------------------


def test_open_account_with_exact_balances_and_a_working_key(app: Any, admin: TestClient) -> None:
    response = admin.post("/__admin/accounts", content=b'{"name": "carol", "balances": '
                          b'{"USD": 2500.10, "XBT": "0.1"}, "wallets": {"fi_xbtusd": {"XBT": 1}}}')
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"account_id", "name", "api_key", "api_secret"}
    assert body["name"] == "carol" and len(body["api_secret"]) == 88
    wallets = _account(_state(admin), body["account_id"])["wallets"]
    assert wallets["flex"] == {"USD": "2500.1", "XBT": "0.1"}
    assert wallets["fi_xbtusd"] == {"XBT": "1"}
    assert app.state.mx.exchange.accounts[body["account_id"]].wallets["flex"].balances == {
        "USD": D("2500.10"), "XBT": D("0.1")}
    client = KrakenTestClient(app, body["api_key"], body["api_secret"])
    out = client.post("sendorder", orderType="post", symbol="PF_XBTUSD", side="buy",
                      size="0.01", limitPrice="50000")
    assert isinstance(out, dict) and out["sendStatus"]["status"] == "placed"


def test_open_account_without_a_body(admin: TestClient) -> None:
    body = admin.post("/__admin/accounts").json()
    assert body["name"] == "account-1"


def test_open_a_subaccount(app: Any, admin: TestClient) -> None:
    master = admin.post("/__admin/accounts", json={"name": "m"}).json()["account_id"]
    sub = admin.post("/__admin/accounts", json={"master": master}).json()["account_id"]
    assert app.state.mx.exchange.accounts[sub].master_id == master
    bad = admin.post("/__admin/accounts", json={"master": "nobody"})
    assert bad.status_code == 400 and "unknown master" in bad.json()["error"]


@pytest.mark.parametrize("payload, message", [
    (b"{", "not valid JSON"),
    (b"[1]", "must be a JSON object"),
    (b'{"nam": "x"}', "unknown field(s): nam"),
    (b'{"name": ""}', "name must be a non-empty string"),
    (b'{"balances": {"USD": -1}}', "balances.USD must not be negative"),
    (b'{"balances": {"USD": NaN}}', "not valid JSON"),
    (b'{"balances": {"USD": "Infinity"}}', "must be finite"),
    (b'{"balances": {"USD": true}}', "must be a number"),
    (b'{"balances": {"USD": "ten"}}', "not a number"),
    (b'{"balances": {"DOGE": 1}}', "unknown currency 'DOGE'"),
    (b'{"balances": [1]}', "balances must be a JSON object"),
    (b'{"wallets": {"fi_ethusd": {"ETH": 1}}}', "unknown wallet 'fi_ethusd'"),
    (b'{"wallets": {"fi_xbtusd": {"USD": 1}}}', "unknown currency 'USD'"),
    (b'{"balances": {"USD": 1}, "wallets": {"flex": {"USD": 1}}}', "not both"),
    (b'{"balances": {"USD": "1e30"}}', "out of range"),
])
def test_bad_account_input_is_400_and_changes_nothing(
    app: Any, admin: TestClient, payload: bytes, message: str
) -> None:
    before = (app.state.mx.exchange.seq, len(app.state.mx.exchange.accounts))
    response = admin.post("/__admin/accounts", content=payload)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert (app.state.mx.exchange.seq, len(app.state.mx.exchange.accounts)) == before


# -- clock ---------------------------------------------------------------------------------


def test_manual_clock_moves_and_timers_fire(app: Any, admin: TestClient) -> None:
    start = 1_767_225_600_000
    assert admin.post("/__admin/clock", json={"advance_ms": 1500}).json() == {
        "now_ms": start + 1500, "timer_events": 0}
    alice = served_account(app, "alice")
    alice.post("sendorder", orderType="lmt", symbol="PF_XBTUSD", side="buy", size="1",
               limitPrice="59000")
    alice.post("cancelallordersafter", timeout="10")
    out = admin.post("/__admin/clock", json={"set_ms": str(start + 11_500)}).json()
    assert out["now_ms"] == start + 11_500 and out["timer_events"] == 1
    assert app.state.mx.exchange.orders == {}
    assert admin.get("/__admin/clock").json()["now_ms"] == start + 11_500


@pytest.mark.parametrize("payload, message", [
    ({}, "exactly one of"),
    ({"advance_ms": 1, "set_ms": 2}, "exactly one of"),
    ({"advance_ms": -1}, "cannot move backwards"),
    ({"advance_ms": 1.5}, "whole number"),
    ({"set_ms": 0}, "cannot move backwards"),
    ({"advance_ms": 10**17}, "at most"),
    ({"step": 1}, "unknown field"),
])
def test_bad_clock_input(app: Any, admin: TestClient, payload: Json, message: str) -> None:
    response = admin.post("/__admin/clock", json=payload)
    assert response.status_code == 400 and message in response.json()["error"]
    assert app.state.mx.exchange.clock.now_ms() == 1_767_225_600_000


def test_real_clock_cannot_be_moved() -> None:
    app, _ = build(Settings(seed=1, clock="real", makers=False))
    response = _client(app).post("/__admin/clock", json={"advance_ms": 1000})
    assert response.status_code == 409
    assert "--clock manual" in response.json()["error"]


# -- prices, markets, funding, cancel -------------------------------------------------------


def test_prices_liquidate_at_once(app: Any, admin: TestClient) -> None:
    ex = app.state.mx.exchange
    events: list[Any] = []
    ex.subscribe(events.extend)
    long = served_account(app, "long", usd=1_000)
    short = served_account(app, "short")
    short.post("sendorder", orderType="lmt", symbol="PF_XBTUSD", side="sell", size="0.1",
               limitPrice="60000")
    long.post("sendorder", orderType="mkt", symbol="PF_XBTUSD", side="buy", size="0.1")
    assert ex.accounts[long.account_id].position_size("PF_XBTUSD") == D("0.1")  # type: ignore[attr-defined]
    response = admin.post("/__admin/prices", json={"symbol": "pf_xbtusd", "mark": "50000",
                                                   "index": 50010.5})
    assert response.json() == {"symbol": "PF_XBTUSD", "mark": "50000", "index": "50010.5",
                               "last": "60000"}
    assert [e.account_id for e in events if isinstance(e, AccountLiquidated)] == [
        long.account_id]  # type: ignore[attr-defined]
    assert ex.accounts[long.account_id].position_size("PF_XBTUSD") == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("payload, message", [
    ({"mark": 1}, "missing field: symbol"),
    ({"symbol": "PF_DOGEUSD", "mark": 1}, "unknown symbol PF_DOGEUSD"),
    ({"symbol": "PF_XBTUSD"}, "at least one of"),
    ({"symbol": "PF_XBTUSD", "mark": 0}, "greater than zero"),
    ({"symbol": "PF_XBTUSD", "mark": 1, "last": -5}, "greater than zero"),
    ({"symbol": 5, "mark": 1}, "symbol must be a non-empty string"),
])
def test_bad_prices_change_nothing(app: Any, admin: TestClient, payload: Json,
                                   message: str) -> None:
    response = admin.post("/__admin/prices", json=payload)
    assert response.status_code == 400 and message in response.json()["error"]
    assert app.state.mx.exchange.seq == 0
    assert app.state.mx.exchange.markets["PF_XBTUSD"].mark == 60000


def test_market_state(app: Any, admin: TestClient) -> None:
    response = admin.post("/__admin/markets/pf_ethusd", json={"state": "suspended"})
    assert response.json() == {"symbol": "PF_ETHUSD", "state": "suspended"}
    assert _state(admin)["markets"]["PF_ETHUSD"]["state"] == "suspended"
    bad = admin.post("/__admin/markets/PF_ETHUSD", json={"state": "closed"})
    assert bad.status_code == 400 and "open, post_only, suspended, inactive" in bad.json()["error"]
    assert admin.post("/__admin/markets/NOPE", json={"state": "open"}).status_code == 404
    assert app.state.mx.exchange.markets["PF_ETHUSD"].state.value == "suspended"


def test_admin_cancel(app: Any, admin: TestClient) -> None:
    alice = served_account(app, "alice")
    out = alice.post("sendorder", orderType="lmt", symbol="PF_XBTUSD", side="buy", size="1",
                     limitPrice="59000", cliOrdId="mine")
    order_id = out["sendStatus"]["order_id"]  # type: ignore[index]
    response = admin.post(f"/__admin/orders/{order_id}/cancel")
    assert response.json() == {"order_id": order_id, "cli_ord_id": "mine",
                               "account_id": alice.account_id,  # type: ignore[attr-defined]
                               "symbol": "PF_XBTUSD", "status": "cancelled",
                               "reason": "cancelled_by_admin"}
    assert app.state.mx.exchange.closed[order_id].reason is UpdateReason.CANCELLED_BY_ADMIN
    again = admin.post(f"/__admin/orders/{order_id}/cancel")
    assert again.status_code == 404 and "no open order" in again.json()["error"]


def test_funding_rate(app: Any, admin: TestClient) -> None:
    out = admin.post("/__admin/funding", json={"symbol": "PF_XBTUSD", "rate": "0.0001"}).json()
    assert out == {"symbol": "PF_XBTUSD", "rate": "0.0001", "effective_rate": "0.0001"}
    back = admin.post("/__admin/funding", json={"symbol": "PF_XBTUSD", "rate": None}).json()
    assert back == {"symbol": "PF_XBTUSD", "rate": None, "effective_rate": "0"}
    dated = next(s for s in app.state.mx.exchange.markets if s.startswith("FF_"))
    response = admin.post("/__admin/funding", json={"symbol": dated, "rate": 0})
    assert response.status_code == 400 and "not a perpetual" in response.json()["error"]
    assert admin.post("/__admin/funding", json={"symbol": "PF_XBTUSD"}).status_code == 400


# -- reset ---------------------------------------------------------------------------------


def test_reset_of_a_plain_app_gives_a_fresh_exchange(app: Any, admin: TestClient) -> None:
    alice = served_account(app, "alice")
    admin.post("/__admin/clock", json={"advance_ms": 5000})
    out = admin.post("/__admin/reset").json()
    assert out == {"status": "ok", "now_ms": 1_767_225_600_000, "accounts": []}
    assert alice.account_id not in app.state.mx.exchange.accounts  # type: ignore[attr-defined]
    assert app.state.mx.keys.get(alice.key) is None
    assert admin.post("/__admin/reset", json={"x": 1}).status_code == 400


def test_reset_returns_to_the_configured_start() -> None:
    app, info = build(Settings(seed=3, clock="manual"))
    admin = _client(app)
    first = _state(admin)
    created = admin.post("/__admin/accounts", json={"balances": {"USD": 10}}).json()
    admin.post("/__admin/prices", json={"symbol": "PF_XBTUSD", "mark": 70000})
    admin.post("/__admin/markets/PF_ETHUSD", json={"state": "inactive"})
    admin.post("/__admin/clock", json={"advance_ms": 30_000})
    assert _state(admin) != first
    out = admin.post("/__admin/reset").json()
    assert out["accounts"] == [a.as_json() for a in info.accounts]  # same seed, same keys
    assert _state(admin) == first
    assert app.state.mx.keys.get(created["api_key"]) is None
    demo = info.accounts[0]
    client = KrakenTestClient(app, demo.api_key, demo.api_secret)
    placed = client.post("sendorder", orderType="post", symbol="PF_XBTUSD", side="buy",
                         size="0.01", limitPrice="50000")
    assert placed["sendStatus"]["status"] == "placed"  # type: ignore[index]


def test_makers_follow_admin_prices_and_clock() -> None:
    app, _ = build(Settings(seed=3, clock="manual"))
    admin = _client(app)
    admin.post("/__admin/prices", json={"symbol": "PF_XBTUSD", "mark": 70000})
    book = _state(admin)["markets"]["PF_XBTUSD"]
    assert D(book["bids"][0][0]) < 70000 < D(book["asks"][0][0])
    assert D(book["asks"][0][0]) - D(book["bids"][0][0]) < 100
    seq = app.state.mx.exchange.seq
    admin.post("/__admin/clock", json={"advance_ms": 3_000})
    assert app.state.mx.exchange.seq > seq  # three maker steps: prices moved, quotes followed
    admin.post("/__admin/markets/PF_SOLUSD", json={"state": "inactive"})
    sol = _state(admin)["markets"]["PF_SOLUSD"]
    assert (sol["bids"], sol["asks"]) == ([], [])


def test_same_seed_same_state() -> None:
    def run() -> Json:
        app, _ = build(Settings(seed=11, clock="manual"))
        admin = _client(app)
        admin.post("/__admin/clock", json={"advance_ms": 20_000})
        app.state.mx.exchange.submit(c.SetPrices("PF_ETHUSD", mark=D("2900")))
        return _state(admin)

    assert run() == run()


# -- robustness ----------------------------------------------------------------------------

_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
    | st.sampled_from(["PF_XBTUSD", "0.5", "-1", "1e30", "USD", "open", "NaN"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(
        ["symbol", "mark", "index", "last", "state", "rate", "advance_ms", "set_ms", "name",
         "balances", "wallets", "USD", "XBT", "flex", "fi_xbtusd", "x"]), inner, max_size=4),
    max_leaves=8,
)
_POSTS = ["/__admin/accounts", "/__admin/clock", "/__admin/prices", "/__admin/funding",
          "/__admin/markets/PF_XBTUSD", "/__admin/orders/x/cancel"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_POSTS), _JSON)
def test_any_admin_body_gets_a_json_answer_and_refusals_change_nothing(
    path: str, body: Any
) -> None:
    app = create_app()
    ex = app.state.mx.exchange
    before = (ex.seq, len(ex.accounts), ex.clock.now_ms())
    response = _client(app).post(path, content=json.dumps(body))  # NaN too
    assert response.status_code in (200, 400, 404), response.text
    if response.status_code != 200:
        assert set(response.json()) == {"error"}
        assert (ex.seq, len(ex.accounts), ex.clock.now_ms()) == before
