"""fills, book, trade, balances, positions, account log and ticker in process: a hub attached
to a fresh exchange, connections whose outboxes are read directly. Exact messages."""

from __future__ import annotations

from collections.abc import Container

from ws_support import T0, Json, Tap, got

from mock_exchange.engine.events import Event
from mock_exchange.protocol.feeds import Message
from mock_exchange.server.hub import Connection

Triples = list[tuple[str, str, Message]]


def test_fills_snapshot_and_deltas(tap: Tap) -> None:
    alice, bob = tap.h.account("alice"), tap.h.account("bob")
    tap.h.place(alice, "buy", "lmt", "1", 59000, cli_ord_id="a1")
    tap.h.place(bob, "sell", "ioc", "0.4", 59000)
    conn = tap.watch(alice, "fills")
    (snap,) = got(conn)
    assert snap["feed"] == "fills_snapshot" and snap["account"] == alice
    (first,) = snap["fills"]
    assert (
        first["seq"],
        first["qty"],
        first["remaining_order_qty"],
        first["fill_type"],
        first["buy"],
        first["cli_ord_id"],
        first["fee_currency"],
    ) == (0, 0.4, 0.6, "maker", True, "a1", "USD")
    tap.h.place(bob, "sell", "ioc", "0.6", 59000)
    (delta,) = got(conn)
    assert delta["feed"] == "fills" and delta["username"] == alice
    (fill,) = delta["fills"]
    assert (
        fill["seq"],
        fill["qty"],
        fill["remaining_order_qty"],
        fill["taker_order_type"],
        fill["order_type"],
        fill["price"],
    ) == (1, 0.6, 0.0, "ioc", "lmt", 59000.0)


def test_book_snapshot_then_contiguous_deltas(tap: Tap) -> None:
    alice, bob = tap.h.account("alice"), tap.h.account("bob")
    tap.h.place(alice, "buy", "lmt", "1", 59000)
    conn = tap.watch("PF_XBTUSD", "book")
    (snap,) = got(conn)
    assert (snap["feed"], snap["tickSize"], snap["bids"], snap["asks"]) == (
        "book_snapshot",
        None,
        [{"price": 59000.0, "qty": 1.0}],
        [],
    )
    tap.h.place(alice, "buy", "lmt", "2", 59000)
    tap.h.place(bob, "sell", "ioc", "3", 59000)
    deltas = got(conn)
    assert [(d["seq"], d["side"], d["price"], d["qty"]) for d in deltas] == [
        (snap["seq"] + 1, "buy", 59000.0, 3.0),
        (snap["seq"] + 2, "buy", 59000.0, 0.0),
    ]


def test_trade_snapshot_newest_first_and_delta(tap: Tap) -> None:
    alice, bob = tap.h.account("alice"), tap.h.account("bob")
    tap.h.place(alice, "buy", "lmt", "1", 59000)
    tap.h.place(bob, "sell", "ioc", "0.1", 59000)
    tap.h.place(bob, "sell", "ioc", "0.2", 59000)
    conn = tap.watch("PF_XBTUSD", "trade")
    (snap,) = got(conn)
    assert [t["qty"] for t in snap["trades"]] == [0.2, 0.1]
    assert [t["seq"] for t in snap["trades"]] == [2, 1]
    tap.h.place(bob, "sell", "ioc", "0.3", 59000)
    (delta,) = got(conn)
    assert {k: delta[k] for k in ("feed", "side", "type", "seq", "qty", "price")} == {
        "feed": "trade",
        "side": "sell",
        "type": "fill",
        "seq": 3,
        "qty": 0.3,
        "price": 59000.0,
    }


def test_balances_positions_and_account_log(tap: Tap) -> None:
    alice, bob = tap.h.account("alice"), tap.h.account("bob")
    conn = tap.watch(alice, "balances", "open_positions", "account_log")
    snap_b, snap_p, snap_l = got(conn)
    assert (snap_b["feed"], snap_b["seq"]) == ("balances_snapshot", 0)
    assert snap_b["flex_futures"]["currencies"]["USD"]["quantity"] == 100_000.0
    assert snap_p == {
        "feed": "open_positions",
        "account": alice,
        "positions": [],
        "seq": 0,
        "timestamp": T0,
    }
    assert snap_l["feed"] == "account_log_snapshot"
    (deposit,) = snap_l["logs"]
    assert (deposit["info"], deposit["asset"], deposit["new_balance"]) == (
        "admin transfer",
        "usd",
        100_000.0,
    )
    tap.h.place(bob, "sell", "lmt", "1", 60000)
    tap.h.place(alice, "buy", "mkt", "1")
    feeds = [m["feed"] for m in got(conn)]
    assert feeds == ["account_log", "account_log", "balances", "open_positions"]
    assert _position(tap, conn, alice)["balance"] == 1.0


def _position(tap: Tap, conn: Connection, account: str) -> Json:
    tap.h.prices(mark=60500)
    (message,) = [m for m in got(conn) if m["feed"] == "open_positions"]
    (row,) = message["positions"]
    assert (row["pnl"], row["mark_price"], row["entry_price"]) == (500.0, 60500.0, 60000.0)
    return dict(row)


def test_ticker_fields(tap: Tap) -> None:
    tap.h.place(tap.h.account("alice"), "buy", "lmt", "1", 59000)
    ticker = tap.hub.ticker("ticker", "PF_XBTUSD")
    assert (
        ticker["feed"],
        ticker["bid"],
        ticker["bid_size"],
        ticker["ask"],
        ticker["tag"],
        ticker["pair"],
        ticker["markPrice"],
        ticker["leverage"],
        ticker["dtm"],
    ) == ("ticker", 59000.0, 1.0, 0.0, "perpetual", "XBT:USD", 60000.0, "50x", 0)
    assert ticker["next_funding_rate_time"] == T0 + 3_600_000
    lite = tap.hub.ticker("ticker_lite", "PF_XBTUSD")
    assert set(lite) == {
        "feed",
        "product_id",
        "bid",
        "ask",
        "change",
        "premium",
        "volume",
        "tag",
        "pair",
        "dtm",
        "maturityTime",
        "volumeQuote",
    }


PRIVATE = ("open_orders", "open_orders_verbose", "fills", "account_log")


def _trading(tap: Tap, alice: str, bob: str, price: int) -> None:
    """Rests, fills (maker and taker, partial and full), edits, cancels and refusals."""
    rest = tap.h.place(alice, "buy", "lmt", "1", price, cli_ord_id=f"a{price}").order_id
    assert rest is not None
    tap.h.place(bob, "sell", "ioc", "0.4", price)
    tap.h.edit(alice, rest, limit_price=price - 10)
    tap.h.place(alice, "buy", "ioc", "0.1", price - 2000)  # nothing to match: refused
    tap.h.place(bob, "buy", "lmt", "0.2", price + 1000)
    tap.h.place(alice, "sell", "mkt", "0.2")
    tap.h.cancel(alice, rest)
    tap.h.prices(mark=price + 100)


def test_a_late_subscriber_gets_what_an_early_one_has(tap: Tap) -> None:
    """Nobody watching renders nothing, yet the kept records let a late subscriber see the same
    snapshots as a subscriber from the start (which gets a fresh one now) and the same deltas."""
    alice, bob = tap.h.account("alice"), tap.h.account("bob")
    early = tap.watch(alice, *PRIVATE)
    early_start = got(early)
    _trading(tap, alice, bob, 59000)
    tap.h.place(alice, "buy", "lmt", "0.3", 57000)
    early_deltas = got(early)
    late = tap.watch(alice, *PRIVATE)
    snapshots = got(late)
    for feed in PRIVATE:
        early.send(*tap.hub.initial(early, feed, alice))
    assert got(early) == snapshots
    assert [[o["qty"] for o in m["orders"]] for m in snapshots[:2]] == [[0.3], [0.3]]
    fills, logs = snapshots[2]["fills"], snapshots[3]["logs"]
    assert fills == [f for m in early_deltas if m["feed"] == "fills" for f in m["fills"]]
    assert [f["seq"] for f in fills] == [0, 1]
    new_entries = [m["new_entry"] for m in early_deltas if m["feed"] == "account_log"]
    assert logs == list(reversed(early_start[3]["logs"] + new_entries))
    assert [e["id"] for e in logs] == [5, 4, 3, 2, 1]
    _trading(tap, alice, bob, 58000)
    after = got(late)
    assert after == got(early) and {m["feed"] for m in after} == set(PRIVATE)
    assert [f["seq"] for m in after if m["feed"] == "fills" for f in m["fills"]] == [2, 3]


def test_the_private_feeds_render_only_watched_pairs(tap: Tap) -> None:
    alice, bob = tap.h.account("alice"), tap.h.account("bob")
    rendered: list[tuple[str, str]] = []
    on_event = tap.hub.private.on_event

    def spy(event: Event, watched: Container[tuple[str, str]]) -> Triples:
        out = on_event(event, watched)
        rendered.extend((feed, account) for feed, account, _ in out)
        return out

    tap.hub.private.on_event = spy  # type: ignore[method-assign]
    tap.watch(bob, "fills")
    _trading(tap, alice, bob, 59000)
    assert rendered == [("fills", bob)] * 2  # bob's two fills; nothing of alice's
