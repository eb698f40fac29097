"""The admin API, /__admin/*: our own JSON API to steer the simulation (docs/admin-api.md).

`mock_exchange.config.build` installs an `AdminControl` in `state.extras["admin"]`: how to
reset (rebuild the configured exchange, default accounts, keys and makers) and hooks that let the
makers follow admin clock, price and market moves. An app made by plain `create_app()` gets the
default control: reset gives what `create_app()` gives (manual clock at 2026-01-01, seed 0, no
accounts) and there are no hooks.

Each handler reads and checks its whole input first, then changes the exchange through normal
commands (`OpenAccount`, `SetPrices`, `SetMarketState`, `SetFundingRate`, `AdminCancel`) or the
manual clock, then answers plain JSON. Invariants:
- bad input is HTTP 400 `{"error": "<message>"}` and changes nothing; an unknown id or symbol
  in the path is 404, a request the server cannot honour as configured (moving a real clock)
  409, in the same shape; never a 500;
- amounts in answers are exact decimal strings;
- hooks run after the exchange applied a change, never before; a reset replaces the exchange
  and the key store together (keys are drawn from the exchange's id generator);
- the contract only grows: fields and routes are added, never renamed or removed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from ..engine import commands as c
from ..engine.clock import ManualClock
from ..engine.ids import IdGenerator
from ..engine.types import MarketState
from ..exchange import Exchange
from ..keys import KeyStore
from ..protocol.formats import symbol as wire_symbol
from ..server.state import ServerState
from . import funds, inputs, snapshot
from .inputs import AdminError

Json = dict[str, Any]

DAY_MS = 86_400_000
#: Furthest one clock call may move time (timers fire for every interval passed).
MAX_CLOCK_STEP_MS = 366 * DAY_MS
#: 9999-12-31T23:59:59.999Z: the last instant Kraken's timestamp format can show.
MAX_TIME_MS = 253_402_300_799_999


def _market_symbol(exchange: Exchange, value: object, status: int = 400) -> str:
    """A listed symbol (any case); unknown is 400 in a body, 404 in a path."""
    name = wire_symbol(inputs.text(value, "symbol"))
    if name not in exchange.markets:
        listed = ", ".join(sorted(exchange.markets))
        raise AdminError(f"unknown symbol {name} (listed: {listed})", status)
    return name


# -- the extension point of the composition root ---------------------------------------

EXTRAS_KEY = "admin"

#: Rebuild the simulation in place; answer what /__admin/reset reports (e.g. the new accounts).
ResetFn = Callable[[ServerState], dict[str, Any]]


def default_reset(state: ServerState) -> dict[str, Any]:
    """create_app()'s default: an empty exchange on a manual clock, seed 0."""
    exchange = Exchange(ManualClock(), IdGenerator(0))
    state.keys = KeyStore(exchange.ids)
    state.replace_exchange(exchange)
    return {"accounts": []}


@dataclass
class AdminControl:
    reset: ResetFn = default_reset
    #: called after /__admin/clock moved a manual clock and ran the timers that fell due
    after_clock: list[Callable[[ServerState], None]] = field(default_factory=list)
    #: called with the symbol after /__admin/prices moved its reference prices
    after_prices: list[Callable[[ServerState, str], None]] = field(default_factory=list)
    #: called with the symbol after /__admin/markets/{symbol} set its state
    after_market: list[Callable[[ServerState, str], None]] = field(default_factory=list)
    #: facts about the run shown under "server" by /__admin/state (seed, clock, makers)
    info: dict[str, Any] = field(default_factory=dict)


def control_of(state: ServerState) -> AdminControl:
    control = state.extras.get(EXTRAS_KEY)
    if not isinstance(control, AdminControl):
        control = state.extras[EXTRAS_KEY] = AdminControl()
    return control


# -- handlers ------------------------------------------------------------------------------


async def health(request: Request, state: ServerState) -> Json:
    return {"status": "ok"}


async def dump_state(request: Request, state: ServerState) -> Json:
    return snapshot.dump(state.exchange, control_of(state).info)


async def open_account(request: Request, state: ServerState) -> Json:
    doc = await inputs.body(request, ("name", "balances", "wallets", "master"))
    exchange = state.exchange
    master = funds.master_of(exchange, doc.get("master"))
    if "name" in doc:
        name = inputs.text(doc["name"], "name")
    else:
        name = f"account-{len(exchange.accounts)}"
    wallets = inputs.funding(
        exchange.instruments.values(),
        exchange.settings.haircuts,
        doc.get("balances"),
        doc.get("wallets"),
    )
    outcome = exchange.submit(c.OpenAccount(name, wallets, master))
    assert outcome.account_id is not None
    key = state.keys.issue(outcome.account_id)
    return {
        "account_id": outcome.account_id,
        "name": name,
        "api_key": key.key,
        "api_secret": key.secret,
    }


async def reset(request: Request, state: ServerState) -> Json:
    await inputs.body(request, ())
    result = control_of(state).reset(state)
    return {"status": "ok", "now_ms": state.exchange.clock.now_ms(), **result}


async def read_clock(request: Request, state: ServerState) -> Json:
    return snapshot.clock(state.exchange)


async def move_clock(request: Request, state: ServerState) -> Json:
    doc = await inputs.body(request, ("advance_ms", "set_ms"))
    exchange = state.exchange
    clock = exchange.clock
    if not isinstance(clock, ManualClock):
        raise AdminError(
            "the clock is real (wall time) and cannot be moved; "
            "start the server with --clock manual to control time",
            409,
        )
    if len(doc) != 1:
        raise AdminError("give exactly one of advance_ms or set_ms")
    now = clock.now_ms()
    if "advance_ms" in doc:
        step = inputs.integer(doc["advance_ms"], "advance_ms")
        if step < 0:
            raise AdminError("advance_ms must not be negative: a clock cannot move backwards")
        target = now + step
    else:
        target = inputs.integer(doc["set_ms"], "set_ms")
        if target < now:
            raise AdminError(
                f"set_ms {target} is before the current time {now}: a clock cannot move backwards"
            )
    if target - now > MAX_CLOCK_STEP_MS:
        raise AdminError(f"one call may move the clock by at most {MAX_CLOCK_STEP_MS} ms")
    if target > MAX_TIME_MS:
        raise AdminError(f"time must not pass {MAX_TIME_MS} (9999-12-31T23:59:59.999Z)")
    clock.set(target)
    events = exchange.advance()
    for hook in control_of(state).after_clock:
        hook(state)
    return {"now_ms": clock.now_ms(), "timer_events": len(events)}


async def set_prices(request: Request, state: ServerState) -> Json:
    doc = await inputs.body(request, ("symbol", "mark", "index", "last"))
    exchange = state.exchange
    name = _market_symbol(exchange, inputs.required(doc, "symbol"))
    prices = {k: inputs.positive(doc[k], k) for k in ("mark", "index", "last") if k in doc}
    if not prices:
        raise AdminError("give at least one of mark, index, last")
    outcome = exchange.submit(c.SetPrices(name, **prices))
    if outcome.reject is not None:  # pragma: no cover - every refusal is checked above
        raise AdminError(f"prices refused: {outcome.reject.value}")
    for hook in control_of(state).after_prices:
        hook(state, name)
    market = exchange.markets[name]
    return {
        "symbol": name,
        "mark": snapshot.amount(market.mark),
        "index": snapshot.amount(market.index),
        "last": snapshot.amount(market.last),
    }


async def set_market_state(request: Request, state: ServerState) -> Json:
    doc = await inputs.body(request, ("state",))
    exchange = state.exchange
    name = _market_symbol(exchange, request.path_params["symbol"], 404)
    wanted = inputs.choice(inputs.required(doc, "state"), "state", (s.value for s in MarketState))
    exchange.submit(c.SetMarketState(name, MarketState(wanted)))
    for hook in control_of(state).after_market:
        hook(state, name)
    return {"symbol": name, "state": exchange.markets[name].state.value}


async def cancel_order(request: Request, state: ServerState) -> Json:
    await inputs.body(request, ())
    exchange = state.exchange
    order_id = request.path_params["order_id"]
    order = exchange.orders.get(order_id)
    if order is None:
        raise AdminError(f"no open order with id {order_id!r}", 404)
    exchange.submit(c.AdminCancel(order_id))
    return {
        "order_id": order_id,
        "cli_ord_id": order.cli_ord_id,
        "account_id": order.account_id,
        "symbol": order.symbol,
        "status": "cancelled",
        "reason": "cancelled_by_admin",
    }


async def set_funding(request: Request, state: ServerState) -> Json:
    doc = await inputs.body(request, ("symbol", "rate"))
    exchange = state.exchange
    name = _market_symbol(exchange, inputs.required(doc, "symbol"))
    market = exchange.markets[name]
    if not market.instrument.kind.perpetual:
        raise AdminError(f"{name} is not a perpetual: it has no funding rate")
    raw = inputs.required(doc, "rate")
    rate: Decimal | None = None if raw is None else inputs.decimal(raw, "rate")
    exchange.submit(c.SetFundingRate(name, rate))
    return {
        "symbol": name,
        "rate": None if rate is None else snapshot.amount(rate),
        "effective_rate": snapshot.amount(market.relative_funding_rate()),
    }


routes: list[BaseRoute] = [
    Route("/__admin/health", inputs.endpoint(health), methods=["GET"]),
    Route("/__admin/state", inputs.endpoint(dump_state), methods=["GET"]),
    Route("/__admin/accounts", inputs.endpoint(open_account), methods=["POST"]),
    Route("/__admin/reset", inputs.endpoint(reset), methods=["POST"]),
    Route("/__admin/clock", inputs.endpoint(read_clock), methods=["GET"]),
    Route("/__admin/clock", inputs.endpoint(move_clock), methods=["POST"]),
    Route("/__admin/prices", inputs.endpoint(set_prices), methods=["POST"]),
    Route("/__admin/markets/{symbol}", inputs.endpoint(set_market_state), methods=["POST"]),
    Route("/__admin/orders/{order_id}/cancel", inputs.endpoint(cancel_order), methods=["POST"]),
    Route("/__admin/funding", inputs.endpoint(set_funding), methods=["POST"]),
    *funds.routes,
]
