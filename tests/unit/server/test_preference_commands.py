"""PUT leveragepreferences / pnlpreferences go through `Exchange.submit`: every accepted PUT
reaches the exchange's listeners as one event, a refused one (each refusal's exact wire answer)
reaches them as nothing and leaves the account as it was."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from support import served_account

from mock_exchange.engine.events import Event, LeveragePreferenceSet, PnlPreferenceSet
from mock_exchange.server.app import create_app

T0 = "2026-01-01T00:00:00.000Z"
LEVERAGE = "/derivatives/api/v3/leveragepreferences"
PNL = "/derivatives/api/v3/pnlpreferences"


@pytest.fixture
def app() -> Any:
    return create_app()


def _heard(app: Any) -> list[Event]:
    heard: list[Event] = []
    app.state.mx.exchange.subscribe(heard.extend)
    return heard


def test_accepted_puts_are_events_the_listeners_hear(app: Any) -> None:
    alice = served_account(app)
    heard = _heard(app)
    alice.call("PUT", LEVERAGE, {"symbol": "pf_xbtusd", "maxLeverage": "7.5"}, style="query")
    alice.call("PUT", PNL, {"symbol": "PF_XBTUSD", "pnlPreference": "usdt"}, style="query")
    alice.call("PUT", LEVERAGE, {"symbol": "PF_XBTUSD"}, style="query")
    aid = alice.account_id  # type: ignore[attr-defined]
    assert [(type(e), e.account_id, e.symbol) for e in heard] == [  # type: ignore[attr-defined]
        (LeveragePreferenceSet, aid, "PF_XBTUSD"), (PnlPreferenceSet, aid, "PF_XBTUSD"),
        (LeveragePreferenceSet, aid, "PF_XBTUSD")]
    first, second, third = heard
    assert isinstance(first, LeveragePreferenceSet) and first.max_leverage == Decimal("7.5")
    assert isinstance(second, PnlPreferenceSet) and second.currency == "USDT"
    assert isinstance(third, LeveragePreferenceSet) and third.max_leverage is None


def _coded(code: int, message: str) -> dict[str, object]:
    return {"status": "BAD_REQUEST", "result": "error",
            "errors": [{"code": code, "message": message}], "serverTime": T0}


REFUSED = [
    (LEVERAGE, {"symbol": "PF_NOPEUSD", "maxLeverage": "2"},
     _coded(87, "CONTRACT_DOES_NOT_EXIST")),
    (LEVERAGE, {"symbol": "PI_XBTUSD", "maxLeverage": "2"},
     _coded(88, "CONTRACT_IS_NOT_MULTI_COLLATERAL")),
    (LEVERAGE, {"symbol": "PF_XBTUSD", "maxLeverage": "0"},
     {"result": "error", "serverTime": T0, "error": "invalidArgument: maxLeverage"}),
    (LEVERAGE, {"maxLeverage": "2"},
     {"result": "error", "serverTime": T0, "error": "requiredArgumentMissing"}),
    (PNL, {"symbol": "PF_NOPEUSD", "pnlPreference": "USD"}, _coded(87, "CONTRACT_DOES_NOT_EXIST")),
    (PNL, {"symbol": "PI_XBTUSD", "pnlPreference": "USD"},
     _coded(88, "CONTRACT_IS_NOT_MULTI_COLLATERAL")),
    (PNL, {"symbol": "PF_XBTUSD", "pnlPreference": "DOGE"}, _coded(89, "CURRENCY_DOES_NOT_EXIST")),
    (PNL, {"symbol": "PF_XBTUSD"},
     {"result": "error", "serverTime": T0, "error": "requiredArgumentMissing"}),
]


@pytest.mark.parametrize(("path", "params", "answer"), REFUSED)
def test_refused_puts_answer_as_before_and_change_nothing(
    app: Any, path: str, params: dict[str, str], answer: dict[str, object]
) -> None:
    alice = served_account(app)
    alice.call("PUT", LEVERAGE, {"symbol": "PF_XBTUSD", "maxLeverage": "5"}, style="query")
    alice.call("PUT", PNL, {"symbol": "PF_XBTUSD", "pnlPreference": "USDC"}, style="query")
    account = app.state.mx.exchange.accounts[alice.account_id]  # type: ignore[attr-defined]
    before, heard = (dict(account.leverage), dict(account.pnl_currency)), _heard(app)
    assert alice.call("PUT", path, params, style="query") == answer
    assert (dict(account.leverage), dict(account.pnl_currency)) == before
    assert heard == []
