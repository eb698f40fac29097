"""Hypothesis fuzzing of every REST route: garbage in, a Kraken-shaped answer out, no damage.

For random parameter sets (known names with hostile values, unknown names, unicode, huge
numbers), sent signed or unsigned, in the query or the body, to every route the app serves:
the answer is JSON, never our `Server Error`, never a 5xx; and when the request was refused,
the exchange's books, orders, balances and positions are exactly as before.
"""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.routing import Route
from support import KrakenTestClient, served_account

from mock_exchange.engine.types import Side
from mock_exchange.server.app import create_app

NAMES = ["orderType", "symbol", "side", "size", "limitPrice", "stopPrice", "cliOrdId",
         "reduceOnly", "triggerSignal", "trailingStopMaxDeviation", "trailingStopDeviationUnit",
         "limitPriceOffsetValue", "limitPriceOffsetUnit", "processBefore", "order_id",
         "orderId", "qtyMode", "timeout", "json", "orderIds", "cliOrdIds", "lastFillTime",
         "lastTime", "maxLeverage", "pnlPreference", "strategy", "since", "before", "sort",
         "count", "continuation_token", "from", "to"]
VALUES = st.one_of(
    st.sampled_from(["lmt", "mkt", "post", "ioc", "fok", "stp", "take_profit", "trailing_stop",
                     "buy", "sell", "PF_XBTUSD", "pf_ethusd", "PI_XBTUSD", "mark", "last",
                     "PERCENT", "QUOTE_CURRENCY", "ABSOLUTE", "true", "False", "0", "-1",
                     "1e999999", "NaN", "Infinity", "0.0001", "59000", "60000.5", "",
                     '{"batchOrder":[{"order":"send"}]}', '{"batchOrder":[]}',
                     "2026-01-01T00:00:00Z", "REJECT_TAKER", "CANCEL_MAKER_ANY", "asc"]),
    st.text(max_size=30),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)
PARAMS = st.dictionaries(st.one_of(st.sampled_from(NAMES), st.text(max_size=10)), VALUES,
                         max_size=8)


def _routes(app: Any) -> list[tuple[str, str]]:
    found = []
    for route in app.routes:
        if isinstance(route, Route) and not route.path.startswith("/__admin"):
            path = re.sub(r"\{[^}]+\}", "PF_XBTUSD", route.path)
            for method in sorted(route.methods or {"GET"}):
                if method != "HEAD":
                    found.append((method, path))
    return found


def _snapshot(app: Any) -> Any:
    ex = app.state.mx.exchange
    books = {s: (m.book.depth(Side.BUY), m.book.depth(Side.SELL), len(m.triggers))
             for s, m in ex.markets.items()}
    accounts = {a: ({w: dict(v.balances) for w, v in acct.wallets.items()},
                    {s: p.size for s, p in acct.positions.items()})
                for a, acct in ex.accounts.items()}
    return books, accounts, sorted(ex.orders)


APP = create_app()
CLIENT = served_account(APP, "fuzz")
ROUTES = _routes(APP)
ANON = KrakenTestClient(APP)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(ROUTES), PARAMS, st.booleans(), st.sampled_from(["body", "query"]))
def test_any_request_gets_a_kraken_answer_and_refusals_change_nothing(
    route: tuple[str, str], params: dict[str, str], signed: bool, style: str
) -> None:
    method, path = route
    before = _snapshot(APP)
    client = CLIENT if signed else ANON
    try:
        out = client.call(method, path, params, style=style)
    except ValueError as exc:  # the test client could not even encode it
        raise AssertionError(f"non-JSON answer for {method} {path}") from exc
    assert client.last_status < 500, (method, path, params)
    assert not (isinstance(out, dict) and out.get("error") == "Server Error"), (method, path)
    refused = not isinstance(out, dict) or out.get("result") == "error" or (
        "result" not in out)
    if refused:
        assert _snapshot(APP) == before, (method, path, params)


def test_the_fuzzer_covers_the_order_endpoints() -> None:
    paths = {p for _, p in ROUTES}
    for endpoint in ("sendorder", "editorder", "cancelorder", "batchorder", "cancelallorders",
                     "cancelallordersafter"):
        assert f"/derivatives/api/v3/{endpoint}" in paths
