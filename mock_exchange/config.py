"""Composition: `build(settings)` assembles the exchange, the app, demo accounts, makers and timers.

What to run is read and checked by `mock_exchange.settings` (`load`, `Settings`, `AccountSpec`,
`ConfigError`, `ENV_PREFIX`), re-exported here so that `mock_exchange.config` stays the one
import of the cli, the pytest plugin and the scenarios. The checks that need the instrument
catalogue (symbols, instrument overrides, prices, account funding) are made here, when the
exchange is made, and raise the same `ConfigError`.

Invariants of `build`:
- everything that draws ids does so in a fixed order from `IdGenerator(seed)`: the demo accounts
  and their keys first, then the makers, so the demo keys depend only on the seed and the
  account list (`kraken-mock keys --seed N` prints what `serve --seed N` will use);
- without a seed one is drawn from the OS once per process (`runtime.os_seed`) and reported, and
  an admin reset reuses it: after a reset the demo accounts have the same ids and keys;
- the wall clock (`SystemClock`) is created only here, and only for `clock = "real"`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette

from . import runtime, ticker
from .admin import inputs
from .admin.routes import EXTRAS_KEY, AdminControl
from .engine.catalogue import default_instruments
from .engine.clock import Clock, ManualClock
from .engine.commands import OpenAccount
from .engine.ids import IdGenerator
from .engine.instruments import Instrument
from .exchange import Exchange
from .keys import KeyStore
from .makers import Makers, MakerSettings
from .server.app import create_app
from .server.state import ServerSettings, ServerState
from .settings import ENV_PREFIX, AccountSpec, ConfigError, Settings, load

__all__ = [
    "DEMO_USD",
    "ENV_PREFIX",
    "AccountSpec",
    "ConfigError",
    "DemoAccount",
    "Info",
    "Settings",
    "Simulation",
    "build",
    "load",
]

DEMO_USD = Decimal(100_000)


@dataclass(frozen=True)
class DemoAccount:
    name: str
    account_id: str
    api_key: str
    api_secret: str

    def as_json(self) -> dict[str, str]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Info:
    """What `build` made, for the start banner and `kraken-mock keys`."""

    seed: int
    settings: Settings
    accounts: tuple[DemoAccount, ...]

    @property
    def rest_url(self) -> str:
        host = self.settings.host
        shown = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(host, host)
        shown = f"[{shown}]" if ":" in shown and not shown.startswith("[") else shown
        scheme = "https" if self.settings.tls else "http"
        return f"{scheme}://{shown}:{self.settings.port}"

    @property
    def ws_url(self) -> str:
        scheme, rest = self.rest_url.split("://", 1)
        return {"https": "wss", "http": "ws"}[scheme] + "://" + rest + "/ws/v1"


class Simulation:
    """Makes the configured exchange and its inhabitants; used at start and on every reset."""

    def __init__(self, settings: Settings, seed: int) -> None:
        self.settings = settings
        self.seed = seed

    def new_exchange(self) -> Exchange:
        s = self.settings
        clock: Clock
        if s.clock == "manual":
            clock = ManualClock() if s.start_ms is None else ManualClock(s.start_ms)
        else:
            clock = runtime.SystemClock(s.start_ms)
        instruments = self.instruments(clock.now_ms())
        listed = {i.symbol for i in instruments} | {i.base for i in instruments}
        unknown = sorted(set(s.prices) - listed)
        if unknown:
            raise ConfigError(f"prices: {', '.join(unknown)} is neither a symbol nor a base")
        return Exchange(clock, IdGenerator(self.seed), instruments, dict(s.prices))

    def instruments(self, start_ms: int) -> tuple[Instrument, ...]:
        s = self.settings
        catalogue = {i.symbol: i for i in default_instruments(start_ms)}
        wanted = s.symbols if s.symbols is not None else tuple(catalogue)
        unknown = [x for x in (*wanted, *s.instruments) if x not in catalogue]
        if unknown:
            known = ", ".join(catalogue)
            raise ConfigError(f"unknown instrument(s) {', '.join(unknown)} (catalogue: {known})")
        unlisted = [x for x in s.instruments if x not in wanted]
        if unlisted:
            raise ConfigError(f"instruments: {', '.join(unlisted)} is not among the symbols")
        try:
            return tuple(replace(catalogue[x], **s.instruments.get(x, {})) for x in wanted)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"instruments: {exc}") from None

    def account_specs(self, exchange: Exchange) -> tuple[AccountSpec, ...]:
        if self.settings.accounts is not None:
            return self.settings.accounts
        coins = {
            i.margin_wallet: {i.settlement_currency: Decimal(1)}
            for i in exchange.instruments.values()
            if i.inverse
        }
        return tuple(AccountSpec(n, {"USD": DEMO_USD}, coins) for n in ("demo1", "demo2"))

    def populate(self, state: ServerState) -> tuple[DemoAccount, ...]:
        """Open the demo accounts with their keys, then the makers (in this order)."""
        exchange = state.exchange
        demo = []
        for spec in self.account_specs(exchange):
            try:
                wallets = inputs.funding(
                    exchange.instruments.values(),
                    exchange.settings.haircuts,
                    spec.balances,
                    spec.wallets,
                )
            except inputs.AdminError as exc:
                raise ConfigError(f"account {spec.name}: {exc.message}") from None
            outcome = exchange.submit(OpenAccount(spec.name, wallets))
            assert outcome.account_id is not None
            key = state.keys.issue(outcome.account_id)
            demo.append(DemoAccount(spec.name, outcome.account_id, key.key, key.secret))
        state.extras.pop(ticker.MAKERS_KEY, None)
        if self.settings.makers:
            settings = MakerSettings(interval_ms=self.settings.maker_interval_ms)
            state.extras[ticker.MAKERS_KEY] = Makers.open(exchange, self.seed, settings)
        return tuple(demo)

    def reset(self, state: ServerState) -> dict[str, Any]:
        exchange = self.new_exchange()
        state.keys = KeyStore(exchange.ids)
        state.replace_exchange(exchange)
        return {"accounts": [a.as_json() for a in self.populate(state)]}


def _after_clock(state: ServerState) -> None:
    makers = ticker.makers_of(state)
    if makers is not None:
        makers.catch_up(state.exchange.clock.now_ms(), makers.settings.max_catch_up)


def _after_prices(state: ServerState, symbol: str) -> None:
    makers = ticker.makers_of(state)
    if makers is not None:
        makers.reanchor(symbol)


def _after_market(state: ServerState, symbol: str) -> None:
    makers = ticker.makers_of(state)
    if makers is not None:
        makers.quote([symbol])


def build(settings: Settings) -> tuple[Starlette, Info]:
    """The app for `settings`, its exchange populated, and what the start banner shows."""
    seed = settings.seed if settings.seed is not None else runtime.os_seed()
    sim = Simulation(settings, seed)
    exchange = sim.new_exchange()
    server = ServerSettings(admin=settings.admin, rate_limits=settings.rate_limits == "kraken")
    app = create_app(exchange, server, KeyStore(exchange.ids))
    state: ServerState = app.state.mx
    accounts = sim.populate(state)
    state.extras[EXTRAS_KEY] = AdminControl(
        reset=sim.reset,
        after_clock=[_after_clock],
        after_prices=[_after_prices],
        after_market=[_after_market],
        info={"seed": seed, "clock": settings.clock, "makers": settings.makers},
    )
    if settings.clock == "real":
        state.background.append(ticker.run)
    return app, Info(seed, settings, accounts)
