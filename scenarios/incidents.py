"""Timed incidents as steps for the runner: market states, admin cancels, expiry, funding
spikes and liquidation cascades (see docs/scenarios.md).

`incident_steps(incident)` expands one `Incident` into `Step`s at fixed offsets: a suspension
with `until` is two steps (state, then open); a cascade of n steps is n shocks of equal size. A
step's `run(ctx, t)` acts through the target and returns log lines. A cascade's step sets
its own level (1 + move done so far); the runner multiplies the levels of all cascades on a
symbol, so cascades compose instead of replacing each other. Expiry needs no step beyond
a log line: the loader made the incident time the contract's last trading time, and the
exchange's own timer expires and settles it (reason `contract_expired`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from .loader_parts import state_of
from .model import Incident
from .target import Target


class Context(Protocol):
    target: Target

    def shock(self, symbol: str, cascade: int, level: Decimal, t: int) -> None:
        """Set the level of cascade number `cascade` on `symbol` (1 = no move; -10 % so far =
        0.9) and publish the prices. Cascades compose: the prices are scaled by the product
        of every cascade's level, so two -10 % cascades end 19 % down."""
        ...


@dataclass(frozen=True)
class Step:
    at: int
    run: Callable[[Context, int], list[str]]


def incident_steps(inc: Incident, index: int = 0) -> list[Step]:
    """The steps of `inc`, the `index`-th incident of its scenario (it keys cascade levels)."""
    symbol = inc.symbol or ""
    if inc.kind in ("suspend", "post_only", "inactive"):
        state = state_of(inc.kind)
        steps = [Step(inc.at, lambda ctx, t: _state(ctx, symbol, state))]
        if inc.until is not None:
            steps.append(Step(inc.until, lambda ctx, t: _state(ctx, symbol, "open")))
        return steps
    if inc.kind == "admin_cancel":
        return [Step(inc.at, lambda ctx, t: _admin_cancel(ctx, inc))]
    if inc.kind == "expiry":
        return [Step(inc.at, lambda ctx, t: [f"incident: {symbol} reaches its last trading time"])]
    if inc.kind == "funding_spike":
        steps = [Step(inc.at, lambda ctx, t: _funding(ctx, symbol, inc.rate))]
        if inc.until is not None:
            steps.append(Step(inc.until, lambda ctx, t: _funding(ctx, symbol, None)))
        return steps
    return _cascade(inc, index)


def _state(ctx: Context, symbol: str, state: str) -> list[str]:
    ctx.target.set_market_state(symbol, state)
    return [f"incident: {symbol} market state {state}"]


def _admin_cancel(ctx: Context, inc: Incident) -> list[str]:
    account = inc.account or ""
    orders = ctx.target.open_orders(account)
    ids = [o.order_id for o in orders if inc.symbol is None or o.symbol == inc.symbol]
    done = sum(1 for oid in ids if ctx.target.admin_cancel(oid))
    return [f"incident: admin cancels {done} order(s) of {account}"]


def _funding(ctx: Context, symbol: str, rate: Decimal | None) -> list[str]:
    ctx.target.set_funding_rate(symbol, rate)
    return [f"incident: {symbol} funding rate {'formula' if rate is None else rate}"]


def _cascade(inc: Incident, index: int) -> list[Step]:
    symbol = inc.symbol or ""
    steps = []
    for i in range(inc.steps):
        at = inc.at + (inc.over * i) // inc.steps
        level = 1 + inc.move * (i + 1) / inc.steps

        def run(ctx: Context, t: int, level: Decimal = level, i: int = i) -> list[str]:
            ctx.shock(symbol, index, level, t)
            return [f"incident: {symbol} cascade step {i + 1}/{inc.steps}"]

        steps.append(Step(at, run))
    return steps
