"""`KrakenExchange`: what the `kraken_exchange` fixture hands a test, the same object for an
in-process server and for an external one.

It holds the REST and WebSocket URLs, the ready accounts (name -> `AccountKeys`: account_id,
api_key, api_secret) and helpers that steer the simulation through `client.admin.AdminClient`,
i.e. over HTTP. Nothing here touches the exchange object directly, so every helper behaves the
same against a server in this process and against a container.

Invariants:
- `accounts` only ever gains entries (from `open_account`), except through `reset`, which
  replaces them with the server's default accounts;
- against an external server (`external` True) `reset` is refused: the server is shared with
  other tests and workers, and a reset would delete their accounts; the helpers that change
  what every test there shares (`advance`, `set_time`, `set_prices`, `set_market_state`,
  `set_funding_rate`) are refused too unless the test opted in (`shared_state` True: marker
  `kraken_exchange(shared_state=True)` or `--kraken-allow-shared-state`), and send nothing;
- amounts are passed on exactly (Decimal, int or decimal string; floats are refused).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from client.admin import (
    AccountKeys,
    AdminCancellation,
    AdminClient,
    ClockMove,
    FundingRate,
    MarketPrices,
    MarketStateChange,
    StateDump,
)

if TYPE_CHECKING:
    from scenarios.live import LiveInfo

Number = Decimal | int | str

#: The accounts every test starts with, as `kraken-mock serve` opens them by default:
#: 100,000 USD in the flex wallet and 1 XBT in the PI_XBTUSD (inverse) wallet.
DEFAULT_ACCOUNTS = ("demo1", "demo2")
DEFAULT_BALANCES: Mapping[str, Number] = {"USD": 100_000}
DEFAULT_WALLETS: Mapping[str, Mapping[str, Number]] = {"fi_xbtusd": {"XBT": 1}}


class ExternalServerError(RuntimeError):
    """A helper that would disturb other tests sharing an external server."""


@dataclass
class KrakenExchange:
    """A running exchange for one test: URLs, accounts, and admin helpers."""

    rest_url: str
    admin: AdminClient
    accounts: dict[str, AccountKeys] = field(default_factory=dict)
    external: bool = False
    seed: int | None = None  # the in-process server's seed (None for an external server)
    #: with @pytest.mark.kraken_scenario: the live scenario (`.scenario`, `.accounts`, and
    #: `.result` once the test advanced the clock past its duration), else None
    scenario: LiveInfo | None = None
    #: external only: the test may change the shared clock, prices, market states and funding
    shared_state: bool = False

    @property
    def ws_url(self) -> str:
        scheme, rest = self.rest_url.split("://", 1)
        return {"https": "wss", "http": "ws"}[scheme] + "://" + rest + "/ws/v1"

    @property
    def ccxt_urls(self) -> dict[str, str]:
        """Merge into `ccxt.krakenfutures().urls["api"]` to point ccxt here (REST)."""
        base = self.rest_url
        return {
            "public": base + "/derivatives/api/",
            "private": base + "/derivatives/api/",
            "charts": base + "/api/charts/",
            "history": base + "/api/history/",
        }

    def __getitem__(self, name: str) -> AccountKeys:
        """The ready account called `name` (e.g. `kraken_exchange["demo1"]`)."""
        try:
            return self.accounts[name]
        except KeyError:
            known = ", ".join(self.accounts) or "none"
            raise KeyError(f"no account {name!r} in this exchange (ready: {known})") from None

    # -- accounts ----------------------------------------------------------------------

    def open_account(
        self,
        name: str | None = None,
        *,
        balances: Mapping[str, Number] | None = None,
        wallets: Mapping[str, Mapping[str, Number]] | None = None,
        master: str | None = None,
    ) -> AccountKeys:
        """Open an account with a fresh API key and add it to `accounts` under `name`.

        Against an external server the server-side name gets a random suffix, so parallel
        tests opening an account called "alice" never meet; the key in `accounts` is `name`.
        """
        if name is not None and name in self.accounts:
            raise ValueError(f"this test already has an account called {name!r}")
        server_name = name
        if self.external and name is not None:
            server_name = f"{name}-{secrets.token_hex(4)}"
        keys = self.admin.open_account(server_name, balances=balances, wallets=wallets,
                                       master=master)  # fmt: skip
        self.accounts[name if name is not None else keys.name] = keys
        return keys

    # -- time, prices, markets ---------------------------------------------------------

    def now_ms(self) -> int:
        return self.admin.clock().now_ms

    def advance(self, ms: int) -> ClockMove:
        """Move a manual clock forward by `ms`; timers that fall due fire in time order."""
        self._may_change_shared("advance", "clock (and fires their timers)")
        return self.admin.advance_clock(ms)

    def set_time(self, now_ms: int) -> ClockMove:
        self._may_change_shared("set_time", "clock (and fires their timers)")
        return self.admin.set_clock(now_ms)

    def set_prices(self, symbol: str, *, mark: Number | None = None, index: Number | None = None,
                   last: Number | None = None) -> MarketPrices:  # fmt: skip
        self._may_change_shared("set_prices", "prices (and triggers their stops)")
        return self.admin.set_prices(symbol, mark=mark, index=index, last=last)

    def set_market_state(self, symbol: str, state: str) -> MarketStateChange:
        """`open`, `post_only`, `suspended` or `inactive` (which cancels the market's orders)."""
        self._may_change_shared("set_market_state", "market states")
        return self.admin.set_market_state(symbol, state)

    def set_funding_rate(self, symbol: str, rate: Number | None) -> FundingRate:
        self._may_change_shared("set_funding_rate", "funding rates")
        return self.admin.set_funding_rate(symbol, rate)

    def _may_change_shared(self, helper: str, what: str) -> None:
        if self.external and not self.shared_state:
            raise ExternalServerError(
                f"{helper}() is refused against an external server: it changes the {what} of "
                f"every test sharing {self.rest_url}; allow it with "
                "@pytest.mark.kraken_exchange(shared_state=True) or --kraken-allow-shared-state"
            )

    def cancel_order(self, order_id: str) -> AdminCancellation:
        """Cancel any open order with reason `cancelled_by_admin`."""
        return self.admin.cancel_order(order_id)

    def state(self) -> StateDump:
        return self.admin.state()

    def reset(self) -> dict[str, AccountKeys]:
        """Back to the start (in-process only): the default accounts come back with the same
        ids and keys; accounts opened since are gone. Returns (and keeps) the new accounts."""
        if self.external:
            raise ExternalServerError(
                "reset() is refused against an external server: it is shared by other tests "
                "and would delete their accounts; open fresh accounts with open_account() instead"
            )
        result = self.admin.reset()
        self.accounts = {a.name: a for a in result.accounts}
        return dict(self.accounts)
