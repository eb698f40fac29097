"""E4 end to end over real sockets (issue 5): wallet transfers, withdrawals to spot, subaccounts,
the assignment program; RFQs are in test_rfq_e2e.py, on these helpers. A fresh `create_app()`
per test under uvicorn: manual clock at 2026-01-01T00:00Z (a Thursday), PF_XBTUSD mark 60,000,
no makers. REST calls are signed with `sign_rest` over httpx and read with exact decimals; feeds
come from the `websockets` client on /ws/v1 (JSON doubles).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from integration.server import running_server
from unit.history.ledger_tap import as_feed
from websockets.sync.client import ClientConnection, connect

from mock_exchange.protocol.auth import endpoint_path_for, sign_challenge, sign_rest
from mock_exchange.server.app import create_app

Json = dict[str, Any]
D = Decimal
SENTINEL = {"event": "alert", "message": "Bad websocket message"}
FORM = "application/x-www-form-urlencoded"


@dataclass
class Account:
    account_id: str
    key: str
    secret: str


class Feed:
    """One WebSocket connection subscribed to private feeds; `snapshots` by feed name."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.snapshots: dict[str, Json] = {}

    def send(self, message: Json) -> None:
        self.ws.send(json.dumps(message))

    def next(self) -> Json:
        return dict(json.loads(self.ws.recv(timeout=5)))

    def drain(self, feed: str | None = None) -> list[Json]:
        """Every message queued so far (a command's come before its REST answer); `feed`'s only."""
        self.send({"event": "sentinel"})
        out: list[Json] = []
        while (message := self.next()) != SENTINEL:
            out.append(message)
        return [m for m in out if feed is None or m.get("feed") == feed]


class Live:
    """A running server with admin, signed REST and WebSocket helpers."""

    def __init__(self, base: str, stack: contextlib.ExitStack) -> None:
        self.base = base
        self.stack = stack
        self.http = httpx.Client(base_url=base, timeout=10)
        self.nonce = 1_800_000_000_000_000_000

    # -- admin
    def admin(self, method: str, path: str, body: Json | None = None) -> tuple[int, Json]:
        content = None if method == "GET" else json.dumps(body or {})
        response = self.http.request(method, path, content=content)
        return response.status_code, dict(response.json())

    def admin_ok(self, method: str, path: str, body: Json | None = None) -> Json:
        status, out = self.admin(method, path, body)
        assert status == 200, out
        return out

    def account(self, usd: int | str | None = 100_000, **extra: Any) -> Account:
        body = ({"balances": {"USD": usd}} if usd is not None else {}) | extra
        out = self.admin_ok("POST", "/__admin/accounts", body)
        return Account(out["account_id"], out["api_key"], out["api_secret"])

    def house_positions(self) -> list[Json]:
        state = self.admin_ok("GET", "/__admin/state")
        (house,) = [a for a in state["accounts"] if a["account_id"] == "house"]
        return list(house["positions"])

    # -- Kraken REST
    def call(self, acct: Account | None, method: str, endpoint: str,
             params: Json | None = None, json_body: Json | None = None) -> Json:
        """Signed when `acct` is given; GET parameters in the query, others in a form body."""
        path = endpoint if endpoint.startswith("/api/") else f"/derivatives/api/v3/{endpoint}"
        encoded = urlencode(params or {})
        query, body = (encoded, "") if method == "GET" else ("", encoded)
        headers = {"Content-Type": FORM}
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body), "application/json"
        if acct is not None:
            self.nonce += 1
            nonce = str(self.nonce)
            signature = sign_rest(acct.secret, query + body, nonce, endpoint_path_for(path))
            headers |= {"APIKey": acct.key, "Nonce": nonce, "Authent": signature}
        url = f"{path}?{query}" if query else path
        response = self.http.request(method, url, content=body, headers=headers)
        return dict(json.loads(response.text, parse_float=D))

    def ok(self, acct: Account | None, method: str, endpoint: str, **params: Any) -> Json:
        out = self.call(acct, method, endpoint, params)
        assert out.get("result") == "success" and "reason" not in out, out
        return out

    def place(self, acct: Account, side: str, size: str, price: str) -> Json:
        params = {"orderType": "lmt", "symbol": "PF_XBTUSD", "side": side, "size": size}
        return self.call(acct, "POST", "sendorder", params | {"limitPrice": price})

    def wallets(self, acct: Account) -> Json:
        return dict(self.ok(acct, "GET", "accounts")["accounts"])

    def flex_usd(self, acct: Account) -> Decimal:
        currencies = self.wallets(acct)["flex"]["currencies"]
        return D(currencies["USD"]["quantity"]) if "USD" in currencies else D(0)

    def cash(self, acct: Account) -> Json:
        return dict(self.wallets(acct)["cash"]["balances"])

    def logs(self, acct: Account) -> list[Json]:
        return list(self.call(acct, "GET", "/api/history/v3/account-log")["logs"])

    def fills(self, acct: Account) -> list[Json]:
        return list(self.ok(acct, "GET", "fills")["fills"])

    def positions(self, acct: Account) -> list[tuple[str, str, Decimal, Decimal]]:
        shown = self.ok(acct, "GET", "openpositions")["openPositions"]
        return [(p["symbol"], p["side"], D(p["size"]), D(p["price"])) for p in shown]

    # -- WebSocket
    def watch(self, acct: Account, *feeds: str) -> Feed:
        ws = self.stack.enter_context(connect(self.base.replace("http", "ws") + "/ws/v1"))
        feed = Feed(ws)
        assert feed.next() == {"event": "info", "version": 1}
        feed.send({"event": "challenge", "api_key": acct.key})
        challenge = feed.next()["message"]
        for name in feeds:
            signed = sign_challenge(acct.secret, challenge)
            feed.send({"event": "subscribe", "feed": name, "api_key": acct.key,
                       "original_challenge": challenge, "signed_challenge": signed})
            assert feed.next() == {"event": "subscribed", "feed": name}
            feed.snapshots[name] = feed.next()
        return feed


@pytest.fixture
def live() -> Iterator[Live]:
    with running_server(create_app()) as base, contextlib.ExitStack() as stack:
        yield Live(base, stack)


def transfer(frm: str, to: str, unit: str, amount: str) -> Json:
    return {"fromAccount": frm, "toAccount": to, "unit": unit, "amount": amount}


def of(messages: list[Json], feed: str, key: str) -> list[Any]:
    """`key` of each message of `feed`; for fills, each fill."""
    found = [m[key] for m in messages if m["feed"] == feed]
    return [f for batch in found for f in batch] if key == "fills" else found


def ledger(messages: list[Json]) -> list[tuple[str, str, float, float]]:
    entries = of(messages, "account_log", "new_entry")
    return [(e["info"], e["margin_account"], e["old_balance"], e["new_balance"]) for e in entries]


# -- wallet transfers -----------------------------------------------------------------------
def test_flex_to_cash_and_back_moves_exactly_the_amount_everywhere(live: Live) -> None:
    alice = live.account(1000)
    feed = live.watch(alice, "balances", "account_log")
    assert feed.snapshots["balances"]["holding"] == {}

    live.ok(alice, "POST", "transfer", **transfer("flex", "cash", "usd", "125.5"))
    assert (live.flex_usd(alice), live.cash(alice)) == (D("874.5"), {"usd": D("125.5")})
    assert live.wallets(alice)["flex"]["availableMargin"] == D("874.5")
    messages = feed.drain()
    (balances,) = [m for m in messages if m["feed"] == "balances"]
    assert balances["holding"] == {"USD": 125.5}
    assert balances["flex_futures"]["currencies"]["USD"]["quantity"] == 874.5
    assert balances["flex_futures"]["available_margin"] == 874.5
    assert ledger(messages) == [("transfer", "flex", 1000.0, 874.5), ("transfer", "cash", 0, 125.5)]
    assert {e["asset"] for e in of(messages, "account_log", "new_entry")} == {"usd"}

    live.ok(alice, "POST", "transfer", **transfer("cash", "flex", "USD", "25.5"))
    messages = feed.drain()
    assert ledger(messages) == [("transfer", "cash", 125.5, 100), ("transfer", "flex", 874.5, 900)]
    (balances,) = [m for m in messages if m["feed"] == "balances"]
    assert balances["holding"] == {"USD": 100.0}
    assert balances["flex_futures"]["currencies"]["USD"]["quantity"] == 900.0
    assert (live.flex_usd(alice), live.cash(alice)) == (D(900), {"usd": D(100)})

    history = live.logs(alice)
    moves = [(e["margin_account"], e["old_balance"], e["new_balance"]) for e in history
             if e["info"] == "transfer"]
    assert moves == [("flex", D("874.5"), D(900)), ("cash", D("125.5"), D(100)),
                     ("cash", D(0), D("125.5")), ("flex", D(1000), D("874.5"))]  # newest first


def test_feed_and_history_give_a_transfer_entry_the_same_booking_uid(live: Live) -> None:
    alice = live.account(1000)
    feed = live.watch(alice, "account_log")
    live.ok(alice, "POST", "transfer", **transfer("flex", "cash", "USD", "100"))
    streamed = [e["new_entry"] for e in feed.drain("account_log")]
    history = [e for e in live.logs(alice) if e["info"] == "transfer"][::-1]  # oldest first
    assert [e["booking_uid"] for e in streamed] == [e["booking_uid"] for e in history]
    assert len({e["booking_uid"] for e in streamed}) == 2
    assert [e["id"] for e in streamed] == [2, 3]  # after the opening deposit
    assert streamed == [as_feed(e) for e in history]  # field by field


def test_feed_and_history_name_the_single_collateral_wallet_alike(live: Live) -> None:
    xavier = live.account(None, wallets={"flex": {"XBT": "1"}})
    feed = live.watch(xavier, "account_log")
    live.ok(xavier, "POST", "transfer", **transfer("flex", "fi_xbtusd", "BTC", "0.25"))
    assert live.wallets(xavier)["fi_xbtusd"]["balances"] == {"xbt": D("0.25")}
    streamed = [e["new_entry"]["margin_account"] for e in feed.drain("account_log")]
    history = live.logs(xavier)
    assert streamed == ["flex", "f-xbt:usd"]
    assert [e["margin_account"] for e in history if e["info"] == "transfer"] == streamed[::-1]


def test_withdrawals_and_subaccount_transfers_are_logged_alike_on_both(live: Live) -> None:
    master = live.account(1000)
    sub = live.account(None, master=master.account_id)
    feeds = {a.account_id: live.watch(a, "account_log") for a in (master, sub)}
    live.ok(master, "POST", "transfer/subaccount", fromUser=master.account_id,
            toUser=sub.account_id, **transfer("flex", "cash", "USD", "300"))
    live.ok(master, "POST", "withdrawal", currency="usd", amount="200", sourceWallet="flex")
    for acct, expected in (
        (master, [("subaccount transfer", "flex", 1000, 700),
                  ("cross-exchange transfer", "flex", 700, 500)]),
        (sub, [("subaccount transfer", "cash", 0, 300)]),
    ):
        streamed = [m["new_entry"] for m in feeds[acct.account_id].drain("account_log")]
        history = live.logs(acct)[: len(expected)][::-1]
        assert ledger([{"feed": "account_log", "new_entry": e} for e in streamed]) == expected
        assert streamed == [as_feed(e) for e in history]
    assert {e["info"] for e in live.logs(master)} == {
        "admin transfer", "subaccount transfer", "cross-exchange transfer"}


def test_refused_transfers_change_nothing(live: Live) -> None:
    alice = live.account(1000)
    feed = live.watch(alice, "balances", "account_log")
    before = live.wallets(alice)
    refusals = [
        (transfer("flex", "cash", "USD", "1000.01"), "insufficientFunds"),
        (transfer("cash", "flex", "USD", "1"), "insufficientFunds"),
        (transfer("flex", "fi_nope", "USD", "1"), "invalidAccount"),
        (transfer("flex", "spot", "USD", "1"), "invalidAccount"),
        (transfer("flex", "flex", "USD", "1"), "invalidAccount"),
        (transfer("flex", "fi_xbtusd", "USD", "1"), "invalidUnit"),
        (transfer("flex", "cash", "DOGE", "1"), "invalidUnit"),
        (transfer("flex", "cash", "USD", "0"), "invalidAmount"),
        (transfer("flex", "cash", "USD", "-5"), "invalidAmount"),
        (transfer("flex", "cash", "USD", "ten"), "invalidAmount"),
    ]
    for params, error in refusals:
        out = live.call(alice, "POST", "transfer", params)
        assert (out["result"], out.get("error")) == ("error", error), params
        assert live.wallets(alice) == before, params
    assert feed.drain() == []
    assert [e["info"] for e in live.logs(alice)] == ["admin transfer"]


def test_a_transfer_may_not_uncover_open_positions(live: Live) -> None:
    small, rich = live.account(1000), live.account(1_000_000)
    assert live.place(rich, "sell", "0.3", "60000")["result"] == "success"
    assert live.place(small, "buy", "0.3", "60000")["result"] == "success"
    flex = live.wallets(small)["flex"]
    available = D(flex["availableMargin"])  # 991 after the taker fee, less 360 initial margin
    assert (D(flex["currencies"]["USD"]["quantity"]), available) == (D(991), D(631))
    out = live.call(small, "POST", "transfer", transfer("flex", "cash", "USD", str(available + 1)))
    assert out["error"] == "insufficientFunds"
    assert live.wallets(small)["flex"] == flex and live.cash(small) == {}
    live.ok(small, "POST", "transfer", **transfer("flex", "cash", "USD", str(available)))
    assert live.flex_usd(small) == D(360) and live.cash(small) == {"usd": available}


# -- withdrawals to spot --------------------------------------------------------------------
def test_withdrawal_to_spot_returns_a_uid_and_shows_in_the_admin_api(live: Live) -> None:
    alice = live.account(1000)
    feed = live.watch(alice, "balances")
    out = live.ok(alice, "POST", "withdrawal", currency="usd", amount="250", sourceWallet="flex")
    uid = out["uid"]
    assert isinstance(uid, str) and len(uid) == 36
    assert live.flex_usd(alice) == D(750)
    (balances,) = feed.drain("balances")
    assert balances["flex_futures"]["currencies"]["USD"]["quantity"] == 750.0
    shown = live.admin_ok("GET", f"/__admin/accounts/{alice.account_id}")
    assert shown["wallets"]["spot"] == {"USD": "250"} and shown["wallets"]["flex"] == {"USD": "750"}
    listed = live.ok(alice, "GET", "transfers")["transfers"]
    assert [(t["id"], t["from"], t["to"], t["amount"]) for t in listed] == [
        (uid, "futures", "spot", D(250))]

    for amount, wallet in (("750.01", "flex"), ("1", "cash")):
        refused = live.call(alice, "POST", "withdrawal",
                            {"currency": "USD", "amount": amount, "sourceWallet": wallet})
        assert refused["error"] == "Unavailable"
    assert live.admin_ok("GET", f"/__admin/accounts/{alice.account_id}") == shown
    assert feed.drain() == []
    assert live.admin("GET", "/__admin/accounts/nope")[0] == 404


# -- subaccounts ----------------------------------------------------------------------------
def test_subaccounts_are_listed_and_funded_from_the_master(live: Live) -> None:
    master = live.account(1000)
    sub = live.account(None, master=master.account_id, name="desk-a")
    shown = live.admin_ok("GET", f"/__admin/accounts/{sub.account_id}")
    assert (shown["master_id"], shown["trading_enabled"]) == (master.account_id, True)
    assert live.admin_ok("GET", f"/__admin/accounts/{master.account_id}")["subaccounts"] == [
        sub.account_id]
    listed = live.ok(master, "GET", "subaccounts")
    assert listed["masterAccountUid"] == master.account_id
    assert [(s["accountUid"], s["email"]) for s in listed["subaccounts"]] == [
        (sub.account_id, "desk-a")]
    assert live.ok(sub, "GET", "subaccounts")["subaccounts"] == []

    sub_feed = live.watch(sub, "balances")
    moved = {"fromUser": master.account_id, "toUser": sub.account_id}
    for to, amount in (("flex", "250"), ("cash", "50")):
        live.ok(master, "POST", "transfer/subaccount",
                **moved, **transfer("flex", to, "USD", amount))
    assert live.flex_usd(master) == D(700) and live.cash(master) == {}
    assert live.flex_usd(sub) == D(250) and live.cash(sub) == {"usd": D(50)}
    balances = sub_feed.drain("balances")
    assert balances[-1]["holding"] == {"USD": 50.0}
    assert balances[0]["flex_futures"]["currencies"]["USD"]["quantity"] == 250.0
    (entry,) = live.ok(master, "GET", "subaccounts")["subaccounts"]
    assert entry["flexAccount"]["availableMargin"] == D(250)
    assert {"currency": "usd", "amount": D(50)} in entry["holdingAccounts"]

    back = {"fromUser": sub.account_id, "toUser": master.account_id}
    live.ok(master, "POST", "transfer/subaccount", **back, **transfer("cash", "flex", "USD", "50"))
    assert live.flex_usd(master) == D(750) and live.cash(sub) == {"usd": D(0)}
    refused = [
        (master, {"fromUser": "someone", "toUser": sub.account_id}, "invalidArgument"),
        (sub, moved, "invalidArgument"),
        (master, moved | transfer("flex", "flex", "USD", "751"), "insufficientFunds"),
    ]
    for caller, users, error in refused:
        out = live.call(caller, "POST", "transfer/subaccount",
                        transfer("flex", "flex", "USD", "1") | users)
        assert out.get("error") == error, (users, out)
    assert (live.flex_usd(master), live.flex_usd(sub)) == (D(750), D(250))


def test_a_disabled_subaccount_cannot_trade_until_enabled_again(live: Live) -> None:
    master = live.account(1000)
    sub = live.account(10_000, master=master.account_id)
    path = f"subaccount/{sub.account_id}/trading-enabled"
    assert live.call(master, "GET", path) == {"tradingEnabled": True}
    assert live.call(master, "PUT", path, {"tradingEnabled": "false"}) == {"tradingEnabled": False}
    assert live.call(master, "GET", path) == {"tradingEnabled": False}
    assert live.admin_ok("GET", f"/__admin/accounts/{sub.account_id}")["trading_enabled"] is False
    refused = live.place(sub, "buy", "0.01", "59000")
    assert (refused["result"], refused["error"]) == ("error", "accountInactive")
    assert live.ok(sub, "GET", "openorders")["openOrders"] == []
    rfq = live.admin_ok("POST", "/__admin/rfqs", {"symbol": "PF_XBTUSD", "size": 1})["rfq_uid"]
    offer = live.call(sub, "POST", f"rfqs/place-offer/{rfq}", {"bid": "59900"})
    assert offer.get("reason") == "accountInactive"
    live.ok(master, "POST", "transfer/subaccount", fromUser=master.account_id,
            toUser=sub.account_id, **transfer("flex", "flex", "USD", "10"))  # funds still move

    assert live.call(master, "PUT", path, {"tradingEnabled": "true"}) == {"tradingEnabled": True}
    placed = live.place(sub, "buy", "0.01", "59000")
    assert placed["sendStatus"]["status"] == "placed"
    (order,) = live.ok(sub, "GET", "openorders")["openOrders"]
    assert order["order_id"] == placed["sendStatus"]["order_id"]
    assert live.call(sub, "GET", path).get("error") == "authenticationError"


# -- assignment program ---------------------------------------------------------------------
PREFERENCE = {"contractType": "flex", "acceptLong": "true", "acceptShort": "true",
              "timeFrame": "all", "enabled": "true"}


def liquidate_a_small_long(live: Live) -> Account:
    """`small` (1,000 USD) buys 0.3 PF_XBTUSD at 60,000 from a rich account, leaving the book
    empty; a mark of 56,000 puts it under maintenance margin."""
    small, rich = live.account(1000), live.account(1_000_000)
    assert live.place(rich, "sell", "0.3", "60000")["result"] == "success"
    assert live.place(small, "buy", "0.3", "60000")["result"] == "success"
    return small


def test_a_participant_is_assigned_the_liquidated_position(live: Live) -> None:
    participant = live.account(100_000)
    added = live.ok(participant, "POST", "assignmentprogram/add", **PREFERENCE)
    small = liquidate_a_small_long(live)
    feed = live.watch(participant, "fills", "open_positions")
    small_feed = live.watch(small, "fills", "open_positions")

    live.admin_ok("POST", "/__admin/prices", {"symbol": "PF_XBTUSD", "mark": "56000"})
    price = D(55580)  # 75 bps below mark: the default minimum edge, in the assignee's favour
    (assignee,) = live.fills(participant)
    assert (assignee["fillType"], assignee["side"], D(assignee["size"]), assignee["price"]) == (
        "assignee", "buy", D("0.3"), price)
    assignor = live.fills(small)[0]
    assert (assignor["fillType"], assignor["side"], D(assignor["size"]), assignor["price"]) == (
        "assignor", "sell", D("0.3"), price)
    assert assignor["fill_id"] == assignee["fill_id"]
    assert live.positions(participant) == [("PF_XBTUSD", "long", D("0.3"), price)]
    assert live.positions(small) == [] and live.house_positions() == []
    assert live.flex_usd(participant) == D(100_000)  # an assignee pays no fee

    messages = feed.drain()
    (fill,) = of(messages, "fills", "fills")
    assert (fill["fill_type"], fill["buy"], fill["qty"], fill["price"], fill["fee_paid"]) == (
        "assignee", True, 0.3, 55580.0, 0.0)
    (positions,) = of(messages, "open_positions", "positions")
    assert [(p["instrument"], p["balance"], p["entry_price"]) for p in positions] == [
        ("PF_XBTUSD", 0.3, 55580.0)]
    messages = small_feed.drain()
    assert [(f["fill_type"], f["buy"], f["qty"]) for f in of(messages, "fills", "fills")] == [
        ("assignor", False, 0.3)]
    assert of(messages, "open_positions", "positions")[-1] == []

    history = live.ok(participant, "GET", "assignmentprogram/history")["participants"]
    assert [(h["deleted"], h["participant"]) for h in history] == [
        (False, added["participant"])]
    live.ok(participant, "POST", "assignmentprogram/delete", id=str(added["id"]))
    history = live.ok(participant, "GET", "assignmentprogram/history")["participants"]
    assert [h["deleted"] for h in history] == [False, True]
    assert live.ok(participant, "GET", "assignmentprogram/current")["participants"] == []


@pytest.mark.parametrize(
    ("caps", "taken", "house"),
    [
        ((None, None), ("0.15", "0.15"), None),  # equal shares
        (("5558",), ("0.1",), "0.2"),  # maxSize 5,558 USD: 0.1 at 55,580; the rest to the house
        ((None, "5558"), ("0.2", "0.1"), None),  # what a capped share leaves is re-split
    ],
)
def test_shares_and_caps(live: Live, caps: tuple[str | None, ...], taken: tuple[str, ...],
                         house: str | None) -> None:
    participants = [live.account(100_000) for _ in caps]
    for acct, cap in zip(participants, caps, strict=True):
        extra = {"contract": "PF_XBTUSD", "maxSize": cap} if cap else {}
        live.ok(acct, "POST", "assignmentprogram/add", **PREFERENCE | extra)
    small = liquidate_a_small_long(live)
    live.admin_ok("POST", "/__admin/prices", {"symbol": "PF_XBTUSD", "mark": "56000"})
    for acct, size in zip(participants, taken, strict=True):
        assert [(f["fillType"], D(f["size"])) for f in live.fills(acct)] == [("assignee", D(size))]
        assert live.positions(acct) == [("PF_XBTUSD", "long", D(size), D(55580))]
    kinds = sorted(f["fillType"] for f in live.fills(small))
    assert kinds == sorted(["taker"] + ["assignor"] * len(caps) + ["liquidation"] * bool(house))
    assert live.house_positions() == ([] if house is None else [
        {"symbol": "PF_XBTUSD", "size": house, "entry_price": "56000", "realised_pnl": "0"}])


@pytest.mark.parametrize(
    "case", ["refuses longs", "preference disabled", "weekends only", "disabled subaccount"]
)
def test_with_no_eligible_participant_the_house_takes_over(live: Live, case: str) -> None:
    owner = live.account(100_000)
    participant = live.account(100_000, master=owner.account_id) if "sub" in case else owner
    preference = PREFERENCE | {
        "refuses longs": {"acceptLong": "false"},
        "preference disabled": {"enabled": "false"},
        "weekends only": {"timeFrame": "weekends"},  # 2026-01-01 is a Thursday
        "disabled subaccount": {},
    }[case]
    live.ok(participant, "POST", "assignmentprogram/add", **preference)
    if "sub" in case:
        path = f"subaccount/{participant.account_id}/trading-enabled"
        live.call(owner, "PUT", path, {"tradingEnabled": "false"})
    small = liquidate_a_small_long(live)
    live.admin_ok("POST", "/__admin/prices", {"symbol": "PF_XBTUSD", "mark": "56000"})
    assert live.fills(participant) == [] and live.positions(participant) == []
    (liquidation, _taker) = live.fills(small)
    assert (liquidation["fillType"], D(liquidation["size"]), liquidation["price"]) == (
        "liquidation", D("0.3"), D(56000))
    assert live.positions(small) == []
    assert live.house_positions() == [
        {"symbol": "PF_XBTUSD", "size": "0.3", "entry_price": "56000", "realised_pnl": "0"}]
