"""The `price` and `fills` expectation kinds, and how `reason` counts on feed "any": each passes
when it should and fails with a message naming what was expected and what was found."""

from __future__ import annotations

from collections.abc import Callable

import scenarios
from scenarios.model import Scenario
from tests.scenarios.scenario_text import BOB, place

#: alice rests 0.3 at 59900; bob sells 0.1 then 0.05 into it; the mark moves at 5 s.
TRADES = (
    BOB
    + """
[[paths]]
symbol = "PF_XBTUSD"
kind = "points"
fields = ["mark", "index"]
points = [["0s", 60000], ["5s", 60000], ["6s", 61000]]
interpolate = "step"
offset = { index = -5 }
"""
    + place("1s", "bid", size="0.3", price="59900")
    + place("2s", "hit", side="sell", kind="mkt", price=None, account="bob")
    + place("3s", "again", side="sell", kind="mkt", size="0.05", price=None, account="bob")
)

EXPECT = """
[[expect]]
kind = "{kind}"
{keys}
"""


def checks(scenario: Callable[..., Scenario], *expects: tuple[str, str]) -> list[tuple[bool, str]]:
    body = TRADES + "".join(EXPECT.format(kind=k, keys=keys) for k, keys in expects)
    result = scenarios.run_in_process(scenario(body, duration="10s"))
    return [(c.passed, c.message.split(": ", 1)[1]) for c in result.checks]


def test_price_expectations_read_mark_index_and_last(scenario: Callable[..., Scenario]) -> None:
    found = checks(
        scenario,
        ("price", 'symbol = "PF_XBTUSD"\nvalue = 60000\nat = "5s"'),
        ("price", 'symbol = "PF_XBTUSD"\nvalue = 61000'),
        ("price", 'symbol = "PF_XBTUSD"\nfield = "index"\nmin = 60990\nmax = 60995'),
        ("price", 'symbol = "PF_XBTUSD"\nfield = "last"\nvalue = 59900'),
        ("price", 'symbol = "PF_XBTUSD"\nfield = "last"\nmin = 60000'),
        ("price", 'symbol = "PF_XBTUSD"\nmax = 60500'),
    )
    assert found == [
        (True, "PF_XBTUSD mark price is 60000"),
        (True, "PF_XBTUSD mark price is 61000"),
        (True, "PF_XBTUSD index price in [60990, 60995], found 60995"),
        (True, "PF_XBTUSD last price is 59900"),
        (False, "PF_XBTUSD last price expected in [60000, +inf], found 59900"),
        (False, "PF_XBTUSD mark price expected in [-inf, 60500], found 61000"),
    ]


def test_fills_expectations_count_and_sum_fills(scenario: Callable[..., Scenario]) -> None:
    found = checks(
        scenario,
        ("fills", 'account = "alice"\ncount = 2\nvolume = "0.15"'),
        ("fills", 'account = "bob"\norder = "hit"\ncount = 1\nvolume = "0.1"'),
        ("fills", 'account = "alice"\norder = "bid"\nmin_count = 1\nmax_count = 2'),
        ("fills", 'account = "bob"\nmin_volume = "0.1"\nmax_volume = "0.2"'),
        ("fills", 'account = "alice"\ncount = 1\nat = "2s"'),
        ("fills", 'account = "alice"\ncount = 3'),
        ("fills", 'account = "bob"\nmin_count = 3\nvolume = "0.15"'),
        ("fills", 'account = "bob"\norder = "again"\nmax_volume = "0.01"'),
        ("fills", 'account = "alice"\nmin_count = 0'),
    )
    assert found == [
        (True, "alice fills: count 1"),  # at 2 s: checked first
        (True, "alice fills: count 2, volume 0.15"),
        (True, 'bob fills of "hit": count 1, volume 0.1'),
        (True, 'alice fills of "bid": count 2'),
        (True, "bob fills: volume 0.15"),
        (False, "alice fills: count 2 (expected 3)"),
        (False, "bob fills: count 2 (expected in [3, +inf]); volume 0.15"),
        (False, 'bob fills of "again": volume 0.05 (expected in [-inf, 0.01])'),
        (True, "alice fills: count 2"),
    ]


def test_reason_on_any_feed_counts_each_event_once(scenario: Callable[..., Scenario]) -> None:
    """A placement reaches open_orders and open_orders_verbose; on "any" it is one event."""
    found = checks(
        scenario,
        ("reason", 'account = "alice"\nreason = "new_placed_order_by_user"\nmin_count = 2'),
        ("reason", 'account = "alice"\nreason = "new_placed_order_by_user"'),
        ("reason", 'account = "alice"\nreason = "partial_fill"\nmin_count = 2'),
        ("reason", 'account = "alice"\nreason = "partial_fill"\nmin_count = 3'),
        (
            "reason",
            'account = "alice"\nreason = "new_placed_order_by_user"\nfeed = "open_orders_verbose"',
        ),
    )
    assert found == [
        (
            False,
            "reason new_placed_order_by_user seen 1 time(s) for alice on any, expected at "
            "least 2; reasons seen: new_placed_order_by_user, partial_fill",
        ),
        (
            True,
            "reason new_placed_order_by_user seen 1 time(s) for alice on any, expected at least 1",
        ),
        (True, "reason partial_fill seen 2 time(s) for alice on any, expected at least 2"),
        (
            False,
            "reason partial_fill seen 2 time(s) for alice on any, expected at least 3; "
            "reasons seen: new_placed_order_by_user, partial_fill",
        ),
        (
            True,
            "reason new_placed_order_by_user seen 1 time(s) for alice on open_orders_verbose, "
            "expected at least 1",
        ),
    ]
