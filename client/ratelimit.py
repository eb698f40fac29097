"""An optional client-side limiter following Kraken's cost model for /derivatives private calls
(reference kraken-futures-rest.md §6): each key has a budget of 500 cost units per 10 seconds,
every call spends its endpoint's cost (``Call.cost``: sendorder 10, batchorder 9 + the number
of instructions, accounts 2, ...), and spent units come back as the 10-second window slides.

The limiter keeps a safety margin below Kraken's budget (``margin``, default 5% of the budget
rounded down: 25 of Kraken's 500 units):
Kraken's window and ours do not start at the same instant, the network delays calls by
different amounts, and another program may spend some of the key's budget; without a margin a
client that books exactly 500 units would still meet ``apiLimitExceeded``. ``margin=0`` uses
the whole budget.

``reserve(cost)`` books ``cost`` at the earliest moment the budget allows and returns how many
seconds the caller must wait before sending; the sync client sleeps, the async one awaits.
Bookings are made in call order, so waiting callers are served first come, first served.

Invariant: the clock is injected (nanoseconds, monotonic); the limiter itself never sleeps.
One limiter may be shared by several clients of the same key, from several threads.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

BUDGET = 500
WINDOW_S = 10
MARGIN_PER_CENT = 5


class RateLimiter:
    """A sliding-window cost budget: at most ``budget - margin`` units within any ``window_s``
    seconds."""

    def __init__(
        self,
        budget: int = BUDGET,
        window_s: int = WINDOW_S,
        clock_ns: Callable[[], int] = time.monotonic_ns,
        *,
        margin: int | None = None,
    ) -> None:
        if budget <= 0 or window_s <= 0:
            raise ValueError("budget and window_s must be positive")
        if margin is None:
            margin = budget * MARGIN_PER_CENT // 100
        if isinstance(margin, bool) or not isinstance(margin, int) or not 0 <= margin < budget:
            raise ValueError(f"margin: an int from 0 to budget - 1, not {margin!r}")
        #: Kraken's budget for the window, and the part of it this limiter lets calls spend
        self.kraken_budget = budget
        self.margin = margin
        self.budget = budget - margin
        self.window_ns = window_s * 1_000_000_000
        self._clock_ns = clock_ns
        self._booked: deque[tuple[int, int]] = deque()  # (when, cost), in time order
        self._lock = threading.Lock()

    def used(self) -> int:
        """Cost units spent within the window ending now (future bookings included)."""
        with self._lock:
            self._forget(self._clock_ns())
            return sum(cost for _, cost in self._booked)

    def reserve(self, cost: int) -> float:
        """Book ``cost`` units; the seconds to wait before sending (0.0: send now)."""
        if cost < 0 or cost > self.budget:
            raise ValueError(f"cost {cost} is outside 0..{self.budget}")
        if cost == 0:
            return 0.0
        with self._lock:
            now = self._clock_ns()
            self._forget(now)
            at = max(now, self._booked[-1][0] if self._booked else now)
            at = self._earliest(at, cost)
            self._booked.append((at, cost))
            return (at - now) / 1e9

    def _forget(self, now: int) -> None:
        while self._booked and self._booked[0][0] <= now - self.window_ns:
            self._booked.popleft()

    def _earliest(self, start: int, cost: int) -> int:
        """The first moment >= ``start`` when the window ending then has room for ``cost``."""
        at = start
        while True:
            used = sum(c for when, c in self._booked if when > at - self.window_ns)
            if used + cost <= self.budget:
                return at
            oldest = next(when for when, _ in self._booked if when > at - self.window_ns)
            at = oldest + self.window_ns
