"""The runner end to end on the in-process target: every open_orders reason can be provoked
by a scenario, a seed fixes the whole run, a simulated day runs in seconds, the result holds
per-account figures, and the target satisfies the `Target` protocol."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

import pytest

import scenarios
from mock_exchange.engine.events import BalanceChanged, BalanceKind, Event
from scenarios.model import Scenario
from scenarios.result import ScenarioResult
from scenarios.target import OrderEdit, OrderRequest, Target
from tests.scenarios.scenario_text import BOB

HERE = Path(__file__).parent
D = Decimal
SEED_REASONS = {
    "new_placed_order_by_user",
    "liquidation",
    "stop_order_triggered",
    "limit_order_from_stop",
    "partial_fill",
    "full_fill",
    "cancelled_by_user",
    "contract_expired",
    "not_enough_margin",
    "market_inactive",
    "cancelled_by_admin",
    "dead_man_switch",
    "ioc_order_failed_because_it_would_not_be_executed",
    "post_order_failed_because_it_would_filled",
    "would_execute_self",
    "would_not_reduce_position",
    "order_for_edit_not_found",
}


def test_every_seed_reason_is_provoked_and_expected() -> None:
    """every_reason.toml (trading on PF_XBTUSD) and every_reason_incidents.toml (an operator
    or a timer on its own market) together provoke and expect every reason of the seed list."""
    trading = scenarios.load(HERE / "every_reason.toml")
    incidents = scenarios.load(HERE / "every_reason_incidents.toml")
    expected: set[str | None] = set()
    seen: set[str] = set()
    for sc in (trading, incidents):
        result = scenarios.run_in_process(sc)
        assert result.passed, result.report()
        expected |= {e.reason for e in sc.expectations if e.kind == "reason"}
        seen |= {m.reason for messages in result.messages.values() for m in messages}
        if sc is trading:
            carol = result.account("carol")
            assert carol.positions == {} and carol.pnl < 0
    assert expected == SEED_REASONS | {"edited_by_user"}
    assert seen >= SEED_REASONS
    by_incident = {"cancelled_by_admin", "market_inactive", "contract_expired"}
    assert {e.reason for e in incidents.expectations if e.kind == "reason"} == by_incident


DAY = """
[scenario]
name = "a day"
duration = "24h"
step = "10s"
seed = 11

[instruments.PF_XBTUSD]
price = 60000

[instruments.PF_ETHUSD]
price = 3000

[[accounts]]
name = "alice"
balances = { USD = 50000 }

[[paths]]
symbol = "PF_XBTUSD"
kind = "random_walk"
volatility = "0.01"
jumps = [{ at = "12h", by = "-0.05" }]

[[paths]]
symbol = "PF_ETHUSD"
kind = "random_walk"
volatility = "0.015"
drift = "0.001"

[[actors]]
kind = "market_maker"
name = "mm_xbt"
symbol = "PF_XBTUSD"
size = "1"
depth = 3
every = "1m"

[[actors]]
kind = "market_maker"
name = "mm_eth"
symbol = "PF_ETHUSD"
size = "10"
depth = 2
every = "2m"

[[actors]]
kind = "random_taker"
name = "noise"
symbol = "PF_XBTUSD"
min_size = "0.01"
max_size = "0.2"
every = "3m"

[[incidents]]
kind = "funding_spike"
symbol = "PF_XBTUSD"
at = "6h"
rate = "0.0005"
until = "9h"

[[actions]]
kind = "place"
at = "1h"
account = "alice"
label = "long"
symbol = "PF_XBTUSD"
side = "buy"
type = "mkt"
size = "0.5"

[[actions]]
kind = "place"
at = "20h"
account = "alice"
label = "close"
symbol = "PF_XBTUSD"
side = "sell"
type = "mkt"
size = "0.5"
reduce_only = true

[[expect]]
kind = "position"
at = "2h"
account = "alice"
symbol = "PF_XBTUSD"
size = "0.5"

[[expect]]
kind = "position"
account = "alice"
symbol = "PF_XBTUSD"
size = 0

[[expect]]
kind = "order"
order = "close"
status = "placed"
state = "filled"
"""


def fingerprint(result: ScenarioResult) -> str:
    text = "\n".join(result.log)
    text += repr(sorted((k, v) for k, v in result.messages.items()))
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_simulated_day_runs_and_pays_exact_funding(write: Callable[..., Path]) -> None:
    sc = scenarios.load(write(DAY, "day.toml"))
    target = scenarios.InProcessTarget(sc)
    funding: list[tuple[int, str, Decimal]] = []

    def listen(events: Sequence[Event]) -> None:
        for e in events:
            if isinstance(e, BalanceChanged) and e.kind is BalanceKind.FUNDING:
                funding.append((e.time - sc.start_ms, target.names[e.account_id], e.delta))

    target.exchange.subscribe(listen)
    first = scenarios.Runner(sc, target).run()
    assert first.passed, first.report()
    assert first.duration == 86_400_000 and first.seed == 11
    noise = first.account("noise")
    assert noise.orders_sent > 350 and noise.fills > 350
    assert first.account("mm_xbt").orders_sent == 6 * 1441  # a refresh a minute, both ends
    # The spike (0.0005 per hour from 06:00 until 09:00) is paid at 07:00, 08:00 and 09:00 (at
    # 06:00 and 09:00 the exchange's hourly timer fires before the incident step of that
    # moment); with mark = index the premium formula gives 0 at every other hour. alice, long
    # 0.5 XBT, pays 0.5 x 0.0005 x the mark of that hour; longs pay exactly what shorts get.
    applied = [
        (t - sc.start_ms, rate, per_xbt)
        for t, rate, per_xbt in target.exchange.markets["PF_XBTUSD"].funding_history
        if rate != 0
    ]
    hours = [7 * HOUR, 8 * HOUR, 9 * HOUR]
    assert applied == [
        (h, D("0.0005"), amount) for h, amount in zip(hours, USD_PER_XBT, strict=True)
    ]
    assert [(t, v) for t, who, v in funding if who == "alice"] == [
        (7 * HOUR, D("-15.0425")),  # 0.5 x 0.0005 x 60170
        (8 * HOUR, D("-15.211")),  # 0.5 x 0.0005 x 60844
        (9 * HOUR, D("-15.33925")),  # 0.5 x 0.0005 x 61357
    ]
    for hour in hours:
        assert sum(v for t, _, v in funding if t == hour) == 0
    assert {t for t, _, _ in funding} == set(hours)


#: PF_XBTUSD funding per XBT at 07:00, 08:00, 09:00 of DAY (seed 11): 0.0005 x the mark.
USD_PER_XBT = (D("30.0850"), D("30.4220"), D("30.6785"))
HOUR = 3_600_000
#: DAY cut to two hours (no incidents or actions): enough to tell seeds apart, quickly.
SHORT = DAY.split("[[incidents]]")[0].replace('"24h"', '"2h"').replace('"12h"', '"1h"')


def test_a_seed_fixes_everything() -> None:
    sc = scenarios.loads(SHORT)
    first, again = scenarios.run_in_process(sc), scenarios.run_in_process(sc)
    assert first.account("noise").fills > 20
    assert fingerprint(again) == fingerprint(first)
    assert again.log == first.log
    assert again.accounts == first.accounts
    other = scenarios.run_in_process(sc, seed=12)
    assert other.seed == 12
    assert fingerprint(other) != fingerprint(first)
    assert other.accounts != first.accounts


def test_progress_is_reported_in_order_up_to_the_duration(
    scenario: Callable[..., Scenario],
) -> None:
    sc = scenario('[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "constant"\nprice = 60000\n', "1m")
    done: list[tuple[int, int]] = []
    scenarios.run_in_process(sc, progress=lambda t, total: done.append((t, total)))
    assert done == [(t, 60_000) for t in range(0, 60_001, 1_000)]


def test_the_result_summary_and_report(scenario: Callable[..., Scenario]) -> None:
    body = BOB + """\
[[actions]]
kind = "place"
at = "1s"
account = "bob"
label = "ask"
symbol = "PF_XBTUSD"
side = "sell"
type = "lmt"
size = "1"
price = 60000
[[actions]]
kind = "place"
at = "2s"
account = "alice"
label = "take"
symbol = "PF_XBTUSD"
side = "buy"
type = "mkt"
size = "0.5"
[[expect]]
kind = "order"
order = "ask"
state = "open"
filled = "0.5"
"""
    result = scenarios.run_in_process(scenario(body, duration="5s"))
    alice, bob = result.account("alice"), result.account("bob")
    assert (alice.orders_sent, alice.orders_accepted, alice.fills, alice.volume) == (
        1,
        1,
        1,
        D("0.5"),
    )
    assert alice.pnl == D("-15")  # taker fee 0.05 % of 30000
    assert bob.pnl == D("-6")  # maker fee 0.02 %
    assert alice.positions["PF_XBTUSD"].size == D("0.5")
    assert result.report().splitlines() == [
        "scenario s (seed 0, 5000 ms)",
        "account           orders accepted  fills        pnl (USD)",
        "alice                  1        1      1           -15.00",
        "bob                    1        1      1            -6.00",
        "expectations met: 1/1",
        '  ok   line 34: order "ask": state open, filled 0.5',
    ]




def test_the_in_process_target_speaks_krakens_statuses(scenario: Callable[..., Scenario]) -> None:
    target = scenarios.InProcessTarget(scenario())
    assert isinstance(target, Target)
    target.open_account("alice", {"USD": D(100000)}, {})
    bad_type = OrderRequest("PF_XBTUSD", "buy", "limit", D(1), D(60000))
    assert target.place("alice", bad_type).error == "invalidArgument: orderType"
    unknown = OrderRequest("PF_NOPE", "buy", "lmt", D(1), D(60000))
    assert target.place("alice", unknown).error == "contractNotFound"
    off_tick = target.place("alice", OrderRequest("PF_XBTUSD", "buy", "lmt", D(1), D("59000.5")))
    assert (off_tick.status, off_tick.ok) == ("invalidPrice", False)
    ack = target.place("alice", OrderRequest("PF_XBTUSD", "buy", "lmt", D(1), D(59000)))
    assert ack.ok and ack.status == "placed" and ack.order_id is not None
    assert target.edit("alice", OrderEdit(ack.order_id, size=D(2))).status == "edited"
    (order,) = target.open_orders("alice")
    assert (order.side, order.size, order.limit_price) == ("buy", D(2), D(59000))
    assert target.order_state("alice", ack.order_id).state == "open"
    assert target.cancel("alice", ack.order_id).status == "cancelled"
    assert target.order_state("alice", ack.order_id).state == "cancelled"
    assert target.cancel("alice", ack.order_id).status == "notFound"
    assert target.order_state("alice", "nope").state == "unknown"
    assert target.cancel_all("alice").status == "noOrdersToCancel"
    target.open_account("bob", {"USD": D(100000)}, {})
    bid = target.place("alice", OrderRequest("PF_XBTUSD", "buy", "lmt", D(1), D(59990)))
    post = target.place("bob", OrderRequest("PF_XBTUSD", "sell", "post", D(1), D(59000)))
    hit = target.place("bob", OrderRequest("PF_XBTUSD", "sell", "mkt", D("0.4")))
    assert (post.status, hit.status) == ("postWouldExecute", "placed")
    states = [target.order_state(n, a.order_id or "") for n, a in
              (("bob", post), ("bob", hit), ("alice", bid))]  # fmt: skip
    assert [(s.state, s.filled, s.reason) for s in states] == [
        ("rejected", 0, "post_order_failed_because_it_would_filled"),
        ("filled", D("0.4"), "full_fill"),
        ("open", D("0.4"), None),
    ]
    (fill,) = target.fills("bob")
    assert (fill.side, fill.size, fill.price, fill.fill_type) == ("sell", D("0.4"), 59990, "taker")
    assert target.account_state("bob").positions["PF_XBTUSD"].size == D("-0.4")
    stop = target.place("alice", OrderRequest("PF_XBTUSD", "sell", "stp", D(1), None, D(59000)))
    kinds = {o.order_id: (o.order_type, o.stop_price) for o in target.open_orders("alice")}
    assert kinds == {bid.order_id: ("lmt", None), stop.order_id: ("stp", D(59000))}
    assert set(target.cancel_all("alice").cancelled) == {bid.order_id, stop.order_id}
    assert not target.admin_cancel("nope")
    reasons = [(m.feed, m.reason) for m in target.order_messages("alice")][:6]
    assert reasons == [
        ("open_orders", "new_placed_order_by_user"),
        ("open_orders_verbose", "new_placed_order_by_user"),
        ("open_orders", "edited_by_user"),
        ("open_orders_verbose", "edited_by_user"),
        ("open_orders", "cancelled_by_user"),
        ("open_orders_verbose", "cancelled_by_user"),
    ]
    target.advance_to(target.now_ms() + 5_000)
    target.advance_to(target.now_ms() - 1_000)  # never backwards
    assert target.now_ms() == 1_767_225_605_000
    target.close()


class StillClock:
    """A clock that is not a ManualClock (as a server's wall clock is not)."""

    def __init__(self, now: int) -> None:
        self.now = now

    def now_ms(self) -> int:
        return self.now


def test_the_in_process_target_takes_a_clock_and_can_stop_recording(
    scenario: Callable[..., Scenario],
) -> None:
    sc = scenario('[instruments.FF_XBTUSD]\nprice = 60000\n')
    clock = StillClock(sc.start_ms + 3_600_000)
    target = scenarios.InProcessTarget(sc, clock=clock)
    assert target.exchange.clock is clock and target.now_ms() == sc.start_ms + 3_600_000
    own = scenarios.InProcessTarget(sc)
    assert target.exchange.instruments == own.exchange.instruments  # as of the start, both
    with pytest.raises(TypeError, match="advance_to moves a ManualClock; override it"):
        target.advance_to(sc.start_ms + 7_200_000)
    seen: list[object] = []
    target.exchange.subscribe(seen.extend)
    target.open_account("alice", {"USD": D(100000)}, {})
    bid = OrderRequest("PF_XBTUSD", "buy", "lmt", D(1), D(59000))
    first = target.place("alice", bid)
    assert [m.reason for m in target.order_messages("alice")] == ["new_placed_order_by_user"] * 2
    events = len(seen)
    target.stop_recording()
    target.stop_recording()  # once stopped, stopping again changes nothing
    assert target.cancel("alice", first.order_id or "").status == "cancelled"
    assert len(target.order_messages("alice")) == 2  # not recorded any more ...
    assert len(seen) > events  # ... while the exchange's other listeners still hear
    target.close()
    assert target.exchange.listeners == []


def test_a_runner_runs_once_and_text_scenarios_name_their_source() -> None:
    sc = scenarios.loads('[scenario]\nduration = "1s"\n[instruments.PF_XBTUSD]\nprice = 60000\n')
    assert (sc.name, sc.source) == ("scenario", None)
    runner = scenarios.Runner(sc, scenarios.InProcessTarget(sc))
    assert runner.run().passed
    with pytest.raises(RuntimeError, match="a Runner runs once"):
        runner.run()
    with pytest.raises(scenarios.ScenarioError) as caught:
        scenarios.loads('[scenario]\nduration = "1s"\n')
    assert str(caught.value) == (
        "<scenario>:1: instruments: expected at least one [instruments.SYMBOL] table"
    )
