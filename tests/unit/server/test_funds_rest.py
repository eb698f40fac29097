"""Transfers, subaccounts, RFQs (v1 and v2) and the assignment program over signed REST calls.

The routes are appended to a fresh app here, so these tests run before `create_app` wires them.
"""

from __future__ import annotations

import json
from decimal import Decimal as D
from typing import Any

import pytest
from support import KrakenTestClient, served_account

from mock_exchange.admin import funds as admin_funds
from mock_exchange.engine import commands as c
from mock_exchange.server import funds
from mock_exchange.server.app import create_app

Json = dict[str, Any]
V3 = "/derivatives/api/v3"


@pytest.fixture
def app() -> Any:
    app = create_app()
    known = {getattr(r, "path", None) for r in app.router.routes}
    app.router.routes.extend(
        r for r in [*funds.routes, *admin_funds.routes] if getattr(r, "path", None) not in known
    )
    return app


def sub_of(app: Any, master: KrakenTestClient, name: str, usd: int = 0) -> KrakenTestClient:
    state = app.state.mx
    out = state.exchange.submit(c.OpenAccount(name, {"flex": {"USD": D(usd)}},
                                              master.account_id))  # type: ignore[attr-defined]
    key = state.keys.issue(out.account_id)
    client = KrakenTestClient(app, key.key, key.secret)
    client.account_id = out.account_id  # type: ignore[attr-defined]
    return client


def bal(app: Any, client: KrakenTestClient, wallet: str = "flex", cur: str = "USD") -> D:
    acct = app.state.mx.exchange.accounts[client.account_id]  # type: ignore[attr-defined]
    return acct.wallets[wallet].balance(cur) if wallet in acct.wallets else D(0)


def call(client: KrakenTestClient, method: str, path: str, **params: object) -> Json:
    out = client.call(method, f"{V3}/{path}", params)
    assert isinstance(out, dict)
    return out


def json_call(client: KrakenTestClient, method: str, path: str, body: Json) -> Json:
    """A signed request with an application/json body (SPEC's v1 offer calls)."""
    from mock_exchange.protocol.auth import endpoint_path_for, sign_rest

    raw = json.dumps(body)
    client.nonce += 1
    headers = {"Content-Type": "application/json", "APIKey": client.key, "Nonce": str(client.nonce),
               "Authent": sign_rest(client.secret, raw, str(client.nonce),
                                    endpoint_path_for(V3 + "/" + path))}
    out = client.http.request(method, f"{V3}/{path}", content=raw, headers=headers).json()
    assert isinstance(out, dict)
    return out


def admin(client: KrakenTestClient, method: str, path: str, body: Json | None = None) -> Any:
    response = client.http.request(method, path, content=json.dumps(body or {}))
    return response.status_code, response.json()


# -- transfers ---------------------------------------------------------------------------
def test_wallet_transfer_both_parameter_styles(app: Any) -> None:
    alice = served_account(app, usd=1000)
    out = alice.post("transfer", fromAccount="flex", toAccount="cash", unit="usd", amount="100")
    assert out == {"result": "success", "serverTime": "2026-01-01T00:00:00.000Z"}
    query = alice.call("POST", f"{V3}/transfer", {"fromAccount": "cash", "toAccount": "flex",
                                                  "unit": "USD", "amount": 40}, style="query")
    assert isinstance(query, dict) and query["result"] == "success"
    assert (bal(app, alice), bal(app, alice, "cash")) == (D(940), D(60))


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"fromAccount": "flex", "toAccount": "cash", "unit": "USD", "amount": "5000"},
         "insufficientFunds"),
        ({"fromAccount": "flex", "toAccount": "fi_nope", "unit": "USD", "amount": "1"},
         "invalidAccount"),
        ({"fromAccount": "flex", "toAccount": "fi_xbtusd", "unit": "USD", "amount": "1"},
         "invalidUnit"),
        ({"fromAccount": "flex", "toAccount": "cash", "unit": "USD", "amount": "-1"},
         "invalidAmount"),
        ({"fromAccount": "flex", "toAccount": "cash", "unit": "USD", "amount": "ten"},
         "invalidAmount"),
        ({"fromAccount": "flex", "toAccount": "cash", "amount": "1"}, "requiredArgumentMissing"),
    ],
)
def test_transfer_errors_change_nothing(app: Any, params: Json, error: str) -> None:
    alice = served_account(app, usd=1000)
    out = alice.post("transfer", **params)
    assert (out["result"], out["error"]) == ("error", error)  # type: ignore[index]
    assert (bal(app, alice), bal(app, alice, "cash")) == (D(1000), D(0))


def test_withdrawal_returns_a_uid_and_the_admin_api_shows_spot(app: Any) -> None:
    alice = served_account(app, usd=1000)
    out = alice.post("withdrawal", currency="usd", amount="250", sourceWallet="flex")
    assert isinstance(out, dict) and out["result"] == "success" and len(out["uid"]) == 36
    assert alice.post("withdrawal", currency="USD", amount="1")["error"] == "Unavailable"  # type: ignore[index]
    status, shown = admin(alice, "GET", f"/__admin/accounts/{alice.account_id}")  # type: ignore[attr-defined]
    assert status == 200 and shown["wallets"]["spot"] == {"USD": "250"}
    assert shown["wallets"]["flex"] == {"USD": "750"}
    history = alice.get("transfers")
    assert [(t["from"], t["to"], t["asset"], t["amount"]) for t in history["transfers"]] == [  # type: ignore[index]
        ("futures", "spot", "usd", 250)]
    assert admin(alice, "GET", "/__admin/accounts/nope")[0] == 404


def test_subaccounts_listing_trading_switch_and_transfers(app: Any) -> None:
    master = served_account(app, "m", usd=1000)
    sub = sub_of(app, master, "desk-a")
    listed = master.get("subaccounts")
    assert isinstance(listed, dict)
    assert listed["masterAccountUid"] == master.account_id  # type: ignore[attr-defined]
    (entry,) = listed["subaccounts"]
    assert (entry["accountUid"], entry["email"], entry["fullName"]) == (
        sub.account_id, "desk-a", None)  # type: ignore[attr-defined]
    assert {"currency": "usd", "amount": 0} in entry["holdingAccounts"]
    assert entry["futuresAccounts"] == [{"name": "f-xbt:usd", "availableMargin": 0}]
    assert entry["flexAccount"]["availableMargin"] == 0
    assert sub.get("subaccounts")["subaccounts"] == []  # type: ignore[index]

    path = f"{V3}/subaccount/{sub.account_id}/trading-enabled"  # type: ignore[attr-defined]
    assert master.call("GET", path) == {"tradingEnabled": True}
    assert master.call("PUT", path, {"tradingEnabled": "False"}, style="query") == {
        "tradingEnabled": False}
    assert master.call("GET", path) == {"tradingEnabled": False}
    assert master.call("GET", f"{V3}/subaccount/nope/trading-enabled")["error"] == "notFound"  # type: ignore[index]
    assert master.last_status == 404
    assert sub.call("GET", path)["error"] == "authenticationError"  # type: ignore[index]

    out = master.post("transfer/subaccount", fromUser=master.account_id,  # type: ignore[attr-defined]
                      toUser=sub.account_id, fromAccount="flex", toAccount="cash",  # type: ignore[attr-defined]
                      unit="USD", amount="125.5")
    assert out["result"] == "success"  # type: ignore[index]
    assert (bal(app, master), bal(app, sub, "cash")) == (D("874.5"), D("125.5"))
    bad = master.post("transfer/subaccount", fromUser="main-user", toUser=sub.account_id,  # type: ignore[attr-defined]
                      fromAccount="flex", toAccount="cash", unit="USD", amount="1")
    assert bad["error"] == "invalidArgument"  # type: ignore[index]


def test_a_disabled_subaccount_cannot_send_orders(app: Any) -> None:
    master = served_account(app, "m")
    sub = sub_of(app, master, "s", usd=10_000)
    master.call("PUT", f"{V3}/subaccount/{sub.account_id}/trading-enabled",  # type: ignore[attr-defined]
                {"tradingEnabled": "false"})
    out = sub.post("sendorder", orderType="lmt", symbol="PF_XBTUSD", side="buy", size="0.1",
                   limitPrice="59000")
    assert out["error"] == "accountInactive"  # type: ignore[index]


# -- RFQs ---------------------------------------------------------------------------------
def test_rfq_v2_and_v1_on_one_book_end_to_end(app: Any) -> None:
    b, cc = served_account(app, "b"), served_account(app, "c")
    status, made = admin(b, "POST", "/__admin/rfqs",
                         {"symbol": "pf_xbtusd", "side": "buy", "size": 1, "lifetime_ms": 60000})
    assert status == 200
    uid = made["rfq_uid"]
    public = KrakenTestClient(app)
    listed = call(public, "GET", "rfqs")["rfqs"]
    assert listed == [{"uid": uid, "rfqUid": uid, "expiry": "2026-01-01T00:01:00.000Z",
                       "markPrice": 60000, "status": "open",
                       "legs": [{"symbol": "PF_XBTUSD", "size": 1, "markPrice": 60000}]}]
    assert call(public, "GET", f"rfqs/{uid}")["rfq"]["uid"] == uid
    v2 = call(b, "POST", f"rfqs/place-offer/{uid}", ask="60100")
    assert v2["result"] == "success" and "reason" not in v2
    again = call(b, "POST", f"rfqs/place-offer/{uid}", ask="60090")
    assert again["reason"] == "offerAlreadyExists" and again["result"] == "success"
    v1 = cc.call("POST", f"{V3}/rfqs/{uid}/place-offer", raw_body='{"bid":59900,"ask":60050}')
    assert isinstance(v1, dict) and "offerUid" in v1
    assert call(cc, "PUT", f"rfqs/{uid}/replace-offer", bid="59920", ask="60045") == {
        "result": "success", "serverTime": "2026-01-01T00:00:00.000Z"}
    replaced = json_call(cc, "PUT", f"rfqs/{uid}/replace-offer", {"bid": 59910, "ask": 60040})
    assert replaced["result"] == "success"
    mine = call(cc, "GET", "rfqs/open-offers")
    assert mine["offers"] == mine["openOffers"]
    (shown,) = mine["offers"]
    assert (shown["uid"], shown["bid"], shown["ask"], shown["status"]) == (
        v1["offerUid"], "59910", "60040", "open")
    status, trade = admin(b, "POST", f"/__admin/rfqs/{uid}/accept", {})
    assert status == 200 and trade["status"] == "filled_ask_side"
    assert trade["offer_account_id"] == cc.account_id  # type: ignore[attr-defined]
    assert trade["trades"][0]["price"] == "60040" and trade["trades"][0]["fill_type"] == "block"
    assert call(public, "GET", "rfqs")["rfqs"] == []
    assert call(public, "GET", f"rfqs/{uid}")["rfq"]["status"] == "filled_ask_side"
    closed = call(b, "GET", "rfqs/closed-offers")["offers"]
    assert [o["status"] for o in closed] == ["filled_ask_side"]
    assert call(b, "DELETE", f"rfqs/{uid}/cancel-offer")["error"] == "rfqNotFound"
    refused = call(b, "DELETE", f"rfqs/cancel-offer/{uid}")
    assert (refused["status"], refused["reason"]) == ("failed", "rfqNotFound")
    assert call(public, "GET", "rfqs/nope")["error"] == "rfqNotFound"


def test_users_create_quote_and_accept_rfqs(app: Any) -> None:
    a, b = served_account(app, "a"), served_account(app, "b")
    doc = json.dumps({"legs": [{"tradeable": "PF_XBTUSD", "size": 0.5}]})
    made = call(a, "POST", "rfqs/open-rfqs", json=doc)
    assert made["status"] == "placed"
    uid = made["rfqUid"]
    failed = call(a, "POST", "rfqs/open-rfqs", json=json.dumps({"legs": []}))
    assert (failed["status"], failed["reason"]) == ("failed", "noLegsSpecified")
    assert call(a, "POST", "rfqs/open-rfqs", json="{nope")["error"] == "Json Parse Error"
    per_leg = json.dumps([{"tradeable": "PF_XBTUSD", "price": 59950}])
    assert "offerUid" in call(b, "POST", f"rfqs/place-offer/{uid}", bidSide=per_leg)
    (own,) = call(a, "GET", "rfqs/open-rfqs")["rfqs"]
    assert (own["bestBid"], own["bidSide"], own["askSide"]) == (
        29975, [{"tradeable": "PF_XBTUSD", "price": 59950}], None)
    stale = call(a, "POST", f"rfqs/open-rfqs/accept-offer/{uid}", bidAccepted="29976")
    assert stale["reason"] == "offerNoLongerValid"
    assert call(b, "POST", f"rfqs/open-rfqs/accept-offer/{uid}", bidAccepted="true")[
        "reason"] == "rfqNotFound"
    done = call(a, "POST", f"rfqs/open-rfqs/accept-offer/{uid}", bidAccepted="29975")
    assert done["rfqUid"] == uid and "reason" not in done
    exchange = app.state.mx.exchange
    assert exchange.accounts[b.account_id].position_size("PF_XBTUSD") == D("0.5")  # type: ignore[attr-defined]
    second = call(a, "POST", "rfqs/open-rfqs", json=doc)["rfqUid"]
    assert call(a, "DELETE", f"rfqs/open-rfqs/{second}")["rfqUid"] == second
    assert call(a, "DELETE", f"rfqs/open-rfqs/{second}")["reason"] == "rfqNotFound"


def test_admin_rfq_input_is_checked(app: Any) -> None:
    a = served_account(app)
    assert admin(a, "POST", "/__admin/rfqs", {"symbol": "PF_NOPE", "size": 1})[0] == 400
    assert admin(a, "POST", "/__admin/rfqs", {"symbol": "PF_XBTUSD", "size": 0})[0] == 400
    assert admin(a, "POST", "/__admin/rfqs", {"symbol": "PF_XBTUSD", "size": 1,
                                              "side": "up"})[0] == 400
    assert admin(a, "POST", "/__admin/rfqs/nope/accept", {})[0] == 404
    uid = admin(a, "POST", "/__admin/rfqs", {"symbol": "PF_XBTUSD", "size": 1})[1]["rfq_uid"]
    status, body = admin(a, "POST", f"/__admin/rfqs/{uid}/accept", {})
    assert (status, body["error"]) == (409, "accept refused: offerNotFound")


def test_expired_rfqs_leave_the_open_list(app: Any) -> None:
    a = served_account(app)
    admin(a, "POST", "/__admin/rfqs", {"symbol": "PF_XBTUSD", "size": 1, "lifetime_ms": 5000})
    app.state.mx.exchange.clock.advance(5000)
    public = KrakenTestClient(app)
    assert call(public, "GET", "rfqs")["rfqs"] == []


# -- assignment program -------------------------------------------------------------------
def test_assignment_program_endpoints(app: Any) -> None:
    a = served_account(app)
    added = call(a, "POST", "assignmentprogram/add", contractType="flex", contract="pf_xbtusd",
                 maxSize="250000", maxPosition="1000000", acceptLong="true",
                 acceptShort="False", timeFrame="weekdays", enabled="True")
    participant = {"contractType": "flex", "contract": "PF_XBTUSD", "maxSize": 250000,
                   "maxPosition": 1000000, "acceptLong": True, "acceptShort": False,
                   "timeFrame": "WEEKDAYS", "enabled": True}
    assert (added["id"], added["participant"]) == (1, participant)
    assert call(a, "GET", "assignmentprogram/current")["participants"] == [
        {"id": 1, "participant": participant}]
    bad = call(a, "POST", "assignmentprogram/add", contractType="flex", acceptLong="true",
               acceptShort="true", timeFrame="sometimes", enabled="true")
    assert bad["error"] == "invalidArgument: timeFrame"
    scope = call(a, "POST", "assignmentprogram/add", contractType="cash", acceptLong="true",
                 acceptShort="true", timeFrame="ALL", enabled="true")
    assert scope["error"] == "invalidArgument"
    deleted = call(a, "POST", "assignmentprogram/delete", id="1")
    assert (deleted["id"], deleted["participant"]) == (1, participant)
    assert call(a, "POST", "assignmentprogram/delete", id="1")["error"] == "notFound"
    history = call(a, "GET", "assignmentprogram/history")["participants"]
    assert [(h["deleted"], h["timestamp"]) for h in history] == [
        (False, "2026-01-01T00:00:00.000Z"), (True, "2026-01-01T00:00:00.000Z")]
