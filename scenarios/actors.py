"""Simulated participants: market makers, random takers, liquidity withdrawals, aggressors.

Each `ActorPlayer` has `next_at` (ms offset of its next move, None when done) and `act(ctx, t)`,
which trades through the `Target` as the actor's account and logs through `ctx.note`. An
aggressor counts what filled, not what it sent. Randomness comes from a `random.Random` seeded
from the scenario seed and the actor's position; intervals and sizes are drawn from integers
(exponential intervals through `Decimal.ln`), so a seed gives the same moves everywhere; all
arithmetic runs in the fixed context `model.arithmetic()`. Market makers quote around the
current mark, on the tick grid (bids rounded down, asks up), and re-quote by cancelling their
orders on the symbol first.
"""

from __future__ import annotations

import random
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext
from typing import Protocol

from .model import Actor, arithmetic
from .target import OrderRequest, Target


class Context(Protocol):
    """What actors need from the runner."""

    target: Target

    def tick(self, symbol: str) -> Decimal: ...

    def lot(self, symbol: str) -> Decimal: ...

    def send(self, account: str, order: OrderRequest, t: int, who: str) -> str | None: ...

    def note(self, t: int, text: str) -> None: ...


def _round(value: Decimal, step: Decimal, rounding: str) -> Decimal:
    return (value / step).to_integral_value(rounding) * step


class ActorPlayer:
    def __init__(self, actor: Actor, seed: int, index: int) -> None:
        self.actor = actor
        self.rng = random.Random(seed * 1_000_033 + index * 104_729 + 2)
        self.next_at: int | None = actor.start
        self.paused = False
        self.done_qty = Decimal(0)
        self.peers: dict[str, ActorPlayer] = {}

    def _after(self, t: int, interval: int) -> None:
        nxt = t + max(1, interval)
        stop = self.actor.stop
        self.next_at = nxt if stop is None else min(nxt, stop)

    def act(self, ctx: Context, t: int) -> None:
        """Make the move due at `t` (log lines go through `ctx.note`)."""
        with localcontext(arithmetic()):
            self._act(ctx, t)

    def _act(self, ctx: Context, t: int) -> None:
        kind = self.actor.kind
        stop = self.actor.stop
        if kind != "liquidity_withdrawal" and stop is not None and t >= stop:
            self.next_at = None
            if kind == "market_maker":
                ack = ctx.target.cancel_all(self.actor.account, self.actor.symbol)
                ctx.note(t, f"{self.actor.name} stops ({len(ack.cancelled)} cancelled)")
            return
        if kind == "market_maker":
            self._quote(ctx, t)
        elif kind == "random_taker":
            self._take(ctx, t)
        elif kind == "aggressor":
            self._aggress(ctx, t)
        else:
            self._withdraw(ctx, t)

    def _quote(self, ctx: Context, t: int) -> None:
        a = self.actor
        self._after(t, a.every)
        ack = ctx.target.cancel_all(a.account, a.symbol)
        ctx.note(t, f"{a.name} cancel_all {a.symbol} -> {ack.status} ({len(ack.cancelled)})")
        if self.paused:
            return
        mark = ctx.target.prices(a.symbol).mark
        tick = ctx.tick(a.symbol)
        for level in range(a.depth):
            away = a.spread / 2 + a.step * level
            bid = _round(mark * (1 - away), tick, ROUND_FLOOR)
            ask = _round(mark * (1 + away), tick, ROUND_CEILING)
            if bid > 0:
                ctx.send(a.account, OrderRequest(a.symbol, "buy", "lmt", a.size, bid), t, a.name)
            ctx.send(a.account, OrderRequest(a.symbol, "sell", "lmt", a.size, ask), t, a.name)

    def _take(self, ctx: Context, t: int) -> None:
        a = self.actor
        u = Decimal(self.rng.getrandbits(32) + 1) / Decimal(1 << 32)
        self._after(t, int(-u.ln() * a.every))
        lot = ctx.lot(a.symbol)
        lots = self.rng.randint(int(a.min_size / lot), int(a.max_size / lot))
        side = "buy" if self.rng.getrandbits(1) else "sell"
        ctx.send(a.account, OrderRequest(a.symbol, side, "mkt", lots * lot), t, a.name)

    def _aggress(self, ctx: Context, t: int) -> None:
        """One market order of at most `size`; `done_qty` counts what *filled* (a thin book
        may fill part of an order, or none), so the aggressor keeps going until `total` has
        traded or it is stopped."""
        a = self.actor
        size = min(a.size, a.total - self.done_qty)
        order_id = ctx.send(a.account, OrderRequest(a.symbol, a.side, "mkt", size), t, a.name)
        if order_id is not None:
            fills = ctx.target.fills(a.account)
            self.done_qty += sum((f.size for f in fills if f.order_id == order_id), Decimal(0))
        if self.done_qty >= a.total:
            self.next_at = None
            ctx.note(t, f"{a.name} done: {self.done_qty} {a.side}")
        else:
            self._after(t, a.every)

    def _withdraw(self, ctx: Context, t: int) -> None:
        a = self.actor
        maker = self.peers[a.maker or ""]
        if not self.paused:
            self.paused = maker.paused = True
            self.next_at = a.stop
            ack = ctx.target.cancel_all(a.account, a.symbol)
            ctx.note(t, f"{a.name}: {a.maker} withdraws liquidity ({len(ack.cancelled)} cancelled)")
            return
        maker.paused = False
        self.next_at = None
        if maker.next_at is None or maker.next_at > t:
            maker.next_at = t if maker.actor.stop is None or t < maker.actor.stop else None
        ctx.note(t, f"{a.name}: {a.maker} returns")
