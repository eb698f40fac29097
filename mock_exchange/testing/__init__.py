"""The pytest plugin of kraken-futures-mock (entry point `pytest11`: `mock_exchange.testing`).

A test asks for `kraken_exchange` and gets a running exchange (`KrakenExchange`): REST and
WebSocket URLs, ready accounts with API keys, and helpers for the clock, prices, market states,
admin cancels and reset. docs/testing.md shows it with python-kraken-sdk, ccxt and our client.

- In-process (default): a fresh server per test on a free 127.0.0.1 port: manual clock at
  2026-01-01T00:00Z, seed 1, no market makers (empty books, prices move only when the test
  moves them), accounts `demo1` and `demo2`. `@pytest.mark.kraken_exchange(makers=True, ...)`
  changes the settings; `@pytest.mark.kraken_scenario("quiet_range", seed=7)` serves a scenario.
- External: `--kraken-url URL` or `KRAKEN_FUTURES_MOCK_URL=URL` points every test at a running
  server (e.g. the compose service); each test gets fresh accounts there instead of a reset.
  Helpers that change shared state (clock, prices, market states, funding) are refused unless
  the test's marker says `shared_state=True` or the run `--kraken-allow-shared-state`; tests
  that need an in-process exchange are skipped, or fail with `--kraken-strict-external`.

Invariants: importing this module costs only pytest (the server, httpx and the client are
imported when the fixture is first used); no hook is autouse; no module-level mutable state,
so tests are safe under pytest-xdist.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .handle import ExternalServerError, KrakenExchange

URL_OPTION = "--kraken-url"
URL_ENV = "KRAKEN_FUTURES_MOCK_URL"
SHARED_STATE_OPTION = "--kraken-allow-shared-state"
STRICT_OPTION = "--kraken-strict-external"

__all__ = ["SHARED_STATE_OPTION", "STRICT_OPTION", "URL_ENV", "URL_OPTION",
           "ExternalServerError", "KrakenExchange", "kraken_exchange"]  # fmt: skip


def __getattr__(name: str) -> object:
    """`KrakenExchange` and `ExternalServerError` (for annotations and `pytest.raises`) load
    only when asked for, so that loading the plugin stays cheap."""
    if name in ("KrakenExchange", "ExternalServerError"):
        from . import handle

        return getattr(handle, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("kraken-futures-mock")
    group.addoption(
        URL_OPTION,
        dest="kraken_url",
        default=None,
        metavar="URL",
        help=f"run kraken_exchange tests against the server at URL instead of in-process "
        f"(also {URL_ENV}); each test gets fresh accounts there",
    )
    group.addoption(
        SHARED_STATE_OPTION,
        dest="kraken_allow_shared_state",
        action="store_true",
        help="external server: let every test move its clock, prices, market states and "
        "funding rates (as kraken_exchange(shared_state=True) lets one test)",
    )
    group.addoption(
        STRICT_OPTION,
        dest="kraken_strict_external",
        action="store_true",
        help="external server: fail, instead of skip, the tests that need an in-process "
        "exchange (kraken_exchange settings, kraken_scenario)",
    )


def external_url(config: pytest.Config) -> str | None:
    """The external server's base URL from the option, else the environment, else None."""
    url = config.getoption("kraken_url") or os.environ.get(URL_ENV) or None
    if url is None:
        return None
    if not url.startswith(("http://", "https://")):
        source = URL_OPTION if config.getoption("kraken_url") else URL_ENV
        raise pytest.UsageError(f"{source}: expected an http:// or https:// URL, got {url!r}")
    return str(url).rstrip("/")


def pytest_configure(config: pytest.Config) -> None:
    external_url(config)  # a bad URL stops the run before any test
    config.addinivalue_line(
        "markers",
        "kraken_exchange(**settings): settings of the test's in-process exchange (seed, clock, "
        "makers, maker_interval_ms, rate_limits, start, symbols, prices, instruments, accounts); "
        "shared_state=True: may change an external server's clock, prices, markets, funding",
    )
    config.addinivalue_line(
        "markers",
        "kraken_scenario(source, seed=None): serve the scenario (a library name or a TOML "
        "file) as the test's in-process exchange",
    )


@pytest.fixture
def kraken_exchange(request: pytest.FixtureRequest) -> Iterator[KrakenExchange]:
    """A running Kraken Futures exchange for this test (see the module docstring)."""
    from .fixture import exchange_for

    with exchange_for(request) as exchange:
        yield exchange
