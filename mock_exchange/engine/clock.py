"""The clock the engine reads. Time is integer milliseconds since the Unix epoch.

The engine never reads the wall clock; a `SystemClock` lives in `mock_exchange.runtime`.
"""

from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    def now_ms(self) -> int: ...


class ManualClock:
    """A clock that moves only when told to; it never goes backwards."""

    __slots__ = ("_now",)

    def __init__(self, start_ms: int = 1_767_225_600_000) -> None:  # 2026-01-01T00:00:00Z
        self._now = start_ms

    def now_ms(self) -> int:
        return self._now

    def advance(self, ms: int) -> int:
        if ms < 0:
            raise ValueError("a clock cannot move backwards")
        self._now += ms
        return self._now

    def set(self, ms: int) -> int:
        if ms < self._now:
            raise ValueError("a clock cannot move backwards")
        self._now = ms
        return self._now
