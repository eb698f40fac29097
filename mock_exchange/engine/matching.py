"""Price-time matching: plan what a taker would execute, then execute the plan.

Planning never mutates: it walks the opposite side from the best price, FIFO within a level,
up to the taker's limit and size, and asks `conflict(maker_account_id)` whether each maker may
trade with the taker (self-trade prevention). The caller decides (post-only, FOK, margin) and
then calls `execute`, which mutates the book. Fills happen at the maker's price.

Both functions are on the hot path of every order: they walk levels and queues directly
instead of going through `Book.makers`, skip the `conflict` call when there is no rule, and
build the `Plan` once, at the end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum

from .book import Book
from .types import Order, Side


class Conflict(Enum):
    NONE = 0  # trade normally
    CANCEL_MAKER = 1  # cancel the resting maker, keep matching
    REJECT_TAKER = 2  # stop: the taker's remainder must not trade


_NONE = Conflict.NONE
_REJECT_TAKER = Conflict.REJECT_TAKER


@dataclass(slots=True)
class Plan:
    fills: list[tuple[Order, int]] = field(default_factory=list)  # (maker, lots)
    lots: int = 0
    self_trade: bool = False  # matching stopped at a maker the taker may not meet
    cancel_makers: list[Order] = field(default_factory=list)  # makers to cancel first
    #: reduce-only makers whose account has nothing left to reduce within this plan
    cancel_reduce_only: list[Order] = field(default_factory=list)


def _no_conflict(_maker_account: str) -> Conflict:
    return Conflict.NONE


def plan_match(
    book: Book,
    side: Side,
    limit: int | None,
    lots: int,
    conflict: Callable[[str], Conflict] = _no_conflict,
    reducible: Callable[[Order], int] | None = None,
) -> Plan:
    """What a taker on `side`, limited at `limit` (None: no limit), for `lots` would execute.

    `reducible(maker)`: lots the maker's account may still reduce its position by; a reduce-only
    maker fills at most that, less what the account's earlier makers fill in this same plan.
    """
    fills: list[tuple[Order, int]] = []
    cancel_makers: list[Order] = []
    reduce_gone: list[Order] = []
    used: dict[str, int] = {}
    wanted = lots
    rule = None if conflict is _no_conflict else conflict
    for level in book.levels(side, limit):
        for maker in level.queue:
            if not maker.alive:
                continue
            if rule is not None:
                verdict = rule(maker.account_id)
                if verdict is not _NONE:
                    if verdict is _REJECT_TAKER:
                        return Plan(fills, lots - wanted, True, cancel_makers, reduce_gone)
                    cancel_makers.append(maker)
                    continue
            take = maker.qty - maker.filled
            if wanted < take:
                take = wanted
            if reducible is not None:
                owner = maker.account_id
                if maker.reduce_only:
                    room = reducible(maker) - used.get(owner, 0)
                    if room <= 0:
                        reduce_gone.append(maker)
                        continue
                    take = min(take, room)
                used[owner] = used.get(owner, 0) + take
            fills.append((maker, take))
            wanted -= take
            if wanted == 0:
                return Plan(fills, lots, False, cancel_makers, reduce_gone)
    return Plan(fills, lots - wanted, False, cancel_makers, reduce_gone)


def execute(book: Book, plan: Plan, now: int) -> None:
    """Apply a plan's fills to the book (makers only; the caller accounts for the taker)."""
    book.fill_many(plan.fills, now)
