"""Transfers between wallets, master and subaccounts, withdrawals to spot, the trading switch."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from support import Harness, kinds, only

from mock_exchange.engine import commands as c
from mock_exchange.engine.events import BalanceChanged, BalanceKind, FundsTransferred, TransferKind
from mock_exchange.engine.reasons import Reject


def balances(mx: Harness) -> dict[str, dict[str, dict[str, D]]]:
    return {
        aid: {name: dict(w.balances) for name, w in acct.wallets.items()}
        for aid, acct in mx.ex.accounts.items()
    }


def test_wallet_transfer_moves_funds_with_one_transfer_and_two_bookings(mx: Harness) -> None:
    a = mx.account("a", usd=10_000)
    out = mx.ex.submit(c.TransferFunds(a, "flex", "cash", "USD", D("250.5")))
    assert out.ok
    assert (mx.balance(a), mx.balance(a, "cash")) == (D("9749.5"), D("250.5"))
    assert kinds(out.events) == ["FundsTransferred", "BalanceChanged", "BalanceChanged"]
    moved = only(out.events, FundsTransferred)[0]
    assert (moved.kind, moved.from_wallet, moved.to_wallet) == (TransferKind.WALLET, "flex", "cash")
    debit, credit = only(out.events, BalanceChanged)
    assert (debit.delta, credit.delta) == (D("-250.5"), D("250.5"))
    assert {debit.kind, credit.kind} == {BalanceKind.TRANSFER}
    assert debit.ref == credit.ref == moved.transfer_id


def test_single_collateral_wallet_and_flex_share_their_coin(mx: Harness) -> None:
    a = mx.account("a", usd=0, xbt=2)
    assert mx.ex.submit(c.TransferFunds(a, "fi_xbtusd", "flex", "XBT", D("0.75"))).ok
    assert mx.balance(a, "flex", "XBT") == D("0.75")
    assert mx.balance(a, "fi_xbtusd", "XBT") == D("1.25")
    assert mx.ex.submit(c.TransferFunds(a, "flex", "cash", "XBT", D("0.25"))).ok
    assert mx.balance(a, "cash", "XBT") == D("0.25")


@pytest.mark.parametrize(
    ("src", "dst", "unit", "amount", "reason"),
    [
        ("flex", "cash", "USD", "0", Reject.INVALID_AMOUNT),
        ("flex", "cash", "USD", "-5", Reject.INVALID_AMOUNT),
        ("flex", "cash", "USD", "NaN", Reject.INVALID_AMOUNT),
        ("flex", "nowhere", "USD", "1", Reject.INVALID_ACCOUNT),
        ("flex", "flex", "USD", "1", Reject.INVALID_ACCOUNT),
        ("flex", "spot", "USD", "1", Reject.INVALID_ACCOUNT),
        ("spot", "flex", "USD", "1", Reject.INVALID_ACCOUNT),
        ("flex", "fi_xbtusd", "USD", "1", Reject.INVALID_UNIT),
        ("flex", "cash", "DOGE", "1", Reject.INVALID_UNIT),
        ("flex", "cash", "USD", "10000.01", Reject.INSUFFICIENT_FUNDS),
        ("cash", "flex", "USD", "1", Reject.INSUFFICIENT_FUNDS),
    ],
)
def test_refusals_change_nothing(
    mx: Harness, src: str, dst: str, unit: str, amount: str, reason: Reject
) -> None:
    a = mx.account("a", usd=10_000)
    before, seen = balances(mx), len(mx.events)
    out = mx.ex.submit(c.TransferFunds(a, src, dst, unit, D(amount)))
    assert out.reject is reason
    assert balances(mx) == before and len(mx.events) == seen


def test_a_margin_wallet_keeps_what_its_position_needs(mx: Harness) -> None:
    a, b = mx.account("a", usd=3000), mx.account("b")
    mx.place(b, "sell", "lmt", "1", 60000)
    mx.place(a, "buy", "lmt", "1", 60000)  # initial margin 1200, fee 30
    available = mx.ex.margin.summary(mx.ex.accounts[a], "flex").available
    assert available == D(1770)
    too_much = mx.ex.submit(c.TransferFunds(a, "flex", "cash", "USD", available + D("0.01")))
    assert too_much.reject is Reject.INSUFFICIENT_FUNDS
    assert mx.ex.submit(c.TransferFunds(a, "flex", "cash", "USD", available)).ok
    assert mx.ex.margin.summary(mx.ex.accounts[a], "flex").available == 0


def test_master_moves_funds_between_itself_and_its_subaccounts(mx: Harness) -> None:
    m = mx.account("m", usd=1000)
    s1, s2 = mx.account("s1", usd=0, master=m), mx.account("s2", usd=0, master=m)
    out = mx.ex.submit(c.TransferFunds(m, "flex", "cash", "USD", D(100), m, s1))
    assert out.ok and only(out.events, FundsTransferred)[0].kind is TransferKind.SUBACCOUNT
    assert mx.ex.submit(c.TransferFunds(m, "cash", "flex", "USD", D(40), s1, s2)).ok
    assert mx.ex.submit(c.TransferFunds(m, "flex", "flex", "USD", D(15), s2, m)).ok
    assert (mx.balance(m), mx.balance(s1, "cash"), mx.balance(s2)) == (D(915), D(60), D(25))
    same_user = mx.ex.submit(c.TransferFunds(m, "cash", "flex", "USD", D(10), s1, s1))
    assert same_user.ok and mx.balance(s1) == D(10)


def test_only_the_master_may_name_users(mx: Harness) -> None:
    m, other = mx.account("m", usd=1000), mx.account("x", usd=1000)
    sub = mx.account("s", usd=1000, master=m)
    for caller, src, dst in [(other, m, other), (sub, m, sub), (m, other, m), (m, m, "nope")]:
        before = balances(mx)
        out = mx.ex.submit(c.TransferFunds(caller, "flex", "flex", "USD", D(1), src, dst))
        assert out.reject is Reject.INVALID_ARGUMENT and balances(mx) == before


def test_withdrawal_credits_the_spot_wallet(mx: Harness) -> None:
    a = mx.account("a", usd=500)
    mx.ex.submit(c.TransferFunds(a, "flex", "cash", "USD", D(200)))
    out = mx.ex.submit(c.Withdraw(a, "USD", D(120)))
    moved = only(out.events, FundsTransferred)[0]
    assert moved.kind is TransferKind.WITHDRAWAL and moved.from_wallet == "cash"
    spot = mx.ex.transfers.spot[a]
    assert (mx.balance(a, "cash"), spot.balance("USD")) == (D(80), D(120))
    assert "spot" not in mx.ex.accounts[a].wallets  # not a Futures wallet
    assert len(only(out.events, BalanceChanged)) == 1  # the Futures side only
    assert mx.ex.submit(c.Withdraw(a, "USD", D(50), "flex")).ok
    assert spot.balance("USD") == D(170)
    assert mx.ex.submit(c.Withdraw(a, "USD", D(81))).reject is Reject.INSUFFICIENT_FUNDS
    assert mx.ex.submit(c.Withdraw(a, "USD", D(1), "spot")).reject is Reject.INVALID_ACCOUNT
    records = mx.ex.transfers.of(a)
    assert [r.kind for r in records] == [TransferKind.WALLET, *[TransferKind.WITHDRAWAL] * 2]


def test_master_switches_trading_of_its_subaccount(mx: Harness) -> None:
    m = mx.account("m")
    sub = mx.account("s", master=m)
    out = mx.ex.submit(c.SetTradingEnabled(m, sub, False))
    assert out.ok and kinds(out.events) == ["TradingEnabledChanged"]
    assert mx.ex.accounts[sub].trading_enabled is False
    assert mx.ex.submit(c.SetTradingEnabled(m, sub, False)).events == []  # no change
    assert mx.ex.submit(c.SetTradingEnabled(sub, sub, True)).reject is Reject.NOT_FOUND
    assert mx.ex.submit(c.SetTradingEnabled(m, m, True)).reject is Reject.NOT_FOUND
    assert mx.ex.submit(c.SetTradingEnabled(m, sub, True)).ok
    assert mx.ex.accounts[sub].trading_enabled is True


def test_transfers_are_deterministic() -> None:
    runs = []
    for _ in range(2):
        mx = Harness(seed=3)
        a = mx.account("a", usd=100)
        mx.ex.submit(c.TransferFunds(a, "flex", "cash", "USD", D(1)))
        mx.ex.submit(c.Withdraw(a, "USD", D(1)))
        runs.append(mx.events)
    assert runs[0] == runs[1]
