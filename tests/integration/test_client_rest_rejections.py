"""Every rejection the server produces, through the client, as the exception class the one
table (client.errors.ERRORS) names; the parsed status or Kraken's string rides on it, and
nothing changed on the exchange. Sync and async (the `env` fixture of test_client_rest).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from integration.test_client_rest import Env, environment

from client import errors as e
from client.ratelimit import RateLimiter
from mock_exchange.engine.clock import ManualClock
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.exchange import Exchange
from mock_exchange.server.app import create_app
from mock_exchange.server.state import ServerSettings

D = Decimal


@pytest.fixture(params=["sync", "async"])
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    with environment(request.param) as made:
        yield made


def _raises(cls: type[e.KrakenError], code: str, call: Any, *args: Any, **kwargs: Any) -> Any:
    with pytest.raises(e.KrakenError) as caught:
        call(*args, **kwargs)
    assert (type(caught.value), caught.value.code) == (cls, code)
    return caught.value


def test_order_level_rejections_raise_their_mapped_exception(env: Env) -> None:
    maker, alice = env.trader(), env.trader()
    resting = maker.submit_order("lmt", "PF_XBTUSD", "sell", 1, limit_price=60000,
                                 cli_ord_id="taken")
    send = alice.submit_order
    lmt = {"order_type": "lmt", "symbol": "PF_XBTUSD", "side": "buy", "size": 1}
    post = _raises(e.PostWouldExecute, "postWouldExecute", send, "post", "PF_XBTUSD", "buy", 1,
                   limit_price=60000)
    assert [(x.type, x.reason) for x in post.status.order_events] == [
        ("REJECT", "POST_WOULD_EXECUTE")]
    ioc = _raises(e.IocWouldNotExecute, "iocWouldNotExecute", send, "ioc", "PF_XBTUSD", "buy",
                  1, limit_price=59000)
    assert ioc.status.order_events[0].reason == "IOC_WOULD_NOT_EXECUTE"
    _raises(e.IocWouldNotExecute, "iocWouldNotExecute", send, "fok", "PF_XBTUSD", "buy", 2,
            limit_price=60000)
    _raises(e.InvalidOrder, "invalidPrice", send, **lmt, limit_price="59000.5")
    _raises(e.InvalidOrder, "invalidSize", send, **(lmt | {"size": "0.00001"}), limit_price=1)
    _raises(e.PriceOutsideCollar, "outsidePriceCollar", send, **lmt, limit_price=90000)
    _raises(e.SelfFill, "selfFill", maker.submit_order, **lmt, limit_price=60000)
    _raises(e.DuplicateClientOrderId, "clientOrderIdAlreadyExist", maker.submit_order, **lmt,
            limit_price=59000, cli_ord_id="taken")
    _raises(e.WouldNotReducePosition, "wouldNotReducePosition", send, **lmt, limit_price=59000,
            reduce_only=True)
    _raises(e.ProcessBeforeExpired, "wouldProcessAfterSpecifiedTime", send, **lmt,
            limit_price=59000, process_before="2025-12-31T23:59:59.000Z")
    poor = env.trader(usd=100)
    _raises(e.InsufficientAvailableFunds, "insufficientAvailableFunds", poor.submit_order, **lmt,
            limit_price=59000)
    with pytest.raises(e.InsufficientFunds):  # the broad class catches it too
        poor.submit_order(**lmt, limit_price=59000)
    env.admin_ok("POST", "/__admin/markets/PF_XBTUSD", {"state": "suspended"})
    _raises(e.MarketClosed, "marketSuspended", send, **lmt, limit_price=59000)
    env.admin_ok("POST", "/__admin/markets/PF_XBTUSD", {"state": "open"})
    _raises(e.InvalidOrder, "orderForEditNotAStop", maker.edit_order, resting.order_id,
            stop_price=61000)
    assert alice.get_open_orders() == [] and alice.get_fills() == []
    assert [o.order_id for o in maker.get_open_orders()] == [resting.order_id]


def test_cancelling_a_filled_order_is_order_already_filled(env: Env) -> None:
    maker, taker = env.trader(), env.trader()
    resting = maker.submit_order("lmt", "PF_XBTUSD", "sell", D("0.1"), limit_price=60000)
    taker.submit_order("mkt", "PF_XBTUSD", "buy", D("0.1"))
    gone = _raises(e.OrderAlreadyFilled, "filled", maker.cancel_order, resting.order_id)
    assert isinstance(gone, e.OrderNotFound)


def test_request_level_errors_raise_their_mapped_exception(env: Env) -> None:
    account = env.new_account()
    alice = env.client(account)
    _raises(e.InvalidArgument, "requiredArgumentMissing", alice.submit_order, "lmt",
            "PF_XBTUSD", "buy", 1)
    _raises(e.NotFound, "contractNotFound", alice.submit_order, "lmt", "PF_NOPEUSD", "buy", 1,
            limit_price=1)
    _raises(e.NotFound, "contractNotFound", alice.get_order_book, "PF_NOPEUSD")
    missing = _raises(e.NotFound, "contractNotFound", alice.get_ticker, "PF_NOPEUSD")
    assert missing.http_status == 404
    wrong = env.client(account | {"api_secret": "c2VjcmV0"})  # someone else's secret
    _raises(e.AuthenticationError, "authenticationError", wrong.get_accounts)
    stranger = env.client(account | {"api_key": "nokey"})
    _raises(e.AuthenticationError, "authenticationError", stranger.get_open_orders)
    stuck = env.client(account, nonce=lambda: "1800000000000")  # the same nonce every time
    stuck.get_open_orders()
    _raises(e.NonceError, "nonceDuplicate", stuck.get_open_orders)
    _raises(e.InsufficientFunds, "insufficientFunds", alice.submit_wallet_transfer, "flex",
            "cash", "USD", 200_000)
    _raises(e.InvalidArgument, "invalidAccount", alice.submit_wallet_transfer, "flex", "nope",
            "USD", 1)
    assert alice.get_open_orders() == []
    assert alice.get_accounts().cash == {}


def test_a_client_side_limiter_keeps_within_the_servers_budget() -> None:
    """The limiter reads the server's (manual) clock, and its waits (the client's ``sleep``)
    move that clock: 21 cancelallorders (25 units each) never see apiLimitExceeded; with the
    default 5% margin 19 fit in the window (475 units) and the 20th waits 10 s."""
    app = create_app(Exchange(ManualClock(), IdGenerator(0)), ServerSettings(rate_limits=True))
    with environment("sync", app) as env:
        def server_ns() -> int:
            return int(env.admin_ok("GET", "/__admin/clock")["now_ms"]) * 1_000_000

        waits: list[float] = []

        def sleep(seconds: float) -> None:
            waits.append(seconds)
            env.advance(int(seconds * 1000))

        alice = env.trader(rate_limiter=RateLimiter(clock_ns=server_ns), sleep=sleep)
        statuses = {alice.cancel_all_orders().status for _ in range(21)}
        assert (statuses, waits) == ({"noOrdersToCancel"}, [10.0])


def test_the_servers_rate_limit_is_rate_limit_exceeded() -> None:
    app = create_app(Exchange(ManualClock(), IdGenerator(0)), ServerSettings(rate_limits=True))
    with environment("sync", app) as env:
        alice = env.trader()
        for _ in range(20):  # cancelallorders costs 25: twenty spend the 500-unit budget
            alice.cancel_all_orders()
        _raises(e.RateLimitExceeded, "apiLimitExceeded", alice.cancel_all_orders)
        env.advance(10_000)  # the window slides on the server's clock
        assert alice.cancel_all_orders().status == "noOrdersToCancel"
