"""Price paths: constant, points (linear and step), seeded random walk, jumps, offsets and CSV
replay, both as players and as the prices a run publishes."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_DOWN, Context, Decimal, localcontext
from pathlib import Path

import scenarios
from scenarios.model import Jump, PricePath, Scenario
from scenarios.paths import PathPlayer, normal, on_tick

D = Decimal
ONE = D(1)


def player(path: PricePath, seed: int = 0, tick: Decimal = ONE) -> PathPlayer:
    return PathPlayer(path, tick, seed, 0)


def test_constant_with_a_jump_and_an_offset() -> None:
    path = PricePath(
        "PF_XBTUSD",
        "constant",
        price=D(60000),
        jumps=(Jump(60_000, D("-0.1")),),
        offsets={"index": D(-5)},
    )
    p = player(path)
    assert p.sample(0) == {"mark": 60000, "index": 59995, "last": 60000}
    assert p.sample(59_999) == {"mark": 60000, "index": 59995, "last": 60000}
    assert p.sample(60_000) == {"mark": 54000, "index": 53995, "last": 54000}


def test_points_linear_and_step() -> None:
    points = ((0, {"mark": D(100)}), (10_000, {"mark": D(200)}), (20_000, {"mark": D(150)}))
    linear = player(PricePath("S", "points", ("mark",), points=points), tick=D("0.5"))
    assert [linear.sample(t)["mark"] for t in (0, 2_500, 5_000, 10_000, 15_000, 25_000)] == [
        100,
        D("125"),
        150,
        200,
        D("175"),
        150,
    ]
    step = player(PricePath("S", "points", ("mark",), points=points, interpolate="step"))
    assert [step.sample(t)["mark"] for t in (0, 9_999, 10_000, 19_999, 20_000)] == [
        100,
        100,
        200,
        200,
        150,
    ]


def test_prices_round_to_the_tick_and_never_below_one_tick() -> None:
    assert on_tick(D("60000.26"), D("0.5")) == D("60000.5")
    assert on_tick(D("60000.24"), D("0.5")) == D("60000.0")
    assert on_tick(D("0.1"), D(1)) == D(1)


def test_random_walk_is_the_same_for_a_seed_and_differs_between_seeds() -> None:
    path = PricePath("PF_XBTUSD", "random_walk", price=D(60000), volatility=D("0.05"))

    def walk(seed: int) -> list[Decimal]:
        p = player(path, seed)
        return [p.sample(t)["mark"] for t in range(0, 3_600_000, 60_000)]

    first = walk(1)
    assert first == walk(1)
    assert first != walk(2)
    assert first[0] == 60000
    assert len(set(first)) > 30  # it moves
    assert all(isinstance(x, Decimal) and x == x.to_integral_value() for x in first)


def test_random_walk_drift_without_volatility_is_exact() -> None:
    # 1% per hour, sampled every 6 minutes: ten steps of (1 + 0.01 * 0.1)
    path = PricePath("S", "random_walk", ("mark",), price=D(10000), drift=D("0.01"))
    p = player(path, tick=D("0.01"))
    values = [p.sample(t)["mark"] for t in range(0, 3_600_001, 360_000)]
    assert values[1] == D("10010.00")
    assert values[-1] == on_tick(D(10000) * D("1.001") ** 10, D("0.01")) == D("10100.45")


def test_normal_draws_are_centred_and_spread() -> None:
    import random

    rng = random.Random(5)
    draws = [normal(rng) for _ in range(4000)]
    mean = sum(draws) / len(draws)
    var = sum((x - mean) ** 2 for x in draws) / len(draws)
    assert abs(mean) < D("0.06") and D("0.9") < var < D("1.1")
    assert all(-6 <= x <= 6 for x in draws)


def test_csv_replay_relative_to_the_scenario_file(write: Callable[[str, str], Path]) -> None:
    path = write("", "s.toml")
    (path.parent / "data").mkdir()
    (path.parent / "data" / "xbt.csv").write_text(
        "time,mark,index\n1767225600000,60000,59990\n1767225660000,61000,60990\n"
        "1767225720000,59000,58990\n"
    )
    path.write_text(
        '[scenario]\nduration = "3m"\nstep = "30s"\n[instruments.PF_XBTUSD]\nprice = 60000\n'
        '[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "csv"\nfile = "data/xbt.csv"\n'
        'fields = ["mark", "index"]\n'
    )
    sc = scenarios.load(path)
    (csv_path,) = sc.paths
    assert csv_path.file == path.parent / "data" / "xbt.csv"
    assert [(t, dict(p)) for t, p in csv_path.points] == [
        (0, {"mark": 60000, "index": 59990}),
        (60_000, {"mark": 61000, "index": 60990}),
        (120_000, {"mark": 59000, "index": 58990}),
    ]
    p = player(csv_path)
    assert p.sample(30_000) == {"mark": 60500, "index": 60490}


def test_a_run_publishes_the_path_every_step(scenario: Callable[..., Scenario]) -> None:
    sc = scenario(
        '[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "points"\nfields = ["mark"]\n'
        'points = [["0s", 60000], ["1m", 60600]]\n'
        '[[expect]]\nkind = "equity"\naccount = "alice"\nat = "30s"\nvalue = 100000\n',
        duration="1m",
    )
    target = scenarios.InProcessTarget(sc)
    seen: list[tuple[int, Decimal, Decimal]] = []

    def progress(done: int, total: int) -> None:
        prices = target.prices("PF_XBTUSD")
        seen.append((done, prices.mark, prices.index))

    result = scenarios.Runner(sc, target, progress=progress).run()
    assert result.passed, result.report()
    marks = {t: (m, i) for t, m, i in seen}
    assert marks[0] == (60000, 60000)
    assert marks[30_000] == (60300, 60000)  # index has no path: it keeps its value
    assert marks[60_000] == (60600, 60000)


def test_paths_ignore_the_callers_decimal_context() -> None:
    """A thread with a low precision (or another rounding) gets the same prices: paths compute
    in the scenarios' own context."""
    walk = PricePath("PF_XBTUSD", "random_walk", price=D(60000), volatility=D("0.02"))
    times = range(0, 3_600_000, 60_000)
    expected = [player(walk, 3).sample(t) for t in times]
    for context in (Context(prec=6), Context(prec=12, rounding=ROUND_DOWN)):
        with localcontext(context):
            assert [player(walk, 3).sample(t) for t in times] == expected
