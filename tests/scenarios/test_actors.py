"""Actors on the in-process target: market makers quote exact prices and re-quote, random
takers trade within their sizes, a liquidity withdrawal empties the book for its window, an
aggressor works its total."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import scenarios
from scenarios.model import Scenario
from scenarios.target import OpenOrder

D = Decimal
MM = """
[[actors]]
kind = "market_maker"
name = "mm"
symbol = "PF_XBTUSD"
size = "0.5"
depth = 2
spread = "0.001"
every = "10s"
"""


def quotes(orders: tuple[OpenOrder, ...]) -> list[tuple[str, Decimal | None, Decimal]]:
    return sorted((o.side, o.limit_price, o.size) for o in orders)


def run_watching(sc: Scenario, account: str) -> tuple[scenarios.ScenarioResult, dict[int, list]]:  # type: ignore[type-arg]
    """Run `sc`, noting `account`'s open orders after each moment the runner handled."""
    target = scenarios.InProcessTarget(sc)
    seen: dict[int, list] = {}  # type: ignore[type-arg]

    def progress(done: int, total: int) -> None:
        seen[done] = quotes(target.open_orders(account))

    return scenarios.Runner(sc, target, progress=progress).run(), seen


def test_market_maker_quotes_around_the_mark_and_requotes(
    scenario: Callable[..., Scenario],
) -> None:
    sc = scenario(
        MM + '[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "points"\ninterpolate = "step"\n'
        'points = [["0s", 60000], ["15s", 50000]]\n',
        duration="30s",
    )
    result, seen = run_watching(sc, "mm")
    half = D("0.5")
    assert seen[0] == [
        ("buy", D(59940), half),
        ("buy", D(59970), half),
        ("sell", D(60030), half),
        ("sell", D(60060), half),
    ]
    # the mark moved to 50000 at 15 s; the next refresh (20 s) quotes around it
    assert seen[15_000] == seen[0]
    assert seen[20_000] == [
        ("buy", D(49950), half),
        ("buy", D(49975), half),
        ("sell", D(50025), half),
        ("sell", D(50050), half),
    ]
    mm = result.account("mm")
    assert (mm.orders_sent, mm.orders_accepted, mm.fills) == (16, 16, 0)  # 4 refreshes x 4


def test_market_maker_stops_and_pulls_its_quotes(scenario: Callable[..., Scenario]) -> None:
    sc = scenario(MM + 'stop = "25s"\n', duration="40s")
    result, seen = run_watching(sc, "mm")
    assert len(seen[20_000]) == 4
    assert seen[25_000] == [] and seen[40_000] == []
    assert any(line.endswith("mm stops (4 cancelled)") for line in result.log)


TAKER = """
[[actors]]
kind = "random_taker"
name = "taker"
symbol = "PF_XBTUSD"
min_size = "0.01"
max_size = "0.05"
every = "30s"
"""


def test_random_taker_trades_within_its_sizes_deterministically(
    scenario: Callable[..., Scenario],
) -> None:
    sc = scenario(MM.replace('"0.5"', '"5"') + TAKER, duration="1h")
    first = scenarios.run_in_process(sc)
    again = scenarios.run_in_process(sc)
    other = scenarios.run_in_process(sc, seed=99)
    taker_lines = [line for line in first.log if " taker mkt " in line]
    assert taker_lines == [line for line in again.log if " taker mkt " in line]
    assert taker_lines != [line for line in other.log if " taker mkt " in line]
    taker = first.account("taker")
    assert 80 <= taker.orders_sent <= 160  # mean interval 30 s over an hour: about 120
    assert taker.fills == taker.orders_sent == taker.orders_accepted
    sizes = {D(line.split()[4]) for line in taker_lines}
    sides = {line.split()[3] for line in taker_lines}
    assert sides == {"buy", "sell"}
    assert min(sizes) >= D("0.01") and max(sizes) <= D("0.05") and len(sizes) > 3
    assert all(s % D("0.0001") == 0 for s in sizes)
    # every taker fill met the maker: volumes agree
    assert first.account("mm").volume == taker.volume


def test_liquidity_withdrawal_empties_the_book_for_its_window(
    scenario: Callable[..., Scenario],
) -> None:
    pull = '[[actors]]\nkind = "liquidity_withdrawal"\nname = "pull"\nmaker = "mm"\n'
    pull += 'start = "15s"\nstop = "45s"\n'
    aggressor = (
        '[[actors]]\nkind = "aggressor"\nname = "big"\nsymbol = "PF_XBTUSD"\n'
        'side = "buy"\nsize = "0.1"\ntotal = "0.5"\nstart = "12s"\nevery = "10s"\n'
    )
    result, seen = run_watching(scenario(MM + pull + aggressor, duration="1m"), "mm")
    assert len(seen[10_000]) == 4
    assert seen[15_000] == seen[20_000] == seen[40_000] == []
    assert len(seen[45_000]) == 4  # back at once when the window ends
    big = [line.split(" -> ")[1] for line in result.log if " big mkt " in line]
    # 12 s filled; 22, 32, 42 s found no liquidity (Kraken's iocWouldNotExecute); 52 s filled
    assert [s.split()[0] for s in big] == [
        "placed",
        "iocWouldNotExecute",
        "iocWouldNotExecute",
        "iocWouldNotExecute",
        "placed",
    ]
    assert result.account("big").positions["PF_XBTUSD"].size == D("0.2")


def test_aggressor_works_its_total_in_clips(scenario: Callable[..., Scenario]) -> None:
    aggressor = (
        '[[actors]]\nkind = "aggressor"\nname = "big"\nsymbol = "PF_XBTUSD"\n'
        'side = "sell"\nsize = "0.4"\ntotal = "1"\nevery = "5s"\nstart = "1s"\n'
    )
    result = scenarios.run_in_process(scenario(MM + aggressor, duration="1m"))
    clips = [line.split()[4] for line in result.log if " big mkt " in line]
    assert clips == ["0.4", "0.4", "0.2000"]  # the rest of the total after two filled clips
    times = [int(line.split()[0]) for line in result.log if " big mkt " in line]
    assert times == [1_000, 6_000, 11_000]
    assert result.account("big").positions["PF_XBTUSD"].size == D(-1)
    assert result.account("mm").positions["PF_XBTUSD"].size == D(1)


def test_aggressor_counts_what_filled_not_what_it_sent(
    scenario: Callable[..., Scenario],
) -> None:
    """The book shows 0.25 an order: each 0.4 clip fills 0.25, so the aggressor needs four
    orders (the last one sized to what is left) to get its 1 XBT."""
    thin = MM.replace('size = "0.5"', 'size = "0.25"').replace("depth = 2", "depth = 1")
    aggressor = (
        '[[actors]]\nkind = "aggressor"\nname = "big"\nsymbol = "PF_XBTUSD"\n'
        'side = "buy"\nsize = "0.4"\ntotal = "1"\nevery = "10s"\nstart = "5s"\n'
    )
    result = scenarios.run_in_process(scenario(thin + aggressor, duration="2m"))
    sent = [(int(line.split()[0]), line.split()[4]) for line in result.log if " big mkt " in line]
    assert sent == [(5_000, "0.4"), (15_000, "0.4"), (25_000, "0.4"), (35_000, "0.2500")]
    assert "     35000 big done: 1.0000 buy" in result.log
    big = result.account("big")
    assert (big.orders_sent, big.fills, big.volume) == (4, 4, D(1))
    assert big.positions["PF_XBTUSD"].size == D(1)
    assert result.account("mm").positions["PF_XBTUSD"].size == D(-1)
