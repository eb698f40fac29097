"""RFQs: requests, offers, acceptance as block trades, expiry, and every refusal."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from support import Harness, kinds, only

from mock_exchange.engine import commands as c
from mock_exchange.engine.events import (
    RfqClosed,
    RfqOfferPlaced,
    RfqOpened,
    RfqStatus,
    Trade,
)
from mock_exchange.engine.reasons import Reject
from mock_exchange.engine.types import FillType, MarketState, Side
from mock_exchange.exchange import Outcome

XBT, FF = "PF_XBTUSD", "FF_XBTUSD"


def rfq(mx: Harness, side: str | None = None, size: str = "1", lifetime: int = 10_000,
        account: str | None = None, legs: tuple[tuple[str, str], ...] | None = None) -> str:
    wanted = legs or ((XBT, size),)
    out = mx.ex.submit(c.CreateRfq(
        account, tuple(c.RfqLeg(_symbol(mx, s), D(q)) for s, q in wanted),
        lifetime_ms=lifetime, side=Side(side) if side else None))
    assert out.ok, out.reject
    return str(only(out.events, RfqOpened)[0].rfq_uid)


def _symbol(mx: Harness, name: str) -> str:
    return next(s for s in mx.ex.instruments if s.startswith(name)) if name == FF else name


def offer(mx: Harness, account: str, uid: str, **prices: object) -> Outcome:
    fields = {k: D(str(v)) if k in ("bid", "ask") else v for k, v in prices.items()}
    return mx.ex.submit(c.PlaceRfqOffer(account, uid, **fields))  # type: ignore[arg-type]


def state(mx: Harness) -> tuple[object, ...]:
    accounts = {a: ({n: dict(w.balances) for n, w in x.wallets.items()},
                    {s: p.size for s, p in x.positions.items()})
                for a, x in mx.ex.accounts.items()}
    book = mx.ex.rfqs
    return accounts, dict(book.open), {u: dict(r.offers) for u, r in book.open.items()}


def test_the_requester_takes_the_best_ask_as_a_block_trade(mx: Harness) -> None:
    b, cc = mx.account("b"), mx.account("c")
    uid = rfq(mx, "buy")
    assert offer(mx, b, uid, ask=60100).ok
    assert offer(mx, cc, uid, bid=59900, ask=60050).ok
    out = mx.ex.submit(c.AcceptRfqOffer(None, uid))
    assert out.ok
    assert kinds(out.events)[:2] == ["RfqClosed", "Trade"]
    closed, trade = only(out.events, RfqClosed)[0], only(out.events, Trade)[0]
    assert (closed.status, closed.offer_account) == (RfqStatus.FILLED_ASK_SIDE, cc)
    assert (trade.price, trade.qty, trade.taker_side) == (D(60050), D(1), Side.BUY)
    assert trade.maker_fill is trade.taker_fill is FillType.BLOCK
    assert (trade.maker.account_id, trade.maker.order_id) == (cc, closed.offer_uid)
    assert (trade.taker.account_id, trade.taker.order_id) == ("house", uid)
    assert (trade.maker_fee, trade.taker_fee) == (D("12.01"), D(0))
    assert (mx.position(cc), mx.position("house"), mx.position(b)) == (D(-1), D(1), D(0))
    assert mx.balance(cc) == D("99987.99")
    assert mx.ex.markets[XBT].last == D(60000)  # off-book: the last price does not move
    assert uid not in mx.ex.rfqs.open and mx.ex.rfqs.find(uid).status is closed.status
    statuses = {o.account_id: o.status for o in mx.ex.rfqs.find(uid).offers.values()}
    assert statuses == {b: RfqStatus.FILLED_ASK_SIDE, cc: RfqStatus.FILLED_ASK_SIDE}
    assert [o.uid for o in mx.ex.rfqs.closed_offers[b]] == [mx.ex.rfqs.find(uid).offers[b].uid]


def test_two_way_accept_picks_the_better_edge_and_a_named_offerer(mx: Harness) -> None:
    b, cc = mx.account("b"), mx.account("c")
    uid = rfq(mx)
    offer(mx, b, uid, bid=59990, ask=60005)
    offer(mx, cc, uid, bid=59980)
    out = mx.ex.submit(c.AcceptRfqOffer(None, uid))
    assert only(out.events, RfqClosed)[0].status is RfqStatus.FILLED_ASK_SIDE
    assert mx.position(b) == D(-1)
    uid2 = rfq(mx)
    offer(mx, b, uid2, bid=59990)
    offer(mx, cc, uid2, bid=59980)
    out = mx.ex.submit(c.AcceptRfqOffer(None, uid2, offer_account=cc))
    assert only(out.events, Trade)[0].price == D(59980) and mx.position(cc) == D(1)


def test_a_users_multi_leg_rfq_apportions_a_package_price(mx: Harness) -> None:
    a, b, cc = mx.account("a"), mx.account("b"), mx.account("c")
    ff = _symbol(mx, FF)
    uid = rfq(mx, account=a, legs=((XBT, "1"), (FF, "-1")))
    assert offer(mx, b, uid, bid=100).ok  # FF leg at its mark 60000, the XBT leg at 60100
    per_leg = ((XBT, D(60050)), (ff, D(60000)))
    assert offer(mx, cc, uid, bid_side=per_leg).ok
    bad = mx.ex.submit(c.AcceptRfqOffer(a, uid, c.Quote.BID, D(99)))
    assert bad.reject is Reject.OFFER_NO_LONGER_VALID
    assert mx.ex.submit(c.AcceptRfqOffer(b, uid, c.Quote.BID, D(100))).reject is (
        Reject.RFQ_NOT_FOUND)
    out = mx.ex.submit(c.AcceptRfqOffer(a, uid, c.Quote.BID, D(100)))
    assert out.ok
    prices = [(t.symbol, t.price, t.taker_side) for t in only(out.events, Trade)]
    assert prices == [(XBT, D(60100), Side.SELL), (ff, D(60000), Side.BUY)]
    assert (mx.position(b), mx.position(b, ff)) == (D(1), D(-1))
    assert (mx.position(a), mx.position(a, ff)) == (D(-1), D(1))
    assert mx.balance(a) == D(100_000) - D("30.05") - D(30)  # taker fees on both legs


def test_the_price_guard_accepts_true_as_the_current_best(mx: Harness) -> None:
    a, b = mx.account("a"), mx.account("b")
    uid = rfq(mx, account=a, size="0.5")
    assert offer(mx, b, uid, ask="30000.5").ok  # 60001 a contract
    assert mx.ex.submit(c.AcceptRfqOffer(a, uid, c.Quote.BID, None)).reject is (
        Reject.OFFER_NOT_FOUND)
    assert mx.ex.submit(c.AcceptRfqOffer(a, uid, c.Quote.ASK, None)).ok
    assert mx.position(a) == D("0.5")


@pytest.mark.parametrize(
    ("prices", "reason"),
    [
        ({"bid": "60000.5"}, Reject.INVALID_PRICE),  # off the tick grid
        ({"bid": 60010, "ask": 60000}, Reject.INVALID_PRICE),  # crossed
        ({"ask": 80000}, Reject.PRICE_TOO_FAR_FROM_MARKET),
        ({"bid": 60000, "bid_side": ((XBT, D(60000)),)}, Reject.INVALID_PRICE),
        ({"bid_side": (("PF_ETHUSD", D(3000)),)}, Reject.INVALID_PRICE),
        ({}, Reject.INVALID_PRICE),
    ],
)
def test_offer_prices_are_checked(mx: Harness, prices: dict[str, object], reason: Reject) -> None:
    b = mx.account("b")
    uid = rfq(mx)
    before = state(mx)
    assert offer(mx, b, uid, **prices).reject is reason
    assert state(mx) == before


def test_offer_rules(mx: Harness) -> None:
    a, b = mx.account("a"), mx.account("b")
    poor = mx.account("poor", usd=1000)
    uid, own = rfq(mx), rfq(mx, account=a)
    assert offer(mx, b, "nope", bid=59900).reject is Reject.RFQ_NOT_FOUND
    assert offer(mx, a, own, bid=59900).reject is Reject.WOULD_EXECUTE_SELF
    assert offer(mx, poor, uid, bid=59900).reject is Reject.INSUFFICIENT_AVAILABLE_FUNDS
    assert mx.ex.submit(c.PlaceRfqOffer(b, uid, bid=D(59900), replace=True)).reject is (
        Reject.OFFER_NOT_FOUND)
    first = only(offer(mx, b, uid, bid=59900).events, RfqOfferPlaced)[0]
    assert offer(mx, b, uid, bid=59950).reject is Reject.OFFER_ALREADY_EXISTS
    out = mx.ex.submit(c.PlaceRfqOffer(b, uid, bid=D(59950), replace=True))
    again = only(out.events, RfqOfferPlaced)[0]
    assert (again.offer_uid, again.bid, again.replaced) == (first.offer_uid, D(59950), True)
    assert mx.ex.submit(c.CancelRfqOffer(b, uid, "other")).reject is Reject.OFFER_NOT_FOUND
    assert mx.ex.submit(c.CancelRfqOffer(b, uid)).ok
    assert mx.ex.submit(c.CancelRfqOffer(b, uid)).reject is Reject.OFFER_NOT_FOUND
    assert mx.ex.rfqs.closed_offers[b][-1].status is RfqStatus.CANCELLED
    assert mx.ex.submit(c.CancelRfq(b, own)).reject is Reject.RFQ_NOT_FOUND
    assert mx.ex.submit(c.CancelRfq(a, own)).ok
    assert mx.ex.rfqs.find(own).status is RfqStatus.CANCELLED
    assert offer(mx, b, own, bid=59900).reject is Reject.RFQ_NOT_FOUND  # only open RFQs


def test_a_disabled_subaccount_cannot_quote_or_request(mx: Harness) -> None:
    m = mx.account("m")
    sub = mx.account("s", master=m)
    mx.ex.submit(c.SetTradingEnabled(m, sub, False))
    uid = rfq(mx)
    assert offer(mx, sub, uid, bid=59900).reject is Reject.ACCOUNT_INACTIVE
    out = mx.ex.submit(c.CreateRfq(sub, (c.RfqLeg(XBT, D(1)),)))
    assert out.reject is Reject.ACCOUNT_INACTIVE


def test_an_offerer_that_lost_its_margin_is_no_longer_valid(mx: Harness) -> None:
    b = mx.account("b", usd=2000)
    uid = rfq(mx, "buy")
    assert offer(mx, b, uid, ask=60100).ok
    assert mx.ex.submit(c.TransferFunds(b, "flex", "cash", "USD", D(1500))).ok
    before = state(mx)
    assert mx.ex.submit(c.AcceptRfqOffer(None, uid)).reject is Reject.OFFER_NO_LONGER_VALID
    assert state(mx) == before


def test_at_expiry_a_simulated_requester_takes_its_best_offer(mx: Harness) -> None:
    b, cc = mx.account("b"), mx.account("c")
    uid = rfq(mx, "sell", lifetime=10_000)
    offer(mx, b, uid, bid=59950)
    offer(mx, cc, uid, ask=60010)  # the wrong side for a seller
    mx.advance(9_999)
    assert mx.ex.submit(c.ExpireRfqs()).events == []
    seen = len(mx.events)
    mx.advance(1)  # the timers close it when wired to `rfq.expire_due`, else the next command
    mx.ex.submit(c.ExpireRfqs())
    assert only(mx.events[seen:], RfqClosed)[0].status is RfqStatus.FILLED_BID_SIDE
    assert (mx.position(b), mx.position(cc), mx.position("house")) == (D(1), D(0), D(-1))


def test_a_users_rfq_just_expires_and_leaves_the_open_list(mx: Harness) -> None:
    a, b = mx.account("a"), mx.account("b")
    uid = rfq(mx, account=a, lifetime=5_000)
    offer(mx, b, uid, bid=59950)
    seen = len(mx.events)
    mx.advance(5_000)
    out = offer(mx, b, uid, ask=60050)  # (the timers or) any RFQ command closes what is due
    assert out.reject is Reject.RFQ_NOT_FOUND
    assert kinds(mx.events[seen:]) == ["RfqClosed"]
    assert mx.ex.rfqs.find(uid).status is RfqStatus.EXPIRED and mx.position(b) == 0


def _eleven(mx: Harness, a: str) -> Outcome:
    for _ in range(10):
        rfq(mx, account=a)
    return mx.ex.submit(c.CreateRfq(a, (c.RfqLeg(XBT, D(1)),)))


@pytest.mark.parametrize(
    ("legs", "expiry", "reason"),
    [
        ((), None, Reject.NO_LEGS_SPECIFIED),
        (tuple((f"PF_{i}", "1") for i in range(11)), None, Reject.TOO_MANY_LEGS),
        ((("PF_NOPEUSD", "1"),), None, Reject.MARKET_NOT_FOUND),
        (((XBT, "0"),), None, Reject.INVALID_SIZE),
        (((XBT, "0.00001"),), None, Reject.INVALID_SIZE),
        (((XBT, "1"), (XBT, "-1")), None, Reject.INVALID_SIZE),
        (((XBT, "1"), ("PF_ETHUSD", "1")), None, Reject.MIXED_CURRENCY_PAIRS),
        (((XBT, "1"),), -1, Reject.INVALID_EXPIRY),
        (((XBT, "1"),), 2 * 86_400_000, Reject.INVALID_EXPIRY),
        (((XBT, "1"),), 1_000, Reject.EXPIRY_TOO_SHORT),
        (((XBT, "60"),), None, Reject.INSUFFICIENT_AVAILABLE_FUNDS),
    ],
)
def test_request_refusals(mx: Harness, legs: tuple[tuple[str, str], ...], expiry: int | None,
                          reason: Reject) -> None:
    a = mx.account("a")
    when = None if expiry is None else mx.clock.now_ms() + expiry
    out = mx.ex.submit(c.CreateRfq(a, tuple(c.RfqLeg(s, D(q)) for s, q in legs), expiry=when))
    assert out.reject is reason and out.events == [] and not mx.ex.rfqs.open


def test_request_limits_and_closed_markets(mx: Harness) -> None:
    a = mx.account("a")
    assert _eleven(mx, a).reject is Reject.TOO_MANY_OPEN_RFQS
    mx.ex.submit(c.SetMarketState(XBT, MarketState.SUSPENDED))
    out = mx.ex.submit(c.CreateRfq(None, (c.RfqLeg(XBT, D(1)),)))
    assert out.reject is Reject.MARKET_SUSPENDED


def test_rfqs_are_deterministic() -> None:
    logs = []
    for _ in range(2):
        mx = Harness(seed=11)
        b = mx.account("b")
        uid = rfq(mx, "buy")
        offer(mx, b, uid, ask=60100)
        mx.ex.submit(c.AcceptRfqOffer(None, uid))
        logs.append(mx.events)
    assert logs[0] == logs[1]
