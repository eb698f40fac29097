"""The Exchange: instruments, books, accounts and timers behind one `submit(command)` call.

Each command is one atomic step: it is validated completely before anything changes, then
applied; the events it caused are stamped with a global `seq` and the clock's time, returned in
its `Outcome`, and passed to every listener once the step is complete. Timers (dead man's switch,
expiry, funding) run through `advance()`, which `submit` calls first, so event times never go
backwards. Time and ids come only from the injected clock and id generator.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..accounts.account import Account
from ..accounts.fees import FeeSchedule
from ..accounts.margin import MarginModel
from ..engine import commands as c
from ..engine.catalogue import DEFAULT_PRICES, default_instruments
from ..engine.clock import Clock
from ..engine.events import (
    AccountOpened,
    BalanceChanged,
    BalanceKind,
    Event,
    OrderCancelled,
    OrderRejected,
)
from ..engine.ids import IdGenerator
from ..engine.instruments import Instrument
from ..engine.market import Market
from ..engine.reasons import Reject, UpdateReason
from ..engine.types import Order, OrderView, SelfTradeStrategy

Listener = Callable[[Sequence[Event]], None]

HOUSE = "house"


@dataclass(frozen=True, slots=True)
class ExchangeSettings:
    funding_interval_ms: int = 3_600_000
    market_protection: Decimal = Decimal("0.01")  # mkt orders: an IOC limited 1% beyond the mark
    fees: FeeSchedule = field(default_factory=FeeSchedule)
    haircuts: dict[str, Decimal] = field(
        default_factory=lambda: {
            "USD": Decimal(0),
            "USDT": Decimal(0),
            "USDC": Decimal(0),
            "XBT": Decimal("0.05"),
            "ETH": Decimal("0.05"),
            "SOL": Decimal("0.2"),
        }
    )
    closed_order_memory: int = 50_000  # closed orders kept for status and history queries


@dataclass(slots=True)
class Outcome:
    """What one command did. `reject` is None when it was accepted."""

    received: int
    events: list[Event]
    reject: Reject | None = None
    order_id: str | None = None
    cli_ord_id: str | None = None
    account_id: str | None = None
    deadline: int | None = None  # dead man's switch trigger time

    @property
    def ok(self) -> bool:
        return self.reject is None


@dataclass(frozen=True, slots=True)
class ClosedOrder:
    view: OrderView
    filled: bool  # True when it left the book fully filled
    reason: UpdateReason | Reject | None
    time: int


class Exchange:
    def __init__(
        self,
        clock: Clock,
        ids: IdGenerator,
        instruments: Iterable[Instrument] | None = None,
        prices: dict[str, Decimal] | None = None,
        settings: ExchangeSettings | None = None,
    ) -> None:
        self.clock = clock
        self.ids = ids
        self.settings = settings or ExchangeSettings()
        self.now = clock.now_ms()
        insts = tuple(instruments) if instruments is not None else default_instruments(self.now)
        base_prices = {**DEFAULT_PRICES, **(prices or {})}
        self.instruments: dict[str, Instrument] = {i.symbol: i for i in insts}
        self.markets: dict[str, Market] = {
            i.symbol: Market(i, base_prices.get(i.symbol, base_prices.get(i.base, Decimal(100))))
            for i in insts
        }
        self.accounts: dict[str, Account] = {}
        self.masters: set[str] = set()  # accounts that have subaccounts
        self.armed: dict[str, int] = {}  # account id -> dead man's switch deadline
        self.orders: dict[str, Order] = {}
        self.closed: OrderedDict[str, ClosedOrder] = OrderedDict()
        self.margin = MarginModel(
            self.instruments, self._mark, self.usd_price, self.settings.haircuts
        )
        self.seq = 0
        self.listeners: list[Listener] = []
        self.next_funding = (self.now // self.settings.funding_interval_ms + 1) * (
            self.settings.funding_interval_ms
        )
        self._out: list[Event] = []
        #: for the timers: the markets are fixed here, so which are dated and whether any is a
        #: perpetual (funding) never changes
        self.dated_markets = tuple(m for m in self.markets.values()
                                   if m.instrument.last_trading_ms is not None)  # fmt: skip
        self.has_perpetual = any(m.instrument.kind.perpetual for m in self.markets.values())
        from . import assignment, funds, rfq  # transfers, RFQs, assignment program

        self.transfers = funds.TransferLog()
        self.rfqs = rfq.RfqBook()
        self.assignment = assignment.AssignmentBook()
        self.accounts[HOUSE] = Account(HOUSE, HOUSE)

        from . import editing, placing, preferences, risk, timers  # the command handlers

        self._handlers: dict[type, Callable[[Exchange, Any], Outcome]] = {
            c.OpenAccount: _open_account,
            c.PlaceOrder: placing.place,
            c.EditOrder: editing.edit,
            c.CancelOrder: editing.cancel,
            c.CancelAll: editing.cancel_all,
            c.AdminCancel: editing.admin_cancel,
            c.ArmDeadManSwitch: timers.arm_dead_man_switch,
            c.SetPrices: risk.set_prices,
            c.SetMarketState: timers.set_market_state,
            c.SetFundingRate: timers.set_funding_rate,
            c.SetSelfTradeStrategy: preferences.set_strategy,
            c.SetLeveragePreference: preferences.set_leverage,
            c.SetPnlPreference: preferences.set_pnl_currency,
            c.TransferFunds: funds.transfer,
            c.Withdraw: funds.withdraw,
            c.SetTradingEnabled: funds.set_trading_enabled,
            c.CreateRfq: rfq.create,
            c.PlaceRfqOffer: rfq.place_offer,
            c.CancelRfqOffer: rfq.cancel_offer,
            c.CancelRfq: rfq.cancel,
            c.AcceptRfqOffer: rfq.accept,
            c.ExpireRfqs: rfq.expire,
            c.AddAssignmentPreference: assignment.add,
            c.DeleteAssignmentPreference: assignment.delete,
        }
        self._timers = timers

    # -- the public surface ------------------------------------------------------------------
    def submit(self, command: c.Command) -> Outcome:
        """Apply one command atomically and tell the listeners what happened."""
        self.advance()
        handler = self._handlers.get(type(command))
        if handler is None:
            raise TypeError(f"not a command: {command!r}")
        self.now = self.clock.now_ms()
        self._out = []
        outcome = handler(self, command)
        outcome.events = self._out
        self._publish(self._out)
        return outcome

    def submit_batch(self, commands: Sequence[c.Command]) -> list[Outcome]:
        """Apply commands in order as one step; listeners hear all events once, at the end."""
        self.advance()
        self.now = self.clock.now_ms()
        outcomes, everything = [], []
        for command in commands:
            self._out = []
            outcome = self._handlers[type(command)](self, command)
            outcome.events = self._out
            everything.extend(self._out)
            outcomes.append(outcome)
        self._publish(everything)
        return outcomes

    def advance(self) -> list[Event]:
        """Run every timer due by the clock's time, in time order; return their events."""
        now = self.clock.now_ms()
        produced: list[Event] = []
        while True:
            due = self.next_deadline()
            if due is None or due > now:
                break
            self.now = max(self.now, due)
            self._out = []
            self._timers.fire_due(self, due)
            produced.extend(self._out)
        self.now = max(self.now, now)
        self._out = []
        self._publish(produced)
        return produced

    def next_deadline(self) -> int | None:
        return self._timers.next_deadline(self)

    def subscribe(self, listener: Listener) -> None:
        self.listeners.append(listener)

    # -- helpers shared by the handlers ------------------------------------------------------
    def stamp(self) -> tuple[int, int]:
        self.seq += 1
        return self.seq, self.now

    def emit(self, event: Event) -> None:
        self._out.append(event)

    def outcome(self, reject: Reject | None = None, **fields: object) -> Outcome:
        return Outcome(self.now, [], reject, **fields)  # type: ignore[arg-type]

    def account(self, account_id: str) -> Account:
        acct = self.accounts.get(account_id)
        if acct is None:
            raise KeyError(f"unknown account {account_id!r}")
        return acct

    def view(self, order: Order) -> OrderView:
        inst = self.instruments[order.symbol]
        return OrderView(
            order.order_id,
            order.account_id,
            order.symbol,
            order.side,
            order.kind,
            inst.size(order.qty),
            inst.size(order.filled),
            inst.price(order.price) if order.price is not None else None,
            inst.price(order.stop) if order.stop is not None else None,
            order.created,
            order.updated,
            order.cli_ord_id,
            order.reduce_only,
            order.signal,
            order.trigger_side,
            order.trailing,
            order.limit_offset,
        )

    def find_order(
        self, acct: Account, order_id: str | None, cli_ord_id: str | None
    ) -> Order | None:
        if order_id is not None:
            return acct.orders.get(order_id)
        if cli_ord_id is not None:
            oid = acct.cli_ids.get(cli_ord_id)
            return acct.orders.get(oid) if oid is not None else None
        return None

    def register(self, order: Order) -> None:
        """An order now rests (book or trigger book): index it as open."""
        self.orders[order.order_id] = order
        self.accounts[order.account_id].register(order)

    def unregister(self, order: Order) -> None:
        """An order no longer rests: drop it from the open-order indexes (call before its
        remaining changes to zero, so margin tracking releases the right lots)."""
        del self.orders[order.order_id]
        self.accounts[order.account_id].unregister(order)

    def remove_order(self, order: Order, reason: UpdateReason) -> None:
        """Take an open order out of the book for `reason` and emit its OrderCancelled."""
        market = self.markets[order.symbol]
        self.unregister(order)
        if order.kind.is_trigger:
            market.triggers.remove(order)
        else:
            market.book.remove(order)
        self.cancel_detached(order, reason)

    def cancel_detached(self, order: Order, reason: UpdateReason) -> None:
        """Terminal event for an order that is in no book any more (or never rested)."""
        order.alive = False
        order.updated = self.now
        view = self.view(order)
        self.remember(view, False, reason)
        self.emit(OrderCancelled(*self.stamp(), view, reason))

    def family_of(self, acct: Account) -> frozenset[str]:
        """The ids of an account, its master and the master's subaccounts."""
        master = acct.family
        if master not in self.masters:
            return frozenset((acct.account_id,))
        return frozenset(a.account_id for a in self.accounts.values() if a.family == master)

    def strategy_of(self, acct: Account) -> SelfTradeStrategy:
        """Self-trade prevention is set on the master and covers its subaccounts."""
        master = self.accounts.get(acct.family, acct)
        return master.strategy

    def reject(
        self,
        acct_id: str,
        reason: Reject,
        view: OrderView | None = None,
        order_id: str | None = None,
        cli_ord_id: str | None = None,
    ) -> Outcome:
        """Refuse an order command: nothing changes but the record of the refusal."""
        if view is not None:
            order_id, cli_ord_id = view.order_id, view.cli_ord_id
            self.remember(view, False, reason)
        self.emit(OrderRejected(*self.stamp(), acct_id, order_id, cli_ord_id, view, reason))
        return self.outcome(reason, order_id=order_id, cli_ord_id=cli_ord_id)

    def remember(self, view: OrderView, filled: bool, reason: UpdateReason | Reject | None) -> None:
        closed = self.closed
        closed[view.order_id] = ClosedOrder(view, filled, reason, self.now)
        if len(closed) > self.settings.closed_order_memory:
            closed.popitem(last=False)

    def credit(
        self,
        acct: Account,
        wallet: str,
        currency: str,
        amount: Decimal,
        kind: BalanceKind,
        symbol: str | None = None,
        ref: str | None = None,
    ) -> None:
        if amount == 0:
            return
        balance = acct.wallet(wallet).credit(currency, amount)
        self.emit(
            BalanceChanged(
                *self.stamp(), acct.account_id, wallet, currency, amount, balance, kind, symbol, ref
            )
        )

    def usd_price(self, currency: str) -> Decimal:
        if currency in ("USD", "USDT", "USDC"):
            return Decimal(1)
        market = self.markets.get(f"PF_{currency}USD")
        if market is not None:
            return market.mark
        return DEFAULT_PRICES.get(currency, Decimal(0))

    def _mark(self, symbol: str) -> Decimal:
        return self.markets[symbol].mark

    def _publish(self, events: Sequence[Event]) -> None:
        if events:
            for listener in self.listeners:
                listener(events)


def _open_account(ex: Exchange, cmd: c.OpenAccount) -> Outcome:
    if cmd.master_id is not None and cmd.master_id not in ex.accounts:
        raise KeyError(f"unknown master account {cmd.master_id!r}")
    account_id = ex.ids.uuid()
    acct = ex.accounts[account_id] = Account(account_id, cmd.name, cmd.master_id)
    if cmd.master_id is not None:
        ex.masters.add(cmd.master_id)
    ex.emit(AccountOpened(*ex.stamp(), account_id, cmd.name, cmd.master_id))
    for wallet, balances in sorted(cmd.balances.items()):
        for currency, amount in sorted(balances.items()):
            ex.credit(acct, wallet, currency, amount, BalanceKind.DEPOSIT)
    return ex.outcome(account_id=account_id)
