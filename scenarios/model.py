"""A parsed, validated scenario: frozen dataclasses with Decimal amounts and integer-ms offsets.

`scenarios.loader.load(path)` is the only way one is made from a file; everything here has
already been checked (types, ranges, names that refer to accounts, actors and labelled orders),
so the runner never has to second-guess it.

Invariants
----------
* Times (`at`, `until`, `every`, ...) are offsets in ms from the scenario start (>= 0); the
  absolute start is `Scenario.start_ms`.
* Numbers users do arithmetic with are `Decimal`; counts are `int`. No float anywhere. Code
  that computes with them runs in `arithmetic()` (a fixed context), never the caller's.
* Every `account` field names an entry of `Scenario.accounts` (actors get an account of their
  own name, added by the loader when the file does not list one).
* Every `order` reference in actions and expectations names a `label` of an earlier `place`.
* `paths` drive each (symbol, price field) at most once; fields without a path keep their value.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    Overflow,
)
from pathlib import Path

PRICE_FIELDS = ("mark", "index", "last")


def arithmetic() -> Context:
    """The decimal context every scenario computation runs in (`decimal.localcontext`), so
    paths, actors and cascades give the same numbers whatever context the caller's thread has:
    28 digits, half-even rounding, errors on invalid operations, division by zero, overflow."""
    return Context(
        prec=28,
        rounding=ROUND_HALF_EVEN,
        Emin=-999_999,
        Emax=999_999,
        traps=[InvalidOperation, DivisionByZero, Overflow],
    )


@dataclass(frozen=True)
class InstrumentSpec:
    """A listed contract: `symbol` from the catalogue, its starting `price` (mark = index =
    last), and overrides of catalogue fields (as `[instruments]` of the server config)."""

    symbol: str
    price: Decimal
    overrides: Mapping[str, Decimal | int] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountSpec:
    """`balances`: the flex wallet (currency -> amount); `wallets`: other wallets by name."""

    name: str
    balances: Mapping[str, Decimal] = field(default_factory=dict)
    wallets: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)


# -- price paths ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Jump:
    """At `at`, the path's level is multiplied by (1 + `by`) from then on (`by` = -0.1: -10%)."""

    at: int
    by: Decimal


@dataclass(frozen=True)
class PricePath:
    """A price series for `fields` of `symbol`, sampled every `Scenario.step_ms`.

    kind "constant": `price`. "points": `points` (offset, price) with `interpolate` "step" or
    "linear"; before the first point the first price, after the last the last. "random_walk":
    from `price`, each step multiplies by (1 + drift*dt + volatility*sqrt(dt)*z), z a seeded
    standard normal (exact: from integers) and dt the step in hours (`volatility`, `drift` per
    hour), rounded to the tick. "csv": `points` read from `file` (column `time` in ms,
    relative to the first row, and `price` or one column per field). `jumps` apply to every
    kind. `offsets` are added to the result per field (e.g. index = mark - 5)."""

    symbol: str
    kind: str  # "constant" | "points" | "random_walk" | "csv"
    fields: tuple[str, ...] = PRICE_FIELDS
    price: Decimal | None = None
    points: tuple[tuple[int, Mapping[str, Decimal]], ...] = ()
    interpolate: str = "linear"  # "linear" | "step"
    volatility: Decimal = Decimal(0)
    drift: Decimal = Decimal(0)
    floor: Decimal | None = None  # random walk never goes below (default: one tick)
    jumps: tuple[Jump, ...] = ()
    file: Path | None = None
    offsets: Mapping[str, Decimal] = field(default_factory=dict)
    line: int = 0  # where it was declared, for messages


# -- actors ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Actor:
    """A simulated participant trading as `account` on `symbol`, active in [start, stop).

    kind "market_maker": quotes `depth` levels per side, `size` each, the best `spread`/2 (a
    fraction of mark) away from mark and each further level `step` (fraction) beyond, re-quoting
    every `every`. "random_taker": market orders of a size drawn uniformly in [min_size,
    max_size] (on the lot grid), a random side, at exponential intervals of mean `every`.
    "liquidity_withdrawal": the market maker named `maker` pulls all its quotes at `start` and
    stays away until `stop`. "aggressor": sends `side` market orders of at most `size` every
    `every` until `total` has filled (it counts fills, not orders sent)."""

    name: str
    kind: str  # "market_maker" | "random_taker" | "liquidity_withdrawal" | "aggressor"
    account: str
    symbol: str
    start: int = 0
    stop: int | None = None
    every: int = 1_000
    size: Decimal = Decimal(0)
    spread: Decimal = Decimal("0.001")
    step: Decimal = Decimal("0.0005")
    depth: int = 1
    min_size: Decimal = Decimal(0)
    max_size: Decimal = Decimal(0)
    side: str = "buy"
    total: Decimal = Decimal(0)
    maker: str | None = None
    line: int = 0


# -- incidents ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Incident:
    """A timed operator event on `symbol` at `at`.

    kind "suspend" / "post_only" / "inactive": the market goes to that state, back to open at
    `until` (if given). "admin_cancel": the operator cancels every open order of `account`
    (on `symbol`, if given) - reason cancelled_by_admin. "expiry": the (fixed-maturity)
    contract's last trading time is `at`, so it expires and settles then (the loader turns it
    into the instrument's `last_trading_ms`). "funding_spike": the funding rate is `rate` per
    interval from `at` until `until` (then the premium formula again). "liquidation_cascade":
    mark, index and last fall (or rise) by `move` in `steps` equal steps spread over `over`;
    the move persists in the price path afterwards."""

    kind: str
    at: int
    symbol: str | None = None
    until: int | None = None
    account: str | None = None
    rate: Decimal | None = None
    move: Decimal = Decimal(0)
    steps: int = 1
    over: int = 0
    line: int = 0


# -- scripted actions -----------------------------------------------------------------------
@dataclass(frozen=True)
class Action:
    """Something a named account does at `at`.

    kind "place": an order (fields as Kraken's sendorder); `label` names it for later actions
    and expectations. "edit": the order `order` (a label) gets a new `size` / `limit_price` /
    `stop_price`. "cancel": cancel `order`. "cancel_all": every order (on `symbol`, if given).
    "dead_man_switch": arm for `timeout_s` seconds (0 disarms)."""

    kind: str
    at: int
    account: str
    label: str | None = None
    order: str | None = None
    symbol: str | None = None
    side: str | None = None
    order_type: str | None = None
    size: Decimal | None = None
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    trigger_signal: str | None = None
    reduce_only: bool = False
    cli_ord_id: str | None = None
    trailing_deviation: Decimal | None = None
    trailing_unit: str | None = None
    timeout_s: int = 0
    line: int = 0


# -- expectations ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Expectation:
    """A check at `at` (default: the end of the scenario).

    kind "order": the labelled `order` has `status` (the ack status: "placed",
    "postWouldExecute", ...) and/or `state` ("open", "filled", "cancelled", "rejected") and/or
    `filled`. "reason": `account` received an open_orders message with `reason` (wire string)
    on `feed` ("open_orders", "open_orders_verbose" or "any"), about `order` if given, at least
    `min_count` times (0 with `absent` = true: never; on "any", an event both feeds carry
    counts once). "position": `account`'s position in
    `symbol` equals `size` or lies within [min, max]. "balance": `account`'s `currency` in
    `wallet` equals `value` or lies within [min, max]. "equity": the flex portfolio value.
    "price": `symbol`'s `field` ("mark", "index" or "last") equals `value` or lies within
    [min, max]. "fills": `account`'s fills (of `order`, if given) number `count` or lie within
    [min_count, max_count], and/or their summed size is `volume` or lies within
    [min_volume, max_volume]."""

    kind: str  # "order" | "reason" | "position" | "balance" | "equity" | "price" | "fills"
    at: int | None = None
    account: str | None = None
    order: str | None = None
    status: str | None = None
    state: str | None = None
    filled: Decimal | None = None
    reason: str | None = None
    feed: str = "any"
    min_count: int = 1
    absent: bool = False
    symbol: str | None = None
    currency: str | None = None
    wallet: str = "flex"
    value: Decimal | None = None
    minimum: Decimal | None = None
    maximum: Decimal | None = None
    field: str = "mark"  # "price": the price read
    count: int | None = None  # "fills": exact number (min_count / max_count: a range)
    max_count: int | None = None
    volume: Decimal | None = None  # "fills": exact summed size (or min_volume / max_volume)
    min_volume: Decimal | None = None
    max_volume: Decimal | None = None
    line: int = 0


@dataclass(frozen=True)
class Scenario:
    name: str
    source: Path | None
    duration: int  # ms
    seed: int = 0
    step: int = 1_000  # how often price paths are sampled (ms)
    start_ms: int = 1_767_225_600_000  # 2026-01-01T00:00:00Z
    description: str = ""
    instruments: tuple[InstrumentSpec, ...] = ()
    accounts: tuple[AccountSpec, ...] = ()
    paths: tuple[PricePath, ...] = ()
    actors: tuple[Actor, ...] = ()
    incidents: tuple[Incident, ...] = ()
    actions: tuple[Action, ...] = ()
    expectations: tuple[Expectation, ...] = ()

    def instrument(self, symbol: str) -> InstrumentSpec:
        for spec in self.instruments:
            if spec.symbol == symbol:
                return spec
        raise KeyError(symbol)
