"""The admin client's pure core (request building, answer parsing, the error classes) and its
async shell: malformed answers are precise errors, amounts go out exactly, and the async client
speaks to the in-process app through httpx's ASGI transport."""

from __future__ import annotations

import asyncio
import socket
from decimal import Decimal

import httpx
import pytest

from client.admin import (
    AdminClient,
    AdminConnectionError,
    AdminError,
    AdminInputError,
    AdminResponseError,
    AdminUnavailableError,
    AsyncAdminClient,
    ClockMove,
    core,
    finish,
)
from mock_exchange.config import Settings, build

D = Decimal


def test_requests_carry_exact_amounts_and_quoted_paths() -> None:
    wallets = {"fi_xbtusd": {"XBT": 2}}
    call = core.open_account("alice", {"USD": D("1E+5"), "XBT": D("0.10")}, wallets)
    assert (call.method, call.path) == ("POST", "/__admin/accounts")
    assert call.body == {
        "name": "alice", "balances": {"USD": "100000", "XBT": "0.10"},
        "wallets": {"fi_xbtusd": {"XBT": "2"}},
    }  # fmt: skip
    assert core.cancel_order("a/b c").path == "/__admin/orders/a%2Fb%20c/cancel"
    assert core.set_market_state("PF_XBTUSD", "suspended").body == {"state": "suspended"}
    assert core.set_prices("PF_XBTUSD", last=D("1.5E-3")).body == {
        "symbol": "PF_XBTUSD", "last": "0.0015"}  # fmt: skip
    assert core.set_funding_rate("PF_XBTUSD", None).body == {"symbol": "PF_XBTUSD", "rate": None}
    assert core.create_rfq("PF_XBTUSD", "2").body == {"symbol": "PF_XBTUSD", "side": None,
                                                       "size": "2"}  # fmt: skip
    assert core.accept_rfq("u1").body == {}
    with pytest.raises(ValueError, match=r"^account_id must be a non-empty string, got ''$"):
        core.account("")
    assert core.accept_rfq("u1", "acct").body == {"account_id": "acct"}
    assert core.reset().body == {} and core.state().body is None


def test_finish_types_a_good_answer() -> None:
    answer = b'{"now_ms": 7, "timer_events": 2}'
    assert finish(core.advance_clock(5), 200, answer) == ClockMove(7, 2)
    prices = finish(core.set_prices("X", mark=1), 200,
                    b'{"symbol":"X","mark":"0.1","index":2,"last":"3","extra":"ignored"}')
    assert (prices.mark, prices.index) == (D("0.1"), D(2))


@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (200, b'{"now_ms": 7}', AdminResponseError,
         "unexpected answer: /__admin/clock: missing field 'timer_events'"),
        (200, b'{"now_ms": "7", "timer_events": 0}', AdminResponseError,
         "unexpected answer: /__admin/clock.now_ms: unexpected value '7'"),
        (200, b'{"now_ms": true, "timer_events": 0}', AdminResponseError,
         "unexpected answer: /__admin/clock.now_ms: unexpected value True"),
        (200, b"[]", AdminResponseError, "answer is not a JSON object: b'[]'"),
        (500, b"Internal Server Error", AdminResponseError,
         "unexpected answer: b'Internal Server Error'"),
        (400, b'{"error": "advance_ms must be an integer"}', AdminInputError,
         "advance_ms must be an integer"),
        (404, b'{"result":"error","error":"notFound"}', AdminUnavailableError,
         "the server does not serve the admin API at /__admin/ (was it started with --no-admin?)"),
        (418, b'{"error": "teapot"}', AdminResponseError, "teapot"),
    ],
)  # fmt: skip
def test_finish_refuses_what_the_admin_api_does_not_answer(
    status: int, body: bytes, kind: type[Exception], message: str
) -> None:
    with pytest.raises(kind) as raised:
        finish(core.advance_clock(1), status, body)
    assert type(raised.value) is kind
    assert raised.value.message == message  # type: ignore[attr-defined]
    assert raised.value.status == status  # type: ignore[attr-defined]


def test_finish_refuses_non_finite_and_malformed_amounts() -> None:
    call = core.set_prices("X", mark=1)
    for bad, shown in (('"NaN"', "'NaN'"), ('"abc"', "'abc'"), ("null", "None"), ("[1]", "[1]")):
        body = f'{{"symbol":"X","mark":{bad},"index":"1","last":"1"}}'.encode()
        with pytest.raises(AdminResponseError) as raised:
            finish(call, 200, body)
        assert shown in raised.value.message and "/__admin/prices.mark" in raised.value.message


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_unreachable_server_is_a_connection_error() -> None:
    with AdminClient(f"http://127.0.0.1:{_closed_port()}", timeout=2) as admin:
        with pytest.raises(AdminConnectionError) as raised:
            admin.health()
        assert raised.value.status == 0 and "cannot reach http://127.0.0.1:" in raised.value.message
        with pytest.raises(AdminConnectionError):
            admin.wait_healthy(timeout_s=0.2, interval_s=0.05)


def test_async_client_through_the_asgi_transport() -> None:
    app, _ = build(Settings(seed=1, clock="manual", makers=False))

    async def scenario() -> None:
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=app))
        async with http, AsyncAdminClient("http://127.0.0.1:8000", http=http) as admin:
            await admin.wait_healthy(timeout_s=1)
            alice = await admin.open_account("alice", balances={"USD": "1234.5"})
            assert (await admin.account(alice.account_id)).wallets["flex"] == {"USD": D("1234.5")}
            assert await admin.advance_clock(1000) == ClockMove(1_767_225_601_000, 0)
            assert (await admin.set_prices("PF_ETHUSD", mark=3100)).mark == D(3100)
            assert (await admin.set_market_state("PF_ETHUSD", "suspended")).state == "suspended"
            assert (await admin.set_funding_rate("PF_ETHUSD", "0.001")).rate == D("0.001")
            state = await admin.state()
            assert state.markets["PF_ETHUSD"].state == "suspended"
            assert state.account_named("alice").account_id == alice.account_id
            rfq = await admin.create_rfq("PF_XBTUSD", 1)
            with pytest.raises(AdminError) as refused:
                await admin.accept_rfq(rfq.rfq_uid)
            assert refused.value.status == 409
            with pytest.raises(AdminInputError):
                await admin.set_clock(0)
            assert (await admin.clock()).now_ms == 1_767_225_601_000
            with pytest.raises(ValueError, match="order_id must be a non-empty string"):
                await admin.cancel_order("")
            names = [a.name for a in (await admin.reset()).accounts]
            assert names == ["demo1", "demo2"]

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [(D("NaN"), ValueError, "finite"), (D("Infinity"), ValueError, "finite"),
     ("-inf", ValueError, "finite"), ("nan", ValueError, "finite"),
     ("abc", ValueError, "not a decimal number"), ("", ValueError, "not a decimal number"),
     (1.5, TypeError, "Decimal, int or decimal string"), (True, TypeError, "Decimal, int")],
)
def test_amounts_must_be_finite_numbers_before_sending(
    bad: object, error: type[Exception], match: str,
) -> None:
    with pytest.raises(error, match=match):
        core.set_prices("PF_XBTUSD", mark=bad)  # type: ignore[arg-type]
    with pytest.raises(error, match=match):
        core.open_account(balances={"USD": bad})  # type: ignore[dict-item]
    assert core.set_prices("X", mark=" 1.50 ").body == {"symbol": "X", "mark": "1.50"}
    assert core.create_rfq("X", "1E+2").body["size"] == "100"


def test_the_status_table_cannot_be_changed() -> None:
    with pytest.raises(TypeError):
        core._BY_STATUS[500] = AdminError  # type: ignore[index]


def _health_answering(status: str) -> tuple[httpx.MockTransport, list[int]]:
    calls: list[int] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) > 50:  # without a deadline on this path the loop would never end
            raise RuntimeError("wait_healthy kept polling past its deadline")
        return httpx.Response(200, json={"status": status})

    return httpx.MockTransport(answer), calls


def test_wait_healthy_gives_up_on_a_server_that_never_says_ok() -> None:
    transport, calls = _health_answering("starting")
    never_ok = pytest.raises(AdminResponseError, match="health answered 'starting', not 'ok'")
    with AdminClient("http://127.0.0.1:1", http=httpx.Client(transport=transport)) as admin, \
            never_ok:
        admin.wait_healthy(timeout_s=0, interval_s=0)
    assert len(calls) >= 1

    async def run() -> None:
        async_transport, _ = _health_answering("starting")

        async def handler(request: httpx.Request) -> httpx.Response:
            return async_transport.handle_request(request)

        http = httpx.AsyncClient(transport=httpx.MockTransport(handler))
        async with http, AsyncAdminClient("http://127.0.0.1:1", http=http) as admin:
            with pytest.raises(AdminResponseError, match="'starting'"):
                await admin.wait_healthy(timeout_s=0, interval_s=0)

    asyncio.run(run())
