"""E4 RFQs end to end over real sockets (issue 5), on the helpers of test_funds_e2e.py: admin
RFQs listed publicly, offers placed (v2 and v1), replaced (v1) and cancelled, accepted as block
trades that show in both sides' fills, positions, balances and feeds; expiry on the clock.

Fees (create_app defaults): the offerer pays the maker fee (0.02 %), a user requester the taker
fee (0.05 %), the house (requester of admin RFQs) none.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from integration.server import running_server
from integration.test_funds_e2e import D, Json, Live, of

from mock_exchange.server.app import create_app


@pytest.fixture
def live() -> Iterator[Live]:
    with running_server(create_app()) as base, contextlib.ExitStack() as stack:
        yield Live(base, stack)


def admin_rfq(live: Live, side: str | None, size: str, lifetime_ms: int = 60_000) -> str:
    body = {"symbol": "PF_XBTUSD", "side": side, "size": size, "lifetime_ms": lifetime_ms}
    return str(live.admin_ok("POST", "/__admin/rfqs", body)["rfq_uid"])


def fill_of(fill: Json) -> tuple[str, str, Json, Json]:
    return fill["fillType"], fill["side"], fill["size"], fill["price"]


def test_offers_on_an_admin_rfq_and_the_block_trade_at_acceptance(live: Live) -> None:
    quitter, winner = live.account(100_000), live.account(100_000)
    uid = admin_rfq(live, "buy", "1")  # the simulated requester will buy: it takes an ask
    (listed,) = live.ok(None, "GET", "rfqs")["rfqs"]  # public: no key
    assert (listed["uid"], listed["rfqUid"], listed["status"]) == (uid, uid, "open")
    assert listed["legs"] == [{"symbol": "PF_XBTUSD", "size": 1, "markPrice": 60000}]
    assert listed["expiry"] == "2026-01-01T00:01:00.000Z"

    # quitter: v2 place and cancel, then v1 place (form) and cancel
    v2 = live.ok(quitter, "POST", f"rfqs/place-offer/{uid}", ask="60100")["offerUid"]
    assert live.call(quitter, "POST", f"rfqs/place-offer/{uid}", {"ask": "60090"})[
        "reason"] == "offerAlreadyExists"
    assert live.ok(quitter, "DELETE", f"rfqs/cancel-offer/{uid}")["status"] == "cancelled"
    v1 = live.ok(quitter, "POST", f"rfqs/{uid}/place-offer", ask="60080")["offerUid"]
    live.ok(quitter, "DELETE", f"rfqs/{uid}/cancel-offer")
    assert live.ok(quitter, "GET", "rfqs/open-offers")["offers"] == []
    closed = live.ok(quitter, "GET", "rfqs/closed-offers")["offers"]
    assert [(o["uid"], o["status"]) for o in closed] == [(v2, "cancelled"), (v1, "cancelled")]

    # winner: v1 place with a JSON body, then v1 replace (form) keeps the uid
    placed = live.call(winner, "POST", f"rfqs/{uid}/place-offer", json_body={"bid": 59900,
                                                                              "ask": 60050})
    offer = placed["offerUid"]
    live.ok(winner, "PUT", f"rfqs/{uid}/replace-offer", bid="59910", ask="60040")
    (mine,) = live.ok(winner, "GET", "rfqs/open-offers")["openOffers"]
    assert (mine["uid"], mine["bid"], mine["ask"], mine["status"]) == (
        offer, "59910", "60040", "open")

    feed = live.watch(winner, "fills", "open_positions", "balances")
    trade = live.admin_ok("POST", f"/__admin/rfqs/{uid}/accept", {})
    assert (trade["status"], trade["offer_uid"], trade["offer_account_id"]) == (
        "filled_ask_side", offer, winner.account_id)
    assert trade["requester_account_id"] == "house"
    (block,) = trade["trades"]
    assert (block["price"], block["size"], block["fill_type"], block["offerer_fee"]) == (
        "60040", "1", "block", "12.008")

    (fill,) = live.fills(winner)
    assert fill_of(fill) == ("block", "sell", D(1), D(60040))
    assert (fill["order_id"], fill["fill_id"]) == (offer, block["trade_id"])
    assert live.positions(winner) == [("PF_XBTUSD", "short", D(1), D(60040))]
    assert live.house_positions() == [
        {"symbol": "PF_XBTUSD", "size": "1", "entry_price": "60040", "realised_pnl": "0"}]
    assert live.flex_usd(winner) == D("99987.992")  # 100,000 less the 0.02 % maker fee

    messages = feed.drain()
    (streamed,) = of(messages, "fills", "fills")
    assert (streamed["fill_type"], streamed["buy"], streamed["qty"], streamed["price"]) == (
        "block", False, 1.0, 60040.0)
    assert (streamed["fill_id"], streamed["order_id"], streamed["fee_paid"]) == (
        block["trade_id"], offer, 12.008)
    (positions,) = of(messages, "open_positions", "positions")
    assert [(p["instrument"], p["balance"], p["entry_price"]) for p in positions] == [
        ("PF_XBTUSD", -1.0, 60040.0)]
    flex = of(messages, "balances", "flex_futures")[-1]
    assert flex["currencies"]["USD"]["quantity"] == 99987.992

    assert live.ok(None, "GET", "rfqs")["rfqs"] == []
    assert live.ok(None, "GET", f"rfqs/{uid}")["rfq"]["status"] == "filled_ask_side"
    late = live.call(quitter, "POST", f"rfqs/{uid}/place-offer", {"ask": "60000"})
    assert (late["result"], late["error"]) == ("error", "rfqNotFound")
    status, refused = live.admin("POST", f"/__admin/rfqs/{uid}/accept", {})
    assert status == 409 and "rfqNotFound" in refused["error"]


def test_a_user_rfq_accepted_by_the_admin_books_both_sides(live: Live) -> None:
    requester, offerer = live.account(100_000), live.account(100_000)
    made = live.ok(requester, "POST", "rfqs/open-rfqs",
                   json='{"legs": [{"tradeable": "PF_XBTUSD", "size": 0.5}]}')
    uid = made["rfqUid"]
    assert [r["uid"] for r in live.ok(None, "GET", "rfqs")["rfqs"]] == [uid]
    mine = live.call(requester, "POST", f"rfqs/place-offer/{uid}", {"bid": "29950"})
    assert mine["reason"] == "orderError"  # no offer on one's own RFQ
    offer = live.ok(offerer, "POST", f"rfqs/place-offer/{uid}", bid="29950")["offerUid"]
    (own,) = live.ok(requester, "GET", "rfqs/open-rfqs")["rfqs"]
    assert own["bestBid"] == D(29950)
    feeds = {a.account_id: live.watch(a, "fills", "open_positions") for a in (requester, offerer)}

    chosen = {"account_id": offerer.account_id}
    trade = live.admin_ok("POST", f"/__admin/rfqs/{uid}/accept", chosen)
    assert (trade["status"], trade["requester_account_id"]) == (
        "filled_bid_side", requester.account_id)
    (block,) = trade["trades"]
    assert (block["offerer_side"], block["offerer_fee"], block["requester_fee"]) == (
        "buy", "5.99", "14.975")

    price = D(59900)  # the package bid 29,950 for 0.5
    sides = {requester.account_id: ("sell", "short", "14.975", False, -0.5, uid),
             offerer.account_id: ("buy", "long", "5.99", True, 0.5, offer)}
    for acct in (requester, offerer):
        side, held, fee, buy, balance, order_id = sides[acct.account_id]
        (fill,) = live.fills(acct)
        assert fill_of(fill) == ("block", side, D("0.5"), price)
        assert (fill["fill_id"], fill["order_id"]) == (block["trade_id"], order_id)
        assert live.positions(acct) == [("PF_XBTUSD", held, D("0.5"), price)]
        assert live.flex_usd(acct) == D(100_000) - D(fee)
        messages = feeds[acct.account_id].drain()
        (streamed,) = of(messages, "fills", "fills")
        assert (streamed["fill_type"], streamed["buy"], streamed["qty"], streamed["fee_paid"]) == (
            "block", buy, 0.5, float(fee))
        (positions,) = of(messages, "open_positions", "positions")
        assert [(p["balance"], p["entry_price"]) for p in positions] == [(balance, 59900.0)]
    assert live.house_positions() == []
    assert live.ok(requester, "GET", "rfqs/open-rfqs")["rfqs"] == []


def test_expired_rfqs_leave_the_open_list_and_the_requester_takes_its_best_offer(
    live: Live,
) -> None:
    offerer = live.account(100_000)
    unanswered = admin_rfq(live, "buy", "1", lifetime_ms=5000)
    answered = admin_rfq(live, "sell", "0.1", lifetime_ms=5000)  # will sell: takes a bid
    kept = admin_rfq(live, None, "0.2", lifetime_ms=10_000)
    live.ok(offerer, "POST", f"rfqs/place-offer/{answered}", bid="5990")
    feed = live.watch(offerer, "fills", "open_positions")
    listed = [r["uid"] for r in live.ok(None, "GET", "rfqs")["rfqs"]]
    assert sorted(listed) == sorted([unanswered, answered, kept])

    live.admin_ok("POST", "/__admin/clock", {"advance_ms": 4999})
    assert len(live.ok(None, "GET", "rfqs")["rfqs"]) == 3
    live.admin_ok("POST", "/__admin/clock", {"advance_ms": 1})
    assert [r["uid"] for r in live.ok(None, "GET", "rfqs")["rfqs"]] == [kept]
    assert live.ok(None, "GET", f"rfqs/{unanswered}")["rfq"]["status"] == "expired"
    assert live.ok(None, "GET", f"rfqs/{answered}")["rfq"]["status"] == "filled_bid_side"

    (fill,) = live.fills(offerer)
    assert fill_of(fill) == ("block", "buy", D("0.1"), D(59900))
    assert live.positions(offerer) == [("PF_XBTUSD", "long", D("0.1"), D(59900))]
    messages = feed.drain()
    assert [f["fill_type"] for f in of(messages, "fills", "fills")] == ["block"]
    assert [p["balance"] for p in of(messages, "open_positions", "positions")[-1]] == [0.1]
    gone = live.call(offerer, "POST", f"rfqs/place-offer/{unanswered}", {"bid": "59000"})
    assert gone["reason"] == "rfqNotFound"

    live.admin_ok("POST", "/__admin/clock", {"advance_ms": 5000})
    assert live.ok(None, "GET", "rfqs")["rfqs"] == []


def test_an_offer_the_offerer_can_no_longer_carry_fails_at_acceptance(live: Live) -> None:
    offerer = live.account(1500)
    uid = admin_rfq(live, "buy", "1")
    # 1 PF_XBTUSD needs 1,200 USD initial margin at 60,000: the offer passes its check ...
    live.ok(offerer, "POST", f"rfqs/place-offer/{uid}", ask="60050")
    live.ok(offerer, "POST", "withdrawal", currency="USD", amount="1000", sourceWallet="flex")
    # ... but not any more after a withdrawal (nothing is reserved for an offer)
    status, refused = live.admin("POST", f"/__admin/rfqs/{uid}/accept", {})
    assert status == 409 and "offerNoLongerValid" in refused["error"]
    assert live.fills(offerer) == [] and live.positions(offerer) == []
    assert live.house_positions() == []
