"""client.FuturesClient and client.AsyncFuturesClient against a real server over real sockets:
order management, batch, the dead man's switch on the admin clock, and every read.

Each test runs twice (the `env` fixture): with the sync client, and with the async client
driven on a private event loop. A fresh `create_app()` per test under uvicorn on a free port:
manual clock at 2026-01-01T00:00Z, PF_XBTUSD mark 60,000, no makers. Accounts come from the
admin API (httpx directly; AdminClient is written separately). Other files (rejections,
funds, serve) reuse `Env` from here.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from integration.server import running_server

from client import AsyncFuturesClient, BatchCancel, BatchEdit, BatchSend, FuturesClient
from client.errors import InsufficientAvailableFunds, OrderNotFound
from mock_exchange.server.app import create_app

D = Decimal
T0 = datetime(2026, 1, 1, tzinfo=UTC)


class Blocking:
    """An AsyncFuturesClient whose coroutine methods run to completion on one event loop, so
    the scenarios below drive both clients through the same code."""

    def __init__(self, client: AsyncFuturesClient, loop: asyncio.AbstractEventLoop) -> None:
        self.client, self.loop = client, loop

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            out = attr(*args, **kwargs)
            return self.loop.run_until_complete(out) if inspect.iscoroutine(out) else out

        return call


class Env:
    """A running server, its admin API, and clients of one kind (sync or async)."""

    def __init__(self, base: str, kind: str, stack: contextlib.ExitStack) -> None:
        self.base, self.kind, self.stack = base, kind, stack
        self.admin = stack.enter_context(httpx.Client(base_url=base, timeout=10))
        self.loop = asyncio.new_event_loop()
        stack.callback(self.loop.close)

    def admin_ok(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self.admin.request(method, path, json=body or {})
        assert response.status_code == 200, response.text
        return response.json()

    def new_account(self, usd: int | str = 100_000, **extra: Any) -> dict[str, Any]:
        out: dict[str, Any] = self.admin_ok("POST", "/__admin/accounts",
                                            {"balances": {"USD": usd}} | extra)
        return out

    def client(self, account: dict[str, Any] | None = None, **options: Any) -> Any:
        """A client of this env's kind for `account` (None: no credentials)."""
        keys = (account["api_key"], account["api_secret"]) if account else (None, None)
        if self.kind == "sync":
            sync = FuturesClient(*keys, base_url=self.base, **options)
            self.stack.callback(sync.close)
            return sync
        made = AsyncFuturesClient(*keys, base_url=self.base, **options)
        self.stack.callback(lambda: self.loop.run_until_complete(made.aclose()))
        return Blocking(made, self.loop)

    def trader(self, usd: int | str = 100_000, **options: Any) -> Any:
        """A client (``options``: client options) for a new account holding ``usd``."""
        return self.client(self.new_account(usd), **options)

    def advance(self, ms: int) -> Any:
        return self.admin_ok("POST", "/__admin/clock", {"advance_ms": ms})


@contextlib.contextmanager
def environment(kind: str, app: Any = None) -> Iterator[Env]:
    with running_server(app or create_app()) as base, contextlib.ExitStack() as stack:
        yield Env(base, kind, stack)


@pytest.fixture(params=["sync", "async"])
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    with environment(request.param) as made:
        yield made


def test_an_order_from_placement_to_cancel(env: Env) -> None:
    alice = env.trader()
    cli = alice.generate_new_order_id()
    placed = alice.submit_order("lmt", "PF_XBTUSD", "buy", D("0.5"), limit_price=59000,
                                cli_ord_id=cli)
    assert (placed.status, placed.cli_ord_id, placed.received_time) == ("placed", cli, T0)
    (event,) = placed.order_events
    assert event.type == "PLACE" and event.order is not None
    assert (event.order.order_id, event.order.quantity, event.order.limit_price) == (
        placed.order_id, D("0.5"), D(59000))

    (resting,) = alice.get_open_orders()
    assert (resting.order_id, resting.cli_ord_id, resting.unfilled_size, resting.status) == (
        placed.order_id, cli, D("0.5"), "untouched")
    (status,) = alice.get_order_status(order_ids=[placed.order_id])
    assert (status.status, status.quantity, status.type) == ("ENTERED_BOOK", D("0.5"), "ORDER")
    assert [s.order_id for s in alice.get_order_status(cli_ord_ids=[cli])] == [placed.order_id]

    edited = alice.edit_order(placed.order_id, size=D("0.75"), limit_price=59500,
                              qty_mode="ABSOLUTE")
    (edit,) = edited.order_events
    assert edit.old is not None and edit.new is not None
    assert (edited.status, edit.old.quantity, edit.new.quantity, edit.new.limit_price) == (
        "edited", D("0.5"), D("0.75"), D(59500))
    assert alice.get_order_book("PF_XBTUSD").bids == [(D(59500), D("0.75"))]

    cancelled = alice.cancel_order(cli_ord_id=cli)
    assert (cancelled.status, [e.type for e in cancelled.order_events]) == (
        "cancelled", ["CANCEL"])
    assert alice.get_open_orders() == []
    with pytest.raises(OrderNotFound) as again:
        alice.cancel_order(placed.order_id)
    assert again.value.code == "notFound" and again.value.status.status == "notFound"
    with pytest.raises(OrderNotFound) as edit_gone:
        alice.edit_order(placed.order_id, size=1)
    assert edit_gone.value.code == "orderForEditNotFound"


def test_two_accounts_trade_and_every_read_shows_it(env: Env) -> None:
    maker, taker = env.trader(), env.trader()
    resting = maker.submit_order("lmt", "PF_XBTUSD", "sell", D("0.3"), limit_price=60000)
    bought = taker.submit_order("mkt", "PF_XBTUSD", "buy", D("0.2"))
    assert (bought.status, bought.filled_quantity) == ("placed", D("0.2"))
    (execution,) = bought.order_events
    assert (execution.type, execution.price, execution.amount) == ("EXECUTION", D(60000), D("0.2"))

    (taker_fill,) = taker.get_fills()
    (maker_fill,) = maker.get_fills()
    assert (taker_fill.side, taker_fill.size, taker_fill.price, taker_fill.fill_type) == (
        "buy", D("0.2"), D(60000), "taker")
    assert (maker_fill.order_id, maker_fill.fill_type, maker_fill.fill_id) == (
        resting.order_id, "maker", taker_fill.fill_id)
    (position,) = taker.get_open_positions()
    assert (position.symbol, position.side, position.size, position.price) == (
        "PF_XBTUSD", "long", D("0.2"), D(60000))
    assert [(p.side, p.size) for p in maker.get_open_positions()] == [("short", D("0.2"))]
    (partial,) = maker.get_open_orders()
    assert (partial.filled_size, partial.unfilled_size, partial.status) == (
        D("0.2"), D("0.1"), "partiallyFilled")

    accounts = taker.get_accounts()
    assert accounts.flex is not None and accounts.cash == {}
    fee = D("0.2") * 60000 * D("0.0005")
    assert accounts.flex.currencies["USD"].quantity == 100_000 - fee
    assert accounts.flex.initial_margin == D("0.2") * 60000 * D("0.02")

    public = env.client()  # no credentials: public reads only
    (trade,) = public.get_trade_history("PF_XBTUSD")
    assert (trade.price, trade.size, trade.side, trade.type) == (D(60000), D("0.2"), "buy", "fill")
    ticker = public.get_ticker("PF_XBTUSD")
    assert (ticker.last, ticker.ask, ticker.ask_size, ticker.mark_price) == (
        D(60000), D(60000), D("0.1"), D(60000))
    assert ticker in public.get_tickers()
    assert public.get_order_book("PF_XBTUSD").asks == [(D(60000), D("0.1"))]
    symbols = {i.symbol: i for i in public.get_instruments()}
    assert symbols["PF_XBTUSD"].tick_size == D(1) and symbols["PF_XBTUSD"].tradeable
    assert taker.get_fills(last_fill_time=T0) == []  # only fills before that time
    assert public.get_trade_history("PF_XBTUSD", last_time=T0) == []


def test_all_eight_order_types_with_their_parameters(env: Env) -> None:
    maker, alice = env.trader(), env.trader()
    maker.submit_order("lmt", "PF_XBTUSD", "sell", 1, limit_price=60000)
    assert alice.submit_order("lmt", "PF_XBTUSD", "buy", D("0.1"),
                              limit_price=59000).status == "placed"
    assert alice.submit_order("post", "PF_XBTUSD", "buy", D("0.1"),
                              limit_price=59001).status == "placed"
    ioc = alice.submit_order("ioc", "PF_XBTUSD", "buy", D("0.1"), limit_price=60000)
    fok = alice.submit_order("fok", "PF_XBTUSD", "buy", D("0.1"), limit_price=60000)
    mkt = alice.submit_order("mkt", "PF_XBTUSD", "buy", D("0.1"))
    assert [o.filled_quantity for o in (ioc, fok, mkt)] == [D("0.1")] * 3
    stop = alice.submit_order("stp", "PF_XBTUSD", "buy", D("0.1"), stop_price=61000,
                              limit_price=61500, trigger_signal="mark", reduce_only=False)
    take = alice.submit_order("take_profit", "PF_XBTUSD", "sell", D("0.1"), stop_price=62000,
                              trigger_signal="last", reduce_only=True)
    trailing = alice.submit_order(
        "trailing_stop", "PF_XBTUSD", "sell", D("0.1"), trigger_signal="mark",
        trailing_stop_max_deviation=D("1.5"), trailing_stop_deviation_unit="PERCENT")
    offset = alice.submit_order("stp", "PF_XBTUSD", "sell", D("0.1"), stop_price=58000,
                                limit_price_offset_value=100,
                                limit_price_offset_unit="QUOTE_CURRENCY")
    triggers = {o.order_id: o for o in alice.get_open_orders() if o.stop_price is not None}
    assert set(triggers) == {stop.order_id, take.order_id, trailing.order_id, offset.order_id}
    assert (triggers[stop.order_id].stop_price, triggers[stop.order_id].limit_price,
            triggers[stop.order_id].trigger_signal) == (D(61000), D(61500), "mark")
    assert triggers[take.order_id].reduce_only is True
    assert triggers[trailing.order_id].stop_price == D(60000) * (1 - D("0.015"))
    (cached,) = alice.get_order_status(order_ids=[stop.order_id])
    assert (cached.type, cached.status, cached.trigger_price, cached.trigger_side,
            cached.trigger_signal) == (
        "TRIGGER_ORDER", "TRIGGER_PLACED", D(61000), "TRIGGER_ABOVE", "MARK_PRICE")
    placed = stop.order_events[0].order_trigger
    assert placed is not None and placed.trigger_side == "trigger_above"
    (moved,) = alice.edit_order(stop.order_id, stop_price=61200).order_events
    assert moved.old_trigger is not None and moved.new_trigger is not None
    assert (moved.type, moved.old_trigger.trigger_price, moved.new_trigger.trigger_price) == (
        "EDIT", D(61000), D(61200))


def test_batch_sends_edits_and_cancels_with_per_instruction_results(env: Env) -> None:
    alice = env.trader()
    first = alice.submit_order("lmt", "PF_XBTUSD", "buy", D("0.1"), limit_price=58000,
                               cli_ord_id="first")
    results = alice.batch_order_management([
        BatchSend("a", "lmt", "PF_XBTUSD", "buy", D("0.2"), limit_price=57000, cli_ord_id="b1"),
        BatchSend("b", "lmt", "PF_XBTUSD", "buy", D("1000"), limit_price=57000),
        BatchEdit(order_id=first.order_id, limit_price=58100),
        BatchCancel(cli_ord_id="nobody"),
        BatchCancel(cli_ord_id="b1"),
    ])
    assert [(r.status, r.order_tag) for r in results] == [
        ("placed", "a"), ("insufficientAvailableFunds", "b"), ("edited", None),
        ("notFound", None), ("cancelled", None)]
    assert [r.ok for r in results] == [True, False, True, False, True]
    assert isinstance(results[1].error(), InsufficientAvailableFunds)
    assert isinstance(results[3].error(), OrderNotFound)
    (left,) = alice.get_open_orders()
    assert (left.order_id, left.limit_price) == (first.order_id, D(58100))


def test_dead_mans_switch_fires_on_the_admin_clock(env: Env) -> None:
    alice = env.trader()
    alice.submit_order("lmt", "PF_XBTUSD", "buy", D("0.1"), limit_price=59000)
    armed = alice.cancel_all_orders_after(60)
    assert (armed.current_time, armed.trigger_time) == (T0, datetime(2026, 1, 1, 0, 1, tzinfo=UTC))
    env.advance(59_000)
    assert len(alice.get_open_orders()) == 1
    env.advance(1_000)
    assert alice.get_open_orders() == []
    (status,) = alice.get_order_status()
    assert (status.status, status.update_reason) == ("CANCELLED", "DEAD_MAN_SWITCH")

    alice.submit_order("lmt", "PF_XBTUSD", "buy", D("0.1"), limit_price=59000)
    alice.cancel_all_orders_after(30)
    assert alice.cancel_all_orders_after(0).trigger_time is None  # disarmed
    env.advance(60_000)
    assert len(alice.get_open_orders()) == 1


def test_cancel_all_by_symbol_and_when_nothing_is_open(env: Env) -> None:
    alice = env.trader()
    xbt = alice.submit_order("lmt", "PF_XBTUSD", "buy", D("0.1"), limit_price=59000)
    eth = alice.submit_order("lmt", "PF_ETHUSD", "buy", 1, limit_price=1000)
    only_xbt = alice.cancel_all_orders("PF_XBTUSD")
    assert (only_xbt.status, only_xbt.cancel_only) == ("cancelled", "PF_XBTUSD")
    assert [o.order_id for o in only_xbt.cancelled_orders] == [xbt.order_id]
    assert [o.order_id for o in alice.get_open_orders()] == [eth.order_id]
    assert alice.cancel_all_orders().cancelled_orders[0].order_id == eth.order_id
    nothing = alice.cancel_all_orders()
    assert (nothing.status, nothing.cancelled_orders) == ("noOrdersToCancel", [])
