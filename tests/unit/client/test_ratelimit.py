"""client.ratelimit.RateLimiter on an injected clock: Kraken's 500 units per 10 s, first come
first served, a safety margin below it, and the clients waiting exactly what it books (sleep
passed to the client, clock injected: no timing in the assertions, nothing patched)."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from client import AsyncFuturesClient, FuturesClient
from client.ratelimit import RateLimiter

S = 1_000_000_000


class Clock:
    def __init__(self) -> None:
        self.ns = 0

    def __call__(self) -> int:
        return self.ns


def test_the_default_keeps_a_5_per_cent_margin_below_krakens_budget() -> None:
    clock = Clock()
    limiter = RateLimiter(clock_ns=clock)
    assert (limiter.kraken_budget, limiter.margin, limiter.budget) == (500, 25, 475)
    assert [limiter.reserve(25) for _ in range(19)] == [0.0] * 19  # 475 units at once
    assert limiter.reserve(1) == 10.0  # the 476th unit waits: Kraken's 500 never reached
    assert RateLimiter(budget=30, clock_ns=clock).budget == 29
    assert RateLimiter(margin=100, clock_ns=clock).budget == 400


def test_the_budget_is_500_units_per_sliding_10_seconds_without_a_margin() -> None:
    clock = Clock()
    limiter = RateLimiter(clock_ns=clock, margin=0)
    assert [limiter.reserve(10) for _ in range(50)] == [0.0] * 50  # 50 sendorders: 500 units
    assert limiter.used() == 500
    assert limiter.reserve(2) == 10.0  # the first booking leaves the window at t=10 s
    clock.ns = 3 * S
    assert limiter.reserve(25) == 7.0  # after the 2-unit booking at t=10 s, FIFO
    clock.ns = 10 * S
    assert limiter.used() == 2 + 25  # the fifty t=0 bookings have left the window


def test_waits_follow_the_oldest_bookings_out() -> None:
    clock = Clock()
    limiter = RateLimiter(budget=30, window_s=10, clock_ns=clock, margin=0)
    assert limiter.reserve(10) == 0.0
    clock.ns = 4 * S
    assert limiter.reserve(10) == 0.0
    clock.ns = 5 * S
    assert limiter.reserve(10) == 0.0
    assert limiter.reserve(15) == 9.0  # needs the t=0 and t=4 bookings gone: at t=14
    assert limiter.reserve(0) == 0.0


def test_bad_costs_and_settings_are_refused() -> None:
    limiter = RateLimiter(budget=10, clock_ns=Clock(), margin=0)
    with pytest.raises(ValueError, match="outside"):
        limiter.reserve(11)
    with pytest.raises(ValueError, match="outside"):
        limiter.reserve(-1)
    with pytest.raises(ValueError, match="positive"):
        RateLimiter(budget=0)
    for bad in (-1, 10, True):
        with pytest.raises(ValueError, match="margin"):
            RateLimiter(budget=10, margin=bad)


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"result": "success", "accounts": {}, "tickers": []})


SECRET = "cHl0aG9uLWtyYWtlbi1zZGsgdW5pdC10ZXN0IHNlY3JldCB2YWx1ZQ=="


def test_the_sync_client_sleeps_what_the_limiter_books() -> None:
    slept: list[float] = []
    limiter = RateLimiter(budget=4, window_s=10, clock_ns=Clock())
    with FuturesClient("k", SECRET, base_url="http://127.0.0.1:1", rate_limiter=limiter,
                       transport=httpx.MockTransport(_answer), sleep=slept.append) as c:
        c.get_accounts()
        c.get_accounts()
        c.get_tickers()  # public: costs nothing, never waits
        c.get_accounts()
    assert slept == [10.0]


def test_the_async_client_awaits_what_the_limiter_books() -> None:
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    limiter = RateLimiter(budget=2, window_s=10, clock_ns=Clock())

    async def run() -> None:
        async with AsyncFuturesClient("k", SECRET, base_url="http://127.0.0.1:1",
                                      rate_limiter=limiter, sleep=fake_sleep,
                                      transport=httpx.MockTransport(_answer)) as c:
            await c.get_accounts()
            await c.get_accounts()

    asyncio.run(run())
    assert slept == [10.0]
