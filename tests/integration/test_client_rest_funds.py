"""The client's transfer, withdrawal, subaccount, RFQ, assignment-program and preference methods
against a real server (sync and async, the `env` fixture of test_client_rest): each call's
effect is checked through the client's own reads, and each refusal as its mapped exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from integration.test_client_rest import Env, environment

from client import errors as e

D = Decimal
PREFERENCE = {"accept_long": True, "accept_short": True, "time_frame": "all"}


@pytest.fixture(params=["sync", "async"])
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    with environment(request.param) as made:
        yield made


def test_wallet_transfer_and_withdrawal_to_spot(env: Env) -> None:
    alice = env.trader(1000)
    alice.submit_wallet_transfer("flex", "cash", "USD", D("125.5"))
    accounts = alice.get_accounts()
    assert accounts.cash == {"usd": D("125.5")}
    assert accounts.flex is not None
    assert accounts.flex.currencies["USD"].quantity == D("874.5")

    withdrawal = alice.submit_transfer_to_spot("USD", D("25.5"))
    assert len(withdrawal.uid) == 36 and withdrawal.server_time == datetime(2026, 1, 1, tzinfo=UTC)
    assert alice.get_accounts().cash == {"usd": D(100)}
    too_much = alice.submit_transfer_to_spot
    with pytest.raises(e.InsufficientFunds) as caught:  # Kraken says `Unavailable` here
        too_much("USD", 101)
    assert caught.value.code == "Unavailable"
    flex_only = alice.submit_transfer_to_spot("USD", 10, source_wallet="flex")
    assert flex_only.uid != withdrawal.uid
    assert alice.get_accounts().flex.currencies["USD"].quantity == D("864.5")


def test_subaccount_transfer_between_master_and_sub(env: Env) -> None:
    master_account = env.new_account(1000)
    sub_account = env.new_account(0, master=master_account["account_id"])
    master, sub = env.client(master_account), env.client(sub_account)
    master.submit_subaccount_transfer(master_account["account_id"], sub_account["account_id"],
                                      "flex", "flex", "USD", "250")
    assert sub.get_accounts().flex.currencies["USD"].quantity == D(250)
    assert master.get_accounts().flex.currencies["USD"].quantity == D(750)
    with pytest.raises(e.InsufficientFunds):
        master.submit_subaccount_transfer(master_account["account_id"],
                                          sub_account["account_id"], "flex", "flex", "USD", 751)


def test_the_six_rfq_methods(env: Env) -> None:
    made = env.admin_ok("POST", "/__admin/rfqs", {"symbol": "PF_XBTUSD", "side": "buy",
                                                   "size": "1", "lifetime_ms": 60_000})
    uid = made["rfq_uid"]
    public = env.client()
    (listed,) = public.get_open_rfqs()
    assert (listed.rfq_uid, listed.status, listed.mark_price) == (uid, "open", D(60000))
    assert [(leg.symbol, leg.size) for leg in listed.legs] == [("PF_XBTUSD", D(1))]
    one = public.get_open_rfq(uid)
    assert (one.rfq_uid, one.expiry) == (uid, datetime(2026, 1, 1, 0, 1, tzinfo=UTC))

    alice = env.trader()
    offer_uid = alice.submit_rfq_new_offer(uid, bid=D("59900"), ask=D("60050"))
    (offer,) = alice.get_rfq_open_offers()
    assert (offer.uid, offer.rfq_uid, offer.bid, offer.ask) == (
        offer_uid, uid, D(59900), D(60050))
    with pytest.raises(e.InvalidArgument) as twice:
        alice.submit_rfq_new_offer(uid, ask=60040)
    assert twice.value.code == "offerAlreadyExists"
    with pytest.raises(e.InvalidArgument) as far:
        alice.update_rfq_open_offer(uid, bid=30000)
    assert far.value.code == "priceTooFarFromMarket"
    alice.update_rfq_open_offer(uid, bid=59910, ask=60040)
    (replaced,) = alice.get_rfq_open_offers()
    assert (replaced.uid, replaced.bid, replaced.ask) == (offer_uid, D(59910), D(60040))
    alice.cancel_rfq_offer(uid)
    assert alice.get_rfq_open_offers() == []

    with pytest.raises(e.NotFound) as missing:
        alice.submit_rfq_new_offer("no-such-rfq", ask=1)
    assert missing.value.code == "rfqNotFound"
    with pytest.raises(e.NotFound):
        alice.cancel_rfq_offer("no-such-rfq")
    with pytest.raises(e.NotFound):
        public.get_open_rfq("no-such-rfq")
    env.advance(60_000)
    assert public.get_open_rfqs() == []
    assert public.get_open_rfq(uid).status == "expired"


def test_the_four_assignment_methods_and_an_assignment(env: Env) -> None:
    participant = env.trader()
    added = participant.add_assignment_preference("flex", **PREFERENCE)
    assert (added.participant.contract_type, added.participant.accept_long,
            added.participant.enabled, added.participant.max_size) == ("flex", True, True, None)
    assert participant.get_assignment_programs() == [added]

    small, rich = env.trader(1000), env.trader(1_000_000)
    rich.submit_order("lmt", "PF_XBTUSD", "sell", D("0.3"), limit_price=60000)
    small.submit_order("lmt", "PF_XBTUSD", "buy", D("0.3"), limit_price=60000)
    env.admin_ok("POST", "/__admin/prices", {"symbol": "PF_XBTUSD", "mark": "56000"})
    (assigned,) = participant.get_fills()
    assert (assigned.fill_type, assigned.side, assigned.size, assigned.price) == (
        "assignee", "buy", D("0.3"), D(55580))
    assert [(p.side, p.size) for p in participant.get_open_positions()] == [("long", D("0.3"))]

    deleted = participant.delete_assignment_preference(added.id)
    assert deleted == added
    history = participant.get_assignment_preferences_history()
    assert [(h.deleted, h.participant) for h in history] == [
        (False, added.participant), (True, added.participant)]
    assert participant.get_assignment_programs() == []
    with pytest.raises(e.NotFound):
        participant.delete_assignment_preference(added.id)
    with pytest.raises(e.InvalidArgument):
        participant.add_assignment_preference("nowallet", **PREFERENCE)


def test_leverage_and_pnl_preferences(env: Env) -> None:
    alice = env.trader()
    assert alice.get_leverage_preferences() == []
    alice.set_leverage_preference("PF_XBTUSD", D(10))
    (lev,) = alice.get_leverage_preferences()
    assert (lev.symbol, lev.max_leverage) == ("PF_XBTUSD", D(10))
    alice.set_leverage_preference("PF_XBTUSD")  # back to cross margin
    assert alice.get_leverage_preferences() == []
    with pytest.raises(e.InvalidArgument) as too_high:
        alice.set_leverage_preference("PF_XBTUSD", 1000)
    assert too_high.value.code == "invalidArgument: maxLeverage"

    alice.set_pnl_preference("PF_XBTUSD", "USDT")
    assert [(p.symbol, p.pnl_currency) for p in alice.get_pnl_preferences()] == [
        ("PF_XBTUSD", "USDT")]
    with pytest.raises(e.NotFound) as unknown:
        alice.set_pnl_preference("PF_NOPEUSD", "USD")
    assert (unknown.value.code, unknown.value.http_status) == ("CONTRACT_DOES_NOT_EXIST", 400)
    with pytest.raises(e.InvalidArgument) as inverse:
        alice.set_leverage_preference("PI_XBTUSD", 2)
    assert inverse.value.code == "CONTRACT_IS_NOT_MULTI_COLLATERAL"
