"""Incidents on the in-process target: market states, admin cancels, contract expiry, funding
spikes and liquidation cascades, each with the statuses and wire reasons it must cause."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import scenarios
from scenarios.model import Scenario
from scenarios.result import ScenarioResult
from tests.scenarios.scenario_text import BOB, place, two_accounts

D = Decimal


def reasons(result: ScenarioResult, account: str, feed: str = "open_orders") -> list[str]:
    return [m.reason for m in result.messages[account] if m.feed == feed]


def statuses(result: ScenarioResult) -> dict[str, str]:
    return {label: ack.status or str(ack.error) for label, ack in result.acks.items()}


def test_suspension_refuses_orders_until_the_market_reopens(
    scenario: Callable[..., Scenario],
) -> None:
    body = '[[incidents]]\nkind = "suspend"\nsymbol = "PF_XBTUSD"\nat = "1m"\nuntil = "2m"\n'
    body += place("30s", "before") + place("90s", "during") + place("150s", "after")
    body += '[[expect]]\nkind = "order"\norder = "before"\nstate = "open"\nat = "90s"\n'
    result = scenarios.run_in_process(scenario(body, duration="3m"))
    assert statuses(result) == {"before": "placed", "during": "marketSuspended", "after": "placed"}
    assert result.passed, result.report()  # a suspension keeps resting orders
    assert reasons(result, "alice") == ["new_placed_order_by_user"] * 2


def test_post_only_mode_refuses_takers_and_accepts_post_orders(
    scenario: Callable[..., Scenario],
) -> None:
    body = '[[incidents]]\nkind = "post_only"\nsymbol = "PF_XBTUSD"\nat = "1m"\nuntil = "2m"\n'
    body += place("70s", "mkt", kind="mkt", price=None) + place("80s", "post", kind="post")
    body += place("150s", "mkt_after", kind="ioc", price="70000")
    result = scenarios.run_in_process(scenario(body, duration="3m"))
    assert statuses(result) == {
        "mkt": "marketIsPostOnly",
        "post": "placed",
        "mkt_after": "iocWouldNotExecute",
    }
    assert "incident: PF_XBTUSD market state post_only" in result.log[0]


def test_inactive_market_cancels_resting_orders(scenario: Callable[..., Scenario]) -> None:
    body = place("10s", "rest") + place("20s", "rest2", side="sell", price="70000")
    body += '[[incidents]]\nkind = "inactive"\nsymbol = "PF_XBTUSD"\nat = "1m"\nuntil = "2m"\n'
    body += place("90s", "during") + place("150s", "after")
    result = scenarios.run_in_process(scenario(body, duration="3m"))
    assert reasons(result, "alice") == ["new_placed_order_by_user"] * 2 + [
        "market_inactive"
    ] * 2 + ["new_placed_order_by_user"]
    assert statuses(result) == {
        "rest": "placed",
        "rest2": "placed",
        "during": "marketInactive",
        "after": "placed",
    }


def test_admin_cancel_takes_one_accounts_orders_on_one_symbol(write: Callable[..., object]) -> None:
    text = (
        two_accounts("1m", PF_XBTUSD=60000, PF_ETHUSD=3000)
        + """\
[[incidents]]
kind = "admin_cancel"
at = "30s"
account = "alice"
symbol = "PF_ETHUSD"
"""
        + place("1s", "xbt")
        + place("2s", "eth", symbol="PF_ETHUSD", price="2000")
        + place("3s", "bob_eth", symbol="PF_ETHUSD", price="2000", account="bob")
    )
    result = scenarios.run_in_process(scenarios.load(write(text, "s.toml")))  # type: ignore[operator]
    eth = result.acks["eth"].order_id
    cancelled = [m for m in result.messages["alice"] if m.reason == "cancelled_by_admin"]
    assert [(m.feed, m.order_id, m.is_cancel) for m in cancelled] == [
        ("open_orders", eth, True),
        ("open_orders_verbose", eth, True),
    ]
    assert "cancelled_by_admin" not in reasons(result, "bob")
    assert any(line.endswith("incident: admin cancels 1 order(s) of alice") for line in result.log)


def test_contract_expiry_cancels_orders_and_settles_positions(
    write: Callable[..., object],
) -> None:
    text = (
        two_accounts("1h", FF_XBTUSD=60000)
        + """\
[[incidents]]
kind = "expiry"
symbol = "FF_XBTUSD"
at = "30m"
[[expect]]
kind = "position"
at = "29m"
account = "alice"
symbol = "FF_XBTUSD"
size = "0.2"
[[expect]]
kind = "position"
at = "31m"
account = "alice"
symbol = "FF_XBTUSD"
size = 0
[[expect]]
kind = "reason"
account = "alice"
reason = "contract_expired"
feed = "open_orders"
order = "rest"
"""
        + place(
            "1s", "sell", side="sell", size="0.2", price="60000", account="bob", symbol="FF_XBTUSD"
        )
        + place("2s", "buy", size="0.2", price="60000", symbol="FF_XBTUSD")
        + place("3s", "rest", symbol="FF_XBTUSD")
    )
    sc = scenarios.load(write(text, "s.toml"))  # type: ignore[operator]
    (ff,) = sc.instruments
    assert ff.overrides["last_trading_ms"] == sc.start_ms + 1_800_000
    result = scenarios.run_in_process(sc)
    assert result.passed, result.report()
    assert [c.passed for c in result.checks] == [True, True, True]
    # settled at the mark (60000): no PnL beyond the fees paid on the trade
    assert result.account("alice").positions == {}


FUNDING = BOB + """\
[[incidents]]
kind = "funding_spike"
symbol = "PF_XBTUSD"
at = "30m"
rate = "0.001"
until = "90m"
[[expect]]
kind = "equity"
account = "alice"
at = "59m59s"
min = 0
[[expect]]
kind = "equity"
account = "alice"
at = "1h"
min = 0
[[expect]]
kind = "equity"
account = "alice"
at = "2h"
min = 0
"""


def test_funding_spike_charges_longs_at_the_hour(scenario: Callable[..., Scenario]) -> None:
    body = FUNDING + place("1s", "ask", side="sell", size="1", price="60000", account="bob")
    body += place("2s", "bid", size="1", price="60000")
    sc = scenario(body, duration="2h")
    target = scenarios.InProcessTarget(sc)
    usd: dict[int, tuple[Decimal, Decimal]] = {}

    def progress(done: int, total: int) -> None:
        flex = {n: target.account_state(n).balances["flex"]["USD"] for n in ("alice", "bob")}
        usd[done] = (flex["alice"], flex["bob"])

    scenarios.Runner(sc, target, progress=progress).run()
    # 1 XBT long at mark 60000, rate 0.1 %: the long pays 60 USD to the short at 01:00
    assert usd[3_600_000][0] - usd[3_599_000][0] == D(-60)
    assert usd[3_600_000][1] - usd[3_599_000][1] == D(60)
    # back on the premium formula (mark == index): nothing at 02:00
    assert usd[7_200_000] == usd[3_600_000]


def test_liquidation_cascade_liquidates_a_leveraged_account(
    scenario: Callable[..., Scenario],
) -> None:
    body = """
[[accounts]]
name = "carol"
balances = { USD = 1500 }
[[actors]]
kind = "market_maker"
name = "mm"
symbol = "PF_XBTUSD"
size = "2"
depth = 3
every = "10s"
[[incidents]]
kind = "liquidation_cascade"
symbol = "PF_XBTUSD"
at = "5m"
move = "-0.1"
steps = 4
over = "2m"
[[expect]]
kind = "position"
at = "4m"
account = "carol"
symbol = "PF_XBTUSD"
size = "0.5"
[[expect]]
kind = "position"
account = "carol"
symbol = "PF_XBTUSD"
size = 0
[[expect]]
kind = "reason"
account = "carol"
reason = "liquidation"
feed = "open_orders"
order = "rest"
"""
    body += place("1m", "lev", size="0.5", kind="mkt", price=None, account="carol")
    body += place("1m", "rest", size="0.01", price="40000", account="carol")
    target_sc = scenario(body, duration="10m")
    result = scenarios.run_in_process(target_sc)
    assert result.passed, result.report()
    steps = [line.split()[0] for line in result.log if "cascade step" in line]
    assert steps == ["300000", "330000", "360000", "390000"]
    # the shock persists: the last prices are 10 % below the start (mm quotes around 54000)
    assert any("@54027" in line or "@53973" in line for line in result.log[-20:])
    assert result.account("carol").pnl < D(-1000)


CASCADES = """
[[incidents]]
kind = "liquidation_cascade"
symbol = "PF_XBTUSD"
at = "1m"
move = "-0.1"
steps = 2
over = "1m"
[[incidents]]
kind = "liquidation_cascade"
symbol = "PF_XBTUSD"
at = "3m"
move = "-0.1"
steps = 2
over = "1m"
[[expect]]
kind = "price"
symbol = "PF_XBTUSD"
value = 57000
at = "1m"
[[expect]]
kind = "price"
symbol = "PF_XBTUSD"
value = 54000
at = "2m"
[[expect]]
kind = "price"
symbol = "PF_XBTUSD"
value = 51300
at = "3m"
[[expect]]
kind = "price"
symbol = "PF_XBTUSD"
field = "{field}"
value = 48600
"""


def test_two_cascades_on_one_symbol_compose(scenario: Callable[..., Scenario]) -> None:
    """-10 % then -10 % is 0.9 x 0.9 = -19 %: 60000 -> 57000 -> 54000 -> 51300 -> 48600, both
    for prices nothing else drives and for a path the cascades scale."""
    free = scenarios.run_in_process(scenario(CASCADES.format(field="index"), duration="5m"))
    assert free.passed, free.report()
    path = '[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "constant"\nprice = 60000\nfields = ["mark"]\n'
    driven = scenarios.run_in_process(scenario(path + CASCADES.format(field="mark"), duration="5m"))
    assert driven.passed, driven.report()
    steps = [line.split()[0] for line in driven.log if "cascade step" in line]
    assert steps == ["60000", "90000", "180000", "210000"]
