"""Positions (average entry, realised PnL, flips) and the wallet margin summary."""

from __future__ import annotations

from decimal import Decimal as D

from mock_exchange.accounts.account import Account
from mock_exchange.accounts.positions import Position, after_fill
from mock_exchange.engine.catalogue import default_instruments

XBT, _, _, INV, _ = default_instruments(0)


def test_linear_average_entry_and_realised_pnl() -> None:
    pos = Position("PF_XBTUSD")
    assert pos.apply(XBT, D(1), D(60000), 1) == 0
    assert pos.apply(XBT, D(1), D(62000), 2) == 0
    assert (pos.size, pos.entry) == (D(2), D(61000))
    assert pos.apply(XBT, D("-0.5"), D(63000), 3) == D(1000)
    assert (pos.size, pos.entry, pos.realised) == (D("1.5"), D(61000), D(1000))
    assert pos.unrealised(XBT, D(60000)) == D(-1500)


def test_flip_opens_the_rest_at_the_fill_price() -> None:
    assert after_fill(XBT, D(1), D(60000), D(-3), D(59000)) == (D(-2), D(59000), D(-1000))
    assert after_fill(XBT, D(-1), D(60000), D(1), D(59000)) == (D(0), D(0), D(1000))


def test_inverse_entry_is_harmonic() -> None:
    size, entry, pnl = after_fill(INV, D(10000), D(50000), D(10000), D(40000))
    # 20,000 USD of contracts cost 0.2 + 0.25 = 0.45 XBT: entry 20,000 / 0.45
    assert (size, pnl) == (D(20000), 0)
    assert entry.quantize(D("0.0001")) == D("44444.4444")


def test_account_registers_orders_for_margin() -> None:
    acct = Account("a", "a")
    assert acct.wallet("flex").credit("USD", D(5)) == D(5)
    acct.track_order("PF_XBTUSD", True, 10)
    acct.track_order("PF_XBTUSD", True, -4)
    assert acct.open_buys == {"PF_XBTUSD": 6}
    assert acct.family == "a" and Account("s", "s", "a").family == "a"
