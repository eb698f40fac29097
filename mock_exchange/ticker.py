"""The background job of a real-clock server: fire timers when they fall due, step the makers.

With a wall clock nothing else would run the dead man's switch, funding or expiry while no
request arrives, so this job sleeps until the exchange's next deadline or the makers' next step
(never longer than `MAX_SLEEP_MS`, so a reset or a new timer is noticed quickly), then calls
`exchange.advance()` and `Makers.catch_up()`. It reads `state.exchange` and the makers afresh
on every round, because an admin reset replaces both. A manual-clock server does not run it:
there, time and therefore timers and makers move only through /__admin/clock.

Invariants: one round never raises (an unexpected error is logged and the job carries on); a
round that falls behind takes one maker step, not a burst of them.
"""

from __future__ import annotations

import asyncio
import logging

from .makers import Makers
from .server.state import ServerState

log = logging.getLogger("mock_exchange.ticker")

MAKERS_KEY = "makers"
MAX_SLEEP_MS = 250
MIN_SLEEP_MS = 1


def makers_of(state: ServerState) -> Makers | None:
    makers = state.extras.get(MAKERS_KEY)
    return makers if isinstance(makers, Makers) else None


def tick(state: ServerState) -> int:
    """One round: run what is due now; return how many milliseconds to sleep."""
    exchange = state.exchange
    now = exchange.clock.now_ms()
    due = exchange.next_deadline()
    if due is not None and due <= now:
        exchange.advance()
        due = exchange.next_deadline()
    wait = MAX_SLEEP_MS
    makers = makers_of(state)
    if makers is not None and makers.exchange is exchange:
        makers.catch_up(now, 1)
        wait = min(wait, makers.next_step_ms - now)
    if due is not None:
        wait = min(wait, due - now)
    return max(MIN_SLEEP_MS, wait)


async def run(state: ServerState) -> None:
    """Forever: a round, then sleep until the next thing is due (cancelled at shutdown)."""
    while True:
        try:
            wait = tick(state)
        except Exception:
            log.exception("ticker round failed")
            wait = MAX_SLEEP_MS
        await asyncio.sleep(wait / 1000)
