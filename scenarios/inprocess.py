"""The in-process target: an `Exchange` on a `ManualClock`, driven through `Exchange.submit`.

No HTTP and no threads. Orders go in as Kraken `sendorder` parameters through the server's own
decoder (`protocol.decode`) and come back with the server's own status strings
(`protocol.encode` / `protocol.errors`), so this target accepts and refuses exactly what the
REST API does. Every committed event is rendered by the WebSocket feed code
(`protocol.feeds_private.OrderFeeds`): the `open_orders` / `open_orders_verbose` messages each
account would receive are recorded with their wire `reason`. Fills are recorded from the same
events. Deterministic: same scenario, seed and calls give the same ids, times and messages.

The clock is the target's own `ManualClock` (moved by `advance_to`) unless one is given: a
subclass whose time belongs to someone else (`scenarios.live.LiveTarget`, the server's clock)
passes its clock and overrides `advance_to`. `stop_recording()` detaches the target from the
exchange and leaves every other listener subscribed; `close()` detaches every listener.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from decimal import Decimal
from typing import Any

from mock_exchange.admin import inputs
from mock_exchange.engine import commands as c
from mock_exchange.engine.clock import Clock, ManualClock
from mock_exchange.engine.events import Event, Trade
from mock_exchange.engine.types import MarketState, Order, Side
from mock_exchange.exchange import Exchange, Outcome
from mock_exchange.protocol import decode, encode, encode_account
from mock_exchange.protocol.errors import REJECTS, WireError, feed_reason
from mock_exchange.protocol.feeds_private import OPEN_ORDERS, VERBOSE, OrderFeeds

from .model import Scenario
from .setup import exchange_for
from .target import (
    AccountState,
    Ack,
    Fill,
    OpenOrder,
    OrderEdit,
    OrderMessage,
    OrderRequest,
    OrderState,
    Position,
    Prices,
)

_STATES = {s.value: s for s in MarketState}


class InProcessTarget:
    def __init__(
        self, scenario: Scenario, seed: int | None = None, *, clock: Clock | None = None
    ) -> None:
        """`clock`: the exchange's clock; None is a `ManualClock` at the scenario's start."""
        self.seed = scenario.seed if seed is None else seed
        self.exchange: Exchange = exchange_for(scenario, self.seed, clock)
        self.clock: Clock = self.exchange.clock
        self.ids: dict[str, str] = {}  # scenario name -> account id
        self.names: dict[str, str] = {}  # account id -> scenario name
        self.messages: dict[str, list[OrderMessage]] = {}
        self.fill_log: dict[str, list[Fill]] = {}
        self._feeds = OrderFeeds(set())
        self._watched: set[tuple[str, str]] = set()  # (feed, account id) of scenario accounts
        self.exchange.subscribe(self._record)

    # -- recording -------------------------------------------------------------------------
    def _record(self, events: Sequence[Event]) -> None:
        for event in events:
            for feed, account_id, msg in self._feeds.on_event(event, self._watched):
                name = self.names[account_id]
                self.messages[name].append(_message(event.time, feed, msg))
            if isinstance(event, Trade):
                self._fills(event)

    def _fills(self, trade: Trade) -> None:
        for view, kind in ((trade.maker, trade.maker_fill), (trade.taker, trade.taker_fill)):
            name = self.names.get(view.account_id)
            if name is not None:
                side = "buy" if view.side is Side.BUY else "sell"
                self.fill_log[name].append(
                    Fill(
                        trade.trade_id,
                        view.order_id,
                        trade.symbol,
                        side,
                        trade.qty,
                        trade.price,
                        kind.value,
                        trade.time,
                    )
                )

    # -- setup and time --------------------------------------------------------------------
    def open_account(
        self,
        name: str,
        balances: Mapping[str, Decimal],
        wallets: Mapping[str, Mapping[str, Decimal]],
    ) -> str:
        ex = self.exchange
        funding = inputs.funding(
            ex.instruments.values(),
            ex.settings.haircuts,
            dict(balances),
            {k: dict(v) for k, v in wallets.items()},
        )
        outcome = ex.submit(c.OpenAccount(name, funding))
        assert outcome.account_id is not None
        self.ids[name], self.names[outcome.account_id] = outcome.account_id, name
        self._watched |= {(OPEN_ORDERS, outcome.account_id), (VERBOSE, outcome.account_id)}
        self.messages[name], self.fill_log[name] = [], []
        return outcome.account_id

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def advance_to(self, ms: int) -> None:
        clock = self.clock
        if not isinstance(clock, ManualClock):
            raise TypeError("advance_to moves a ManualClock; override it for another clock")
        if ms > clock.now_ms():
            clock.set(ms)
            self.exchange.advance()

    # -- trading ---------------------------------------------------------------------------
    def _submit(self, command: Any) -> Outcome:
        return self.exchange.submit(command)

    def place(self, account: str, order: OrderRequest) -> Ack:
        try:
            cmd = decode.place_order(decode.Params.from_mapping(order.params()))
        except WireError as err:
            return Ack("", error=err.code)
        outcome = self._submit(replace(cmd, account_id=self.ids[account]))
        return _ack(outcome, "placed")

    def edit(self, account: str, edit: OrderEdit) -> Ack:
        try:
            cmd = decode.edit_order(decode.Params.from_mapping(edit.params()))
        except WireError as err:
            return Ack("", error=err.code)
        outcome = self._submit(replace(cmd, account_id=self.ids[account]))
        return replace(_ack(outcome, "edited"), order_id=outcome.order_id or edit.order_id)

    def cancel(self, account: str, order_id: str) -> Ack:
        return _ack(self._submit(c.CancelOrder(self.ids[account], order_id)), "cancelled")

    def cancel_all(self, account: str, symbol: str | None = None) -> Ack:
        outcome = self._submit(c.CancelAll(self.ids[account], symbol))
        body = encode.cancel_all_status(outcome, symbol)
        ids = tuple(item["order_id"] for item in body["cancelledOrders"])
        return Ack(body["status"], cancelled=ids)

    def dead_man_switch(self, account: str, timeout_s: int) -> None:
        self._submit(c.ArmDeadManSwitch(self.ids[account], timeout_s))

    # -- operator --------------------------------------------------------------------------
    def set_prices(
        self,
        symbol: str,
        mark: Decimal | None = None,
        index: Decimal | None = None,
        last: Decimal | None = None,
    ) -> None:
        self._submit(c.SetPrices(symbol, mark, index, last))

    def set_market_state(self, symbol: str, state: str) -> None:
        self._submit(c.SetMarketState(symbol, _STATES[state]))

    def set_funding_rate(self, symbol: str, rate: Decimal | None) -> None:
        self._submit(c.SetFundingRate(symbol, rate))

    def admin_cancel(self, order_id: str) -> bool:
        return self._submit(c.AdminCancel(order_id)).ok

    # -- reading ---------------------------------------------------------------------------
    def prices(self, symbol: str) -> Prices:
        market = self.exchange.markets[symbol]
        return Prices(market.mark, market.index, market.last)

    def account_state(self, account: str) -> AccountState:
        ex = self.exchange
        acct = ex.accounts[self.ids[account]]
        balances = {w.name: dict(w.balances) for w in acct.wallets.values()}
        positions = {s: Position(s, p.size, p.entry) for s, p in acct.positions.items() if p.size}
        equity = ex.margin.summary(acct, "flex").portfolio_value
        return AccountState(balances, positions, equity, self.open_orders(account))

    def open_orders(self, account: str) -> tuple[OpenOrder, ...]:
        acct = self.exchange.accounts[self.ids[account]]
        return tuple(self._open(o) for o in acct.orders.values())

    def _open(self, order: Order) -> OpenOrder:
        v = self.exchange.view(order)
        kind = encode_account.open_order(v)["orderType"]  # what REST openorders says
        side = "buy" if v.side is Side.BUY else "sell"
        return OpenOrder(
            v.order_id,
            v.symbol,
            side,
            kind,
            v.remaining,
            v.filled,
            v.limit_price,
            v.stop_price,
            v.cli_ord_id,
        )

    def fills(self, account: str) -> tuple[Fill, ...]:
        return tuple(self.fill_log[account])

    def order_state(self, account: str, order_id: str) -> OrderState:
        ex = self.exchange
        live = ex.orders.get(order_id)
        if live is not None:
            v = ex.view(live)
            return OrderState(order_id, "open", v.filled)
        closed = ex.closed.get(order_id)
        if closed is None:
            return OrderState(order_id, "unknown", Decimal(0))
        reason = feed_reason(closed.reason) if closed.reason is not None else None
        if closed.filled:
            state = "filled"
        elif closed.reason is not None and closed.reason in REJECTS:
            state = "rejected"
        else:
            state = "cancelled"
        return OrderState(order_id, state, closed.view.filled, reason)

    def order_messages(self, account: str) -> tuple[OrderMessage, ...]:
        return tuple(self.messages[account])

    def stop_recording(self) -> None:
        """Stop recording messages and fills; the exchange's other listeners stay subscribed."""
        if self._record in self.exchange.listeners:
            self.exchange.listeners.remove(self._record)

    def close(self) -> None:
        self.exchange.listeners.clear()


def _ack(outcome: Outcome, success: str) -> Ack:
    if outcome.reject is not None and REJECTS[outcome.reject].status is None:
        return Ack("", outcome.order_id, REJECTS[outcome.reject].error or "unknownError")
    return Ack(encode.status(outcome, success), outcome.order_id)


def _message(time: int, feed: str, msg: Mapping[str, Any]) -> OrderMessage:
    body = msg.get("order")
    source = body if isinstance(body, dict) else msg
    qty = Decimal(str(body["qty"])) if isinstance(body, dict) else None
    filled = Decimal(str(body["filled"])) if isinstance(body, dict) else None
    return OrderMessage(
        time,
        feed,
        str(msg["reason"]),
        source.get("order_id"),
        source.get("cli_ord_id"),
        bool(msg["is_cancel"]),
        qty,
        filled,
    )
