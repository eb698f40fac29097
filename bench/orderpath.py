"""Order-path benchmark: the CPU one `sendorder` costs inside the server, without HTTP.

Run from the repository root:

    python bench/orderpath.py             # 5 repeats of 6,000 orders per variant (~30 s)
    python bench/orderpath.py --quick     # 2 repeats of 3,000
    python bench/orderpath.py --json      # exactly one JSON object on stdout, the report on stderr
    python bench/orderpath.py --profile listeners   # cProfile of one variant's timed orders

Workload: the one bench/ws.py sends over the wire. PF_XBTUSD limits at one price, sides
alternating, accounts taken in turn (10 or 100 accounts with 10M USD each): the first order rests
one lot, every later one (two lots) fills one lot against the previous order's remainder and
rests the other. So every order trades once, rests once, and makes one `new_placed_order_by_user`
and one `full_fill` on open_orders plus two book changes. Commands are built before the clock
starts; decoding and HTTP are not counted (bench/rest.py measures them).

Variants (`Exchange.submit` per order, median of the repeats, CPU time of this process, so the
figures move less than wall-clock ones when other processes share the machine):
- `bare`: a bare `Exchange` (manual clock), no listener: matching, risk, settlement, events;
- `listeners`: the exchange inside `create_app()`: the history recorder and the WebSocket hub
  listen, nobody is subscribed (the state of a server without WebSocket clients);
- `subscribers_10` / `subscribers_100`: as `listeners`, plus one connection per account
  subscribed to that account's `open_orders` (an outbox nobody drains; its messages are
  counted, 2 per order, so a run also checks that every delta was queued).

No target: these figures explain bench/ws.py and bench/rest.py (docs/performance.md).
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import json
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from mock_exchange.engine import commands as c
from mock_exchange.engine.clock import ManualClock
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.engine.types import OrderType, Side
from mock_exchange.exchange import Exchange
from mock_exchange.server.app import create_app
from mock_exchange.server.hub import Hub, Outbox

SYMBOL = "PF_XBTUSD"
LOT = Decimal("0.0001")
PRICE = Decimal(60_000)
VARIANTS = ("bare", "listeners", "subscribers_10", "subscribers_100")


class Run:
    """One exchange set up for a variant, with its accounts and subscribed outboxes."""

    def __init__(self, variant: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.outboxes: list[Outbox] = []
        if variant == "bare":
            self.ex = Exchange(ManualClock(), IdGenerator(1))
        else:
            app = create_app(Exchange(ManualClock(), IdGenerator(1)))
            state = app.state.mx
            self.ex = state.exchange
            self.hub = Hub.of(state)
        accounts = 100 if variant == "subscribers_100" else 10
        usd = {"flex": {"USD": Decimal(10_000_000)}}
        self.accounts = [
            self.ex.submit(c.OpenAccount(f"bench{i}", usd)).account_id or ""
            for i in range(accounts)
        ]
        if variant.startswith("subscribers"):
            for account in self.accounts:
                outbox = Outbox(self.loop, 10**9)
                conn = self.hub.connect("127.0.0.1", outbox)
                assert conn is not None
                self.hub.add(conn, "open_orders", account, None)
                self.outboxes.append(outbox)
        self.sent = 0

    def commands(self, count: int) -> list[c.PlaceOrder]:
        out = []
        for i in range(self.sent, self.sent + count):
            side = Side.BUY if i % 2 == 0 else Side.SELL
            size = LOT if i == 0 else 2 * LOT
            account = self.accounts[i % len(self.accounts)]
            out.append(c.PlaceOrder(account, SYMBOL, side, OrderType.LMT, size, PRICE))
        self.sent += count
        return out

    def submit_all(self, commands: list[c.PlaceOrder]) -> None:
        submit = self.ex.submit
        for command in commands:
            if submit(command).reject is not None:
                raise RuntimeError(f"refused: {command}")

    def queued(self) -> int:
        return sum(len(o.drain()) for o in self.outboxes)

    def close(self) -> None:
        self.loop.close()


def measure(variant: str, orders: int, warm: int, profile: cProfile.Profile | None) -> float:
    """Microseconds of CPU per order for one fresh run of `variant`."""
    run = Run(variant)
    try:
        run.submit_all(run.commands(warm))
        run.queued()
        commands = run.commands(orders)
        gc.collect()
        start = time.process_time()
        if profile is not None:
            profile.enable()
        run.submit_all(commands)
        if profile is not None:
            profile.disable()
        spent = time.process_time() - start
        queued = run.queued()
        if run.outboxes and queued != 2 * orders:
            raise RuntimeError(f"{variant}: {queued} deltas queued for {orders} orders")
        book = run.ex.markets[SYMBOL].book
        if len(book.bids) + len(book.asks) != 1:
            raise RuntimeError("the book should hold one level")
        return spent / orders * 1e6
    finally:
        run.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2 repeats of 3,000 orders")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--orders", type=int, help="timed orders per repeat")
    parser.add_argument("--repeat", type=int, help="repeats per variant (the median is kept)")
    parser.add_argument("--only", action="append", choices=VARIANTS, help="repeatable")
    parser.add_argument("--profile", choices=VARIANTS, help="cProfile one variant's orders")
    args = parser.parse_args(argv)
    orders = args.orders or (3_000 if args.quick else 6_000)
    repeat = args.repeat or (2 if args.quick else 5)
    say: Callable[[str], Any] = (lambda t: print(t, file=sys.stderr)) if args.json else print

    if args.profile:
        profile = cProfile.Profile()
        per_order = measure(args.profile, orders, 1_000, profile)
        say(f"{args.profile}: {per_order:.1f} us per order under cProfile")
        stats = pstats.Stats(profile, stream=sys.stderr if args.json else sys.stdout)
        stats.sort_stats("cumulative").print_stats(40)
        return 0

    variants = args.only or list(VARIANTS)
    results: dict[str, list[float]] = {v: [] for v in variants}
    for _ in range(repeat):  # interleaved, so a burst of load hits every variant alike
        for variant in variants:
            results[variant].append(measure(variant, orders, 1_000, None))
    say(f"order path, {orders:,} orders x {repeat} repeats, CPU time per order (median, range)")
    figures = []
    for variant in variants:
        runs = results[variant]
        median = statistics.median(runs)
        say(f"  {variant:16s} {median:7.1f} us   ({min(runs):.1f} - {max(runs):.1f})")
        figures.append({"name": f"submit_us_{variant}", "value": round(median, 2), "unit": "us"})
    if args.json:
        print(json.dumps({"figures": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
