"""The over-the-wire target: a scenario run against any kraken-futures-mock server URL.

Trading goes through our own Kraken client (`client.FuturesClient`, signed REST), the operator's
moves through the admin API (`client.admin.AdminClient`), and each account's `open_orders`,
`open_orders_verbose` and `fills` messages are recorded from a real WebSocket subscription
(`client.ws.FuturesWebSocket`, one per account: `scenarios.wire_feeds`). Everything goes over
sockets.

Invariants
----------
* Recording is exact, not best effort: before a recording is read, and before the clock moves
  after anything changed, every account's socket is *synced* (`FuturesWebSocket.sync()`, a
  heartbeat round trip the server answers behind every message it sent before), so every
  message caused before the sync has then been recorded, stamped with the scenario clock of
  that moment.
* Time: a server on `--clock manual` is moved with `POST /__admin/clock` (`set_ms`), instantly,
  or paced at `speed` x real time when a speed is given. A server on a real clock is waited for,
  at 1x.
* Before anything runs (and before anything is changed), the server must be able to give the
  scenario the market it would have in-process, else `WireSetupError` says what differs and what
  to do: every instrument of the scenario listed with the same tick, lot and last trading time;
  no built-in makers and no `serve --scenario` of its own; on the scenario's instruments no open
  order, no market state but "open" and no funding rate override; a manual clock not after the
  scenario's start (one behind it is moved to it). `reset=True` first calls
  `POST /__admin/reset`, which clears what a previous run left (accounts, orders, clock).
* A real clock cannot be paced: `speed` other than 1 is refused on it (the server's timers, its
  dead man's switch, expiry and funding, and every time it stamps would run at 1x while the
  scenario ran faster). On a manual clock any `speed` paces the run.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx

from client import FuturesClient, KrakenError
from client.admin import (
    AdminClient,
    AdminError,
    AdminNotFoundError,
    MarketSnapshot,
    StateDump,
)  # fmt: skip
from client.ws_errors import WebSocketError
from mock_exchange.config import Simulation

from .model import Scenario
from .setup import settings_for
from .target import (
    AccountState,
    Ack,
    Fill,
    OpenOrder,
    OrderEdit,
    OrderMessage,
    OrderRequest,
    OrderState,
    Position,
    Prices,
)  # fmt: skip
from .wire_feeds import AccountFeed, LoopThread, WireSetupError

_STATES = {"ENTERED_BOOK": "open", "TRIGGER_PLACED": "open", "FULLY_EXECUTED": "filled",
           "REJECTED": "rejected", "CANCELLED": "cancelled"}  # orders/status -> Target state


def ws_url(base_url: str) -> str:
    """`http://host:port` -> `ws://host:port/ws/v1` (https -> wss)."""
    scheme, rest = base_url.rstrip("/").split("://", 1)
    return {"https": "wss", "http": "ws"}.get(scheme, scheme) + "://" + rest + "/ws/v1"


@dataclass
class _Account:
    account_id: str
    rest: FuturesClient
    feed: AccountFeed


class WireTarget:
    """`Target` over real sockets against `base_url` (http://host:port of a kraken-mock server).

    `speed`: None runs a manual clock as fast as possible and a real one at 1x; a number paces a
    manual clock at that many times real time (a real clock only takes 1). `reset`: call
    `POST /__admin/reset` before anything else (it discards every order and the accounts
    opened since the server started), so a server a previous run used can run the scenario again."""

    def __init__(self, scenario: Scenario, base_url: str, *, speed: Decimal | None = None,
                 timeout_s: float = 10.0, reset: bool = False) -> None:  # fmt: skip
        if speed is not None and speed <= 0:
            raise ValueError(f"speed must be > 0, got {speed}")
        self.base_url = base_url.rstrip("/")
        self.speed = speed
        self.timeout_s = timeout_s
        self.admin = AdminClient(self.base_url, timeout=timeout_s)
        self.public = FuturesClient(base_url=self.base_url, timeout=timeout_s)
        self.accounts: dict[str, _Account] = {}
        self._loop: LoopThread | None = None  # the accounts' sockets, from the first account
        self._dirty = False
        try:
            self.manual = self.admin.clock().kind == "manual"
            self._check_speed()
            if reset:
                self.admin.reset()
            state = self.admin.state()
            self._check_market(scenario, state.markets)
            self._check_clean(scenario, state, reset)
            clock_now = state.clock.now_ms
            if self.manual and clock_now < scenario.start_ms:
                clock_now = self.admin.set_clock(scenario.start_ms).now_ms
        except (AdminError, httpx.HTTPError) as exc:
            self._close_clients()
            raise WireSetupError(f"{self.base_url}: {exc}") from None
        except WireSetupError:
            self._close_clients()
            raise
        self._now = clock_now  # the scenario clock as last set or read (ms)
        self._origin_ms = clock_now  # a real clock: scenario time = origin + wall time
        self._wall0 = time.monotonic()

    def _check_speed(self) -> None:
        if self.manual or self.speed is None or self.speed == 1:
            return
        raise WireSetupError(
            f"{self.base_url} runs a real clock, which cannot go {self.speed}x: its dead man's "
            "switch, expiry and funding timers and the times it stamps would keep wall time "
            "while the scenario ran faster. Run without --speed (1x), or against a server "
            "started with --clock manual, which any --speed paces"
        )  # fmt: skip

    def _check_market(self, scenario: Scenario, markets: Mapping[str, MarketSnapshot]) -> None:
        problems = []
        for symbol, (tick, lot, last_ms) in expected_market(scenario).items():
            market = markets.get(symbol)
            if market is None:
                problems.append(f"{symbol} is not listed (listed: {', '.join(sorted(markets))})")
                continue
            found = (market.tick_size, market.lot_size, market.last_trading_ms)
            if found != (tick, lot, last_ms):
                shown = "/".join(str(x) for x in found)
                problems.append(f"{symbol} has tick/lot/last trading ms {shown}, "
                                f"the scenario needs {tick}/{lot}/{last_ms}")  # fmt: skip
        if problems:
            raise WireSetupError(
                f"{self.base_url} does not list the scenario's market: " + "; ".join(problems)
                + " (start the server with a config listing the same instruments: docs/cli.md)"
            )  # fmt: skip

    def _check_clean(self, scenario: Scenario, state: StateDump, reset: bool) -> None:
        """Refuse a server whose market is not the one the scenario starts from (module doc)."""
        fixed: list[str] = []  # what a restart of the server with other settings fixes
        cleared: list[str] = []  # what a reset (or a restart) clears
        if state.server.get("makers"):
            fixed.append("its built-in makers are on (restart it with --no-makers)")
        if state.server.get("scenario"):
            fixed.append(f"it plays the scenario {state.server['scenario']!r} itself "
                         "(serve it without --scenario)")  # fmt: skip
        symbols = [i.symbol for i in scenario.instruments]
        makers = {a.account_id for a in state.accounts if a.name.startswith("maker:")}
        resting = Counter(o.symbol for o in state.orders
                          if o.symbol in symbols and o.account_id not in makers)  # fmt: skip
        for symbol in symbols:
            if resting[symbol]:
                cleared.append(f"{resting[symbol]} open order(s) on {symbol}")
            market = state.markets[symbol]
            if market.state != "open":
                cleared.append(f"{symbol} is {market.state}")
            if market.funding_rate_override is not None:
                cleared.append(f"{symbol} has a funding rate override "
                               f"({market.funding_rate_override})")  # fmt: skip
        if self.manual and state.clock.now_ms > scenario.start_ms:
            ahead = (f"its manual clock is at {state.clock.time}, after the scenario's start "
                     f"{iso_ms(scenario.start_ms)}")  # fmt: skip
            if reset:  # reset went back to the configured start: it is the later one
                fixed.append(f"{ahead} (its configured start; restart it with start = "
                             f"{iso_ms(scenario.start_ms)} or earlier: docs/cli.md)")  # fmt: skip
            else:
                cleared.append(ahead)
        if not fixed and not cleared:
            return
        hint = ""
        if cleared:
            hint = (" (a previous run's leftovers: run with --reset to call POST /__admin/reset "
                    "first, which discards the orders and the accounts opened since the server "
                    "started, or restart it)")  # fmt: skip
        raise WireSetupError(f"{self.base_url} cannot give the scenario its starting market: "
                             + "; ".join(fixed + cleared) + hint)  # fmt: skip

    # -- setup and time --------------------------------------------------------------------
    def open_account(self, name: str, balances: Mapping[str, Decimal],
                     wallets: Mapping[str, Mapping[str, Decimal]]) -> str:  # fmt: skip
        funded = {k: dict(v) for k, v in wallets.items()}
        keys = self.admin.open_account(name, balances=dict(balances), wallets=funded)
        rest = FuturesClient(keys.api_key, keys.api_secret, base_url=self.base_url,
                             timeout=self.timeout_s)  # fmt: skip
        if self._loop is None:
            self._loop = LoopThread()
        try:
            feed = AccountFeed.open(self._loop, ws_url(self.base_url), keys.api_key,
                                    keys.api_secret, self.timeout_s)  # fmt: skip
        except (WireSetupError, WebSocketError) as exc:
            rest.close()
            raise WireSetupError(f"cannot open the WebSocket for {name}: {exc}") from None
        self.accounts[name] = _Account(keys.account_id, rest, feed)
        return keys.account_id

    def now_ms(self) -> int:
        if self.manual:
            self._now = self.admin.clock().now_ms
        else:
            elapsed = Decimal(str(time.monotonic() - self._wall0)) * (self.speed or 1) * 1000
            self._now = self._origin_ms + int(elapsed)
        return self._now

    def advance_to(self, ms: int) -> None:
        self._sync()
        now = self._now if self.manual else self.now_ms()
        if ms <= now:
            return
        if self.speed is not None or not self.manual:
            time.sleep(float((ms - now) / (self.speed or 1) / 1000))
        if not self.manual:
            self.now_ms()
            self._dirty = True
            return
        while True:  # stop at each timer due on the way, so its messages carry its time
            due = self.admin.clock().next_deadline_ms
            step = due if due is not None and self._now < due < ms else ms
            self._now = self.admin.set_clock(step).now_ms
            self._dirty = True
            if step == ms:
                return
            self._sync()

    def _sync(self, force: bool = False) -> None:
        if self._dirty or force or not self.manual:
            for account in self.accounts.values():
                account.feed.sync(self._now)
            self._dirty = False

    # -- trading ---------------------------------------------------------------------------
    def _rest(self, account: str) -> FuturesClient:
        self._dirty = True
        return self.accounts[account].rest

    def _ask(self, account: str, call: Callable[[FuturesClient], Any],
             order_id: str | None = None) -> Ack:  # fmt: skip
        """Send one order request; Kraken's status (or error) as an `Ack`, naming `order_id`
        when the answer does not. A refusal raises in our client: its status is on the error."""
        try:
            done = call(self._rest(account))
        except KrakenError as exc:
            status = getattr(exc.status, "status", None)
            if not isinstance(status, str):
                return Ack("", order_id, exc.code)
            return Ack(status, getattr(exc.status, "order_id", None) or order_id)
        except ValueError as exc:  # refused by the client before sending
            return Ack("", order_id, f"invalidArgument: {exc}")
        cancelled = tuple(o.order_id for o in getattr(done, "cancelled_orders", ()))
        return Ack(done.status, getattr(done, "order_id", None) or order_id, None, cancelled)

    def place(self, account: str, order: OrderRequest) -> Ack:
        return self._ask(account, lambda rest: rest.submit_order(
            order.order_type, order.symbol, order.side, order.size,
            limit_price=order.limit_price, stop_price=order.stop_price,
            cli_ord_id=order.cli_ord_id, reduce_only=True if order.reduce_only else None,
            trigger_signal=order.trigger_signal,
            trailing_stop_max_deviation=order.trailing_deviation,
            trailing_stop_deviation_unit=order.trailing_unit,
        ))  # fmt: skip

    def edit(self, account: str, edit: OrderEdit) -> Ack:
        return self._ask(account, lambda rest: rest.edit_order(
            edit.order_id, size=edit.size, limit_price=edit.limit_price,
            stop_price=edit.stop_price), edit.order_id)  # fmt: skip

    def cancel(self, account: str, order_id: str) -> Ack:
        return self._ask(account, lambda rest: rest.cancel_order(order_id), order_id)

    def cancel_all(self, account: str, symbol: str | None = None) -> Ack:
        return self._ask(account, lambda rest: rest.cancel_all_orders(symbol))

    def dead_man_switch(self, account: str, timeout_s: int) -> None:
        self._rest(account).cancel_all_orders_after(timeout_s)

    # -- operator --------------------------------------------------------------------------
    def set_prices(self, symbol: str, mark: Decimal | None = None, index: Decimal | None = None,
                   last: Decimal | None = None) -> None:  # fmt: skip
        if mark is None and index is None and last is None:
            return
        self._dirty = True
        self.admin.set_prices(symbol, mark=mark, index=index, last=last)

    def set_market_state(self, symbol: str, state: str) -> None:
        self._dirty = True
        self.admin.set_market_state(symbol, state)

    def set_funding_rate(self, symbol: str, rate: Decimal | None) -> None:
        self._dirty = True
        self.admin.set_funding_rate(symbol, rate)

    def admin_cancel(self, order_id: str) -> bool:
        self._dirty = True
        try:
            self.admin.cancel_order(order_id)
        except AdminNotFoundError:
            return False
        return True

    # -- reading ---------------------------------------------------------------------------
    def prices(self, symbol: str) -> Prices:
        ticker = self.public.get_ticker(symbol)
        if ticker.mark_price is None or ticker.index_price is None or ticker.last is None:
            market = self.admin.state().markets[symbol]  # no trade yet: no `last` on the ticker
            return Prices(market.mark, market.index, market.last)
        return Prices(ticker.mark_price, ticker.index_price, ticker.last)

    def account_state(self, account: str) -> AccountState:
        acct = self.accounts[account]
        details = self.admin.account(acct.account_id)
        balances = {w: dict(b) for w, b in details.wallets.items() if w != "spot"}
        positions = {p.symbol: Position(p.symbol, p.size, p.entry_price)
                     for p in details.positions if p.size}  # fmt: skip
        flex = acct.rest.get_accounts().flex
        equity = flex.portfolio_value if flex is not None else Decimal(0)
        return AccountState(balances, positions, equity, self.open_orders(account))

    def open_orders(self, account: str) -> tuple[OpenOrder, ...]:
        orders = self.accounts[account].rest.get_open_orders()
        return tuple(
            OpenOrder(o.order_id, o.symbol, o.side, o.order_type, o.unfilled_size, o.filled_size,
                      o.limit_price, o.stop_price, o.cli_ord_id)
            for o in sorted(orders, key=lambda o: (o.received_time, o.order_id))
        )  # fmt: skip

    def fills(self, account: str) -> tuple[Fill, ...]:
        self._sync(force=True)
        return tuple(self.accounts[account].feed.fills)

    def order_state(self, account: str, order_id: str) -> OrderState:
        acct = self.accounts[account]
        found = [s for s in acct.rest.get_order_status([order_id]) if s.order_id == order_id]
        if not found:
            return OrderState(order_id, "unknown", Decimal(0))
        state = _STATES.get(found[0].status, "unknown")
        if state == "open":
            return OrderState(order_id, state, found[0].filled)
        self._sync(force=True)
        about = [m.reason for m in acct.feed.messages if m.order_id == order_id]
        return OrderState(order_id, state, found[0].filled, about[-1] if about else None)

    def order_messages(self, account: str) -> tuple[OrderMessage, ...]:
        self._sync(force=True)
        return tuple(self.accounts[account].feed.messages)

    def close(self) -> None:
        for account in self.accounts.values():
            account.feed.close()
            account.rest.close()
        self.accounts.clear()
        if self._loop is not None:
            self._loop.stop()
        self._close_clients()

    def _close_clients(self) -> None:
        self.public.close()
        self.admin.close()


def expected_market(scenario: Scenario) -> dict[str, tuple[Decimal, Decimal, int | None]]:
    """symbol -> (tick, lot, last trading ms) the scenario's instruments have when served."""
    built = Simulation(settings_for(scenario), 0).instruments(scenario.start_ms)
    return {i.symbol: (i.tick_size, i.lot_size, i.last_trading_ms) for i in built}


def iso_ms(ms: int) -> str:
    """1_767_225_600_000 -> "2026-01-01T00:00:00.000Z" (the admin clock's `time` format)."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


__all__ = ["WireSetupError", "WireTarget", "expected_market", "iso_ms", "ws_url"]
