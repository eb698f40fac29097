"""Instrument grids, tiered margin, PnL, and the default catalogue."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mock_exchange.engine.catalogue import (
    _civil,
    dated_symbol,
    default_instruments,
    last_friday_expiry,
)
from mock_exchange.engine.instruments import ContractKind, Instrument, MarginTier

TIERS = (MarginTier(D(0), D("0.02"), D("0.01")), MarginTier(D(1_000_000), D("0.04"), D("0.02")))
XBT = Instrument("PF_XBTUSD", ContractKind.FLEXIBLE_PERPETUAL, "XBT", "USD", D(1), 4, TIERS,
                 D(1200))
PEPE = Instrument("PF_PEPEUSD", ContractKind.FLEXIBLE_PERPETUAL, "PEPE", "USD", D("1e-10"), -3,
                  TIERS, D(10**12))
INV = Instrument("PI_XBTUSD", ContractKind.INVERSE_PERPETUAL, "XBT", "USD", D("0.5"), 0,
                 (MarginTier(D(0), D("0.02"), D("0.01")),), D(10**8))


@pytest.mark.parametrize(("price", "ticks"), [
    (D("60000"), 60000), (D("60000.0"), 60000), (D("60000.5"), None), (D("0"), None),
    (D("-1"), None), (D("NaN"), None), (D("Infinity"), None)])
def test_price_to_ticks(price: D, ticks: int | None) -> None:
    assert XBT.to_ticks(price) == ticks


@pytest.mark.parametrize(("size", "lots"), [
    (D("0.0001"), 1), (D("1.5"), 15000), (D("0.00001"), None), (D("0"), None)])
def test_size_to_lots(size: D, lots: int | None) -> None:
    assert XBT.to_lots(size) == lots


def test_negative_precision_means_multiples_of_ten() -> None:
    assert PEPE.lot_size == D("1E+3")
    assert (PEPE.to_lots(D(98000)), PEPE.to_lots(D(98123))) == (98, None)
    assert PEPE.size(98) == D(98000)
    assert PEPE.to_ticks(D("0.0000123456")) == 123456


@given(st.integers(min_value=1, max_value=10**9))
def test_ticks_and_lots_round_trip(n: int) -> None:
    assert XBT.to_ticks(XBT.price(n)) == n
    assert XBT.to_lots(XBT.size(n)) == n
    assert INV.to_ticks(INV.price(n)) == n


def test_margin_tiers_are_marginal() -> None:
    # 30 BTC at 50,000 = 1.5M notional: 1M at 2 % + 0.5M at 4 %
    assert XBT.margin(D(30), D(50000)) == (D("40000"), D("20000"))
    assert XBT.margin(D(-10), D(50000)) == (D("10000"), D("5000"))
    assert XBT.margin(D(0), D(50000)) == (0, 0)


def test_an_instrument_without_margin_tiers_needs_no_margin() -> None:
    free = Instrument("PF_FREEUSD", ContractKind.FLEXIBLE_PERPETUAL, "FREE", "USD", D(1), 0, (),
                      D(1000))
    assert free.bands == ()
    assert free.margin(D(5), D(100)) == (0, 0)


def test_inverse_margin_and_pnl_in_the_coin() -> None:
    im, mm = INV.margin(D(60000), D(60000))  # 60,000 USD contracts = 1 XBT
    assert (im, mm) == (D("0.02"), D("0.01"))
    assert INV.pnl(D(6000), D(60000), D(50000)) == D("-0.02")
    assert INV.settlement_currency == "XBT" and INV.margin_wallet == "fi_xbtusd"
    assert XBT.settlement_currency == "USD" and XBT.margin_wallet == "flex"


def test_default_catalogue() -> None:
    start = 1_767_225_600_000  # 2026-01-01T00:00Z, a Thursday
    symbols = [i.symbol for i in default_instruments(start)]
    assert symbols == ["PF_XBTUSD", "PF_ETHUSD", "PF_SOLUSD", "PI_XBTUSD", "FF_XBTUSD_260130"]
    ff = default_instruments(start)[-1]
    assert ff.last_trading_ms == 1_769_760_000_000  # 2026-01-30T08:00Z, the last Friday
    assert ff.kind is ContractKind.FLEXIBLE_FUTURE and not ff.kind.perpetual


@given(st.integers(min_value=0, max_value=200_000))
def test_last_friday_expiry_is_a_late_friday(day: int) -> None:
    start = day * 86_400_000
    expiry = last_friday_expiry(start)
    expiry_day = expiry // 86_400_000
    assert expiry % 86_400_000 == 8 * 3_600_000
    assert expiry_day % 7 == 1  # 1970-01-01 was a Thursday
    assert expiry_day >= day + 28
    assert _civil(expiry_day + 7)[1] != _civil(expiry_day)[1]  # the last Friday of its month


def test_civil_dates_and_symbols() -> None:
    assert _civil(0) == (1970, 1, 1)
    assert _civil(20_819) == (2027, 1, 1)
    assert dated_symbol("FF", "XBTUSD", 1_798_185_600_000) == "FF_XBTUSD_261225"
