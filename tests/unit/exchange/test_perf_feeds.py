"""The order path's shortcuts change no answer: feeds nobody watches, the REST yield, views.

- Public `book` and `trade` messages are only rendered for watched products, yet a subscriber
  who arrives late gets the very snapshot and sequence numbers a subscriber present from the
  start sees, and the same deltas afterwards.
- `Hub.queued` / `take_queued` say exactly whether a command queued a message.
- `http.submit` lets the connection writers woken by a command run before the handler goes on.
- `OrderView.with_filled` equals `dataclasses.replace(view, filled=...)` for every field.
- The path `authenticate` checks the signature over is `request.url.path`, built cheaper.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import fields, replace
from decimal import Decimal as D

from starlette.requests import Request
from ws_support import Tap, got

from mock_exchange.engine import commands as c
from mock_exchange.engine.events import Event
from mock_exchange.engine.types import (
    DeviationUnit,
    LimitOffset,
    OrderType,
    OrderView,
    Side,
    Trailing,
    TriggerSide,
    TriggerSignal,
)
from mock_exchange.protocol.feeds_public import PublicFeeds
from mock_exchange.server.http import _path, submit


def _trade_some(tap: Tap, alice: str, bob: str) -> None:
    tap.h.place(alice, "buy", "lmt", "1", 59000)
    tap.h.place(alice, "buy", "lmt", "2", 58990)
    tap.h.place(bob, "sell", "ioc", "1.5", 58990)
    tap.h.place(bob, "sell", "lmt", "0.7", 59010)
    order = tap.h.place(alice, "buy", "lmt", "0.2", 58000).order_id or ""
    tap.h.cancel(alice, order)
    tap.h.place(alice, "buy", "mkt", "0.3")


def test_a_late_subscriber_sees_what_an_early_one_saw() -> None:
    early, late = Tap(), Tap()
    try:
        names = [(t.h.account("alice"), t.h.account("bob")) for t in (early, late)]
        watcher = early.watch("PF_XBTUSD", "book", "trade")
        first_book, first_trades = got(watcher)
        for tap, (alice, bob) in zip((early, late), names, strict=True):
            _trade_some(tap, alice, bob)
        deltas = got(watcher)
        trades = [d for d in deltas if d["feed"] == "trade"]
        assert [(t["seq"], t["qty"], t["price"]) for t in trades] == [
            (1, 1.0, 59000.0), (2, 0.5, 58990.0), (3, 0.3, 59010.0)
        ]
        book_seqs = [d["seq"] for d in deltas if d["feed"] == "book"]
        assert book_seqs == list(range(first_book["seq"] + 1, first_book["seq"] + 9))
        again = early.watch("PF_XBTUSD", "book", "trade")
        newcomer = late.watch("PF_XBTUSD", "book", "trade")
        early_snaps, late_snaps = got(again), got(newcomer)
        assert late_snaps == early_snaps
        assert early_snaps[1]["trades"] == list(reversed(trades)) + first_trades["trades"]
        for tap, (_, bob) in zip((early, late), names, strict=True):
            tap.h.place(bob, "sell", "lmt", "0.1", 59000)
        assert got(again) == got(newcomer) == [
            {
                "feed": "book",
                "product_id": "PF_XBTUSD",
                "side": "sell",
                "seq": book_seqs[-1] + 1,
                "price": 59000.0,
                "qty": 0.1,
                "timestamp": early.h.ex.now,
            }
        ]
    finally:
        early.close()
        late.close()


def test_unwatched_public_feeds_build_no_message_but_keep_count() -> None:
    tap = Tap()
    try:
        alice, bob = tap.h.account("alice"), tap.h.account("bob")
        watched_only_eth = PublicFeeds(tap.h.ex.markets)
        rendered: list[object] = []
        watched = {("book", "PF_ETHUSD"), ("trade", "PF_ETHUSD")}

        def follow(events: Sequence[Event]) -> None:
            for event in events:
                rendered.extend(watched_only_eth.on_event(event, tap.h.ex.markets, watched))

        tap.h.ex.subscribe(follow)
        _trade_some(tap, alice, bob)
        assert rendered == []
        assert watched_only_eth.books["PF_XBTUSD"].seq == 8
        assert tap.hub.public.books["PF_XBTUSD"].seq == 8
        assert watched_only_eth.tapes["PF_XBTUSD"].seq == 3
        assert watched_only_eth.tapes["PF_XBTUSD"].seq == tap.hub.public.tapes["PF_XBTUSD"].seq
        assert watched_only_eth.books["PF_XBTUSD"].published == (
            tap.hub.public.books["PF_XBTUSD"].published
        )
    finally:
        tap.close()


def test_take_queued_reports_exactly_whether_a_message_was_queued() -> None:
    tap = Tap()
    try:
        alice, bob = tap.h.account("alice"), tap.h.account("bob")
        tap.hub.take_queued()
        tap.h.place(bob, "buy", "lmt", "1", 59000)
        assert tap.hub.take_queued() is False  # nobody watches anything
        conn = tap.watch(alice, "open_orders")
        got(conn)
        tap.h.place(bob, "buy", "lmt", "1", 59000)
        assert tap.hub.take_queued() is False  # bob's order is not alice's business
        tap.h.place(alice, "buy", "lmt", "1", 58000)
        assert tap.hub.take_queued() is True
        assert tap.hub.take_queued() is False
        assert [m["reason"] for m in got(conn)] == ["new_placed_order_by_user"]
    finally:
        tap.close()


def test_submit_lets_woken_writers_send_before_the_handler_goes_on() -> None:
    tap = Tap()
    try:
        alice = tap.h.account("alice")
        conn = tap.watch(alice, "open_orders")
        got(conn)
        order: list[str] = []

        async def writer() -> None:
            text = await conn.outbox.get()
            assert text is not None
            order.append(json.loads(text)["reason"])

        async def handler() -> None:
            task = asyncio.create_task(writer())
            await asyncio.sleep(0)  # the writer now waits on its outbox
            command = c.PlaceOrder(alice, "PF_XBTUSD", Side.BUY, OrderType.LMT, D(1), D(59000))
            outcome = await submit(tap.state, command)
            order.append("handler" if outcome.ok else "refused")
            await task

        tap.loop.run_until_complete(handler())
        assert order == ["new_placed_order_by_user", "handler"]
    finally:
        tap.close()


def test_with_filled_is_replace_for_every_field() -> None:
    view = OrderView(
        "o1", "a1", "PF_XBTUSD", Side.SELL, OrderType.TRAILING_STOP, D("2.5"), D("0.5"),
        D(59000), D(58000), 11, 22, "cli", True, TriggerSignal.LAST, TriggerSide.BELOW,
        Trailing(D(1), DeviationUnit.PERCENT), LimitOffset(D(5), DeviationUnit.QUOTE_CURRENCY),
    )
    assert all(getattr(view, f.name) != f.default for f in fields(OrderView))
    assert view.with_filled(D("1.25")) == replace(view, filled=D("1.25"))
    assert view.with_filled(D("1.25")).filled == D("1.25")


def test_the_signed_path_is_the_url_path() -> None:
    for raw in ("/derivatives/api/v3/sendorder", "/api/v3/x?y#z\\w", "/a%3Fb", "/é/ü"):
        scope = {
            "type": "http",
            "path": raw,
            "query_string": b"symbol=PF_XBTUSD",
            "headers": [(b"host", b"127.0.0.1:8080")],
            "scheme": "http",
            "server": ("127.0.0.1", 8080),
        }
        request = Request(scope)
        assert _path(request) == request.url.path, raw
