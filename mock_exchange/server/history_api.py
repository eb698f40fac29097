"""Kraken's History API (`/api/history/v2` and `/v3`, identical payloads) and the charts API.

Private history endpoints (orders, triggers, executions, positions, account-log, accountlogcsv)
are signed over their full path; a failed signature or nonce is answered with HTTP 401 and
`{"reason":...,"status":"unauthorized"}` (reference §2.6). Bad parameters are HTTP 400 with the
Kraken error envelope. Paging: `since` (inclusive) and `before` (exclusive) in ms or ISO time,
`sort` asc|desc (default desc), `count`, `continuation_token` from the previous page, and
`tradeable` to keep one symbol. The public `market/{tradeable}/...` and `/api/charts/v1/...`
endpoints need no signature.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ..history import RESOLUTIONS_MS, AccountLogs, History, LogKind
from ..protocol import encode_history as eh
from ..protocol import encode_market as em
from ..protocol.decode import Params, to_decimal
from ..protocol.errors import CONTRACT_NOT_FOUND, WireError
from ..protocol.formats import iso, parse_iso
from ..protocol.formats import symbol as wire_symbol
from .http import Call, KrakenJSON, authenticate, read
from .state import ServerState

DEFAULT_COUNT = 1000
DEFAULT_LOG_COUNT = 500
MAX_COUNT = 10_000
UNAUTHORIZED = {
    "reason": "You are not authorized to access this endpoint.",
    "status": "unauthorized",
}
_MAX_SECONDS = Decimal(10**12)
_DIGITS = re.compile(r"[0-9]{1,19}")
#: `info` filter values: ours, and the other spellings and kinds Kraken documents (None: never
#: booked here, so the filter finds nothing).
INFO_KINDS: dict[str, LogKind | None] = eh.LOG_INFO_ALIASES | {
    name: kind for kind, name in eh.LOG_INFO.items()
}


def _bad(name: str) -> WireError:
    return WireError(f"invalidArgument: {name}", 400)


def _ms(params: Params, name: str) -> int | None:
    """A time given as integer milliseconds or as an ISO 8601 string."""
    text = params.text(name)
    if text is None:
        return None
    if _DIGITS.fullmatch(text.strip()):
        return int(text)
    ms = parse_iso(text)
    if ms is None:
        raise _bad(name)
    return ms


def _int(params: Params, name: str, default: int | None) -> int | None:
    text = params.text(name)
    if text is None:
        return default
    if not _DIGITS.fullmatch(text.strip()):
        raise _bad(name)
    return int(text)


@dataclass(frozen=True, slots=True)
class Query:
    since: int | None
    before: int | None
    ascending: bool
    count: int
    after: int | None  # the decoded continuation token
    tradeable: str | None

    @classmethod
    def of(cls, params: Params, default_count: int = DEFAULT_COUNT) -> Query:
        sort = (params.text("sort") or "desc").strip().lower()
        if sort not in ("asc", "desc"):
            raise _bad("sort")
        count = _int(params, "count", default_count)
        assert count is not None
        tradeable = params.text("tradeable")
        token = params.text("continuation_token")
        try:
            after = eh.token_position(token) if token is not None else None
        except WireError as err:
            raise WireError(err.code, 400) from None
        return cls(
            _ms(params, "since"),
            _ms(params, "before"),
            sort == "asc",
            min(count, MAX_COUNT),
            after,
            wire_symbol(tradeable) if tradeable is not None else None,
        )

    def page(self, items: Sequence[eh.P]) -> tuple[list[eh.P], str | None]:
        return eh.page(items, self.since, self.before, self.ascending, self.count, self.after)


def _history(state: ServerState) -> History:
    history: History = state.extras["history"]
    return history


async def _private(request: Request, default_count: int = DEFAULT_COUNT) -> tuple[Call, Query]:
    """Read, check parameters, authenticate (HTTP 401 on failure)."""
    call = await read(request)
    query = Query.of(call.params, default_count)
    try:
        authenticate(call)
    except WireError:
        raise _Unauthorized() from None
    return call, query


class _Unauthorized(Exception):
    pass


def _elements(
    call: Call, query: Query, items: Sequence[Any], encode: Callable[[Any], dict[str, Any]]
) -> Response:
    chosen, token = query.page(items)
    body: dict[str, Any] = {"accountUid": call.account_id, "len": len(chosen)}
    body["elements"] = [encode(item) for item in chosen]
    if token is not None:
        body["continuationToken"] = token
    body["serverTime"] = iso(call.state.now_ms())
    return KrakenJSON(body)


def _logs(call: Call) -> AccountLogs:
    return _history(call.state).account(call.account_id)


def _symbol_filter(query: Query, symbol: Callable[[Any], str | None], items: Any) -> list[Any]:
    return [i for i in items if query.tradeable is None or symbol(i) == query.tradeable]


async def orders(request: Request) -> Response:
    call, query = await _private(request)
    items = _symbol_filter(query, lambda r: r.order.symbol if r.order else None, _logs(call).orders)
    return _elements(call, query, items, eh.order_element)


async def triggers(request: Request) -> Response:
    call, query = await _private(request)
    items = _symbol_filter(query, lambda r: r.order.symbol, _logs(call).triggers)
    return _elements(call, query, items, eh.order_element)


async def executions(request: Request) -> Response:
    call, query = await _private(request)
    items = _symbol_filter(query, lambda e: e.trade.symbol, _logs(call).executions)
    return _elements(call, query, items, lambda e: eh.execution_element(e, call.account_id))


async def positions(request: Request) -> Response:
    call, query = await _private(request)
    instruments = call.state.exchange.instruments
    items = _symbol_filter(query, lambda u: u.symbol, _logs(call).positions)
    return _elements(
        call, query, items,
        lambda u: eh.position_element(u, instruments[u.symbol].settlement_currency),
    )  # fmt: skip


async def account_log(request: Request) -> Response:
    call, query = await _private(request, DEFAULT_LOG_COUNT)
    first, last = _int(call.params, "from", None), _int(call.params, "to", None)
    info = call.params.text("info")
    wanted = info.strip().lower() if info is not None else None
    if wanted is not None and wanted not in INFO_KINDS:
        raise _bad("info")
    kind = INFO_KINDS.get(wanted) if wanted is not None else None
    entries = [
        e
        for e in (_logs(call).log if query.ascending else reversed(_logs(call).log))
        if (query.since is None or e.time >= query.since)
        and (query.before is None or e.time < query.before)
        and (first is None or e.id >= first)
        and (last is None or e.id <= last)
        and (wanted is None or e.kind is kind)
    ]
    logs = [eh.log_entry(e) for e in entries[: query.count]]
    return KrakenJSON({"accountUid": call.account_id, "logs": logs})


async def account_log_csv(request: Request) -> Response:
    call, _ = await _private(request)
    return PlainTextResponse(eh.log_csv(reversed(_logs(call).log)), media_type="text/csv")


# -- public market history -------------------------------------------------------------------
def _public(call: Call, query: Query, items: Sequence[Any], encode: Callable[..., Any]) -> Response:
    chosen, token = query.page(items)
    body: dict[str, Any] = {"len": len(chosen), "elements": [encode(i) for i in chosen]}
    if token is not None:
        body["continuationToken"] = token
    return KrakenJSON(body)


async def _market_query(request: Request) -> tuple[Call, Query, str]:
    call = await read(request)
    symbol = wire_symbol(request.path_params["tradeable"])
    if symbol not in call.state.exchange.markets:
        raise WireError(CONTRACT_NOT_FOUND, 404)
    return call, Query.of(call.params), symbol


async def market_executions(request: Request) -> Response:
    call, query, symbol = await _market_query(request)
    items = [t.execution for t in _history(call.state).symbol(symbol).trades]
    return _public(call, query, items, eh.execution_element)


async def market_orders(request: Request) -> Response:
    call, query, symbol = await _market_query(request)
    items = _history(call.state).symbol(symbol).orders
    return _public(call, query, items, lambda r: eh.order_element(r, sanitized=True))


async def market_price(request: Request) -> Response:
    call, query, symbol = await _market_query(request)
    return _public(call, query, _history(call.state).symbol(symbol).prices, eh.price_element)


# -- charts ----------------------------------------------------------------------------------
async def tick_types(request: Request) -> Response:
    return KrakenJSON(sorted(em.TICK_TYPES))


async def chart_symbols(request: Request) -> Response:
    call = await read(request)
    _tick(request)
    return KrakenJSON(list(call.state.exchange.markets))


async def chart_resolutions(request: Request) -> Response:
    call = await read(request)
    _tick(request)
    _chart_symbol(call, request)
    return KrakenJSON(list(RESOLUTIONS_MS))


async def chart_candles(request: Request) -> Response:
    call = await read(request)
    source = _tick(request)
    symbol = _chart_symbol(call, request)
    resolution = request.path_params["resolution"]
    if resolution not in RESOLUTIONS_MS:
        raise WireError("notFound", 404)
    start, end = _seconds(call.params, "from"), _seconds(call.params, "to")
    count = _int(call.params, "count", None)
    series = _history(call.state).candles(source, symbol, resolution)
    return KrakenJSON(em.candles(series, start, end, count))


def _tick(request: Request) -> Any:
    source = em.TICK_TYPES.get(request.path_params["tick_type"].lower())
    if source is None:
        raise WireError("notFound", 404)
    return source


def _chart_symbol(call: Call, request: Request) -> str:
    symbol = wire_symbol(request.path_params["symbol"])
    if symbol not in call.state.exchange.markets:
        raise WireError("notFound", 404)
    return symbol


def _seconds(params: Params, name: str) -> int | None:
    """Epoch seconds (possibly fractional) as milliseconds."""
    text = params.text(name)
    if text is None:
        return None
    try:
        value = to_decimal(text, name)
    except WireError:
        raise _bad(name) from None
    if abs(value) > _MAX_SECONDS:
        raise _bad(name)
    return int(value * Decimal(1000))


def _guarded(handler: Callable[[Request], Any]) -> Callable[[Request], Any]:
    """Turn an authentication failure into the history API's HTTP 401 answer."""

    async def run(request: Request) -> Response:
        try:
            response: Response = await handler(request)
        except _Unauthorized:
            return KrakenJSON(UNAUTHORIZED, status_code=401)
        return response

    return run


_PRIVATE = {
    "orders": orders,
    "triggers": triggers,
    "executions": executions,
    "positions": positions,
    "account-log": account_log,
    "accountlogcsv": account_log_csv,
}
_MARKET = {"executions": market_executions, "orders": market_orders, "price": market_price}

routes: list[BaseRoute] = [
    *(
        Route(f"/api/history/{v}/{name}", _guarded(handler), methods=["GET"])
        for v in ("v2", "v3")
        for name, handler in _PRIVATE.items()
    ),
    *(
        Route(f"/api/history/{v}/market/{{tradeable}}/{name}", handler, methods=["GET"])
        for v in ("v2", "v3")
        for name, handler in _MARKET.items()
    ),
    Route("/api/charts/v1/", tick_types, methods=["GET"]),
    Route("/api/charts/v1", tick_types, methods=["GET"]),
    Route("/api/charts/v1/{tick_type}", chart_symbols, methods=["GET"]),
    Route("/api/charts/v1/{tick_type}/{symbol}", chart_resolutions, methods=["GET"]),
    Route("/api/charts/v1/{tick_type}/{symbol}/{resolution}", chart_candles, methods=["GET"]),
]
