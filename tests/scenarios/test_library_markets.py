"""The rehearsal markets of the library beyond their own seed: every one passes for a range of
seeds (in-process, fast), runs the same whatever decimal context the caller has, and the
figures their comments state hold exactly (the liquidation gap fill of flash_crash, the thin
book's sweep, the expiry settlement price)."""

from __future__ import annotations

from decimal import ROUND_DOWN, Context, Decimal, localcontext

import pytest

import scenarios
from scenarios.inprocess import InProcessTarget
from scenarios.runner import Runner

D = Decimal
REHEARSALS = ("quiet_range", "trend", "flash_crash", "thin_book", "funding_spike",
              "contract_expiry")  # fmt: skip
SEEDS = range(1, 7)


@pytest.mark.parametrize("name", REHEARSALS)
def test_a_rehearsal_market_passes_for_every_seed(name: str) -> None:
    scenario = scenarios.load(name)
    for seed in SEEDS:
        result = scenarios.run_in_process(scenario, seed=seed)
        assert result.passed, result.report()


def test_a_run_ignores_the_callers_decimal_context() -> None:
    """quiet_range under a 12-digit (or truncating) context gives the very same run."""
    scenario = scenarios.load("quiet_range")
    expected = scenarios.run_in_process(scenario)
    for context in (Context(prec=12), Context(prec=16, rounding=ROUND_DOWN)):
        with localcontext(context):
            again = scenarios.run_in_process(scenarios.load("quiet_range"))
        assert again.log == expected.log
        assert again.accounts == expected.accounts


def test_flash_crash_liquidates_the_long_at_the_gap_and_leaves_a_negative_balance() -> None:
    """Known difference (docs/scenarios.md): the liquidation fills at the cascade step's price,
    far below the liquidation level, and the mock books the whole loss, so the flex balance
    goes below zero instead of stopping at it."""
    scenario = scenarios.load("flash_crash")
    target = InProcessTarget(scenario)
    result = Runner(scenario, target).run()
    assert result.passed, result.report()
    fills = [(f.side, f.size, f.price, f.fill_type, f.time) for f in target.fills("levered")]
    start = scenario.start_ms
    assert fills == [
        ("buy", D("0.4"), D(60024), "taker", start + 60_000),
        ("sell", D("0.4"), D(54600), "liquidation", start + 21 * 60_000),
    ]
    # 2000 - 0.4 x (60024 - 54600) - taker fee 12.0048 - liquidation fee 0.75% of 21840
    assert D(2000) - D("0.4") * (60024 - 54600) - D("12.0048") - D("163.8") == D("-345.4048")
    state = target.account_state("levered")
    assert state.balances["flex"]["USD"] == D("-345.4048")
    assert state.equity == D("-345.4048") and state.positions == {}
    assert result.account("levered").pnl == D("-2345.4048")


def test_thin_book_sweeper_buys_exactly_its_total() -> None:
    result = scenarios.run_in_process(scenarios.load("thin_book"))
    assert result.passed, result.report()
    sweeper = result.account("sweeper")
    assert (sweeper.orders_sent, sweeper.volume) == (24, D(1))
    assert sweeper.positions["PF_XBTUSD"].entry_price == D("60346.4")
    assert sweeper.pnl == D(60000) - D("60346.4") - D("30.1732")  # marked at 60000, taker fee
    assert result.log.count("   1470000 sweeper done: 1.0000 buy") == 1


def test_contract_expiry_settles_at_the_mark_of_the_last_sample_before_expiry() -> None:
    scenario = scenarios.load("contract_expiry")
    target = InProcessTarget(scenario)
    marks: dict[int, Decimal] = {}
    symbol = scenario.instruments[0].symbol

    def progress(done: int, total: int) -> None:
        marks[done] = target.prices(symbol).mark

    result = Runner(scenario, target, progress=progress).run()
    assert result.passed, result.report()
    assert marks[115 * 60_000] == D(61917)  # the 1h55m sample: 60000 + 2000 x 115/120
    me = result.account("me")
    settled = D("0.2") * (61917 - 60030) - D("6.003") - D("0.0005") * D("0.2") * 61917
    assert me.pnl == settled == D("365.2053")
    assert me.positions == {}
