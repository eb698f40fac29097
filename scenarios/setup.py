"""What every target needs before a scenario starts: the server settings that list its market,
the tick and lot of each instrument, and its accounts opened in file order.

`settings_for(scenario)` is shared by the in-process target and `live_app`, so both build the
same instruments (catalogue + overrides, expiries applied) at the same starting prices on a
manual clock without the built-in makers. `exchange_for(scenario, seed, clock)` is that exchange,
on another clock when one is given (a live app on the wall clock): the instruments are the same
either way, as of the scenario's start.
"""

from __future__ import annotations

from decimal import Decimal

from mock_exchange import config
from mock_exchange.engine.clock import Clock
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.exchange import Exchange

from .model import Scenario
from .target import Target


def settings_for(scenario: Scenario) -> config.Settings:
    return config.Settings(
        clock="manual",
        makers=False,
        start_ms=scenario.start_ms,
        symbols=tuple(i.symbol for i in scenario.instruments),
        instruments={i.symbol: dict(i.overrides) for i in scenario.instruments},
        prices={i.symbol: i.price for i in scenario.instruments},
        accounts=tuple(
            config.AccountSpec(a.name, dict(a.balances), {k: dict(v) for k, v in a.wallets.items()})
            for a in scenario.accounts
        ),
    )


def exchange_for(scenario: Scenario, seed: int, clock: Clock | None = None) -> Exchange:
    """The scenario's exchange for `seed`: on a `ManualClock` at its start, or on `clock`."""
    simulation = config.Simulation(settings_for(scenario), seed)
    if clock is None:
        return simulation.new_exchange()
    instruments = simulation.instruments(scenario.start_ms)
    return Exchange(clock, IdGenerator(seed), instruments, dict(simulation.settings.prices))


def specs_of(scenario: Scenario) -> dict[str, tuple[Decimal, Decimal]]:
    """symbol -> (tick size, lot size) of the scenario's instruments."""
    built = config.Simulation(settings_for(scenario), 0).instruments(scenario.start_ms)
    return {i.symbol: (i.tick_size, i.lot_size) for i in built}


def open_accounts(scenario: Scenario, target: Target) -> dict[str, str]:
    """Open every account of the scenario (file order, then actors'); name -> account id."""
    return {a.name: target.open_account(a.name, a.balances, a.wallets) for a in scenario.accounts}
