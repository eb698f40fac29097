"""Refusals added after the E6 review: unknown [[array]] tables are named at their own line;
price points must move forward in time and jumps and cascades must fit in the duration; reason,
status and wallet strings must be ones the exchange uses; a reason or fills expectation's order
must belong to its account; the price and fills kinds need something to check. Each message is
exact (file, line, field, what was expected)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import scenarios
from tests.scenarios.scenario_text import BOB, MARKET

BASE = MARKET.format(duration="10m") + BOB
BID = (
    '\n[[actions]]\nkind = "place"\nat = "1m"\naccount = "alice"\nlabel = "bid"\n'
    'symbol = "PF_XBTUSD"\nside = "buy"\ntype = "lmt"\nsize = 1\nprice = 59000\n'
)
POINTS = '\n[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "points"\n'
EXPECT = "\n[[expect]]\n"
#: The wire reasons of open_orders / open_orders_verbose (what a reason expectation accepts).
REASONS = (
    "cancelled_by_admin", "cancelled_by_user", "contract_expired", "dead_man_switch",
    "edited_by_user", "full_fill", "ioc_order_failed_because_it_would_not_be_executed",
    "limit_order_from_stop", "liquidation", "market_inactive", "new_placed_order_by_user",
    "not_enough_margin", "order_for_edit_not_found", "partial_fill",
    "post_order_failed_because_it_would_filled", "stop_order_triggered", "would_execute_self",
    "would_not_reduce_position",
)  # fmt: skip

REFUSED = [
    (
        BASE + '\n[[expectations]]\nkind = "order"\n',
        "15: expectations: unknown key (expected one of: accounts, actions, actors, expect, "
        "incidents, instruments, paths, scenario)",
    ),
    (
        BASE + POINTS + 'points = [["0s", 60000], ["5m", 61000], ["2m", 60500]]\n',
        '18: paths[0].points: expected times that increase, item 2 is ["2m", 60500] '
        'after ["5m", 61000]',
    ),
    (
        BASE + POINTS + 'points = [["1m", 60000], ["1m", 61000]]\n',
        '18: paths[0].points: expected times that increase, item 1 is ["1m", 61000] '
        'after ["1m", 60000]',
    ),
    (
        BASE + '\n[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "constant"\nprice = 60000\n'
        'jumps = [{ at = "5m", by = "0.1" }, { at = "11m", by = "-0.1" }]\n',
        "19: paths[0].jumps: expected a time within the duration (600000 ms), "
        'item 1 is { at = "11m", by = "-0.1" }',
    ),
    (
        BASE + '\n[[incidents]]\nkind = "liquidation_cascade"\nsymbol = "PF_XBTUSD"\n'
        'at = "8m"\nmove = "-0.1"\nsteps = 4\nover = "5m"\n',
        "21: incidents[0].over: expected the cascade to end within the duration (600000 ms), "
        "it ends at 780000 ms",
    ),
    (
        BASE + EXPECT + 'kind = "reason"\naccount = "alice"\nreason = "cancelled_by_admn"\n'
        "absent = true\n",
        "18: expect[0].reason: expected one of "
        + ", ".join(f'"{r}"' for r in REASONS)
        + ', got "cancelled_by_admn"',
    ),
    (
        BASE + EXPECT + 'kind = "balance"\naccount = "alice"\ncurrency = "USD"\n'
        'wallet = "flxe"\nmin = 0\n',
        '19: expect[0].wallet: expected one of "flex", "cash", got "flxe"',
    ),
    (
        BASE + BID + EXPECT + 'kind = "reason"\naccount = "bob"\norder = "bid"\n'
        'reason = "full_fill"\n',
        '29: expect[0].order: expected an order of account "bob", "bid" belongs to "alice"',
    ),
    (
        BASE + BID + EXPECT + 'kind = "fills"\naccount = "bob"\norder = "bid"\ncount = 1\n',
        '29: expect[0].order: expected an order of account "bob", "bid" belongs to "alice"',
    ),
    (
        BASE + EXPECT + 'kind = "fills"\naccount = "alice"\norder = "nope"\ncount = 1\n',
        '18: expect[0].order: expected the label of a place action (labels: none), got "nope"',
    ),
    (
        BASE + EXPECT + 'kind = "fills"\naccount = "alice"\n',
        "15: expect[0]: fills: expected count, min_count / max_count, volume or "
        "min_volume / max_volume",
    ),
    (
        BASE + EXPECT + 'kind = "fills"\naccount = "alice"\nmin_count = 3\nmax_count = 2\n',
        "19: expect[0].max_count: expected at least min_count (3), got 2",
    ),
    (
        BASE + EXPECT + 'kind = "fills"\naccount = "alice"\nmin_volume = 3\nmax_volume = 2\n',
        "19: expect[0].max_volume: expected at least min_volume (3), got 2",
    ),
    (
        BASE + EXPECT + 'kind = "fills"\naccount = "alice"\ncount = -1\n',
        "18: expect[0].count: expected a whole number from 0 to 1000000000, got -1",
    ),
    (
        BASE + EXPECT + 'kind = "price"\nsymbol = "PF_XBTUSD"\n',
        "15: expect[0]: price: expected value or min / max",
    ),
    (
        BASE + EXPECT + 'kind = "price"\nsymbol = "PF_XBTUSD"\nfield = "bid"\nvalue = 1\n',
        '18: expect[0].field: expected one of "mark", "index", "last", got "bid"',
    ),
    (
        BASE + EXPECT + 'kind = "price"\nsymbol = "PF_XBTUSD"\naccount = "alice"\nvalue = 1\n',
        "18: expect[0].account: unknown key (expected one of: field, kind, max, min, symbol, "
        "value)",
    ),
]


@pytest.mark.parametrize(
    ("text", "message"),
    REFUSED,
    ids=[f"{i}-{m.split(': ')[1]}" for i, (_, m) in enumerate(REFUSED)],
)
def test_refused_with_file_line_field_and_expectation(
    refusal: Callable[[str], str], text: str, message: str
) -> None:
    assert refusal(text) == message


def test_an_order_status_must_be_one_an_order_request_is_answered_with(
    write: Callable[[str, str], Path], refusal: Callable[[str], str]
) -> None:
    text = BASE + BID + EXPECT + 'kind = "order"\norder = "bid"\nstatus = "Placed"\n'
    message = refusal(text)
    assert message.startswith("29: expect[0].status: expected a status a place is ")
    assert message.endswith(' or "invalidArgument: NAME"), got "Placed"')
    for status in ("placed", "postWouldExecute", "marketSuspended", "selfFill", "tooManyOrders"):
        assert f" {status}," in message
    good = text.replace('"Placed"', '"invalidArgument: size"')
    assert scenarios.load(write(good, "good.toml")).expectations[0].status == (
        "invalidArgument: size"
    )


def test_the_wallets_of_the_listed_instruments_are_accepted(
    write: Callable[[str, str], Path], refusal: Callable[[str], str]
) -> None:
    inverse = (
        BASE.replace("PF_XBTUSD", "PI_XBTUSD")
        + EXPECT
        + ('kind = "balance"\naccount = "alice"\ncurrency = "XBT"\nwallet = "fi_xbtusd"\nmin = 0\n')
    )
    assert scenarios.load(write(inverse, "s.toml")).expectations[0].wallet == "fi_xbtusd"
    flex_only = inverse.replace("PI_XBTUSD", "PF_XBTUSD")
    assert refusal(flex_only) == (
        '19: expect[0].wallet: expected one of "flex", "cash", got "fi_xbtusd"'
    )
