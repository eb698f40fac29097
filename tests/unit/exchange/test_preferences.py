"""Leverage and PnL preferences are commands: accepted ones change the account and emit one
event; refused ones change nothing and emit nothing; replaying the commands rebuilds them."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from support import Harness, kinds

from mock_exchange.engine import commands as c
from mock_exchange.engine.events import LeveragePreferenceSet, PnlPreferenceSet
from mock_exchange.engine.reasons import Reject

Prefs = tuple[dict[str, D | None], dict[str, str]]


def prefs(mx: Harness, account: str) -> Prefs:
    acct = mx.ex.accounts[account]
    return dict(acct.leverage), dict(acct.pnl_currency)


def test_leverage_preference_is_stored_and_announced(mx: Harness) -> None:
    a = mx.account("a")
    out = mx.ex.submit(c.SetLeveragePreference(a, "PF_XBTUSD", D("2.5")))
    assert (out.ok, out.account_id) == (True, a)
    (event,) = out.events
    assert event == LeveragePreferenceSet(event.seq, mx.clock.now_ms(), a, "PF_XBTUSD", D("2.5"))
    assert event.seq == mx.ex.seq and mx.events[-1] is event  # listeners heard it
    assert prefs(mx, a) == ({"PF_XBTUSD": D("2.5")}, {})


def test_the_ceiling_is_one_over_the_first_tier_initial_margin(mx: Harness) -> None:
    a = mx.account("a")
    assert mx.ex.submit(c.SetLeveragePreference(a, "PF_XBTUSD", D(50))).ok
    assert mx.ex.submit(c.SetLeveragePreference(a, "PF_XBTUSD", D("50.01"))).reject is (
        Reject.INVALID_MAX_LEVERAGE)
    assert prefs(mx, a) == ({"PF_XBTUSD": D(50)}, {})


def test_no_leverage_returns_to_cross_margin_and_is_announced_too(mx: Harness) -> None:
    a = mx.account("a")
    mx.ex.submit(c.SetLeveragePreference(a, "PF_ETHUSD", D(4)))
    mx.ex.submit(c.SetLeveragePreference(a, "PF_XBTUSD", D(10)))
    out = mx.ex.submit(c.SetLeveragePreference(a, "PF_XBTUSD", None))
    assert out.ok and kinds(out.events) == ["LeveragePreferenceSet"]
    assert getattr(out.events[0], "max_leverage", "absent") is None
    assert prefs(mx, a) == ({"PF_ETHUSD": D(4)}, {})
    again = mx.ex.submit(c.SetLeveragePreference(a, "PF_XBTUSD", None))  # already cross
    assert again.ok and kinds(again.events) == ["LeveragePreferenceSet"]


def test_pnl_preference_is_stored_and_announced(mx: Harness) -> None:
    a = mx.account("a")
    for currency in ("USDC", "BTC", "XBT"):
        out = mx.ex.submit(c.SetPnlPreference(a, "PF_ETHUSD", currency))
        (event,) = out.events
        assert out.ok and event == PnlPreferenceSet(event.seq, event.time, a, "PF_ETHUSD", currency)
    assert prefs(mx, a) == ({}, {"PF_ETHUSD": "XBT"})


LEVERAGE_REFUSALS = [
    ("PF_NOPEUSD", D(2), Reject.CONTRACT_DOES_NOT_EXIST),
    ("PF_NOPEUSD", D(500), Reject.CONTRACT_DOES_NOT_EXIST),  # the contract is checked first
    ("PI_XBTUSD", D(2), Reject.CONTRACT_IS_NOT_MULTI_COLLATERAL),
    ("PI_XBTUSD", None, Reject.CONTRACT_IS_NOT_MULTI_COLLATERAL),
    ("PF_XBTUSD", D(0), Reject.INVALID_MAX_LEVERAGE),
    ("PF_XBTUSD", D(-1), Reject.INVALID_MAX_LEVERAGE),
    ("PF_XBTUSD", D(51), Reject.INVALID_MAX_LEVERAGE),
]


@pytest.mark.parametrize(("symbol", "leverage", "reason"), LEVERAGE_REFUSALS)
def test_a_refused_leverage_preference_changes_nothing(
    mx: Harness, symbol: str, leverage: D | None, reason: Reject
) -> None:
    a = mx.account("a")
    mx.ex.submit(c.SetLeveragePreference(a, "PF_XBTUSD", D(5)))
    mx.ex.submit(c.SetPnlPreference(a, "PF_XBTUSD", "USDT"))
    before, seq, heard = prefs(mx, a), mx.ex.seq, len(mx.events)
    out = mx.ex.submit(c.SetLeveragePreference(a, symbol, leverage))
    assert (out.reject, out.account_id, out.events) == (reason, a, [])
    assert (prefs(mx, a), mx.ex.seq, len(mx.events)) == (before, seq, heard)


@pytest.mark.parametrize(("symbol", "currency", "reason"), [
    ("PF_NOPEUSD", "USD", Reject.CONTRACT_DOES_NOT_EXIST),
    ("PF_NOPEUSD", "DOGE", Reject.CONTRACT_DOES_NOT_EXIST),
    ("PI_XBTUSD", "USD", Reject.CONTRACT_IS_NOT_MULTI_COLLATERAL),
    ("PF_XBTUSD", "DOGE", Reject.CURRENCY_DOES_NOT_EXIST),
    ("PF_XBTUSD", "usd", Reject.CURRENCY_DOES_NOT_EXIST),  # the wire upper-cases, not the domain
])
def test_a_refused_pnl_preference_changes_nothing(
    mx: Harness, symbol: str, currency: str, reason: Reject
) -> None:
    a = mx.account("a")
    mx.ex.submit(c.SetPnlPreference(a, "PF_XBTUSD", "USDT"))
    before, seq, heard = prefs(mx, a), mx.ex.seq, len(mx.events)
    out = mx.ex.submit(c.SetPnlPreference(a, symbol, currency))
    assert (out.reject, out.account_id, out.events) == (reason, a, [])
    assert (prefs(mx, a), mx.ex.seq, len(mx.events)) == (before, seq, heard)


def test_preferences_are_per_account(mx: Harness) -> None:
    a, b = mx.account("a"), mx.account("b")
    mx.ex.submit(c.SetLeveragePreference(a, "PF_XBTUSD", D(3)))
    mx.ex.submit(c.SetPnlPreference(b, "PF_XBTUSD", "USDC"))
    assert (prefs(mx, a), prefs(mx, b)) == (({"PF_XBTUSD": D(3)}, {}), ({}, {"PF_XBTUSD": "USDC"}))


def test_an_unknown_account_is_a_programming_error(mx: Harness) -> None:
    with pytest.raises(KeyError):
        mx.ex.submit(c.SetPnlPreference("nobody", "PF_XBTUSD", "USD"))


def test_replaying_the_commands_rebuilds_the_preferences_and_the_event_log() -> None:
    """The journal guarantee: same seed + same commands = same events, preferences included."""
    def play(mx: Harness) -> tuple[list[str], Prefs]:
        a = mx.account("a")
        for command in (
            c.SetLeveragePreference(a, "PF_XBTUSD", D(10)),
            c.SetPnlPreference(a, "PF_XBTUSD", "USDC"),
            c.SetLeveragePreference(a, "PF_ETHUSD", D(60)),  # refused: no trace in the log
            c.SetLeveragePreference(a, "PF_ETHUSD", D(4)),
            c.SetLeveragePreference(a, "PF_XBTUSD", None),
        ):
            mx.ex.submit(command)
        return [repr(e) for e in mx.events], prefs(mx, a)

    first, second = play(Harness(11)), play(Harness(11))
    assert first == second
    log, final = first
    assert final == ({"PF_ETHUSD": D(4)}, {"PF_XBTUSD": "USDC"})
    set_events = [line.split("(")[0] for line in log if "PreferenceSet" in line]
    assert set_events == ["LeveragePreferenceSet", "PnlPreferenceSet", "LeveragePreferenceSet",
                          "LeveragePreferenceSet"]
