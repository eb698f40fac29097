"""`@pytest.mark.kraken_scenario(source, seed=None)`: a scenario's live app, for the fixture.

`source` is a scenario file or the name of a library scenario (`scenarios/library/<name>.toml`,
resolved by `scenarios.load`, as for `kraken-mock scenario run`); the app is
`scenarios.live_app(scenario, seed=seed, clock="manual")`: the scenario's instruments, prices
and accounts, its actors and paths moving only when the test advances the clock.

Invariants: a bad marker or a scenario that does not load is a `MarkerError` naming the source,
before anything runs; `stop_scenario` ends the scenario's runner thread after the test.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette

from .inprocess import MarkerError

if TYPE_CHECKING:
    from scenarios.live import LiveInfo


def scenario_app(
    args: tuple[Any, ...], kwargs: Mapping[str, Any]
) -> tuple[Starlette, int, dict[str, dict[str, str]], LiveInfo]:
    """(app, seed, accounts by name as {account_id, api_key, api_secret}, the LiveInfo)."""
    if len(args) != 1 or not isinstance(args[0], str):
        raise MarkerError("give one scenario: a library name or a path to a .toml file")
    unknown = sorted(set(kwargs) - {"seed"})
    if unknown:
        raise MarkerError(f"unknown argument(s) {', '.join(unknown)} (accepted: seed)")
    seed = kwargs.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise MarkerError(f"seed must be an int, got {seed!r}")
    from scenarios import live_app, load

    try:
        scenario = load(args[0])
        app, live = live_app(scenario, seed=seed, clock="manual")
    except (ValueError, RuntimeError) as exc:  # ScenarioError; a scenario that cannot start
        raise MarkerError(str(exc)) from None
    accounts = {
        name: {"account_id": k.account_id, "api_key": k.api_key, "api_secret": k.api_secret}
        for name, k in live.accounts.items()
    }
    return app, live.seed, accounts, live


def stop_scenario(live: LiveInfo) -> None:
    """End the scenario's runner thread (it would otherwise wait for a clock that never moves)."""
    live.stop()
