"""One entry per booking, the same on the History API and on the `account_log` feed.

Table-driven over every kind of entry the simulator books: each case runs a short scenario on a
fresh exchange, pins the History API rows it adds (info, wallet name, amounts, ids, booking
uids) and then checks that the feed sent exactly those entries, field by field, under the
documented mapping (`ledger_tap.as_feed`).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal as D

import pytest
from unit.history.ledger_tap import Json, LedgerTap, as_feed

from mock_exchange.engine import commands as c
from mock_exchange.engine.commands import TimeFrame
from mock_exchange.engine.events import RfqOpened
from mock_exchange.engine.types import Side
from mock_exchange.history.records import booking_uid

FIELDS = ("info", "margin_account", "asset", "contract", "old_balance", "new_balance",
          "realized_pnl", "fee", "liquidation_fee", "realized_funding", "collateral")  # fmt: skip


def _ff(tap: LedgerTap) -> str:
    return next(s for s in tap.h.ex.instruments if s.startswith("FF_"))


def trade_open_and_close(tap: LedgerTap) -> str:
    a, b = tap.h.account("a"), tap.h.account("b")
    tap.h.place(b, "sell", "lmt", "0.5", 60000)
    tap.h.place(a, "buy", "mkt", "0.5")  # taker fee 0.05 % of 30,000
    tap.h.place(b, "buy", "lmt", "0.2", 61000)
    tap.h.place(a, "sell", "mkt", "0.2")  # PnL 0.2 x 1,000; fee 0.05 % of 12,200
    return a


def funding(tap: LedgerTap) -> str:
    a, b = tap.h.account("a"), tap.h.account("b")
    tap.h.place(b, "sell", "lmt", "0.25", 60000)
    tap.h.place(a, "buy", "mkt", "0.25")
    tap.h.ex.submit(c.SetFundingRate("PF_XBTUSD", D("0.0001")))
    tap.h.advance(3_600_000)  # a long of 0.25 pays 0.25 x 60,000 x 0.0001
    return a


def wallet_transfers(tap: LedgerTap) -> str:
    a = tap.h.account("a", usd=1000, xbt=2)
    tap.h.ex.submit(c.TransferFunds(a, "flex", "cash", "USD", D("125.5")))
    tap.h.ex.submit(c.TransferFunds(a, "fi_xbtusd", "flex", "XBT", D("0.5")))
    return a


def subaccount_transfer(tap: LedgerTap) -> str:
    m = tap.h.account("m", usd=1000)
    s = tap.h.account("s", usd=0, master=m)
    tap.h.ex.submit(c.TransferFunds(m, "flex", "cash", "USD", D(250), m, s))
    return s


def withdrawal_to_spot(tap: LedgerTap) -> str:
    a = tap.h.account("a", usd=1000)
    tap.h.ex.submit(c.Withdraw(a, "USD", D(250), "flex"))
    return a


def inverse_trade(tap: LedgerTap) -> str:
    a, b = tap.h.account("a", usd=0, xbt=1), tap.h.account("b", xbt=10)
    tap.h.place(b, "sell", "lmt", "6000", 60000, symbol="PI_XBTUSD")
    tap.h.place(a, "buy", "mkt", "6000", symbol="PI_XBTUSD")  # fee 0.05 % of 0.1 XBT
    return a


def liquidation_to_the_house(tap: LedgerTap) -> str:
    a, b = tap.h.account("a", usd=1300), tap.h.account("b")
    tap.h.place(b, "sell", "lmt", "1", 60000)
    tap.h.place(a, "buy", "lmt", "1", 60000)
    tap.h.prices(mark=59000)  # the house takes 1 at mark; liquidation fee 0.75 % of 59,000
    return a


def assignment(tap: LedgerTap) -> str:
    p = tap.h.account("p")
    tap.h.ex.submit(c.AddAssignmentPreference(
        p, c.AssignmentPreference("flex", True, True, TimeFrame.ALL, True)))
    liquidation_to_the_house(tap)  # now assigned to p at 58,557 (75 bps below mark)
    return p


def block_trade(tap: LedgerTap) -> str:
    b = tap.h.account("b")
    out = tap.h.ex.submit(c.CreateRfq(None, (c.RfqLeg("PF_XBTUSD", D(1)),),
                                      lifetime_ms=10_000, side=Side.BUY))
    (opened,) = [e for e in out.events if isinstance(e, RfqOpened)]
    assert tap.h.ex.submit(c.PlaceRfqOffer(b, opened.rfq_uid, ask=D(60100))).ok
    assert tap.h.ex.submit(c.AcceptRfqOffer(None, opened.rfq_uid)).ok  # b sells 1 at 60,100
    return b


def settlement(tap: LedgerTap) -> str:
    a, b, ff = tap.h.account("a"), tap.h.account("b"), _ff(tap)
    tap.h.place(b, "sell", "lmt", "1", 60000, symbol=ff)
    tap.h.place(a, "buy", "mkt", "1", symbol=ff)
    tap.h.prices(symbol=ff, mark=61000)
    tap.h.clock.set(tap.h.ex.instruments[ff].last_trading_ms)
    tap.h.ex.advance()  # settles 1 at 61,000 with a taker fee of 30.5
    return a


def _row(info: str, wallet: str, asset: str, contract: str | None, old: object, new: object,
         pnl: object = None, fee: object = None, liq: object = None, funding: object = None,
         collateral: str | None = None) -> Json:
    values = (info, wallet, asset, contract, old, new, pnl, fee, liq, funding, collateral)
    return dict(zip(FIELDS, values, strict=True))


XBT, PI = "pf_xbtusd", "pi_xbtusd"
CASES: list[tuple[Callable[[LedgerTap], str], list[Json]]] = [
    (trade_open_and_close, [
        _row("futures trade", "flex", XBT, XBT, 0, 0.5),
        _row("futures trade", "flex", "usd", XBT, 100_000, 99_985, 0, 15, collateral="usd"),
        _row("futures trade", "flex", XBT, XBT, 0.5, 0.3),
        _row("futures trade", "flex", "usd", XBT, 99_985, 100_178.9, 200, 6.1, collateral="usd"),
    ]),
    (funding, [_row("funding rate change", "flex", "usd", XBT, 99_992.5, 99_991,
                    funding=-1.5, collateral="usd")]),
    (wallet_transfers, [
        _row("transfer", "flex", "usd", None, 1000, 874.5),
        _row("transfer", "cash", "usd", None, 0, 125.5),
        _row("transfer", "f-xbt:usd", "xbt", None, 2, 1.5),
        _row("transfer", "flex", "xbt", None, 0, 0.5),
    ]),
    (subaccount_transfer, [_row("subaccount transfer", "cash", "usd", None, 0, 250)]),
    (withdrawal_to_spot, [_row("cross-exchange transfer", "flex", "usd", None, 1000, 750)]),
    (inverse_trade, [
        _row("futures trade", "f-xbt:usd", PI, PI, 0, 6000),
        _row("futures trade", "f-xbt:usd", "xbt", PI, 1, 0.99995, 0, 0.00005,
             collateral="xbt"),
    ]),
    (liquidation_to_the_house, [
        _row("futures liquidation", "flex", XBT, XBT, 1, 0),
        _row("futures liquidation", "flex", "usd", XBT, 1270, -172.5, -1000, 442.5, 442.5,
             collateral="usd"),
    ]),
    (assignment, [_row("futures assignee", "flex", XBT, XBT, 0, 1)]),
    (block_trade, [
        _row("futures trade", "flex", XBT, XBT, 0, -1),
        _row("futures trade", "flex", "usd", XBT, 100_000, 99_987.98, 0, 12.02,
             collateral="usd"),
    ]),
    (settlement, [
        _row("settlement", "flex", "ff_xbtusd_260130", "ff_xbtusd_260130", 1, 0),
        _row("settlement", "flex", "usd", "ff_xbtusd_260130", 99_970, 100_939.5, 1000, 30.5,
             collateral="usd"),
    ]),
]


@pytest.mark.parametrize(("scenario", "expected"), CASES, ids=[f.__name__ for f, _ in CASES])
def test_each_kind_of_entry_is_one_record_rendered_twice(
    scenario: Callable[[LedgerTap], str], expected: list[Json]
) -> None:
    tap = LedgerTap()
    account = scenario(tap)
    rows = tap.rows(account)
    assert [{k: r[k] for k in FIELDS} for r in rows[-len(expected):]] == expected
    assert [r["id"] for r in rows] == list(range(1, len(rows) + 1))
    assert len({r["booking_uid"] for r in rows}) == len(rows)
    assert tap.feed(account) == [as_feed(r) for r in rows]
    tap.check()  # every other account of the scenario too


def test_booking_uids_come_from_the_opening_event() -> None:
    tap = LedgerTap()
    a = wallet_transfers(tap)
    (debit, credit) = list(tap.history.account(a).log)[2:4]
    assert (debit.uid, credit.uid) == (booking_uid(debit.seq), booking_uid(credit.seq))
    assert credit.seq == debit.seq + 1
    assert booking_uid(0x1F) == "00000000-0000-4000-b000-00000000001f"


def test_the_feed_carries_kraken_blanks_where_the_history_has_nulls() -> None:
    tap = LedgerTap()
    a = withdrawal_to_spot(tap)
    row, sent = tap.rows(a)[-1], tap.feed(a)[-1]
    assert (row["execution"], row["collateral"], row["fee"], row["contract"]) == (
        None, None, None, None)
    assert (sent["execution"], sent["collateral"], sent["fee"], "contract" in sent) == (
        "", "", 0.0, False)
    assert sent["booking_uid"] == row["booking_uid"] and sent["id"] == row["id"] == 2
    assert list(sent)[:4] == ["id", "date", "asset", "info"]
