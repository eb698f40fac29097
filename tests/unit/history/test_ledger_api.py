"""The History API's account log over the in-process app: `info` filters (ours, Kraken's other
spellings, kinds never booked), the CSV of the same rows, and refusals that change nothing."""

from __future__ import annotations

import csv
import io
from decimal import Decimal as D
from typing import Any

from support import KrakenTestClient, served_account

from mock_exchange.engine import commands as c
from mock_exchange.server.app import create_app


def _log(client: KrakenTestClient, **params: object) -> Any:
    return client.call("GET", "/api/history/v3/account-log", params)


def _funded() -> tuple[Any, KrakenTestClient]:
    app = create_app()
    alice = served_account(app, "alice", usd=1000)
    ex = app.state.mx.exchange
    account = alice.account_id  # type: ignore[attr-defined]
    ex.submit(c.TransferFunds(account, "flex", "cash", "USD", D(100)))
    ex.submit(c.Withdraw(account, "USD", D(40), "cash"))
    return app, alice


def test_info_filters_take_ours_and_krakens_other_values() -> None:
    _, alice = _funded()
    infos = [e["info"] for e in _log(alice)["logs"]]
    assert infos == ["cross-exchange transfer", "transfer", "transfer", "admin transfer"]
    assert [e["id"] for e in _log(alice, info="transfer")["logs"]] == [3, 2]
    assert [e["id"] for e in _log(alice, info="Cross-Exchange Transfer")["logs"]] == [4]
    for never_booked in ("assignor", "futures assignor", "covered liquidation", "kfee applied"):
        assert _log(alice, info=never_booked)["logs"] == [], never_booked
    out = _log(alice, info="deposit")
    assert (alice.last_status, out["error"]) == (400, "invalidArgument: info")


def test_the_csv_holds_the_same_rows_with_blanks_for_nulls() -> None:
    _, alice = _funded()
    rows = _log(alice)["logs"]
    text = alice.call("GET", "/api/history/v3/accountlogcsv")
    assert isinstance(text, str)
    table = list(csv.DictReader(io.StringIO(text)))
    assert [r["booking_uid"] for r in table] == [r["booking_uid"] for r in rows]
    withdrawal = table[0]
    assert (withdrawal["info"], withdrawal["margin_account"], withdrawal["old_balance"],
            withdrawal["new_balance"], withdrawal["execution"], withdrawal["contract"]) == (
        "cross-exchange transfer", "cash", "100", "60", "", "")


def test_a_single_collateral_wallet_is_logged_by_its_ledger_name() -> None:
    app = create_app()
    state = app.state.mx
    account = state.exchange.submit(c.OpenAccount("x", {"fi_xbtusd": {"XBT": D(1)}})).account_id
    key = state.keys.issue(account)
    xavier = KrakenTestClient(app, key.key, key.secret)
    assert state.exchange.submit(c.TransferFunds(account, "fi_xbtusd", "flex", "XBT", D("0.25"))).ok
    logs = _log(xavier)["logs"]
    assert [(e["info"], e["margin_account"], e["asset"], e["old_balance"], e["new_balance"])
            for e in logs] == [
        ("transfer", "flex", "xbt", 0, 0.25),
        ("transfer", "f-xbt:usd", "xbt", 1, 0.75),
        ("admin transfer", "f-xbt:usd", "xbt", 0, 1),
    ]
