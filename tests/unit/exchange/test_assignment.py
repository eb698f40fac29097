"""The assignment program: preferences, their history, and assigning liquidation remainders."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from support import Harness, kinds, only

from mock_exchange.engine import commands as c
from mock_exchange.engine.commands import TimeFrame
from mock_exchange.engine.events import AssignmentPreferenceChanged, Trade
from mock_exchange.engine.reasons import Reject
from mock_exchange.engine.types import FillType
from mock_exchange.exchange.assignment import split

XBT = "PF_XBTUSD"
LONG_PRICE = D(58557)  # floor(59000 x (1 - 0.0075)): 75 bps below mark


def prefer(mx: Harness, account: str, **fields: object) -> int:
    args: dict[str, object] = {"contract_type": "flex", "accept_long": True,
                               "accept_short": True, "time_frame": TimeFrame.ALL, "enabled": True}
    args.update(fields)
    out = mx.ex.submit(c.AddAssignmentPreference(
        account, c.AssignmentPreference(**args)))  # type: ignore[arg-type]
    assert out.ok, out.reject
    return only(out.events, AssignmentPreferenceChanged)[0].preference_id


def liquidate_a_long(mx: Harness) -> tuple[str, list[Trade]]:
    """`a` goes long 1 XBT with thin margin; the mark falls; the empty book takes nothing."""
    a, b = mx.account("a", usd=1300), mx.account("b")
    mx.place(b, "sell", "lmt", "1", 60000)
    mx.place(a, "buy", "lmt", "1", 60000)
    seen = len(mx.events)
    mx.prices(mark=59000)
    assert mx.position(a) == 0
    return a, only(mx.events[seen:], Trade)


def test_preferences_are_added_listed_deleted_and_remembered(mx: Harness) -> None:
    a = mx.account("a")
    first = prefer(mx, a, max_size=D(1000), max_position=D(5000))
    second = prefer(mx, a, contract=XBT, max_size=D(250), time_frame=TimeFrame.WEEKDAYS)
    assert second == first + 1
    current = mx.ex.assignment.current[a]
    assert current[first].max_size is None  # dropped on a wallet-wide flex preference
    assert current[second].max_size == D(250)
    out = mx.ex.submit(c.DeleteAssignmentPreference(a, first))
    assert out.ok and kinds(out.events) == ["AssignmentPreferenceChanged"]
    assert list(mx.ex.assignment.current[a]) == [second]
    history = mx.ex.assignment.history[a]
    assert [(h.deleted, h.preference.contract) for h in history] == [
        (False, None), (False, XBT), (True, None)]
    assert mx.ex.submit(c.DeleteAssignmentPreference(a, first)).reject is Reject.NOT_FOUND
    other = mx.account("b")
    assert mx.ex.submit(c.DeleteAssignmentPreference(other, second)).reject is Reject.NOT_FOUND


@pytest.mark.parametrize(
    "fields",
    [
        {"contract_type": "cash"},
        {"contract_type": "fi_nopeusd"},
        {"contract": "PI_XBTUSD"},  # an inverse contract is not in flex
        {"contract": "PF_NOPEUSD"},
        {"contract": XBT, "base_currency": "XBT"},
        {"base_currency": "DOGE"},
        {"base_currency": "XBT", "quote_currency": "EUR"},
        {"contract_type": "fi_xbtusd", "base_currency": "XBT"},
        {"max_size": D(-1)},
        {"min_long_bps": 75},  # equal to the default
        {"min_short_bps": 251},
    ],
)
def test_invalid_preferences_are_refused(mx: Harness, fields: dict[str, object]) -> None:
    a = mx.account("a")
    args: dict[str, object] = {"contract_type": "flex", "accept_long": True,
                               "accept_short": True, "time_frame": TimeFrame.ALL, "enabled": True}
    args.update(fields)
    out = mx.ex.submit(c.AddAssignmentPreference(
        a, c.AssignmentPreference(**args)))  # type: ignore[arg-type]
    assert out.reject is Reject.INVALID_ARGUMENT and not mx.ex.assignment.current


def test_a_liquidated_long_is_assigned_below_mark(mx: Harness) -> None:
    p = mx.account("p")
    prefer(mx, p, accept_short=False)
    a, trades = liquidate_a_long(mx)
    (trade,) = trades
    assert (trade.maker_fill, trade.taker_fill) == (FillType.ASSIGNEE, FillType.ASSIGNOR)
    assert (trade.maker.account_id, trade.taker.account_id) == (p, a)
    assert (trade.price, trade.qty) == (LONG_PRICE, D(1))
    assert (trade.maker_fee, trade.taker_fee) == (D(0), LONG_PRICE * D("0.0075"))
    assert (mx.position(p), mx.position("house")) == (D(1), D(0))
    assert mx.ex.accounts[p].positions[XBT].entry == LONG_PRICE


def test_without_an_eligible_participant_the_house_takes_it(mx: Harness) -> None:
    for i, fields in enumerate([
        {"accept_long": False},
        {"enabled": False},
        {"time_frame": TimeFrame.WEEKEND},  # 2026-01-01 is a Thursday
        {"max_position": D(0)},
        {"contract_type": "fi_xbtusd"},
    ]):
        prefer(mx, mx.account(f"p{i}"), **fields)
    _, trades = liquidate_a_long(mx)
    assert [t.maker_fill for t in trades] == [FillType.ASSIGNEE]
    assert trades[0].maker.account_id == "house" and mx.position("house") == D(1)


def test_time_frames_follow_the_utc_day(mx: Harness) -> None:
    p = mx.account("p")
    prefer(mx, p, time_frame=TimeFrame.WEEKEND)
    mx.advance(2 * 86_400_000)  # Saturday
    liquidate_a_long(mx)
    assert mx.position(p) == D(1)


def test_a_finer_preference_overrides_a_coarser_one(mx: Harness) -> None:
    p, q = mx.account("p"), mx.account("q")
    prefer(mx, p)
    prefer(mx, p, contract=XBT, enabled=False)  # opted out for this contract only
    prefer(mx, q, base_currency="XBT", quote_currency="USD", accept_short=False)
    liquidate_a_long(mx)
    assert (mx.position(p), mx.position(q)) == (D(0), D(1))


def test_equal_shares_capped_by_size_and_re_split(mx: Harness) -> None:
    p, q, r = mx.account("p"), mx.account("q"), mx.account("r")
    prefer(mx, p, contract=XBT, max_size=LONG_PRICE * D("0.2"))  # USD notional on flex
    prefer(mx, q)
    prefer(mx, r)
    liquidate_a_long(mx)
    assert (mx.position(p), mx.position(q), mx.position(r)) == (D("0.2"), D("0.4"), D("0.4"))


def test_the_lowest_minimum_edge_goes_first(mx: Harness) -> None:
    p, q = mx.account("p"), mx.account("q")
    prefer(mx, p)
    prefer(mx, q, min_long_bps=50)
    _, trades = liquidate_a_long(mx)
    assert [(t.maker.account_id, t.price) for t in trades] == [(q, D(58705))]


def test_position_limit_and_margin_cap_what_a_participant_takes(mx: Harness) -> None:
    p, thin = mx.account("p"), mx.account("thin", usd=400)
    prefer(mx, p, contract=XBT, max_position=LONG_PRICE * D("0.3"))
    prefer(mx, thin)
    liquidate_a_long(mx)
    taken = mx.position(thin)
    assert mx.position(p) == D("0.3") and D(0) < taken < D("0.7")
    assert mx.ex.margin.summary(mx.ex.accounts[thin], "flex").available >= 0
    assert mx.position("house") == D("0.7") - taken


def test_disabled_subaccounts_are_not_assigned(mx: Harness) -> None:
    m = mx.account("m")
    sub = mx.account("s", master=m)
    prefer(mx, sub)
    mx.ex.submit(c.SetTradingEnabled(m, sub, False))
    liquidate_a_long(mx)
    assert mx.position(sub) == 0 and mx.position("house") == D(1)


@pytest.mark.parametrize(
    ("total", "caps", "shares"),
    [
        (10, [2, 10, 10], [2, 4, 4]),
        (10, [5, 5], [5, 5]),
        (7, [10, 10, 10], [3, 2, 2]),
        (10, [1, 1], [1, 1]),
        (9, [10, 1, 10], [4, 1, 4]),
        (0, [3], [0]),
    ],
)
def test_split(total: int, caps: list[int], shares: list[int]) -> None:
    assert split(total, caps) == shares
