"""Price paths: a scenario's `PricePath` turned into prices at given times.

`PathPlayer(path, tick, seed, index)` answers `sample(t)` -> {field: price} for offsets `t`
(ms) asked in non-decreasing order (the runner samples every `Scenario.step`). Kinds: constant,
points / csv (linear or step interpolation between points), seeded random walk. Jumps multiply
the level from their time on; `shock` (set by a liquidation cascade) multiplies it too.

Invariants: exact `Decimal` arithmetic only, in the fixed context `model.arithmetic()` (not
the caller's); the random walk draws integers from
`random.Random(seed-derived int)` and builds an approximately normal z from 12 of them
(Irwin-Hall), so the same seed gives the same path on every machine; every price returned is
on the instrument's tick grid and at least one tick.

`read_points(file, fields, fail)` reads a CSV replay: columns `time` (milliseconds; any epoch,
the first row is the scenario start) and either `price` (for every driven field) or one column
per driven field; times must increase and prices be > 0, else `fail(message)` is raised.
"""

from __future__ import annotations

import csv
import itertools
import random
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from pathlib import Path

from .fields import ScenarioError, parse_decimal
from .model import PricePath, arithmetic

_HOUR = Decimal(3_600_000)
_LEVEL = Decimal("1e-12")
_TWO32 = Decimal(1 << 32)


def normal(rng: random.Random) -> Decimal:
    """An approximately standard normal number, exactly from 12 uniform 32-bit integers."""
    total = sum(rng.getrandbits(32) for _ in range(12))
    return Decimal(total) / _TWO32 - 6


def on_tick(value: Decimal, tick: Decimal) -> Decimal:
    ticks = (value / tick).to_integral_value(ROUND_HALF_EVEN)
    return max(ticks, Decimal(1)) * tick


class PathPlayer:
    def __init__(self, path: PricePath, tick: Decimal, seed: int, index: int) -> None:
        self.path = path
        self.tick = tick
        self.rng = random.Random(seed * 1_000_003 + index * 7_919 + 1)
        self.level = path.price if path.price is not None else Decimal(0)
        self.last_t: int | None = None
        self.shock = Decimal(1)

    def sample(self, t: int) -> dict[str, Decimal]:
        with localcontext(arithmetic()):
            return self._sample(t)

    def _sample(self, t: int) -> dict[str, Decimal]:
        path = self.path
        if path.kind == "constant":
            base: Mapping[str, Decimal] = {f: self.level for f in path.fields}
        elif path.kind == "random_walk":
            self._walk(t)
            base = {f: self.level for f in path.fields}
        else:
            base = self._interpolate(t)
        factor = self.shock
        for jump in path.jumps:
            if jump.at <= t:
                factor *= 1 + jump.by
        out = {}
        for name in path.fields:
            value = base[name] * factor + path.offsets.get(name, Decimal(0))
            out[name] = on_tick(value, self.tick)
        return out

    def _walk(self, t: int) -> None:
        if self.last_t is None:
            self.last_t = t
            return
        if t <= self.last_t:
            return
        dt = Decimal(t - self.last_t) / _HOUR
        self.last_t = t
        path = self.path
        z = normal(self.rng)
        move = 1 + path.drift * dt + path.volatility * dt.sqrt() * z
        level = (self.level * max(move, Decimal("0.01"))).quantize(_LEVEL)
        floor = path.floor if path.floor is not None else self.tick
        self.level = max(level, floor)

    def _interpolate(self, t: int) -> Mapping[str, Decimal]:
        points = self.path.points
        if t <= points[0][0]:
            return points[0][1]
        for (t0, p0), (t1, p1) in itertools.pairwise(points):
            if t0 <= t < t1:
                if self.path.interpolate == "step":
                    return p0
                share = Decimal(t - t0) / Decimal(t1 - t0)
                return {f: p0[f] + (p1[f] - p0[f]) * share for f in p0}
        return points[-1][1]


# -- CSV replay ------------------------------------------------------------------------


def read_points(
    file: Path, fields: tuple[str, ...], fail: Callable[[str], ScenarioError]
) -> tuple[tuple[int, Mapping[str, Decimal]], ...]:
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read: {exc}") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise fail("empty file (expected a header: time,price)")
    header = [h.strip() for h in rows[0]]
    if "time" not in header:
        raise fail(f"expected a time column, header is {','.join(header)}")
    columns = {name: (name if name in header else "price") for name in fields}
    missing = sorted({c for c in columns.values() if c not in header})
    if missing:
        raise fail(
            f"expected a price column or {'/'.join(fields)} columns, header is {','.join(header)}"
        )
    out: list[tuple[int, Mapping[str, Decimal]]] = []
    first: int | None = None
    for number, row in enumerate(rows[1:], start=2):
        if not row or not "".join(row).strip():
            continue
        cells = dict(zip(header, (c.strip() for c in row), strict=False))
        stamp = cells.get("time", "")
        if not stamp.isdigit():
            raise fail(f"line {number}: expected a time in milliseconds, got {stamp!r}")
        first = int(stamp) if first is None else first
        offset = int(stamp) - first
        if out and offset <= out[-1][0]:
            raise fail(
                f"line {number}: times must increase, got {stamp} after {out[-1][0] + first}"
            )
        prices = {}
        for name, column in columns.items():
            price = parse_decimal(cells.get(column, ""))
            if price is None or price <= 0:
                raise fail(f"line {number}: expected a {column} > 0, got {cells.get(column)!r}")
            prices[name] = price
        out.append((offset, prices))
    if not out:
        raise fail("no rows after the header")
    return tuple(out)
