"""A live exchange driven by a scenario: `live_app(scenario)` is the server app behind
`kraken-mock serve --scenario FILE` and the pytest plugin's scenario marker.

The app serves Kraken's REST and WebSocket dialect (and the admin API) over an exchange the
scenario set up: its instruments at their starting prices, its accounts opened with API keys
(`LiveInfo.accounts`), and its price paths, actors, incidents and scripted actions running on
the server's clock while any client trades against them. Expectations are checked at their
times too; the result is `LiveInfo.result` once the scenario's duration has passed.

How it runs
-----------
The ordinary `Runner` plays the scenario in a thread of its own, against a `LiveTarget`: the
in-process target over the server's exchange. The two threads never touch the exchange at the
same time; they pass a baton (`Driver`). The server side hands over a turn and waits; the runner
does everything due up to the clock's current time and hands the baton back when it must wait
for a later time. A turn starts:
* once in `live_app`, so the accounts exist and the actors' first quotes rest before the first
  request;
* with `clock="manual"`, inside every `POST /__admin/clock` (after the exchange's own timers
  fired), so when that call answers, the scenario has caught up: deterministic for a seed;
* with `clock="real"`, from a background task whenever the runner's next moment is due.
An admin reset rebuilds the scenario from scratch (same seed: same account ids and keys).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.applications import Starlette

from mock_exchange import runtime, ticker
from mock_exchange.admin.routes import EXTRAS_KEY, AdminControl
from mock_exchange.config import DemoAccount
from mock_exchange.keys import KeyStore
from mock_exchange.server.app import create_app
from mock_exchange.server.state import ServerSettings, ServerState

from .inprocess import InProcessTarget
from .model import Scenario
from .result import ScenarioResult
from .runner import Runner

log = logging.getLogger("scenarios.live")

SESSION_KEY = "scenario"
#: Order messages kept per account that no `reason` expectation reads (a long run stays small).
UNWATCHED_MESSAGES = 1_000
CLOCKS = ("manual", "real")


class _Stopped(Exception):
    """The driver was stopped (admin reset, shutdown): unwinds the runner thread."""


class Driver:
    """Runs `work` in its own thread, one turn at a time (see the module docstring)."""

    def __init__(self, work: Callable[[Driver], ScenarioResult], name: str) -> None:
        self._cv = threading.Condition()
        self._runner_turn = False
        self._stopped = False
        self.waiting_for: int | None = None  # the clock time (ms) the runner waits for
        self.finished = False
        self.result: ScenarioResult | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._main, args=(work,), daemon=True,
                                        name=f"scenario:{name}")  # fmt: skip
        self._thread.start()

    def due(self, now_ms: int) -> bool:
        return not self.finished and self.waiting_for is not None and self.waiting_for <= now_ms

    def turn(self) -> None:
        """Let the runner work until it waits again or ends; block meanwhile."""
        with self._cv:
            if self.finished or self._stopped:
                return
            self._runner_turn = True
            self._cv.notify_all()
            self._cv.wait_for(lambda: not self._runner_turn)

    def wait_until(self, ms: int) -> None:
        """Runner side: give the baton back until the server lets time reach `ms`."""
        with self._cv:
            self.waiting_for = ms
            self._runner_turn = False
            self._cv.notify_all()
            self._cv.wait_for(lambda: self._runner_turn or self._stopped)
            if self._stopped:
                raise _Stopped
            self.waiting_for = None

    def stop(self) -> None:
        with self._cv:
            self._stopped = True
            self._cv.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join(5)

    def _main(self, work: Callable[[Driver], ScenarioResult]) -> None:
        with self._cv:
            self._cv.wait_for(lambda: self._runner_turn or self._stopped)
        try:
            if not self._stopped:
                self.result = work(self)
        except _Stopped:
            pass
        except BaseException as exc:  # a bug must not leave the server waiting for a baton
            self.error = exc
            log.exception("scenario runner failed")
        finally:
            with self._cv:
                self.finished = True
                self._runner_turn = False
                self._cv.notify_all()


class LiveTarget(InProcessTarget):
    """The in-process target over a served exchange: accounts get API keys, and time is the
    server's (the runner waits for it instead of moving it)."""

    def __init__(self, scenario: Scenario, seed: int | None, clock: str,
                 state_of: Callable[[], ServerState]) -> None:  # fmt: skip
        # "real": the same start and instruments, then time runs on the wall clock
        wall = runtime.SystemClock(scenario.start_ms) if clock == "real" else None
        super().__init__(scenario, seed, clock=wall)
        self.state_of = state_of
        self.driver: Driver | None = None
        self.keys: dict[str, DemoAccount] = {}
        self.watched = {e.account for e in scenario.expectations if e.kind == "reason"}

    def open_account(self, name: str, balances: Mapping[str, Decimal],
                     wallets: Mapping[str, Mapping[str, Decimal]]) -> str:  # fmt: skip
        if name in self.keys:  # opened by live_app before the runner started
            return self.keys[name].account_id
        account_id = super().open_account(name, balances, wallets)
        key = self.state_of().keys.issue(account_id)
        self.keys[name] = DemoAccount(name, account_id, key.key, key.secret)
        return account_id

    def advance_to(self, ms: int) -> None:
        for name, messages in self.messages.items():
            if name not in self.watched and len(messages) > UNWATCHED_MESSAGES:
                del messages[:-UNWATCHED_MESSAGES]
        if ms <= self.now_ms():
            return
        assert self.driver is not None
        self.driver.wait_until(ms)

    def close(self) -> None:
        """The server's listeners stay: only this target stops recording."""
        self.stop_recording()


@dataclass
class _Session:
    """What a live app runs now (replaced as a whole by an admin reset)."""

    target: LiveTarget
    driver: Driver


@dataclass
class LiveInfo:
    """What `live_app` made: the seed, the clock kind, and the scenario's accounts with keys
    (`accounts[name].account_id / api_key / api_secret`), the same after an admin reset."""

    scenario: Scenario
    seed: int
    clock: str
    accounts: dict[str, DemoAccount]
    _state: ServerState = field(repr=False)

    @property
    def session(self) -> _Session:
        session: _Session = self._state.extras[SESSION_KEY]
        return session

    @property
    def finished(self) -> bool:
        return self.session.driver.finished

    @property
    def result(self) -> ScenarioResult | None:
        """The run's result once the scenario's duration has passed, else None."""
        return self.session.driver.result

    @property
    def error(self) -> BaseException | None:
        """What stopped the scenario runner, if it failed."""
        return self.session.driver.error

    def stop(self) -> None:
        """End the scenario's runner thread (it would otherwise wait for a clock that never
        moves); the exchange stays as it is."""
        self.session.driver.stop()
        self.session.target.close()


def live_app(scenario: Scenario, *, seed: int | None = None, clock: str = "manual",
             admin: bool = True, rate_limits: bool = False,
             on_finish: Callable[[ScenarioResult], None] | None = None,
             ) -> tuple[Starlette, LiveInfo]:  # fmt: skip
    """A server app whose exchange is set up and driven by `scenario` (module docstring).

    `seed`: the scenario's own when None; it seeds ids, keys, paths and actors. `clock`:
    "manual" (time moves only through /__admin/clock) or "real" (wall time from the scenario's
    start). `on_finish` is called with the result when the scenario's duration has passed."""
    if clock not in CLOCKS:
        raise ValueError(f"clock must be one of {', '.join(CLOCKS)}, got {clock!r}")
    run_seed = scenario.seed if seed is None else seed
    holder: list[ServerState] = []

    def start() -> _Session:
        target = LiveTarget(scenario, run_seed, clock, lambda: holder[0])
        if holder:
            holder[0].keys = KeyStore(target.exchange.ids)
            holder[0].replace_exchange(target.exchange)

        def work(driver: Driver) -> ScenarioResult:
            result = Runner(scenario, target, run_seed).run()
            if on_finish is not None:
                on_finish(result)
            return result

        session = _Session(target, Driver(work, scenario.name))
        target.driver = session.driver
        return session

    first = start()
    app = create_app(first.target.exchange, ServerSettings(admin=admin, rate_limits=rate_limits),
                     KeyStore(first.target.exchange.ids))  # fmt: skip
    state: ServerState = app.state.mx
    holder.append(state)
    state.extras[SESSION_KEY] = first
    first.driver.turn()
    _raise_if_failed(first)

    def reset(state: ServerState) -> dict[str, Any]:
        old: _Session = state.extras[SESSION_KEY]
        old.driver.stop()
        old.target.close()
        session = state.extras[SESSION_KEY] = start()
        session.driver.turn()
        _raise_if_failed(session)
        return {"accounts": [a.as_json() for a in session.target.keys.values()]}

    def after_clock(state: ServerState) -> None:
        session: _Session = state.extras[SESSION_KEY]
        if session.driver.due(state.exchange.clock.now_ms()):
            session.driver.turn()

    state.extras[EXTRAS_KEY] = AdminControl(
        reset=reset, after_clock=[after_clock],
        info={"seed": run_seed, "clock": clock, "makers": False, "scenario": scenario.name},
    )  # fmt: skip
    if clock == "real":
        state.background.extend([ticker.run, _drive])
    info = LiveInfo(scenario, run_seed, clock, dict(first.target.keys), state)
    return app, info


def _raise_if_failed(session: _Session) -> None:
    error = session.driver.error
    if error is not None:
        raise RuntimeError(f"the scenario could not start: {error}") from error


async def _drive(state: ServerState) -> None:
    """Real clock: give the runner a turn whenever its next moment is due (cancelled at exit)."""
    while True:
        session: _Session = state.extras[SESSION_KEY]
        driver = session.driver
        now = state.exchange.clock.now_ms()
        if driver.due(now):
            driver.turn()
            continue
        waiting = driver.waiting_for
        wait_ms = 250 if waiting is None or driver.finished else min(250, max(1, waiting - now))
        await asyncio.sleep(wait_ms / 1000)
