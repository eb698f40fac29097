"""Request reading, authentication and Kraken's JSON envelopes for every REST handler.

A handler reads the request once (`read`), authenticates it over the raw bytes received
(`authenticate`), and answers with `success(...)`; any `WireError` raised on the way becomes
`{"result":"error","error":...,"serverTime":...}` with HTTP 200, Kraken's way.

`submit` applies a command and, when the WebSocket hub queued messages for it, yields once to
the event loop: the connection writers those messages woke run before the handler renders and
writes its own answer, so a feed delta does not wait for the REST response (the messages are
still queued before the response exists, so the order the issue asks for holds). A per-server
gate, held from the command until the handler returns to write its answer, keeps another REST
command from running inside that yield: effects of a later command never reach a client
before an earlier command's answer. (Admin routes submit directly and answer at once.)
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from ..engine.commands import Command
from ..exchange import Outcome
from ..protocol.auth import verify_rest
from ..protocol.decode import Params
from ..protocol.errors import API_LIMIT_EXCEEDED, AUTHENTICATION_ERROR, WireError
from ..protocol.formats import iso
from .state import ServerState

MAX_BODY_BYTES = 1 << 20


@dataclass(slots=True)
class Call:
    """One request: the server state, its parameters, and (once authenticated) the account."""

    state: ServerState
    params: Params
    raw_query: bytes
    raw_body: bytes
    request: Request
    account_id: str = ""
    api_key: str = ""


def state_of(request: Request) -> ServerState:
    state: ServerState = request.app.state.mx
    return state


async def read(request: Request) -> Call:
    raw_query = request.scope.get("query_string", b"")
    raw_body = await _body(request)
    content_type = request.headers.get("content-type", "")
    form_body = raw_body if "json" not in content_type else b""
    params = Params.parse(raw_query, form_body)
    if "json" in content_type and raw_body:
        params = _merge_json(params, raw_query, raw_body)
    return Call(state_of(request), params, raw_query, raw_body, request)


async def _body(request: Request) -> bytes:
    """The whole request body, read once from the ASGI `receive` channel (what Starlette's
    `request.stream()` does, without an async generator per request)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await request.receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        chunk = message.get("body", b"")
        if chunk:
            chunks.append(chunk)
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                raise WireError("invalidArgument: body", 413)
        if not message.get("more_body", False):
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _merge_json(params: Params, raw_query: bytes, raw_body: bytes) -> Params:
    """A JSON object body is accepted too (no surveyed client sends one)."""
    try:
        document = json.loads(raw_body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise WireError("Json Parse Error") from None
    if not isinstance(document, dict):
        raise WireError("Json Parse Error")
    return Params.parse(raw_query, b"").merged(Params.from_mapping(document))


def authenticate(call: Call, cost: int = 0) -> Call:
    """Check APIKey/Authent/Nonce over the raw bytes; spend the rate-limit cost."""
    state, headers = call.state, call.request.headers
    key = state.keys.get(headers.get("apikey", ""))
    authent = headers.get("authent", "")
    nonce = headers.get("nonce")
    if key is None or not verify_rest(
        key.secret, authent, call.raw_query, call.raw_body, nonce or "", _path(call.request)
    ):
        raise WireError(AUTHENTICATION_ERROR)
    problem = state.nonces.check(key.key, nonce)
    if problem is not None:
        raise WireError(problem)
    if state.limiter is not None and cost and not state.limiter.spend(key.key, cost):
        raise WireError(API_LIMIT_EXCEEDED)
    call.account_id, call.api_key = key.account_id, key.key
    return call


async def submit(state: ServerState, command: Command) -> Outcome:
    """`state.exchange.submit(command)`, then let woken WebSocket writers send first."""
    (outcome,) = await _gated(state, lambda: [state.exchange.submit(command)])
    return outcome


async def submit_batch(state: ServerState, commands: list[Command]) -> list[Outcome]:
    """`state.exchange.submit_batch(commands)`, then as `submit`."""
    return await _gated(state, lambda: state.exchange.submit_batch(commands))


async def _gated(state: ServerState, apply: Callable[[], list[Outcome]]) -> list[Outcome]:
    """Run `apply` under the server's submit gate; yield once if it queued feed messages. The
    gate is released without a further await, so a handler waiting for it resumes only after
    this one has returned (and Starlette has written its answer)."""
    async with state.submit_gate():
        hub = state.extras.get("ws_hub")
        if hub is not None:
            hub.take_queued()  # forget what timers or admin routes queued before
        outcomes = apply()
        if hub is not None and hub.take_queued():
            await asyncio.sleep(0)
    return outcomes


def _path(request: Request) -> str:
    """`request.url.path` without building the whole URL (host, scheme, query): the scope's
    path with the three characters Starlette escapes there escaped alike."""
    path: str = request.scope["path"]
    return path.replace("?", "%3F").replace("#", "%23").replace("\\", "%5C")


class KrakenJSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(content, separators=(",", ":"), ensure_ascii=False).encode()


def success(state: ServerState, **payload: Any) -> KrakenJSON:
    return KrakenJSON({"result": "success", "serverTime": iso(state.now_ms()), **payload})


def error(state: ServerState, code: str, http_status: int = 200) -> KrakenJSON:
    return KrakenJSON(
        {"result": "error", "serverTime": iso(state.now_ms()), "error": code},
        status_code=http_status,
    )
