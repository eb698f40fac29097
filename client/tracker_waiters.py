"""``Waiters``: futures that trackers resolve when a record they keep satisfies a condition.

Invariants: a waiter is checked against the current record when it starts and after every
message the tracker applies (``check``); it is resolved at most once, removed when resolved,
timed out or cancelled, and never raises into the tracker (a failing condition fails only its
own waiter). No I/O; futures belong to the running loop of the caller of ``wait``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


class MessageSource(Protocol):
    """What a tracker needs of a ``FuturesWebSocket``: to be called for every message."""

    def add_listener(self, listener: Callable[[Any], None]) -> None: ...


class Waiters(Generic[T]):
    def __init__(self) -> None:
        self._keyed: list[tuple[str, Callable[[T], bool], asyncio.Future[T]]] = []
        self._any: list[asyncio.Future[None]] = []

    def check(self, lookup: Callable[[str], T]) -> None:
        """Resolve every waiter whose condition now holds, and every ``wait_any``."""
        for entry in list(self._keyed):
            key, matches, future = entry
            if future.done():
                self._keyed.remove(entry)
                continue
            try:
                record = lookup(key)
                if matches(record):
                    future.set_result(record)
            except Exception as exc:
                future.set_exception(exc)
            if future.done():
                self._keyed.remove(entry)
        for waiter in self._any:
            if not waiter.done():
                waiter.set_result(None)
        self._any.clear()

    async def wait(
        self, key: str, matches: Callable[[T], bool], lookup: Callable[[str], T], timeout: float
    ) -> T:
        """The record for ``key`` once ``matches`` holds (``TimeoutError`` after ``timeout``)."""
        current = lookup(key)
        if matches(current):
            return current
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        entry = (key, matches, future)
        self._keyed.append(entry)
        try:
            async with asyncio.timeout(timeout):
                return await future
        finally:
            if entry in self._keyed:
                self._keyed.remove(entry)

    async def wait_any(self, timeout: float) -> None:
        """Return after the next ``check`` (``TimeoutError`` after ``timeout``)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._any.append(future)
        async with asyncio.timeout(timeout):
            await future
