"""client.ws_messages against the golden JSON examples of shared/reference/kraken-futures-ws.md
and the open_orders seed: every public and private feed and every control event parses into
its dataclass with exact Decimal numbers; wrong shapes raise a MessageFormatError naming the
field."""

from __future__ import annotations

from decimal import Decimal

import pytest

from client.ws_messages import (
    AccountLog,
    Alert,
    Balances,
    BookLevel,
    BookSnapshot,
    BookUpdate,
    ChallengeIssued,
    ErrorEvent,
    FillsMessage,
    Heartbeat,
    Info,
    MessageFormatError,
    Notifications,
    OpenOrdersSnapshot,
    OpenOrdersUpdate,
    OpenPositions,
    SubscriptionEvent,
    Ticker,
    TickerLite,
    Trade,
    TradeSnapshot,
    UnknownMessage,
    parse_frame,
    parse_message,
)

D = Decimal

SEED_SNAPSHOT = """{"feed":"open_orders_snapshot","account":"e258dba9-4dd4-4da5-bfef-75beb91c098e",
"orders":[{"instrument":"PF_XBTUSD","time":1612275024153,"last_update_time":1612275024153,
"qty":1000,"filled":0,"limit_price":34900,"stop_price":13789,"type":"stop",
"order_id":"723ba95f-13b7-418b-8fcf-ab7ba6620555","direction":1,"reduce_only":false,
"triggerSignal":"last"},
{"instrument":"PF_XBTUSD","time":1612275024153,"last_update_time":1612275178153,"qty":12,
"filled":0,"stop_price":3200.1,"type":"trailing_stop",
"order_id":"59302619-41d2-4f0b-941f-7e7914760ad3","direction":1,"reduce_only":false,
"triggerSignal":"mark","trailing_stop_options":{"max_deviation":20.0,"unit":"percent"}},
{"instrument":"PF_XBTUSD","time":1612275209430,"last_update_time":1612275209430,"qty":1000,
"filled":0,"limit_price":35058,"stop_price":0,"type":"limit",
"order_id":"7a2f793e-26f3-4987-a938-56d296a11560","direction":1,"reduce_only":false}]}"""

SEED_DELTA = """{"feed":"open_orders","order":{"instrument":"PF_XBTUSD","time":1567702877410,
"last_update_time":1567702877410,"qty":304.0,"filled":0.0,"limit_price":10640.0,
"stop_price":0.0,"type":"limit","order_id":"59302619-41d2-4f0b-941f-7e7914760ad3",
"direction":1,"reduce_only":true},"is_cancel":false,"reason":"new_placed_order_by_user"}"""

PARTIAL = """{"feed":"open_orders","order":{"instrument":"PF_SOLUSD","time":1748434591319,
"last_update_time":1748434597999,"qty":0.8600000000000001,"filled":0.14,"limit_price":174.6,
"stop_price":0.0,"type":"limit","order_id":"9f04ea45-da4d-45a1-a40c-8ca38151ab03",
"cli_ord_id":"pQAFV5WVrB0AAQAAAAAA","direction":1,"reduce_only":false},
"is_cancel":false,"reason":"partial_fill"}"""

ID_ONLY = """{"feed":"open_orders","order_id":"f18e006d-c95e-4d89-b470-4402949d5a15",
"cli_ord_id":"QAAF6QMAAQAA7DBK5YoQ","is_cancel":true,"reason":"cancelled_by_user"}"""

TICKER = """{"time":1790359997224,"product_id":"PF_XBTUSD","funding_rate":0.912482213835,
"funding_rate_prediction":1.3232500286425,"relative_funding_rate":0.00001089345,
"relative_funding_rate_prediction":0.00001575425,"next_funding_rate_time":1790362800000,
"leverage":"100x","premium":0.0,"feed":"ticker","bid":84001.0,"ask":84002.0,"bid_size":0.0273,
"ask_size":0.006,"volume":4237.2723,"dtm":0,"index":83995.76,"last":83997.0,"change":-0.22,
"suspended":false,"tag":"perpetual","pair":"XBT:USD","openInterest":2189.7813,
"markPrice":84004.11362574516,"maturityTime":0,"post_only":false,"volumeQuote":356641614.007,
"open":84180.0,"high":84650.0,"low":83700.0}"""

TICKER_LITE = """{"feed":"ticker_lite","product_id":"PI_XBTUSD","bid":34932,"ask":34949.5,
"change":3.3705205220015966,"premium":0.1,"volume":264126741,"tag":"perpetual",
"pair":"XBT:USD","dtm":0,"maturityTime":0,"volumeQuote":264126741}"""

BOOK_SNAPSHOT = """{"feed":"book_snapshot","product_id":"PF_XBTUSD","timestamp":1790359964969,
"seq":115335794,"tickSize":null,"bids":[{"price":83998.0,"qty":0.0371},
{"price":83996.0,"qty":0.0235}],"asks":[{"price":83999.0,"qty":0.04},{"price":84001.0,"qty":0.05}]}"""

BOOK_DELTA = """{"feed":"book","product_id":"PF_XBTUSD","side":"sell","seq":115335795,
"price":83999.0,"qty":0.0,"timestamp":1790359997729}"""

TRADE_SNAPSHOT = """{"feed":"trade_snapshot","product_id":"PF_XBTUSD","trades":[
{"feed":"trade","product_id":"PF_XBTUSD","uid":"1893f0aa-0084-4289-b02f-67444b325728",
"side":"sell","type":"fill","seq":421131,"time":1790359963339,"qty":0.0001,"price":83999.0},
{"feed":"trade","product_id":"PF_XBTUSD","uid":"26ec9b3a-0cf1-41c0-8ac3-72ab82f97c61",
"side":"sell","type":"fill","seq":421130,"time":1790359961107,"qty":0.0003,"price":84002.0}]}"""

FILLS_SNAPSHOT = """{"feed":"fills_snapshot","account":"bdb7a134-386a-45c0-b8e5-76a75537df4c",
"fills":[{"instrument":"PI_XBTUSD","time":1627876320033,"price":40065.0,"seq":0,"buy":true,
"qty":1.0,"order_id":"f109eb54-a223-4503-99c5-00f053b9411e","cli_ord_id":"egAF6gMAAQAAyEmOD8AQ",
"fill_id":"8a5a6c01-926b-4ddd-9017-084df7ca4510","fill_type":"maker","fee_paid":5e-9,
"fee_currency":"BTC"}]}"""

FILLS_DELTA = """{"feed":"fills","username":"6a70e882-4405-4dc5-9c49-010ddf2a6746","fills":[
{"instrument":"PF_ETHUSD","time":1765185437003,"price":3162.0,"seq":1,"buy":true,"qty":0.001,
"remaining_order_qty":0.0,"order_id":"a08aed17-f1a6-4db6-876c-2de5df84951c",
"cli_ord_id":"b661bad0-7037-4b73-9e07-a65b515e4ef7",
"fill_id":"6a22a3fb-e18e-4e76-b841-8689735c9158","fill_type":"taker","fee_paid":0.001581,
"fee_currency":"USD","taker_order_type":"market","order_type":"market"}]}"""

POSITIONS = """{"feed":"open_positions","account":"3b111acc-4fcc-45be-a622-57e611fe9f7f",
"positions":[{"instrument":"PF_LTCUSD","balance":0.5,"pnl":-0.8628305877699987,
"entry_price":70.53,"mark_price":68.80433882446,"index_price":68.8091,
"liquidation_threshold":0,"effective_leverage":0.007028866753648637,
"return_on_equity":-1.2233525985679834,"unrealized_funding":0.0000690610530935388,
"initial_margin":0.7053,"initial_margin_with_orders":0.7053,"maintenance_margin":0.35265,
"pnl_currency":"USD"}],"seq":0,"timestamp":1698608414910}"""

BALANCES = """{"feed":"balances_snapshot","account":"4a012c31-df95-484a-9473-d51e4a0c4ae7",
"holding":{"USD":5000.0,"XBT":0.1285407184},
"futures":{"F-XBT:USD":{"name":"F-XBT:USD","pair":"XBT/USD","unit":"XBT","portfolio_value":0.0,
"balance":0.0,"maintenance_margin":0.0,"initial_margin":0.0,"available":0.0,
"unrealized_funding":0.0,"pnl":0.0}},
"flex_futures":{"currencies":{"USD":{"quantity":5000.0,"value":5000.0,"collateral_value":5000.0,
"available":5000.0,"haircut":0.0,"conversion_spread":0.0}},"balance_value":5000.0,
"portfolio_value":5000.0,"collateral_value":5000.0,"initial_margin":0.0,
"initial_margin_without_orders":0.0,"maintenance_margin":0.0,"pnl":0.0,"unrealized_funding":0.0,
"total_unrealized":0.0,"total_unrealized_as_margin":0.0,"margin_equity":5000.0,
"available_margin":5000.0,"isolated":{},"cross":{"balance_value":5000.0,"portfolio_value":5000.0,
"collateral_value":5000.0,"initial_margin":0.0,"initial_margin_without_orders":0.0,
"maintenance_margin":0.0,"pnl":0.0,"unrealized_funding":0.0,"total_unrealized":0.0,
"total_unrealized_as_margin":0.0,"margin_equity":5000.0,"available_margin":5000.0,
"effective_leverage":0.0}},"timestamp":1640995200000,"seq":0}"""

NOTIFICATIONS = """{"feed":"notifications_auth","notifications":[{"id":5,"type":"market",
"priority":"low","note":"A note describing the notification.","effective_time":1520288300000}]}"""


def test_open_orders_snapshot_of_the_seed() -> None:
    snap = parse_frame(SEED_SNAPSHOT)
    assert isinstance(snap, OpenOrdersSnapshot)
    assert (snap.feed, snap.account) == ("open_orders", "e258dba9-4dd4-4da5-bfef-75beb91c098e")
    stop, trailing, limit = snap.orders
    assert (stop.type, stop.qty, stop.limit_price, stop.stop_price) == (
        "stop", D(1000), D(34900), D(13789))
    assert (stop.trigger_signal, stop.side, stop.size) == ("last", "sell", D(1000))
    assert trailing.limit_price is None and trailing.stop_price == D("3200.1")
    assert trailing.trailing_stop_options is not None
    assert trailing.trailing_stop_options.max_deviation == D("20.0")
    assert trailing.trailing_stop_options.unit == "percent"
    assert trailing.last_update_time == 1612275178153
    assert (limit.type, limit.stop_price, limit.trigger_signal) == ("limit", D(0), None)


def test_open_orders_full_body_and_id_only_deltas() -> None:
    new = parse_frame(SEED_DELTA)
    assert isinstance(new, OpenOrdersUpdate) and new.order is not None
    assert (new.reason, new.is_cancel, new.order_id) == (
        "new_placed_order_by_user", False, "59302619-41d2-4f0b-941f-7e7914760ad3")
    assert (new.order.qty, new.order.reduce_only, new.order.direction) == (D("304.0"), True, 1)
    partial = parse_frame(PARTIAL)
    assert isinstance(partial, OpenOrdersUpdate) and partial.order is not None
    assert partial.order.qty == D("0.8600000000000001")  # the wire's text, exactly
    assert partial.order.filled == D("0.14")
    assert partial.order.size == D("1.0000000000000001")
    assert partial.cli_ord_id == "pQAFV5WVrB0AAQAAAAAA"
    gone = parse_frame(ID_ONLY)
    assert gone == OpenOrdersUpdate(
        "open_orders", "f18e006d-c95e-4d89-b470-4402949d5a15", "QAAF6QMAAQAA7DBK5YoQ",
        True, "cancelled_by_user", None)


def test_verbose_feed_keeps_its_name() -> None:
    text = SEED_DELTA.replace('"feed":"open_orders"', '"feed":"open_orders_verbose"')
    update = parse_frame(text)
    assert isinstance(update, OpenOrdersUpdate) and update.feed == "open_orders_verbose"
    verbose = SEED_SNAPSHOT.replace("open_orders_snapshot", "open_orders_verbose_snapshot")
    snap = parse_frame(verbose)
    assert isinstance(snap, OpenOrdersSnapshot) and snap.feed == "open_orders_verbose"


def test_ticker_and_ticker_lite() -> None:
    t = parse_frame(TICKER)
    assert isinstance(t, Ticker)
    assert (t.product_id, t.time, t.bid, t.ask, t.bid_size) == (
        "PF_XBTUSD", 1790359997224, D("84001.0"), D("84002.0"), D("0.0273"))
    assert t.mark_price == D("84004.11362574516") and t.open_interest == D("2189.7813")
    assert t.next_funding_rate_time == 1790362800000 and t.change == D("-0.22")
    assert (t.leverage, t.tag, t.suspended, t.post_only) == ("100x", "perpetual", False, False)
    assert (t.open, t.high, t.low, t.volume_quote) == (
        D("84180.0"), D("84650.0"), D("83700.0"), D("356641614.007"))
    lite = parse_frame(TICKER_LITE)
    assert isinstance(lite, TickerLite)
    assert (lite.bid, lite.ask, lite.volume, lite.dtm) == (D(34932), D("34949.5"), D(264126741), 0)


def test_book_snapshot_and_delta() -> None:
    snap = parse_frame(BOOK_SNAPSHOT)
    assert isinstance(snap, BookSnapshot) and snap.seq == 115335794
    assert snap.bids == (BookLevel(D("83998.0"), D("0.0371")), BookLevel(D("83996.0"), D("0.0235")))
    assert snap.asks[0] == BookLevel(D("83999.0"), D("0.04"))
    delta = parse_frame(BOOK_DELTA)
    assert delta == BookUpdate("PF_XBTUSD", "sell", 115335795, D("83999.0"), D("0.0"),
                               1790359997729)


def test_trades() -> None:
    snap = parse_frame(TRADE_SNAPSHOT)
    assert isinstance(snap, TradeSnapshot)
    assert [t.seq for t in snap.trades] == [421131, 421130]  # newest first, as sent
    one = parse_message({"feed": "trade", "product_id": "PF_XBTUSD", "uid": "u", "side": "sell",
                         "type": "liquidation", "seq": 7, "time": 1, "qty": D("0.0002"),
                         "price": D("83994.0")})
    assert one == Trade("PF_XBTUSD", "u", "sell", "liquidation", 7, 1, D("0.0002"), D("83994.0"))


def test_fills_snapshot_and_username_delta() -> None:
    snap = parse_frame(FILLS_SNAPSHOT)
    assert isinstance(snap, FillsMessage) and snap.snapshot
    fill = snap.fills[0]
    assert (fill.fee_paid, fill.fee_currency, fill.remaining_order_qty) == (D("5e-9"), "BTC", None)
    delta = parse_frame(FILLS_DELTA)
    assert isinstance(delta, FillsMessage) and not delta.snapshot
    assert delta.account == "6a70e882-4405-4dc5-9c49-010ddf2a6746"
    f = delta.fills[0]
    assert (f.qty, f.remaining_order_qty, f.fee_paid, f.order_type) == (
        D("0.001"), D("0.0"), D("0.001581"), "market")
    assert (f.seq, f.buy, f.fill_type, f.taker_order_type) == (1, True, "taker", "market")


def test_positions_balances_notifications() -> None:
    pos = parse_frame(POSITIONS)
    assert isinstance(pos, OpenPositions) and (pos.seq, pos.timestamp) == (0, 1698608414910)
    p = pos.positions[0]
    assert (p.instrument, p.balance, p.entry_price, p.liquidation_threshold) == (
        "PF_LTCUSD", D("0.5"), D("70.53"), D(0))
    assert p.unrealized_funding == D("0.0000690610530935388") and p.pnl_currency == "USD"
    bal = parse_frame(BALANCES)
    assert isinstance(bal, Balances) and bal.snapshot and bal.seq == 0
    assert bal.holding == {"USD": D("5000.0"), "XBT": D("0.1285407184")}
    assert bal.futures is not None and bal.futures["F-XBT:USD"].unit == "XBT"
    assert bal.futures["F-XBT:USD"].values["available"] == D("0.0")
    assert bal.flex_futures is not None
    assert bal.flex_futures.currencies["USD"]["collateral_value"] == D("5000.0")
    assert bal.flex_futures.totals["available_margin"] == D("5000.0")
    assert bal.flex_futures.cross["effective_leverage"] == D("0.0")
    assert bal.flex_futures.isolated == {}
    delta = parse_message({"feed": "balances", "account": "a", "holding": {"USD": 1},
                           "timestamp": 5, "seq": 3})
    assert isinstance(delta, Balances) and not delta.snapshot
    assert (delta.futures, delta.flex_futures, delta.seq) == (None, None, 3)
    notes = parse_frame(NOTIFICATIONS)
    assert isinstance(notes, Notifications)
    n = notes.notifications[0]
    assert (n.id, n.type, n.priority, n.effective_time) == (5, "market", "low", 1520288300000)


def test_account_log_snapshot_and_entry() -> None:
    entry = {"id": 9, "date": "2026-01-01T00:00:00.000Z", "asset": "usd", "info": "futures trade",
             "booking_uid": "b", "margin_account": "flex", "old_balance": D("10.0"),
             "new_balance": D("9.5"), "fee": D("0.5"), "execution": "e", "realized_pnl": None}
    snap = parse_message({"feed": "account_log_snapshot", "logs": [entry]})
    assert isinstance(snap, AccountLog) and snap.snapshot
    e = snap.entries[0]
    assert (e.id, e.info, e.value("fee"), e.value("new_balance")) == (
        9, "futures trade", D("0.5"), D("9.5"))
    assert "realized_pnl" not in e.values
    new = parse_message({"feed": "account_log", "new_entry": entry})
    assert isinstance(new, AccountLog) and not new.snapshot and new.entries == snap.entries


def test_control_events() -> None:
    assert parse_frame('{"event":"info","version":1}') == Info(1)
    assert parse_frame('{"event":"challenge","message":"c1"}') == ChallengeIssued("c1")
    ack = parse_frame('{"event":"subscribed","feed":"ticker","product_ids":["PI_XBTUSD"]}')
    assert ack == SubscriptionEvent("subscribed", "ticker", ("PI_XBTUSD",))
    assert parse_frame('{"event":"subscribed","feed":"open_orders"}') == SubscriptionEvent(
        "subscribed", "open_orders")
    echoed = ('{"event":"subscribed","feed":"open_orders",'
              '"api_key":"CMl2SeSn09Tz+2tWuzPiPUjaXEQRGq6qv5UaexXuQ3SnahDQU/gO3aT+",'
              '"original_challenge":"226aee50-88fc-4618-a42a-34f7709570b2",'
              '"signed_challenge":"RE0DVOc7vS6pzcEjGWd/WJRRBWb54RkyvV+AZQSRl4+rap8Rlk64diR+Z9DQ'
              'ILm7qxncswMmJyvP/2vgzqqh+g=="}')  # the seed's documented ack echoes credentials
    assert parse_frame(echoed) == SubscriptionEvent("subscribed", "open_orders")
    assert parse_frame('{"event":"unsubscribed_failed","feed":"book","product_ids":"PF_X"}') == (
        SubscriptionEvent("unsubscribed_failed", "book", ("PF_X",)))
    alert = '{"event":"alert","message":"Failed to subscribe to authenticated feed"}'
    assert parse_frame(alert) == Alert("Failed to subscribe to authenticated feed")
    assert parse_frame('{"event":"error","message":"Invalid feed"}') == ErrorEvent("Invalid feed")
    assert parse_frame('{"feed":"heartbeat","time":1534262350627}') == Heartbeat(1534262350627)


def test_unknown_feeds_and_events_are_kept_not_dropped() -> None:
    candle = parse_frame('{"feed":"candles_trade_1m","candle":{}}')
    assert isinstance(candle, UnknownMessage) and candle.raw["feed"] == "candles_trade_1m"
    assert isinstance(parse_frame('{"event":"pong"}'), UnknownMessage)
    assert isinstance(parse_frame("{}"), UnknownMessage)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("not json", "frame is not JSON"),
        ("[1]", "frame is not a JSON object but list"),
        ('{"feed":"book","product_id":"P","side":"up","seq":1,"price":1,"qty":1,"timestamp":1}',
         "book: side must be 'buy' or 'sell', got 'up'"),
        ('{"feed":"book","product_id":"P","side":"buy","seq":1,"price":"1","qty":1,"timestamp":1}',
         "book: field 'price' must be a number, got str '1'"),
        ('{"feed":"heartbeat"}', "heartbeat: field 'time' is missing"),
        ('{"feed":"open_orders","order_id":"x","is_cancel":1,"reason":"r"}',
         "open_orders: field 'is_cancel' must be true or false, got int 1"),
        ('{"feed":"fills","fills":[1]}', "fills: fills[0] must be an object"),
        ('{"feed":"trade","product_id":"P","uid":"u","side":"buy","type":"fill","seq":true,'
         '"time":1,"qty":1,"price":1}', "trade: field 'seq' must be an integer, got bool True"),
    ],
)
def test_wrong_shapes_raise_precise_errors(text: str, error: str) -> None:
    with pytest.raises(MessageFormatError) as caught:
        parse_frame(text)
    assert str(caught.value).startswith(error)


def test_floats_from_plain_json_become_shortest_decimals() -> None:
    update = parse_message({"feed": "book", "product_id": "P", "side": "buy", "seq": 1,
                            "price": 0.1, "qty": 0.8600000000000001, "timestamp": 1})
    assert isinstance(update, BookUpdate)
    assert (update.price, update.qty) == (D("0.1"), D("0.8600000000000001"))
