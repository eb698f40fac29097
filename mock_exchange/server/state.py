"""Everything one server holds: the exchange, keys, nonces, limits and settings.

One `ServerState` per app; nothing is module-level, so tests can run many servers at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from ..exchange import Exchange
from ..keys import KeyStore
from ..protocol.auth import NonceTracker
from .limits import RateLimiter


@dataclass(slots=True)
class ServerSettings:
    admin: bool = True  # serve /__admin/*
    rate_limits: bool = False  # Kraken's cost-based limits on private endpoints
    strict_nonce_window: int = 64


@dataclass
class ServerState:
    exchange: Exchange
    keys: KeyStore
    settings: ServerSettings = field(default_factory=ServerSettings)
    nonces: NonceTracker = field(default_factory=NonceTracker)
    limiter: RateLimiter | None = None
    extras: dict[str, Any] = field(default_factory=dict)  # other layers' state (history, hub)
    #: called after `exchange` was replaced by a fresh one (admin reset), to re-subscribe
    reset_hooks: list[Callable[[], None]] = field(default_factory=list)
    #: long-running tasks (clock ticker, market makers) started with the app, cancelled at exit
    background: list[Callable[[ServerState], Coroutine[Any, Any, None]]] = field(
        default_factory=list
    )

    _gate: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = field(
        default=None, init=False, repr=False
    )

    def submit_gate(self) -> asyncio.Lock:
        """The lock REST handlers hold from `exchange.submit` until their answer is handed to
        the transport (server/http.py `submit`); one per event loop (a test client may serve
        the same app from several loops in turn)."""
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate[0] is not loop:
            self._gate = (loop, asyncio.Lock())
        return self._gate[1]

    def replace_exchange(self, exchange: Exchange) -> None:
        """Swap in a fresh exchange (admin reset) and let every layer re-attach to it."""
        self.exchange = exchange
        self.nonces = NonceTracker()
        for hook in self.reset_hooks:
            hook()

    def now_ms(self) -> int:
        return self.exchange.clock.now_ms()
