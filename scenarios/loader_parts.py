"""The moving parts of a scenario file: [[paths]], [[actors]], [[incidents]], [[actions]] and
[[expect]] (see docs/scenarios.md). Each reader checks types, ranges and cross references
(symbols listed, accounts known, labels defined) and raises `ScenarioError` with file and line.
Actors without an [[accounts]] entry get one of their own name (10,000,000 USD by default).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal
from typing import Any

from mock_exchange.engine.instruments import Instrument

from .fields import Table, decimal_map, need, parse_decimal, parse_time, show
from .model import (
    PRICE_FIELDS,
    AccountSpec,
    Action,
    Actor,
    Expectation,
    Incident,
    Jump,
    PricePath,
    Scenario,
)
from .paths import read_points
from .target import MARKET_STATES

PATH_KINDS = ("constant", "points", "random_walk", "csv")
ACTOR_KINDS = ("market_maker", "random_taker", "liquidity_withdrawal", "aggressor")
INCIDENT_KINDS = (
    "suspend",
    "post_only",
    "inactive",
    "admin_cancel",
    "expiry",
    "funding_spike",
    "liquidation_cascade",
)
ACTOR_USD = Decimal(10_000_000)
_ZERO, _ONE = Decimal(0), Decimal(1)


def read_rest(root: Table, scenario: Scenario, instruments: dict[str, Instrument]) -> Scenario:
    reader = _Reader(scenario, instruments)
    paths = tuple(reader.path(t) for t in root.tables("paths"))
    seen: dict[tuple[str, str], int] = {}
    for index, path in enumerate(paths):
        for name in path.fields:
            if (path.symbol, name) in seen:
                raise root.source.error(
                    ("paths", index, "fields"),
                    f"expected each price of a symbol driven by one path, {path.symbol} {name} "
                    f"is already driven by the path of line {seen[(path.symbol, name)]}",
                )
            seen[(path.symbol, name)] = path.line
    actors = reader.actors(root.tables("actors"))
    incidents = tuple(reader.incident(t) for t in root.tables("incidents"))
    actions = reader.actions(root.tables("actions"))
    expectations = tuple(reader.expect(t, actions) for t in root.tables("expect"))
    return replace(
        scenario,
        accounts=reader.accounts,
        paths=paths,
        actors=actors,
        incidents=incidents,
        actions=actions,
        expectations=expectations,
    )


class _Reader:
    def __init__(self, scenario: Scenario, instruments: dict[str, Instrument]) -> None:
        self.scenario = scenario
        self.instruments = instruments
        self.accounts: tuple[AccountSpec, ...] = scenario.accounts

    # -- shared ------------------------------------------------------------------------
    def symbol(self, t: Table, key: str = "symbol", required: bool = True) -> str | None:
        listed = tuple(self.instruments)
        aliases = {s.rsplit("_", 1)[0]: s for s in listed if s.startswith("FF_")}
        value = t.get(
            key,
            lambda v: (
                aliases.get(v, v) if isinstance(v, str) and aliases.get(v, v) in listed else None
            ),
            "one of the listed instruments: " + ", ".join(listed),
            None,
            required,
        )
        return value

    def account(self, t: Table, key: str = "account", required: bool = True) -> str | None:
        names = tuple(a.name for a in self.accounts)
        return t.get(
            key,
            lambda v: v if v in names else None,
            "one of the accounts: " + ", ".join(names),
            None,
            required,
        )

    def at(self, t: Table, key: str = "at", default: int | None = 0) -> int | None:
        value = t.time(key, default, required=default is None and key == "at")
        if value is not None and value > self.scenario.duration:
            raise t.error(
                key,
                f"expected a time within the duration "
                f"({self.scenario.duration} ms), got {show(t.data[key])}",
            )
        return value

    def kind(self, t: Table, options: tuple[str, ...]) -> str:
        value = t.choice("kind", options, required=True)
        assert value is not None
        return value

    # -- paths -------------------------------------------------------------------------
    def path(self, t: Table) -> PricePath:
        kind = self.kind(t, PATH_KINDS)
        symbol = self.symbol(t)
        assert symbol is not None
        every_field: tuple[str, ...] = PRICE_FIELDS
        fields = t.get("fields", _fields, 'a list of "mark", "index", "last"', every_field)
        assert fields is not None
        path = PricePath(symbol, kind, fields, line=t.line)
        raw_jumps = t.raw("jumps") or []
        if not isinstance(raw_jumps, list):
            raise t.error(
                "jumps",
                f'expected a list like [{{ at = "1h", by = "-0.1" }}], got {show(raw_jumps)}',
            )
        jumps = tuple(self.jump(t, i, raw) for i, raw in enumerate(raw_jumps))
        offsets = decimal_map(t, "offset", "field = amount")
        for name in offsets:
            if name not in fields:
                allowed = ", ".join(f'"{f}"' for f in fields)
                raise t.error(
                    "offset", f'expected keys among the driven fields ({allowed}), got "{name}"'
                )
        start = self.scenario.instrument(symbol).price
        path = replace(path, jumps=jumps, offsets=offsets)
        if kind == "constant":
            path = replace(path, price=t.decimal("price", _ZERO, strict_low=True, required=True))
        elif kind == "random_walk":
            path = replace(
                path,
                price=t.decimal("price", _ZERO, strict_low=True, default=start),
                volatility=need(t.decimal("volatility", _ZERO, Decimal(10), default=_ZERO)),
                drift=need(t.decimal("drift", Decimal(-10), Decimal(10), default=_ZERO)),
                floor=t.decimal("floor", _ZERO, strict_low=True),
            )
        elif kind == "points":
            raw = t.raw("points")
            if not isinstance(raw, list) or not raw:
                raise t.error(
                    "points",
                    f'expected a list like [["0s", 60000], ["5m", 61000]], got {show(raw)}',
                )
            points = tuple(self.point(t, i, item, fields) for i, item in enumerate(raw))
            for i in range(1, len(points)):
                if points[i][0] <= points[i - 1][0]:
                    raise t.error(
                        "points",
                        f"expected times that increase, item {i} is {show(raw[i])} "
                        f"after {show(raw[i - 1])}",
                    )
            path = replace(path, points=points, interpolate=self.interpolate(t))
        else:
            file = t.text("file", required=True)
            assert file is not None
            base = t.source.directory
            where = (base / file) if base is not None else None
            if where is None or not where.is_file():
                raise t.error(
                    "file", f'expected a CSV file relative to the scenario, "{file}" not found'
                )
            points = read_points(where, fields, lambda m: t.error("file", f"{file}: {m}"))
            path = replace(path, points=points, file=where, interpolate=self.interpolate(t))
        t.finish()
        return path

    def interpolate(self, t: Table) -> str:
        return t.choice("interpolate", ("linear", "step"), "linear") or "linear"

    def point(self, t: Table, i: int, item: Any, fields: tuple[str, ...]) -> tuple[int, Any]:
        at = parse_time(item[0]) if isinstance(item, list) and len(item) == 2 else None
        price = parse_decimal(item[1]) if at is not None else None
        if at is None or price is None or price <= 0:
            raise t.error("points", f"expected [time, price > 0] pairs, item {i} is {show(item)}")
        return at, {name: price for name in fields}

    def jump(self, t: Table, i: int, raw: Any) -> Jump:
        at = parse_time(raw.get("at")) if isinstance(raw, dict) else None
        by = parse_decimal(raw.get("by")) if isinstance(raw, dict) else None
        if at is None or by is None or by <= -1 or set(raw) != {"at", "by"}:
            raise t.error(
                "jumps", f"expected {{ at = TIME, by = FRACTION > -1 }}, item {i} is {show(raw)}"
            )
        if at > self.scenario.duration:
            raise t.error(
                "jumps",
                f"expected a time within the duration ({self.scenario.duration} ms), "
                f"item {i} is {show(raw)}",
            )
        return Jump(at, by)

    # -- actors ------------------------------------------------------------------------
    def actors(self, tables: list[Table]) -> tuple[Actor, ...]:
        out: list[Actor] = []
        for t in tables:
            kind = self.kind(t, ACTOR_KINDS)
            name = t.text("name", required=True)
            assert name is not None
            if any(a.name == name for a in out):
                raise t.error("name", f'expected a unique actor name, got "{name}" twice')
            start = self.at(t, "start", 0)
            stop = self.at(t, "stop", None)
            if stop is not None and start is not None and stop <= start:
                raise t.error("stop", f"expected a time after start, got {show(t.data['stop'])}")
            actor = Actor(name, kind, name, "", start=start or 0, stop=stop, line=t.line)
            if kind == "liquidity_withdrawal":
                makers = {a.name: a for a in out if a.kind == "market_maker"}
                names = tuple(makers)
                maker = t.get(
                    "maker",
                    one_of(names),
                    "the name of an earlier market_maker actor",
                    None,
                    True,
                )
                assert maker is not None
                found = makers[maker]
                out.append(replace(actor, maker=maker, account=found.account, symbol=found.symbol))
                t.finish()
                continue
            symbol = self.symbol(t)
            assert symbol is not None
            lot = self.instruments[symbol].lot_size
            actor = replace(actor, symbol=symbol, every=_every(t))
            if kind == "market_maker":
                default = Decimal("0.001")
                spread = need(t.decimal("spread", _ZERO, _ONE, strict_low=True, default=default))
                actor = replace(
                    actor,
                    size=_size(t, "size", lot, True),
                    spread=spread,
                    depth=t.integer("depth", 1, 50, 1) or 1,
                    step=need(t.decimal("step", _ZERO, _ONE, default=spread / 2)),
                )
            elif kind == "random_taker":
                low, high = _size(t, "min_size", lot, True), _size(t, "max_size", lot, True)
                if high < low:
                    raise t.error("max_size", f"expected at least min_size ({low}), got {high}")
                actor = replace(actor, min_size=low, max_size=high)
            else:
                side = t.choice("side", ("buy", "sell"), required=True)
                actor = replace(
                    actor,
                    side=side or "buy",
                    size=_size(t, "size", lot, True),
                    total=_size(t, "total", lot, True),
                )
            if not any(a.name == name for a in self.accounts):
                balances = decimal_map(t, "balances", "currency = amount") or {"USD": ACTOR_USD}
                self.accounts = (*self.accounts, AccountSpec(name, balances))
            t.finish()
            out.append(actor)
        return tuple(out)

    # -- incidents ---------------------------------------------------------------------
    def incident(self, t: Table) -> Incident:
        kind = self.kind(t, INCIDENT_KINDS)
        at = self.at(t, "at", None)
        assert at is not None
        inc = Incident(kind, at, line=t.line)
        if kind == "admin_cancel":
            inc = replace(inc, account=self.account(t), symbol=self.symbol(t, required=False))
        else:
            inc = replace(inc, symbol=self.symbol(t))
        if kind in ("suspend", "post_only", "inactive", "funding_spike"):
            until = self.at(t, "until", None)
            if until is not None and until <= at:
                raise t.error("until", f"expected a time after at, got {show(t.data['until'])}")
            inc = replace(inc, until=until)
        if kind == "funding_spike":
            rate = t.decimal("rate", Decimal(-1), _ONE, required=True)
            inc = replace(inc, rate=rate)
        elif kind == "expiry":
            assert inc.symbol is not None
            if self.instruments[inc.symbol].last_trading_ms is None:
                raise t.error(
                    "symbol",
                    f"expected a fixed-maturity contract (FF_...), "
                    f'got "{inc.symbol}" (a perpetual)',
                )
        elif kind == "liquidation_cascade":
            move = t.decimal("move", Decimal(-1), Decimal(10), strict_low=True, required=True)
            over = t.time("over", 0) or 0
            if at + over > self.scenario.duration:
                raise t.error(
                    "over",
                    f"expected the cascade to end within the duration "
                    f"({self.scenario.duration} ms), it ends at {at + over} ms",
                )
            inc = replace(
                inc, move=move or _ZERO, steps=t.integer("steps", 1, 1000, 1) or 1, over=over
            )
        t.finish()
        return inc

    # -- actions and expectations (scenarios/loader_actions.py) --------------------------
    def actions(self, tables: list[Table]) -> tuple[Action, ...]:
        from .loader_actions import read_actions

        return read_actions(self, tables)

    def expect(self, t: Table, actions: tuple[Action, ...]) -> Expectation:
        from .loader_actions import read_expectation

        return read_expectation(self, t, actions)


def one_of(names: tuple[str, ...]) -> Callable[[object], str | None]:
    return lambda v: v if isinstance(v, str) and v in names else None


def _fields(value: object) -> tuple[str, ...] | None:
    if not isinstance(value, list) or not value:
        return None
    if any(v not in PRICE_FIELDS for v in value) or len(set(value)) != len(value):
        return None
    return tuple(value)


def _every(t: Table) -> int:
    value = t.time("every", 1_000)
    assert value is not None
    if value <= 0:
        raise t.error("every", "expected a time > 0, got 0")
    return value


def _size(t: Table, key: str, lot: Decimal, required: bool) -> Decimal:
    value = t.decimal(key, _ZERO, strict_low=True, required=required, default=_ZERO)
    assert value is not None
    if value % lot != 0:
        raise t.error(key, f"expected a multiple of the lot size {lot}, got {value}")
    return value


def state_of(kind: str) -> str:
    """The market state an incident kind sets."""
    state = {"suspend": "suspended", "post_only": "post_only", "inactive": "inactive"}[kind]
    assert state in MARKET_STATES
    return state
