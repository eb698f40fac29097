"""What the `kraken_exchange` fixture does for one test: pick the mode (an external server
from `--kraken-url`/`KRAKEN_FUTURES_MOCK_URL`, or in-process), read the test's markers, start
or reach the exchange, open or collect its accounts, and clean up afterwards.

Invariants:
- a bad marker or an unreachable server is a clear test error (pytest.fail, no traceback)
  and starts nothing;
- in-process: one fresh server per test, stopped after it (tests never share an exchange);
- external: the server is shared, so a test never resets it; it gets fresh accounts, and its
  accounts' open orders are admin-cancelled after it so they cannot fill another test's orders.
  A test whose marker asks for settings only an in-process server can have is skipped (failed
  with --kraken-strict-external); its helpers may change the shared clock, prices, market
  states and funding only with the marker's `shared_state=True` or --kraken-allow-shared-state.
  `shared_state` has no effect in-process (nothing is shared there).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from client.admin import AccountKeys, AdminClient, AdminError

from . import STRICT_OPTION, external_url
from .handle import DEFAULT_ACCOUNTS, DEFAULT_BALANCES, DEFAULT_WALLETS, KrakenExchange
from .inprocess import MarkerError, bound_socket, built, serving, settings_for
from .scenario import scenario_app, stop_scenario

EXTERNAL_HEALTH_TIMEOUT_S = 10.0
#: The marker argument by which a test may change an external server's shared state.
SHARED_STATE = "shared_state"


@contextlib.contextmanager
def exchange_for(request: pytest.FixtureRequest) -> Iterator[KrakenExchange]:
    node = request.node
    markers = list(node.iter_markers("kraken_exchange"))  # the closest (the test's) first
    scenario = node.get_closest_marker("kraken_scenario")
    options: dict[str, Any] = {}
    for marker in reversed(markers):  # module, then class, then test: the closest wins
        if marker.args:
            pytest.fail("@pytest.mark.kraken_exchange takes keyword arguments only "
                        f"(got {marker.args!r})", pytrace=False)  # fmt: skip
        options.update(marker.kwargs)
    shared_state = options.pop(SHARED_STATE, False)
    if not isinstance(shared_state, bool):
        pytest.fail(f"@pytest.mark.kraken_exchange: {SHARED_STATE} must be True or False, got "
                    f"{shared_state!r}", pytrace=False)  # fmt: skip
    if options and scenario is not None:
        pytest.fail("use either kraken_exchange(...) or kraken_scenario(...) on a test, not "
                    "both: a scenario brings its own settings", pytrace=False)  # fmt: skip
    url = external_url(request.config)
    if url is not None:
        if scenario is not None:
            _not_here(request, f"kraken_scenario needs an in-process exchange; {url} is external")
        shared_state |= bool(request.config.getoption("kraken_allow_shared_state"))
        with _external(request, url, options, shared_state) as exchange:
            yield exchange
        return
    sock = bound_socket()
    problem = None
    try:
        port: int = sock.getsockname()[1]
        if scenario is not None:
            app, seed, accounts, loaded = scenario_app(scenario.args, scenario.kwargs)
        else:
            app, seed, accounts = built(options, port)
            loaded = None
    except MarkerError as exc:
        problem = str(exc)
    if problem is not None:
        sock.close()
        marker = "kraken_scenario" if scenario is not None else "kraken_exchange"
        pytest.fail(f"@pytest.mark.{marker}: {problem}", pytrace=False)
    try:
        with serving(app, sock) as base, AdminClient(base) as admin:
            keys = {name: AccountKeys(name, k["account_id"], k["api_key"], k["api_secret"])
                    for name, k in accounts.items()}  # fmt: skip
            yield KrakenExchange(base, admin, keys, external=False, seed=seed, scenario=loaded)
    finally:
        if loaded is not None:
            stop_scenario(loaded)


def _not_here(request: pytest.FixtureRequest, reason: str) -> None:
    """Skip a test an external server cannot run, or fail it with --kraken-strict-external."""
    if request.config.getoption("kraken_strict_external"):
        pytest.fail(f"{reason} ({STRICT_OPTION}: not skipped)", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def _external(request: pytest.FixtureRequest, url: str, options: Mapping[str, Any],
              shared_state: bool) -> Iterator[KrakenExchange]:  # fmt: skip
    in_process_only = sorted(set(options) - {"accounts"})
    if in_process_only:
        _not_here(request, f"needs an in-process exchange (marker sets "
                  f"{', '.join(in_process_only)}); {url} is an external server with its own "
                  "settings")  # fmt: skip
    problem = None
    try:
        specs = _account_specs(options)
    except MarkerError as exc:
        problem = f"@pytest.mark.kraken_exchange: {exc}"
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    with AdminClient(url) as admin:
        try:
            admin.wait_healthy(timeout_s=EXTERNAL_HEALTH_TIMEOUT_S)
        except AdminError as exc:
            problem = f"kraken_exchange: the exchange at {url} is not usable: {exc.message}"
        if problem is not None:
            pytest.fail(problem, pytrace=False)
        exchange = KrakenExchange(url, admin, {}, external=True, shared_state=shared_state)
        for name, balances, wallets in specs:
            exchange.open_account(name, balances=balances, wallets=wallets)
        try:
            yield exchange
        finally:
            _cancel_open_orders(exchange)


def _account_specs(options: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    if "accounts" not in options:
        return [(name, DEFAULT_BALANCES, DEFAULT_WALLETS) for name in DEFAULT_ACCOUNTS]
    parsed = settings_for({"accounts": options["accounts"]}, 0).accounts or ()
    return [(spec.name, spec.balances, spec.wallets) for spec in parsed]


def _cancel_open_orders(exchange: KrakenExchange) -> None:
    """Admin-cancel what this test's accounts left in the shared books (best effort)."""
    mine = {keys.account_id for keys in exchange.accounts.values()}
    for order in exchange.state().orders:
        if order.account_id in mine:
            with contextlib.suppress(AdminError):  # it may have filled or expired meanwhile
                exchange.cancel_order(order.order_id)
