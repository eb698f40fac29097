"""Kraken's cost-based rate limit for /derivatives private endpoints (optional).

Each key has a budget of 500 cost units per 10 seconds; every private call spends its
endpoint's cost (reference §6). Spent units are refunded as the 10-second window slides.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

BUDGET = 500
WINDOW_MS = 10_000


class RateLimiter:
    def __init__(
        self, now_ms: Callable[[], int], budget: int = BUDGET, window_ms: int = WINDOW_MS
    ) -> None:
        self._now = now_ms
        self.budget = budget
        self.window_ms = window_ms
        self._spent: dict[str, deque[tuple[int, int]]] = {}

    def spend(self, key: str, cost: int) -> bool:
        """Spend `cost` for `key` now; False (and nothing spent) when over budget."""
        now = self._now()
        spent = self._spent.setdefault(key, deque())
        while spent and spent[0][0] <= now - self.window_ms:
            spent.popleft()
        used = sum(c for _, c in spent)
        if used + cost > self.budget:
            return False
        spent.append((now, cost))
        return True
