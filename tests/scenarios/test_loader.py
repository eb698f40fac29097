"""The scenario loader: a complete valid file becomes exact values; malformed files are refused
with the file, the line, the field and what was expected; a library scenario loads by name."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

import scenarios
from scenarios.fields import parse_time
from scenarios.loader import LIBRARY, ScenarioNotFound, library_names, resolve
from scenarios.model import Jump

FULL = """\
[scenario]
name = "full"
description = "every section"
duration = "2h"
seed = 42
step = "5s"
start = "2026-03-01T00:00:00Z"

[instruments.PF_XBTUSD]
price = 60000
max_open_orders = 40

[instruments.FF_XBTUSD]
price = "60100"

[[accounts]]
name = "alice"
balances = { USD = 10000 }

[[paths]]
symbol = "PF_XBTUSD"
kind = "random_walk"
volatility = "0.02"
drift = -0.001
jumps = [{ at = "1h", by = "-0.1" }]

[[paths]]
symbol = "FF_XBTUSD"
kind = "points"
fields = ["mark", "index"]
interpolate = "step"
points = [
  ["0s", 60100],
  ["30m", 60500],
]

[[actors]]
kind = "market_maker"
name = "mm"
symbol = "PF_XBTUSD"
size = "0.5"
depth = 3
spread = "0.002"
every = "10s"

[[actors]]
kind = "liquidity_withdrawal"
name = "pull"
maker = "mm"
start = "20m"
stop = "25m"

[[incidents]]
kind = "suspend"
symbol = "PF_XBTUSD"
at = "5m"
until = "6m"

[[incidents]]
kind = "expiry"
symbol = "FF_XBTUSD"
at = "90m"

[[actions]]
kind = "place"
at = 1500
account = "alice"
label = "bid"
symbol = "PF_XBTUSD"
side = "buy"
type = "post"
size = "0.01"
price = 59000

[[actions]]
kind = "edit"
at = "1m30s"
account = "alice"
order = "bid"
price = 59100

[[expect]]
kind = "order"
order = "bid"
status = "placed"

[[expect]]
kind = "position"
at = "1h"
account = "alice"
symbol = "PF_XBTUSD"
min = 0
"""


def test_a_complete_file_becomes_exact_values(write: Callable[[str, str], Path]) -> None:
    sc = scenarios.load(write(FULL, "full.toml"))
    assert (sc.name, sc.description, sc.duration, sc.seed, sc.step) == (
        "full",
        "every section",
        7_200_000,
        42,
        5_000,
    )
    assert sc.start_ms == 1_772_323_200_000
    pf, ff = sc.instruments
    assert (pf.symbol, pf.price, dict(pf.overrides)) == (
        "PF_XBTUSD",
        60000,
        {"max_open_orders": 40},
    )
    # FF_XBTUSD is the catalogue's monthly future at least 28 days out (last Friday of April),
    # named by its last trading day; the expiry incident moves its last trading time earlier
    assert ff.symbol == "FF_XBTUSD_260424"
    assert ff.price == Decimal("60100")
    assert ff.overrides["last_trading_ms"] == sc.start_ms + 5_400_000
    assert [a.name for a in sc.accounts] == ["alice", "mm"]  # the actor got an account
    assert sc.accounts[1].balances == {"USD": Decimal(10_000_000)}
    walk, points = sc.paths
    assert (walk.kind, walk.volatility, walk.drift, walk.price) == (
        "random_walk",
        Decimal("0.02"),
        Decimal("-0.001"),
        Decimal(60000),
    )
    assert walk.jumps == (Jump(3_600_000, Decimal("-0.1")),)
    assert points.fields == ("mark", "index") and points.interpolate == "step"
    assert [p[0] for p in points.points] == [0, 1_800_000]
    mm, pull = sc.actors
    assert (mm.size, mm.depth, mm.spread, mm.step, mm.every) == (
        Decimal("0.5"),
        3,
        Decimal("0.002"),
        Decimal("0.001"),
        10_000,
    )
    assert (pull.maker, pull.account, pull.symbol, pull.start, pull.stop) == (
        "mm",
        "mm",
        "PF_XBTUSD",
        1_200_000,
        1_500_000,
    )
    assert [(i.kind, i.at, i.until) for i in sc.incidents] == [
        ("suspend", 300_000, 360_000),
        ("expiry", 5_400_000, None),
    ]
    place, edit = sc.actions
    assert (place.at, place.order_type, place.limit_price, place.label) == (
        1500,
        "post",
        Decimal(59000),
        "bid",
    )
    assert (edit.at, edit.order, edit.limit_price, edit.size) == (90_000, "bid", 59100, None)
    order, position = sc.expectations
    assert (order.kind, order.at, order.account, order.status) == ("order", None, "alice", "placed")
    assert (position.at, position.minimum, position.maximum) == (3_600_000, 0, None)
    assert position.line == 87  # the [[expect]] header of the second expectation


@pytest.mark.parametrize(
    ("text", "ms"),
    [
        ("90s", 90_000),
        ("5m", 300_000),
        ("1h", 3_600_000),
        ("1h30m", 5_400_000),
        ("250ms", 250),
        (1500, 1500),
        ("2d", 172_800_000),
        ("0", 0),
    ],
)
def test_times(text: object, ms: int) -> None:
    assert parse_time(text) == ms


@pytest.mark.parametrize("text", ["soon", "-5s", "1.5h", "5 minutes", -1, True, "", "h"])
def test_not_times(text: object) -> None:
    assert parse_time(text) is None


def test_key_lines_skip_multiline_strings_and_arrays() -> None:
    from scenarios.fields import KeyLines

    text = (
        '[scenario]\ndescription = """\nduration = "fake"\n"""\nduration = "1m"\n'
        '[[paths]]\npoints = [\n  ["0s", 1],\n]\nkind = "points"\n[[paths]]\n'
        '"quoted key" = 1\noffset.index = 2\nbalances = { USD = 1, XBT = 2 }\n'
    )
    lines = KeyLines(text)
    assert lines.line_of(("scenario", "duration")) == 5
    assert lines.line_of(("paths", 0, "kind")) == 10
    assert lines.line_of(("paths", 1)) == 11
    assert lines.line_of(("paths", 1, "quoted key")) == 12
    assert lines.line_of(("paths", 1, "offset", "index")) == 13
    assert lines.line_of(("paths", 1, "balances", "XBT")) == 14
    assert lines.line_of(("paths", 1, "nothing", "here")) == 11  # the nearest written ancestor
    assert lines.line_of(("absent",)) == 1


def test_a_library_name_loads_the_library_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_library = LIBRARY / "quiet_range.toml"
    assert resolve("quiet_range") == resolve("quiet_range.toml") == in_library
    named = scenarios.load("quiet_range")
    assert named == scenarios.load(in_library) == scenarios.load(Path("quiet_range.toml"))
    assert (named.name, named.source) == ("quiet range", in_library)
    assert "quiet_range" in library_names() and library_names() == sorted(library_names())
    monkeypatch.chdir(tmp_path)  # a file of that name comes first
    Path("quiet_range.toml").write_text(FULL, encoding="utf-8")
    assert resolve("quiet_range") == in_library
    assert scenarios.load("quiet_range.toml").name == "full"


@pytest.mark.parametrize("source", ["no_such_market", "/nonexistent/nowhere.toml",
                                    "sub/quiet_range", Path("sub/quiet_range.toml")])  # fmt: skip
def test_neither_a_file_nor_a_library_name_lists_the_library(source: str | Path) -> None:
    with pytest.raises(ScenarioNotFound) as caught:
        scenarios.load(source)
    names = ", ".join(sorted(p.stem for p in LIBRARY.glob("*.toml")))
    assert str(caught.value) == (
        f"no scenario file {str(source)!r} and no library scenario of that name (library: {names})"
    )
    assert isinstance(caught.value, scenarios.ScenarioError)
    assert (caught.value.file, caught.value.line) == (str(source), 0)
    assert "quiet_range, reason_cancelled_by_admin" in names
