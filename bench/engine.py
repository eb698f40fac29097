"""Engine benchmark: bare order book, full `Exchange.submit` path, memory per resting order.

Run from the repository root:

    python bench/engine.py            # full run (about 25 s on a quiet 2-core machine)
    python bench/engine.py --quick    # short run (about 15 s)
    python bench/engine.py --json     # exactly one JSON object on stdout, progress on stderr
    python bench/engine.py --only bare --profile   # cProfile of the timed bare-book ops

Workload (seeded, deterministic): one book holding 100,000 resting orders, then a stream of
60% adds, 30% cancels and 10% marketable orders that sweep 1-3 price levels. The stream is
generated once by an independent shadow book (plain Python, not the engine), so every runner
replays the very same concrete operations:

- add: a limit order on a random side, priced `off` ticks behind the best opposite price
  (`off` exponential, mean 1,000 ticks, capped), one of 400 maker accounts, 1-1,000 lots;
- cancel: a uniformly random resting order;
- take: a random side; k in 1..3; limit = the k-th best opposite price; size = every lot of
  the first k-1 levels plus a random part of the k-th, so it sweeps exactly k levels.

The stream is cut in segments of a few thousand operations; before each segment the book is
brought back to exactly 100,000 resting orders with untimed adds or cancels, so every timed
operation sees a book of 100,000 +- a few percent. The first segments are warm-up.

Figures:
1. bare_book_ops_per_s: `engine.book.Book` + `engine.matching.plan_match`/`execute` called
   directly with integer ticks and lots (an add includes building its `Order`);
2. full_path_orders_per_s: `PlaceOrder`/`CancelOrder` commands through `Exchange.submit`
   (accounts, margin checks, fees, positions, events), ManualClock and IdGenerator;
3. bytes_per_resting_order: tracemalloc, live bytes of a bare book of 100,000 orders built
   from nothing (Order objects, their uuid ids and integers, levels, indexes) / orders.
The cyclic GC stays on; the harness's own op lists are moved out of its reach (gc.freeze).
See docs/performance.md for the figures, their meaning and the profile of the full path.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import math
import pstats
import random
import statistics
import sys
import time
import tracemalloc
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sortedcontainers import SortedList

from mock_exchange.engine import commands as c
from mock_exchange.engine.book import Book
from mock_exchange.engine.clock import ManualClock
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.engine.matching import execute, plan_match
from mock_exchange.engine.types import Order, OrderType, Side
from mock_exchange.exchange import Exchange

TARGETS = {
    "bare_book_ops_per_s": 1_000_000.0,  # at least
    "full_path_orders_per_s": 100_000.0,  # at least
    "bytes_per_resting_order": 512.0,  # at most
}
UNITS = {
    "bare_book_ops_per_s": "ops/s",
    "full_path_orders_per_s": "orders/s",
    "bytes_per_resting_order": "bytes",
}

SYMBOL = "PF_XBTUSD"  # tick 1 USD, lot 0.0001 XBT: ticks are dollars
MID = 60_000  # the catalogue's XBT reference price, in ticks
BAND = 14_000  # prices stay within MID +- BAND (inside the 25% price collar)
MEAN_OFFSET = 1_000.0
MAX_OFFSET = 10_000
MAKERS = 400  # 100,000 orders / 400 accounts stays well under 500 open orders per account
TAKERS = 16
NOW = 1_767_225_600_000
BURN_IN_OPS = 120_000  # mixed ops run in the shadow only, to reach a steady book shape
SEGMENT_OPS = 10_000  # the shadow rebalances to the target size this often during burn-in

ADD, CANCEL, TAKE = 0, 1, 2
# (ADD, order id, maker index, side, price ticks, lots) | (CANCEL, order id, maker index)
# | (TAKE, side, limit ticks, lots)
Op = tuple
SIDES = (Side.BUY, Side.SELL)


# -- workload: an independent shadow book that writes the operation stream -----------------------
class Shadow:
    """A deliberately simple book (SortedList of prices, deques of [id, lots, ...] entries) that
    generates the stream and knows what the book must look like after it. Sides are 0 (buy)
    and 1 (sell) here; the ops carry `Side` members."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.prices = (SortedList(), SortedList())
        self.levels: tuple[dict[int, list], dict[int, list]] = ({}, {})
        # entry: [id, lots left, side, price, maker, index in `live`, arrival number]
        self.live: list[list] = []  # for a uniform random cancel
        self.swept = 0
        self.takes = 0
        self.added = 0

    def __len__(self) -> int:
        return len(self.live)

    def best(self, side: int) -> int | None:
        prices = self.prices[side]
        if not prices:
            return None
        return prices[0] if side else prices[-1]

    def add(self, anchored: bool = False) -> Op:
        rand = self.rng.random
        side = 0 if rand() < 0.5 else 1
        off = min(int(-MEAN_OFFSET * math.log(1.0 - rand())), MAX_OFFSET)
        opposite = None if anchored else self.best(1 - side)
        ref = MID if opposite is None else opposite
        price = ref + 1 + off if side else ref - 1 - off
        price = max(MID - BAND, min(MID + BAND, price))
        if opposite is not None and (price <= opposite if side else price >= opposite):
            price = opposite + 1 if side else opposite - 1  # clamped against a far opposite side
        oid, maker, lots = uuid_like(self.rng), int(rand() * MAKERS), 1 + int(rand() * 1000)
        level = self.levels[side].get(price)
        if level is None:
            level = self.levels[side][price] = [0, deque()]
            self.prices[side].add(price)
        self.added += 1
        entry = [oid, lots, side, price, maker, len(self.live), self.added]
        level[1].append(entry)
        level[0] += lots
        self.live.append(entry)
        return (ADD, oid, maker, SIDES[side], price, lots)

    def _forget(self, entry: list) -> None:
        last = self.live.pop()
        if last is not entry:
            self.live[entry[5]] = last
            last[5] = entry[5]

    def cancel(self) -> Op:
        entry = self.live[int(self.rng.random() * len(self.live))]
        side, price = entry[2], entry[3]
        level = self.levels[side][price]
        level[1].remove(entry)
        level[0] -= entry[1]
        if not level[1]:
            del self.levels[side][price]
            self.prices[side].remove(price)
        self._forget(entry)
        return (CANCEL, entry[0], entry[4])

    def take(self) -> Op:
        rand = self.rng.random
        side = 0 if rand() < 0.5 else 1
        if not self.prices[1 - side]:
            side = 1 - side
        book_side = 1 - side
        prices, levels = self.prices[book_side], self.levels[book_side]
        k = 1 + int(rand() * 3)
        swept = list(prices[:k]) if book_side else list(reversed(prices[-k:]))
        last_level = levels[swept[-1]][0]
        lots = sum(levels[p][0] for p in swept[:-1]) + 1 + int(rand() * last_level)
        want = lots
        for price in swept:
            level = levels[price]
            queue = level[1]
            while want and queue:
                entry = queue[0]
                take = min(want, entry[1])
                entry[1] -= take
                level[0] -= take
                want -= take
                if entry[1] == 0:
                    queue.popleft()
                    self._forget(entry)
                    self.swept += 1
            if not queue:
                del levels[price]
                prices.remove(price)
        self.takes += 1
        return (TAKE, SIDES[side], swept[-1], lots)

    def mixed(self) -> Op:
        x = self.rng.random()
        if x < 0.6:
            return self.add()
        if x < 0.9:
            return self.cancel()
        return self.take()

    def rebalance(self, target: int) -> list[Op]:
        ops = []
        while len(self.live) < target:
            ops.append(self.add())
        while len(self.live) > target:
            ops.append(self.cancel())
        return ops

    def depth(self, side: Side) -> list[tuple[int, int]]:
        i = SIDES.index(side)
        prices = self.prices[i]
        ordered = iter(prices) if i else reversed(prices)
        return [(p, self.levels[i][p][0]) for p in ordered]


def uuid_like(rng: random.Random) -> str:
    """A random version-4-shaped UUID string, like the exchange's order ids (36 characters)."""
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


@dataclass
class Segment:
    rebalance: list[Op]  # untimed: brings the book back to the target size
    ops: list[Op]  # the mixed stream
    orders: int  # resting orders once the segment is done (per the shadow)
    depth: dict[Side, list[tuple[int, int]]]  # the shadow book's depth then
    low: int  # fewest and most resting orders during the segment
    high: int
    swept: int  # makers filled by the segment's takes


@dataclass
class Workload:
    prefill: list[Op]  # the resting orders, oldest first
    segments: list[Segment]


def make_workload(seed: int, resting: int, segments: int, seg_ops: int) -> Workload:
    """Build a book of `resting` orders, let the mixed stream shape it for a while (burn-in,
    in the shadow only), write the surviving orders, oldest first, as the prefill, then
    `segments` segments of `seg_ops` mixed operations."""
    gc.disable()  # a million small acyclic lists: the cyclic GC would only rescan them
    try:
        shadow = Shadow(seed)
        for _ in range(resting):
            shadow.add(anchored=True)
        for _ in range(BURN_IN_OPS // SEGMENT_OPS):
            shadow.rebalance(resting)
            for _ in range(SEGMENT_OPS):
                shadow.mixed()
        shadow.rebalance(resting)
        survivors = sorted(shadow.live, key=lambda entry: entry[6])
        wl = Workload([(ADD, e[0], e[4], SIDES[e[2]], e[3], e[1]) for e in survivors], [])
        for _ in range(segments):
            rebalance = shadow.rebalance(resting)
            swept = shadow.swept
            low = high = len(shadow)
            ops = []
            for _ in range(seg_ops):
                ops.append(shadow.mixed())
                size = len(shadow)
                low, high = min(low, size), max(high, size)
            depth = {side: shadow.depth(side) for side in Side}
            seg = Segment(rebalance, ops, len(shadow), depth, low, high, shadow.swept - swept)
            wl.segments.append(seg)
        return wl
    finally:
        gc.enable()


def describe(segments: list[Segment]) -> str:
    """The mix the timed segments actually had."""
    count = {ADD: 0, CANCEL: 0, TAKE: 0}
    for seg in segments:
        for op in seg.ops:
            count[op[0]] += 1
    total = sum(count.values())
    swept = sum(seg.swept for seg in segments)
    return (
        f"{total:,} timed, add/cancel/take "
        + "/".join(f"{100 * count[k] / total:.0f}" for k in (ADD, CANCEL, TAKE))
        + f"%, {swept / max(1, count[TAKE]):.1f} makers filled per take, "
        f"{min(s.low for s in segments):,}-{max(s.high for s in segments):,} resting"
    )


def check_book(book: Book, seg: Segment, label: str) -> None:
    """The engine's book must end exactly where the independent shadow book ended."""
    problems = []
    if len(book) != seg.orders:
        problems.append(f"{len(book)} resting orders, shadow has {seg.orders}")
    for side in Side:
        if book.depth(side) != seg.depth[side]:
            problems.append(f"{side.value} depth differs from the shadow book")
    if problems:
        raise SystemExit(f"{label}: book check failed: " + "; ".join(problems))


class Timer:
    """Sums the time of the timed segments; optionally profiles exactly those."""

    def __init__(self, profile: bool) -> None:
        self.elapsed_ns = 0
        self.count = 0
        self.profiler = cProfile.Profile() if profile else None

    def run(self, fn: Callable[[], None], count: int) -> None:
        gc.collect()
        if self.profiler is not None:
            self.profiler.enable()
        start = time.perf_counter_ns()
        fn()
        self.elapsed_ns += time.perf_counter_ns() - start
        if self.profiler is not None:
            self.profiler.disable()
        self.count += count

    def rate(self) -> float:
        if self.profiler is not None:
            stats = pstats.Stats(self.profiler, stream=sys.stderr)
            stats.sort_stats("tottime").print_stats(30)
        return self.count / (self.elapsed_ns / 1e9)


# -- 1. the bare book ------------------------------------------------------------------------------
def apply_bare(book: Book, ops: list[Op], accounts: list[str]) -> None:
    add, remove, orders = book.add, book.remove, book.orders
    lmt, symbol, now = OrderType.LMT, SYMBOL, NOW
    for op in ops:
        kind = op[0]
        if kind == ADD:
            add(Order(op[1], accounts[op[2]], symbol, op[3], lmt, op[4], op[5], now))
        elif kind == CANCEL:
            remove(orders[op[1]])
        else:
            execute(book, plan_match(book, op[1], op[2], op[3]), now)


def run_bare(wl: Workload, warm: int, timed: int, profile: bool = False) -> float:
    accounts = [f"maker-{i:03d}" for i in range(MAKERS)]
    book = Book()
    apply_bare(book, wl.prefill, accounts)
    timer = Timer(profile)
    for i, seg in enumerate(wl.segments[: warm + timed]):
        apply_bare(book, seg.rebalance, accounts)
        if i < warm:
            apply_bare(book, seg.ops, accounts)
        else:
            timer.run(lambda seg=seg: apply_bare(book, seg.ops, accounts), len(seg.ops))
    check_book(book, wl.segments[warm + timed - 1], "bare book")
    return timer.rate()


# -- 2. the full Exchange.submit path ---------------------------------------------------------
def _size(lots: int) -> Decimal:
    return Decimal(lots).scaleb(-4)


def build_commands(ops: Iterable[Op], makers: list[str], takers: list[str]) -> list[object]:
    """PlaceOrder commands built ahead of time (decoding is not the engine's work); a cancel is
    (account, shadow id): its exchange order id is only known once the order was placed."""
    out: list[object] = []
    for n, op in enumerate(ops):
        if op[0] == ADD:
            _, oid, maker, side, price, lots = op
            cmd = c.PlaceOrder(
                makers[maker], SYMBOL, side, OrderType.LMT, _size(lots), Decimal(price)
            )
            out.append((oid, cmd))
        elif op[0] == CANCEL:
            out.append((makers[op[2]], op[1]))
        else:
            _, side, limit, lots = op
            taker = takers[n % len(takers)]
            out.append(
                c.PlaceOrder(taker, SYMBOL, side, OrderType.IOC, _size(lots), Decimal(limit))
            )
    return out


def submit_all(ex: Exchange, cmds: list[Any], ids: dict[str, str | None]) -> None:
    """Submit every command; the workload is built so that none is refused."""
    submit, cancel, place = ex.submit, c.CancelOrder, c.PlaceOrder
    for item in cmds:
        if type(item) is place:
            out = submit(item)
        elif type(item[1]) is place:
            out = submit(item[1])
            ids[item[0]] = out.order_id
        else:
            out = submit(cancel(item[0], ids.pop(item[1])))
        if out.reject is not None:
            raise SystemExit(f"full path: {item!r} was refused ({out.reject}); bad workload")


def run_full(wl: Workload, warm: int, timed: int, seed: int, profile: bool = False) -> float:
    ex = Exchange(ManualClock(NOW), IdGenerator(seed))
    money = {"flex": {"USD": Decimal(10_000_000)}}
    makers = [ex.submit(c.OpenAccount(f"maker-{i}", money)).account_id for i in range(MAKERS)]
    takers = [ex.submit(c.OpenAccount(f"taker-{i}", money)).account_id for i in range(TAKERS)]
    ids: dict[str, str | None] = {}
    submit_all(ex, build_commands(wl.prefill, makers, takers), ids)
    timer = Timer(profile)
    for i, seg in enumerate(wl.segments[: warm + timed]):
        submit_all(ex, build_commands(seg.rebalance, makers, takers), ids)
        cmds = build_commands(seg.ops, makers, takers)
        if i < warm:
            submit_all(ex, cmds, ids)
        else:
            timer.run(lambda cmds=cmds: submit_all(ex, cmds, ids), len(cmds))
    check_book(ex.markets[SYMBOL].book, wl.segments[warm + timed - 1], "full path")
    return timer.rate()


# -- 3. memory per resting order ----------------------------------------------------------------
def measure_memory(prefill: list[Op], seed: int) -> tuple[float, dict[str, float]]:
    """Live bytes of a bare book built from nothing with the workload's resting orders.

    Counted: each Order object, its uuid string id, its price/size integers (fresh objects,
    as `Instrument.to_ticks`/`to_lots` make them), the levels and all indexes. Not counted:
    account ids and the symbol (shared by many orders)."""
    accounts = [f"maker-{i:03d}" for i in range(MAKERS)]
    plan = [(op[3], op[4], op[5], accounts[op[2]]) for op in prefill]
    gc.collect()
    rng = random.Random(seed)  # fresh ids, made inside the measured region
    lmt = OrderType.LMT
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    book = Book()
    for side, price, lots, account in plan:
        # `+ 0` makes a fresh int object, as a decimal -> ticks conversion would
        book.add(Order(uuid_like(rng), account, SYMBOL, side, lmt, price + 0, lots + 0, NOW))
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    levels = len(book.bids) + len(book.asks)
    detail = {
        "order_object": float(sys.getsizeof(next(iter(book.orders.values())))),
        "order_id_str": float(sys.getsizeof(next(iter(book.orders)))),
        "levels": float(levels),
        "orders_per_level": len(plan) / levels,
    }
    return used / len(plan), detail


# -- reporting -------------------------------------------------------------------------------------
def _ratio(name: str, value: float) -> float:
    target = TARGETS[name]
    return target / value if name == "bytes_per_resting_order" else value / target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about 15 s)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--seed", type=int, default=20260101)
    parser.add_argument("--only", choices=("bare", "full", "memory"), action="append")
    parser.add_argument("--profile", action="store_true", help="cProfile the timed ops")
    parser.add_argument("--resting", type=int, default=100_000, help="book size")
    args = parser.parse_args(argv)
    only = set(args.only or ("bare", "full", "memory"))
    out = sys.stderr if args.json else sys.stdout

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    start = time.perf_counter()
    # segments of the stream: (warm-up, timed) for the bare book and for the full path
    seg_ops = 10_000 if args.quick else 25_000
    bare, full = ((1, 2), (1, 1)) if args.quick else ((2, 8), (1, 3))
    full_ops = 2_500 if args.quick else 6_000  # the full path is slow: shorter segments
    repeats = 1 if args.quick else 3
    say(
        f"engine bench: seed {args.seed}, {args.resting:,} resting orders"
        + (", quick" if args.quick else "")
    )
    figures: dict[str, float] = {}
    if only & {"bare", "memory"}:
        wl = make_workload(args.seed, args.resting, sum(bare), seg_ops)
        say(f"  workload generated in {time.perf_counter() - start:.1f} s")
        if "bare" in only:
            gc.collect()
            gc.freeze()  # the op lists are the harness's, not the engine's, garbage to scan
            runs = [run_bare(wl, *bare, args.profile and i == 0) for i in range(repeats)]
            gc.unfreeze()
            rate = figures["bare_book_ops_per_s"] = statistics.median(runs)
            say(
                f"  bare book   {rate:>12,.0f} ops/s     median of "
                + ", ".join(f"{r:,.0f}" for r in runs)
                + f"; {describe(wl.segments[bare[0] : sum(bare)])}"
            )
        if "memory" in only:
            per_order, detail = measure_memory(wl.prefill, args.seed)
            figures["bytes_per_resting_order"] = per_order
            say(
                f"  memory      {per_order:>12,.0f} bytes     per resting order: Order object "
                f"{detail['order_object']:.0f} B, id {detail['order_id_str']:.0f} B; "
                f"{detail['levels']:,.0f} levels, {detail['orders_per_level']:.1f} orders/level"
            )
        del wl
        gc.collect()
    if "full" in only:
        wl = make_workload(args.seed + 1, args.resting, sum(full), full_ops)
        gc.collect()
        gc.freeze()
        rate = figures["full_path_orders_per_s"] = run_full(wl, *full, args.seed, args.profile)
        gc.unfreeze()
        say(f"  full path   {rate:>12,.0f} orders/s  {describe(wl.segments[full[0] : sum(full)])}")
        del wl
    names = [name for name in TARGETS if name in figures]
    say("against the targets (ratio >= 1 meets it):")
    for name in names:
        sign = "<=" if name == "bytes_per_resting_order" else ">="
        say(
            f"  {name:<24} {figures[name]:>12,.1f} {UNITS[name]:<8}  target {sign} "
            f"{TARGETS[name]:>9,.0f}  ratio {_ratio(name, figures[name]):6.3f}"
        )
    say(f"bench time {time.perf_counter() - start:.1f} s")
    if args.json:
        rows = [{"name": n, "value": round(figures[n], 1), "unit": UNITS[n]} for n in names]
        print(json.dumps({"figures": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
