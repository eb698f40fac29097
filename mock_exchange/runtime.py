"""The only non-deterministic code: the wall clock and an OS-drawn seed (plus the server
process's garbage-collector tuning, `tune_gc`).

Everything else receives time through a `Clock` and randomness through a seed, so a run with a
manual clock and a fixed seed is exactly reproducible. Invariants:
- `SystemClock.now_ms()` never goes backwards, even if the wall clock is stepped back (NTP);
- with a start time it counts from that start at wall-clock speed (monotonic elapsed time);
- `os_seed()` is the one place that draws OS entropy; the CLI prints the seed it used.
"""

from __future__ import annotations

import gc
import os
import time

#: Full (generation-2) collections 100x rarer than CPython's default: the exchange keeps many
#: long-lived objects (orders, history), and each full pass over them pauses every connection.
GC_THRESHOLDS = (700, 10, 1000)


def tune_gc() -> None:
    """For a long-running server, after start-up: move what exists now out of the collector's
    reach (`gc.freeze`) and make full collections rare. Measured in docs/performance.md."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


class SystemClock:
    """Wall-clock milliseconds since the Unix epoch, or since `start_ms` if one is given."""

    __slots__ = ("_last", "_origin_ns", "_start_ms")

    def __init__(self, start_ms: int | None = None) -> None:
        self._start_ms = start_ms
        self._origin_ns = time.monotonic_ns()
        self._last = 0

    def now_ms(self) -> int:
        if self._start_ms is None:
            now = time.time_ns() // 1_000_000
        else:
            now = self._start_ms + (time.monotonic_ns() - self._origin_ns) // 1_000_000
        if now < self._last:
            return self._last
        self._last = now
        return now


def os_seed() -> int:
    """A fresh seed from the OS (32 bits: short enough to retype from the start banner)."""
    return int.from_bytes(os.urandom(4), "big")
