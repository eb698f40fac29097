"""The submit gate (server/http.py): a REST command whose WebSocket messages make its handler
yield to the event loop still answers before another REST command runs, so the effects of a
later command never reach a client ahead of an earlier command's answer."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import httpx

from mock_exchange.engine import commands as c
from mock_exchange.protocol.auth import endpoint_path_for, sign_rest
from mock_exchange.server.app import create_app
from mock_exchange.server.hub import Hub, Outbox

PATH = "/derivatives/api/v3/sendorder"


def _recording(app: Any, log: list[tuple[str, str]]) -> Any:
    """`app`, logging ("answered", cliOrdId) when a sendorder's response body is written."""

    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        body = b""
        if scope["type"] == "http":
            message = await receive()
            body = message.get("body", b"")
            replayed = [message]

            async def receive_again() -> Any:
                return replayed.pop() if replayed else await receive()
        else:
            receive_again = receive

        async def logging_send(message: Any) -> None:
            if message["type"] == "http.response.body":
                log.append(("answered", body.decode().split("cliOrdId=")[1].split("&")[0]))
            await send(message)

        await app(scope, receive_again, logging_send)

    return wrapped


async def _two_orders_at_once() -> list[tuple[str, str]]:
    app = create_app()
    state = app.state.mx
    ex = state.exchange
    log: list[tuple[str, str]] = []
    keys = []
    for name in ("maker", "taker"):
        opened = ex.submit(c.OpenAccount(name, {"flex": {"USD": Decimal(100_000)}}))
        assert opened.account_id is not None
        keys.append(state.keys.issue(opened.account_id))
        if name == "maker":  # a WebSocket subscriber makes the maker's order queue messages
            hub = Hub.of(state)
            conn = hub.connect("test", Outbox(asyncio.get_running_loop(), 1_000))
            assert conn is not None
            hub.add(conn, "open_orders", opened.account_id, None)
    real_submit = ex.submit

    def submit(command: Any) -> Any:
        log.append(("submitted", getattr(command, "cli_ord_id", "") or ""))
        return real_submit(command)

    ex.submit = submit  # type: ignore[method-assign]

    async def send(client: httpx.AsyncClient, n: int, side: str, cli: str) -> None:
        body = urlencode({"orderType": "lmt", "symbol": "PF_XBTUSD", "side": side,
                          "size": "0.01", "limitPrice": "60000", "cliOrdId": cli})  # fmt: skip
        nonce = str(1_800_000_000_000 + n)
        key = keys[n]
        authent = sign_rest(key.secret, body, nonce, endpoint_path_for(PATH))
        headers = {"Content-Type": "application/x-www-form-urlencoded", "APIKey": key.key,
                   "Nonce": nonce, "Authent": authent}  # fmt: skip
        answer = await client.post(PATH, content=body, headers=headers)
        assert answer.json()["sendStatus"]["status"] == "placed"

    transport = httpx.ASGITransport(app=_recording(app, log))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        await asyncio.gather(send(client, 0, "buy", "A"), send(client, 1, "sell", "B"))
    return log


def test_an_earlier_command_answers_before_a_later_one_runs() -> None:
    log = asyncio.run(_two_orders_at_once())
    assert log == [("submitted", "A"), ("answered", "A"), ("submitted", "B"), ("answered", "B")]
