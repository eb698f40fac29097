"""`AdminClient` (sync) and `AsyncAdminClient` (async): thin httpx shells over
`client.admin.core`. Each method builds a `Call`, sends it and returns `core.finish(...)`.

Invariants: the clients keep no state besides the connection pool; a transport failure is an
`AdminConnectionError`; `http=` lets a caller supply the httpx client (e.g. Starlette's
TestClient for an in-process app), which is then not closed by this client.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Mapping
from typing import TypeVar

import httpx

from . import core
from .core import AdminConnectionError, AdminResponseError, Call, Number, finish
from .models import (
    AccountDetails,
    AccountKeys,
    AdminCancellation,
    ClockMove,
    ClockState,
    FundingRate,
    MarketPrices,
    MarketStateChange,
    ResetResult,
    RfqAcceptance,
    RfqCreated,
    StateDump,
)

T = TypeVar("T")
DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def _healthy(status: str, deadline: float, timeout_s: float) -> bool:
    """True for "ok"; any other answer past the deadline raises AdminResponseError."""
    if status == "ok":
        return True
    if time.monotonic() >= deadline:
        raise AdminResponseError(
            200, f"health answered {status!r}, not 'ok', for {timeout_s} s", "GET",
            core.health().path,
        )
    return False


class AdminClient:
    """Synchronous admin client. `http` may be any `httpx.Client` (e.g. Starlette's TestClient
    for an in-process app); otherwise one is made and closed with this client."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, timeout: float = 10.0,
                 http: httpx.Client | None = None) -> None:  # fmt: skip
        self.base_url = base_url.rstrip("/")
        self._own = http is None
        self._http = httpx.Client(timeout=timeout) if http is None else http

    def __enter__(self) -> AdminClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own:
            self._http.close()

    def send(self, call: Call[T]) -> T:
        try:
            answer = self._http.request(call.method, self.base_url + call.path, json=call.body)
        except httpx.TransportError as exc:
            raise AdminConnectionError(0, f"cannot reach {self.base_url}: {exc!r}",
                                       call.method, call.path) from None  # fmt: skip
        return finish(call, answer.status_code, answer.content)

    def wait_healthy(self, timeout_s: float = 30.0, interval_s: float = 0.05) -> None:
        """Poll `/__admin/health` until it answers ok. After `timeout_s`: the last
        AdminConnectionError, or AdminResponseError if the server answered something else."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                status = self.health()
            except AdminConnectionError:
                if time.monotonic() >= deadline:
                    raise
            else:
                if _healthy(status, deadline, timeout_s):
                    return
            time.sleep(interval_s)

    def health(self) -> str:
        return self.send(core.health())

    def open_account(self, name: str | None = None, *,
                     balances: Mapping[str, Number] | None = None,
                     wallets: Mapping[str, Mapping[str, Number]] | None = None,
                     master: str | None = None) -> AccountKeys:  # fmt: skip
        return self.send(core.open_account(name, balances, wallets, master))

    def account(self, account_id: str) -> AccountDetails:
        return self.send(core.account(account_id))

    def reset(self) -> ResetResult:
        return self.send(core.reset())

    def clock(self) -> ClockState:
        return self.send(core.clock())

    def advance_clock(self, ms: int) -> ClockMove:
        return self.send(core.advance_clock(ms))

    def set_clock(self, now_ms: int) -> ClockMove:
        return self.send(core.set_clock(now_ms))

    def set_prices(self, symbol: str, *, mark: Number | None = None, index: Number | None = None,
                   last: Number | None = None) -> MarketPrices:  # fmt: skip
        return self.send(core.set_prices(symbol, mark, index, last))

    def set_market_state(self, symbol: str, state: str) -> MarketStateChange:
        return self.send(core.set_market_state(symbol, state))

    def cancel_order(self, order_id: str) -> AdminCancellation:
        return self.send(core.cancel_order(order_id))

    def set_funding_rate(self, symbol: str, rate: Number | None) -> FundingRate:
        return self.send(core.set_funding_rate(symbol, rate))

    def state(self) -> StateDump:
        return self.send(core.state())

    def create_rfq(self, symbol: str, size: Number, *, side: str | None = None,
                   lifetime_ms: int | None = None) -> RfqCreated:  # fmt: skip
        return self.send(core.create_rfq(symbol, size, side, lifetime_ms))

    def accept_rfq(self, rfq_uid: str, account_id: str | None = None) -> RfqAcceptance:
        return self.send(core.accept_rfq(rfq_uid, account_id))


class AsyncAdminClient:
    """Asynchronous admin client: the same methods as `AdminClient`, awaited."""

    def __init__(self, base_url: str = DEFAULT_BASE_URL, *, timeout: float = 10.0,
                 http: httpx.AsyncClient | None = None) -> None:  # fmt: skip
        self.base_url = base_url.rstrip("/")
        self._own = http is None
        self._http = httpx.AsyncClient(timeout=timeout) if http is None else http

    async def __aenter__(self) -> AsyncAdminClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own:
            await self._http.aclose()

    async def send(self, call: Call[T]) -> T:
        try:
            answer = await self._http.request(call.method, self.base_url + call.path,
                                              json=call.body)  # fmt: skip
        except httpx.TransportError as exc:
            raise AdminConnectionError(0, f"cannot reach {self.base_url}: {exc!r}",
                                       call.method, call.path) from None  # fmt: skip
        return finish(call, answer.status_code, answer.content)

    async def wait_healthy(self, timeout_s: float = 30.0, interval_s: float = 0.05) -> None:
        """Poll `/__admin/health` until it answers ok; the same deadline rules as the sync one."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                status = await self.health()
            except AdminConnectionError:
                if time.monotonic() >= deadline:
                    raise
            else:
                if _healthy(status, deadline, timeout_s):
                    return
            await asyncio.sleep(interval_s)

    async def health(self) -> str:
        return await self.send(core.health())

    async def open_account(self, name: str | None = None, *,
                           balances: Mapping[str, Number] | None = None,
                           wallets: Mapping[str, Mapping[str, Number]] | None = None,
                           master: str | None = None) -> AccountKeys:  # fmt: skip
        return await self.send(core.open_account(name, balances, wallets, master))

    async def account(self, account_id: str) -> AccountDetails:
        return await self.send(core.account(account_id))

    async def reset(self) -> ResetResult:
        return await self.send(core.reset())

    async def clock(self) -> ClockState:
        return await self.send(core.clock())

    async def advance_clock(self, ms: int) -> ClockMove:
        return await self.send(core.advance_clock(ms))

    async def set_clock(self, now_ms: int) -> ClockMove:
        return await self.send(core.set_clock(now_ms))

    async def set_prices(self, symbol: str, *, mark: Number | None = None,
                         index: Number | None = None,
                         last: Number | None = None) -> MarketPrices:  # fmt: skip
        return await self.send(core.set_prices(symbol, mark, index, last))

    async def set_market_state(self, symbol: str, state: str) -> MarketStateChange:
        return await self.send(core.set_market_state(symbol, state))

    async def cancel_order(self, order_id: str) -> AdminCancellation:
        return await self.send(core.cancel_order(order_id))

    async def set_funding_rate(self, symbol: str, rate: Number | None) -> FundingRate:
        return await self.send(core.set_funding_rate(symbol, rate))

    async def state(self) -> StateDump:
        return await self.send(core.state())

    async def create_rfq(self, symbol: str, size: Number, *, side: str | None = None,
                         lifetime_ms: int | None = None) -> RfqCreated:  # fmt: skip
        return await self.send(core.create_rfq(symbol, size, side, lifetime_ms))

    async def accept_rfq(self, rfq_uid: str, account_id: str | None = None) -> RfqAcceptance:
        return await self.send(core.accept_rfq(rfq_uid, account_id))
