"""Read endpoints of REST v3: account state, order status, preferences and public market data.

Each handler reads the request, checks its arguments, authenticates (private endpoints, with the
reference §6 cost), looks the answer up in the exchange or its `History`, and encodes it with
`protocol.encode_account` / `encode_market`. Symbols are read case-insensitively.

`orders/status` without ids answers the account's open orders plus the orders that closed in the
last 5 seconds of the exchange clock (Kraken's documented window); with `orderIds`/`cliOrdIds`
(repeated keys or comma lists) it answers every named order that is open or still remembered,
in the order asked, and silently skips unknown ids.

PUT leveragepreferences / pnlpreferences decode to `SetLeveragePreference` / `SetPnlPreference`
and go through `Exchange.submit` like any other change (rules in `exchange.preferences`); a
refusal is answered as `protocol.errors.REJECTS` says (Kraken's coded form for codes 87-89).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from ..accounts.account import Account
from ..engine.commands import SetLeveragePreference, SetPnlPreference, SetSelfTradeStrategy
from ..engine.market import Market
from ..history import History
from ..protocol import decode
from ..protocol import encode_account as ea
from ..protocol import encode_market as em
from ..protocol.errors import (
    AUTHENTICATION_ERROR,
    CONTRACT_NOT_FOUND,
    REJECTS,
    WireError,
    invalid,
    missing,
)
from ..protocol.formats import iso
from ..protocol.formats import symbol as wire_symbol
from .http import Call, KrakenJSON, authenticate, read, submit, success
from .state import ServerState

V3 = "/derivatives/api/v3"
RECENTLY_CLOSED_MS = 5_000
VOLUME_WINDOW_MS = 30 * 86_400_000
_ZERO = Decimal(0)


def history_of(state: ServerState) -> History:
    history: History = state.extras["history"]
    return history


def _account(call: Call) -> Account:
    account = call.state.exchange.accounts.get(call.account_id)
    if account is None:  # a key whose account went away with a reset
        raise WireError(AUTHENTICATION_ERROR)
    return account


def _market(state: ServerState, text: str | None, status: int = 200) -> Market:
    if text is None:
        raise missing("symbol")
    market = state.exchange.markets.get(wire_symbol(text))
    if market is None:
        raise WireError(CONTRACT_NOT_FOUND, status)
    return market


# -- private ---------------------------------------------------------------------------------
async def openorders(request: Request) -> Response:
    call = authenticate(await read(request), 2)
    ex = call.state.exchange
    views = [ex.view(o) for o in reversed(list(_account(call).orders.values()))]
    return success(call.state, openOrders=ea.open_orders(views))


async def orders_status(request: Request) -> Response:
    call = await read(request)
    order_ids, cli_ids = call.params.all("orderIds"), call.params.all("cliOrdIds")
    authenticate(call, 1)
    account, history, ex = _account(call), history_of(call.state), call.state.exchange
    if order_ids or cli_ids:
        wanted = order_ids + [
            account.cli_ids.get(cli) or history.cli_ids.get((account.account_id, cli), "")
            for cli in cli_ids
        ]
        wanted = [w for w in wanted if w]
    else:
        wanted = [o.order_id for o in reversed(list(account.orders.values()))]
        cutoff = call.state.now_ms() - RECENTLY_CLOSED_MS
        for time, account_id, order_id in reversed(history.closed):
            if time < cutoff:
                break
            if account_id == account.account_id:
                wanted.append(order_id)
    entries, seen = [], set()
    for order_id in wanted:
        if order_id in seen:
            continue
        seen.add(order_id)
        reason = history.reasons.get(order_id)
        live = account.orders.get(order_id)
        if live is not None:
            entries.append(ea.order_status(ex.view(live), None, reason))
            continue
        closed = ex.closed.get(order_id)
        if closed is not None and closed.view.account_id == account.account_id:
            entries.append(ea.order_status(closed.view, closed, reason or closed.reason))
    return success(call.state, orders=entries)


async def openpositions(request: Request) -> Response:
    call = authenticate(await read(request), 2)
    account = _account(call)
    positions = account.positions.values()
    out = ea.open_positions(positions, call.state.exchange.instruments, account)
    return success(call.state, openPositions=out)


async def accounts(request: Request) -> Response:
    call = authenticate(await read(request), 2)
    return success(call.state, accounts=ea.accounts(_account(call), call.state.exchange.margin))


async def fills(request: Request) -> Response:
    call = await read(request)
    before = call.params.time("lastFillTime")
    authenticate(call, 2 if before is None else 25)
    records = history_of(call.state).account(call.account_id).fills
    return success(call.state, fills=ea.fills(records, before))


async def leveragepreferences(request: Request) -> Response:
    call = await read(request)
    if request.method == "GET":
        authenticate(call, 2)
        symbol = _symbol_filter(call)
        prefs = ea.leverage_preferences(_account(call), symbol)
        return success(call.state, leveragePreferences=prefs)
    leverage = call.params.decimal("maxLeverage")  # malformed: refused before authentication
    authenticate(call, 10)
    command = decode.leverage_preference(call.params, leverage)
    return await _preference(call, replace(command, account_id=_account(call).account_id))


async def pnlpreferences(request: Request) -> Response:
    call = await read(request)
    if request.method == "GET":
        authenticate(call, 2)
        symbol = _symbol_filter(call)
        return success(call.state, preferences=ea.pnl_preferences(_account(call), symbol))
    currency = call.params.text("pnlPreference", True)  # missing: refused before authentication
    assert currency is not None
    authenticate(call, 10)
    command = decode.pnl_preference(call.params, currency)
    return await _preference(call, replace(command, account_id=_account(call).account_id))


def _symbol_filter(call: Call) -> str | None:
    text = call.params.text("symbol")
    return wire_symbol(text) if text is not None else None


async def _preference(call: Call, command: SetLeveragePreference | SetPnlPreference) -> Response:
    """Submit a preference; a refusal is answered as the one table `REJECTS` says."""
    outcome = await submit(call.state, command)
    if outcome.reject is None:
        return success(call.state)
    wire = REJECTS[outcome.reject]
    assert wire.error is not None
    if wire.code is None:
        raise WireError(wire.error)
    body = {**ea.coded_error(wire.code, wire.error), "serverTime": _server_time(call.state)}
    return KrakenJSON(body, status_code=400)


def _server_time(state: ServerState) -> str:
    return iso(state.now_ms())


async def self_trade_strategy(request: Request) -> Response:
    call = await read(request)
    if request.method == "GET":
        authenticate(call, 2)
        return success(call.state, strategy=ea.STRATEGIES[_account(call).strategy])
    text = call.params.text("strategy", True)
    assert text is not None
    strategy = {v: k for k, v in ea.STRATEGIES.items()}.get(text.strip().upper())
    if strategy is None:
        raise invalid("strategy")
    authenticate(call, 2)
    await submit(call.state, SetSelfTradeStrategy(_account(call).account_id, strategy))
    return success(call.state, strategy=ea.STRATEGIES[strategy])


async def notifications(request: Request) -> Response:
    call = authenticate(await read(request))
    return success(call.state, notifications=[])


async def unwindqueue(request: Request) -> Response:
    call = authenticate(await read(request), 200)
    return success(call.state, queue=[])


async def fee_volumes(request: Request) -> Response:
    call = authenticate(await read(request))
    since = call.state.now_ms() - VOLUME_WINDOW_MS
    records = history_of(call.state).account(call.account_id).fills
    volumes = ea.fee_volumes(em.FEE_SCHEDULE_UID, records, since)
    return success(call.state, volumesByFeeSchedule=volumes)


# -- public ----------------------------------------------------------------------------------
async def feeschedules(request: Request) -> Response:
    call = await read(request)
    fees = call.state.exchange.settings.fees
    return success(call.state, feeSchedules=em.fee_schedules(fees))


async def instruments(request: Request) -> Response:
    call = await read(request)
    markets = call.state.exchange.markets.values()
    return success(call.state, instruments=[em.instrument(m.instrument, m) for m in markets])


async def instruments_status(request: Request) -> Response:
    call = await read(request)
    if "symbol" in request.path_params:
        market = _market(call.state, request.path_params["symbol"], 404)
        return success(call.state, **em.instrument_status(market))
    markets = call.state.exchange.markets.values()
    return success(call.state, instrumentStatus=[em.instrument_status(m) for m in markets])


async def tickers(request: Request) -> Response:
    call = await read(request)
    state = call.state
    if "symbol" in request.path_params:
        market = _market(state, request.path_params["symbol"], 404)
        return success(state, ticker=_ticker(state, market))
    markets = state.exchange.markets.values()
    return success(state, tickers=[_ticker(state, m) for m in markets])


def _ticker(state: ServerState, market: Market) -> dict[str, object]:
    stats = history_of(state).stats(market.symbol, state.now_ms())
    interest = sum(
        (max(a.position_size(market.symbol), _ZERO) for a in state.exchange.accounts.values()),
        _ZERO,
    )
    return em.ticker(market, stats, interest)


async def orderbook(request: Request) -> Response:
    call = await read(request)
    market = _market(call.state, call.params.text("symbol"))
    return success(call.state, orderBook=em.order_book(market))


async def trade_history(request: Request) -> Response:
    call = await read(request)
    market = _market(call.state, call.params.text("symbol"))
    before = call.params.time("lastTime")
    trades = history_of(call.state).symbol(market.symbol).trades
    return success(call.state, history=em.public_trades(trades, before))


async def funding_rates(request: Request) -> Response:
    call = await read(request)
    market = _market(call.state, call.params.text("symbol"))
    return success(call.state, rates=em.funding_rates(market))


routes: list[BaseRoute] = [
    Route(f"{V3}/openorders", openorders, methods=["GET"]),
    Route(f"{V3}/orders/status", orders_status, methods=["GET", "POST"]),
    Route(f"{V3}/openpositions", openpositions, methods=["GET"]),
    Route(f"{V3}/accounts", accounts, methods=["GET"]),
    Route(f"{V3}/fills", fills, methods=["GET"]),
    Route(f"{V3}/leveragepreferences", leveragepreferences, methods=["GET", "PUT"]),
    Route(f"{V3}/pnlpreferences", pnlpreferences, methods=["GET", "PUT"]),
    Route(f"{V3}/self-trade-strategy", self_trade_strategy, methods=["GET", "PUT"]),
    Route(f"{V3}/notifications", notifications, methods=["GET"]),
    Route(f"{V3}/unwindqueue", unwindqueue, methods=["GET"]),
    Route(f"{V3}/feeschedules", feeschedules, methods=["GET"]),
    Route(f"{V3}/feeschedules/volumes", fee_volumes, methods=["GET"]),
    Route(f"{V3}/instruments", instruments, methods=["GET"]),
    Route(f"{V3}/instruments/status", instruments_status, methods=["GET"]),
    Route(f"{V3}/instruments/{{symbol}}/status", instruments_status, methods=["GET"]),
    Route(f"{V3}/tickers", tickers, methods=["GET"]),
    Route(f"{V3}/tickers/{{symbol}}", tickers, methods=["GET"]),
    Route(f"{V3}/orderbook", orderbook, methods=["GET"]),
    Route(f"{V3}/history", trade_history, methods=["GET"]),
    Route("/derivatives/api/v4/historicalfundingrates", funding_rates, methods=["GET"]),
    Route(f"{V3}/historical-funding-rates", funding_rates, methods=["GET"]),
]
