"""Expectations make a scenario a test: each kind passes when it should, and fails with a
message that says what was expected and what was found."""

from __future__ import annotations

from collections.abc import Callable

import scenarios
from scenarios.model import Scenario
from tests.scenarios.scenario_text import BOB, place

#: alice rests 0.3 at 59900 and bob sells 0.1 into it; alice's post-only sell at 59000 would
#: cross her own bid.
ORDERS = (
    BOB
    + place("1s", "bid", size="0.3", price="59900")
    + place("2s", "hit", side="sell", kind="mkt", price=None, account="bob")
    + place("3s", "cross", side="sell", kind="post", price="59000")
)


def messages(sc: Scenario) -> list[tuple[bool, str]]:
    result = scenarios.run_in_process(sc)
    return [(c.passed, c.message) for c in result.checks]


def test_passing_expectations(scenario: Callable[..., Scenario]) -> None:
    body = (
        ORDERS
        + """
[[expect]]
kind = "order"
order = "bid"
status = "placed"
state = "open"
filled = "0.1"
[[expect]]
kind = "order"
order = "cross"
status = "postWouldExecute"
[[expect]]
kind = "reason"
account = "alice"
reason = "partial_fill"
feed = "open_orders"
order = "bid"
[[expect]]
kind = "reason"
account = "alice"
reason = "post_order_failed_because_it_would_filled"
feed = "open_orders_verbose"
[[expect]]
kind = "reason"
account = "alice"
reason = "post_order_failed_because_it_would_filled"
feed = "open_orders"
absent = true
[[expect]]
kind = "position"
account = "bob"
symbol = "PF_XBTUSD"
size = "-0.1"
[[expect]]
kind = "position"
at = "1s"
account = "bob"
symbol = "PF_XBTUSD"
size = 0
[[expect]]
kind = "balance"
account = "alice"
currency = "USD"
min = 99990
max = 100000
[[expect]]
kind = "equity"
account = "bob"
min = 99000
"""
    )
    sc = scenario(body, duration="10s")
    assert messages(sc) == [
        (True, "line 80: bob position in PF_XBTUSD is 0"),  # at 1 s: checked first
        (True, 'line 48: order "bid": status placed, state open, filled 0.1'),
        (True, 'line 54: order "cross": status postWouldExecute'),
        (
            True,
            'line 58: reason partial_fill seen 1 time(s) for alice on open_orders about "bid", '
            "expected at least 1",
        ),
        (
            True,
            "line 64: reason post_order_failed_because_it_would_filled seen 1 time(s) for "
            "alice on open_orders_verbose, expected at least 1",
        ),
        (
            True,
            "line 69: reason post_order_failed_because_it_would_filled never seen (expected "
            "never) for alice on open_orders",
        ),
        (True, "line 75: bob position in PF_XBTUSD is -0.1"),
        # alice made 0.1 at 59900: maker fee 0.02 % = 1.198
        (True, "line 86: alice flex USD in [99990, 100000], found 99998.802"),
        # bob took: fee 0.05 % = 2.995, short 0.1 from 59900 with the mark at 60000: -10
        (True, "line 92: bob equity (USD) in [99000, +inf], found 99987.005"),
    ]


def test_failing_expectations_say_what_was_expected_and_found(
    scenario: Callable[..., Scenario],
) -> None:
    body = (
        ORDERS
        + """
[[expect]]
kind = "order"
order = "bid"
status = "postWouldExecute"
state = "filled"
filled = "0.3"
[[expect]]
kind = "reason"
account = "bob"
reason = "cancelled_by_admin"
[[expect]]
kind = "reason"
account = "alice"
reason = "partial_fill"
absent = true
[[expect]]
kind = "position"
account = "bob"
symbol = "PF_XBTUSD"
size = "0.1"
[[expect]]
kind = "balance"
account = "alice"
currency = "USD"
wallet = "flex"
max = 1000
"""
    )
    sc = scenario(body, duration="10s")
    result = scenarios.run_in_process(sc)
    assert not result.passed
    assert [c.message for c in result.failures] == [
        'line 48: order "bid": status expected postWouldExecute, found placed; '
        "state expected filled, found open; filled expected 0.3, found 0.1",
        "line 54: reason cancelled_by_admin seen 0 time(s) for bob on any, expected at least 1; "
        "reasons seen: none",
        # one partial fill reaches open_orders and open_orders_verbose: counted once
        "line 58: reason partial_fill seen 1 time(s) (expected never) for alice on any",
        "line 63: bob position in PF_XBTUSD expected 0.1, found -0.1",
        "line 68: alice flex USD expected in [-inf, 1000], found 99998.802",
    ]
    report = result.report()
    assert "expectations met: 0/5" in report
    assert "  FAIL line 63: bob position in PF_XBTUSD expected 0.1, found -0.1" in report
