"""The Starlette application: Kraken's REST paths at the root, the admin API beside them.

`create_app()` with no arguments gives a fresh exchange on a manual clock (seed 0), which is
what in-process tests want; the CLI passes a real-clock exchange and its settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute

from ..admin import routes as admin_routes
from ..engine.clock import ManualClock
from ..engine.ids import IdGenerator
from ..exchange import Exchange
from ..history import History
from ..keys import KeyStore
from ..protocol.errors import WireError
from . import funds, history_api, reads, rest, ws
from .http import error, state_of
from .hub import KRAKEN_WS_LIMITS, Hub
from .limits import RateLimiter
from .state import ServerSettings, ServerState

log = logging.getLogger("mock_exchange.server")


def create_app(
    exchange: Exchange | None = None,
    settings: ServerSettings | None = None,
    keys: KeyStore | None = None,
) -> Starlette:
    exchange = exchange or Exchange(ManualClock(), IdGenerator(0))
    settings = settings or ServerSettings()
    state = ServerState(exchange, keys or KeyStore(exchange.ids), settings)
    if settings.rate_limits:
        state.limiter = RateLimiter(state.now_ms)
        state.extras["ws_limits"] = dict(KRAKEN_WS_LIMITS)
    History.attach(state)
    Hub.attach(state)
    routes: list[BaseRoute] = [
        *rest.routes,
        *reads.routes,
        *funds.routes,
        *history_api.routes,
        *ws.routes,
    ]
    if settings.admin:
        routes += admin_routes.routes
    app = Starlette(
        routes=routes,
        lifespan=_lifespan,
        exception_handlers={
            WireError: _wire_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
    )
    app.state.mx = state
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: Starlette) -> AsyncIterator[None]:
    state: ServerState = app.state.mx
    tasks = [asyncio.create_task(job(state)) for job in state.background]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def _wire_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WireError)
    return error(state_of(request), exc.code, exc.http_status)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = {404: "notFound", 405: "Bad Request"}.get(exc.status_code, "Bad Request")
    return error(state_of(request), code, exc.status_code)


async def _unexpected(request: Request, exc: Exception) -> Response:
    """Our own bug: logged with its traceback, answered in Kraken's shape, never a 500 page."""
    log.error(
        "unexpected error on %s %s\n%s",
        request.method,
        request.url.path,
        "".join(traceback.format_exception(exc)),
    )
    return error(state_of(request), "Server Error")
