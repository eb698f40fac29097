"""After any sequence of commands, the `account_log` feed and the History API agree entry by entry.

A master (with a subaccount and an assignment preference), a rich trader and a thinly funded
long (liquidated, and assigned to the master, by a fall of the mark) run random steps: trades
in a linear perpetual, an inverse perpetual and a dated future, price moves, funding, wallet
and subaccount transfers, withdrawals to spot, RFQ block trades and the dated future's
settlement; refusals included.
Then, for every account: the feed wired to the History sent exactly the History API's rows, in
id order, field by field under the documented mapping, and a snapshot holds the same entries
newest first; ids count 1, 2, ...; booking uids are unique; every position change was booked
once (one position update and one position entry per `PositionChanged`).
"""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from unit.history.ledger_tap import LedgerTap

from mock_exchange.engine import commands as c
from mock_exchange.engine.commands import TimeFrame
from mock_exchange.engine.events import RfqOpened
from mock_exchange.engine.types import Side

SYMBOLS = ["PF_XBTUSD", "PF_XBTUSD", "PI_XBTUSD", "FF"]
SIZES = {"PF_XBTUSD": ["0.1", "0.25", "1"], "PI_XBTUSD": ["1000", "6000"], "FF": ["0.1", "0.5"]}
MOVES = [("flex", "cash", "USD"), ("cash", "flex", "USD"), ("fi_xbtusd", "flex", "XBT"),
         ("flex", "fi_xbtusd", "XBT"), ("flex", "fi_xbtusd", "USD"), ("cash", "cash", "USD")]

step = st.one_of(
    st.tuples(st.just("trade"), st.sampled_from(SYMBOLS), st.integers(0, 3), st.integers(0, 3),
              st.integers(0, 2), st.integers(-300, 300)),
    st.tuples(st.just("prices"), st.sampled_from(["PF_XBTUSD", "PI_XBTUSD"]),
              st.integers(-4000, 2000)),
    st.tuples(st.just("funding"), st.sampled_from(["0.0001", "-0.0002", "0"])),
    st.tuples(st.just("transfer"), st.sampled_from(MOVES), st.sampled_from(["0.5", "250", "5000"])),
    st.tuples(st.just("sub"), st.booleans(), st.sampled_from(["100", "900"])),
    st.tuples(st.just("withdraw"), st.sampled_from(["cash", "flex"]),
              st.sampled_from(["10", "3000"])),
    st.tuples(st.just("block"), st.integers(0, 3), st.booleans(), st.integers(-50, 50)),
)


class Market:
    def __init__(self) -> None:
        self.tap = tap = LedgerTap(seed=11)
        h = tap.h
        self.m = h.account("m", usd=50_000, xbt=2)
        self.s = h.account("s", usd=5_000, master=self.m)
        self.traders = [self.m, self.s, h.account("b", usd=1_000_000, xbt=20),
                        h.account("thin", usd=1_500, xbt="0.05")]
        self.ff = next(s for s in h.ex.instruments if s.startswith("FF_"))
        h.ex.submit(c.AddAssignmentPreference(
            self.m, c.AssignmentPreference("flex", True, True, TimeFrame.ALL, True)))
        b, thin = self.traders[2:]
        h.place(b, "sell", "lmt", "1", 60000)
        h.place(thin, "buy", "mkt", "1")  # a mark ~400 lower liquidates it, assigned to m
        h.place(b, "sell", "lmt", "0.5", 60000, symbol=self.ff)
        h.place(self.s, "buy", "mkt", "0.5", symbol=self.ff)  # settled if the test settles

    def run(self, kind: str, *args: object) -> None:
        h, ex = self.tap.h, self.tap.h.ex
        if kind == "trade":
            symbol, maker, taker, size, offset = args
            symbol = self.ff if symbol == "FF" else symbol
            mark = ex.markets[str(symbol)].mark
            price = mark + D(str(offset)) * (D(1) if symbol != "PI_XBTUSD" else D("0.5"))
            sizes = SIZES["FF" if symbol == self.ff else str(symbol)]
            amount = sizes[int(str(size)) % len(sizes)]
            side = "sell" if int(str(offset)) % 2 else "buy"
            other = "buy" if side == "sell" else "sell"
            h.place(self.traders[int(str(maker))], side, "lmt", amount, price, symbol=str(symbol))
            h.place(self.traders[int(str(taker))], other, "mkt", amount, symbol=str(symbol))
        elif kind == "prices":
            symbol, move = args
            mark = ex.markets[str(symbol)].mark + D(str(move))
            h.prices(symbol=str(symbol), mark=str(mark), index=str(mark + 100))
        elif kind == "funding":
            ex.submit(c.SetFundingRate("PF_XBTUSD", D(str(args[0]))))
            h.advance(3_600_000)
        elif kind == "transfer":
            (frm, to, unit), amount = args
            ex.submit(c.TransferFunds(self.m, str(frm), str(to), str(unit), D(str(amount))))
        elif kind == "sub":
            down, amount = args
            users = (self.m, self.s) if down else (self.s, self.m)
            ex.submit(c.TransferFunds(self.m, "flex", "flex", "USD", D(str(amount)), *users))
        elif kind == "withdraw":
            wallet, amount = (str(a) for a in args)
            ex.submit(c.Withdraw(self.m, "USD", D(amount), wallet))
        elif kind == "block":
            offerer, buy, offset = args
            out = ex.submit(c.CreateRfq(None, (c.RfqLeg("PF_XBTUSD", D("0.5")),),
                                        lifetime_ms=60_000, side=Side.BUY if buy else Side.SELL))
            (opened,) = [e for e in out.events if isinstance(e, RfqOpened)]
            price = ex.markets["PF_XBTUSD"].mark + D(str(offset))
            quote = {"ask": price} if buy else {"bid": price}
            ex.submit(c.PlaceRfqOffer(self.traders[int(str(offerer))], opened.rfq_uid, **quote))
            ex.submit(c.AcceptRfqOffer(None, opened.rfq_uid))

    def settle(self) -> None:
        for symbol in ("PF_XBTUSD", "PI_XBTUSD"):  # a month of funding would only add length
            self.tap.h.ex.submit(c.SetFundingRate(symbol, D(0)))
        self.tap.h.clock.set(self.tap.h.ex.instruments[self.ff].last_trading_ms)
        self.tap.h.ex.advance()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(step, max_size=14), st.booleans())
def test_feed_and_history_agree_after_any_commands(
    steps: list[tuple[object, ...]], settle: bool
) -> None:
    market = Market()
    for kind, *args in steps:
        market.run(str(kind), *args)
    if settle:
        market.settle()
    tap = market.tap
    tap.check()
    for account in tap.accounts():
        rows = tap.rows(account)
        assert [r["id"] for r in rows] == list(range(1, len(rows) + 1))
        assert len({r["booking_uid"] for r in rows}) == len(rows)
        changes = tap.position_changes.get(account, [])
        logs = tap.history.account(account)
        assert len(logs.positions) == len(changes)
        positions = [e.seq for e in logs.log if e.asset == e.symbol]
        assert positions == changes
