"""``OpenOrdersTracker``: the user's open orders kept current from the ``open_orders`` (or
``open_orders_verbose``) snapshot and deltas, with ``wait_for`` to await an order's state.

Invariants (reference kraken-futures-ws.md §3.6, docs/websocket.md "open_orders")
---------------------------------------------------------------------------------
* The open set is replaced by every snapshot and then changed only by deltas: ``is_cancel``
  true removes the order, false inserts or replaces it with the message's full body. So after
  each message the open set equals the server's open orders for the account.
* ``qty`` on the wire is the REMAINING quantity; a tracked order keeps the last full body, so
  ``remaining``, ``filled`` and ``size`` (= remaining + filled) come straight from it. An id-only
  message keeps the last body seen for the order.
* Every reason of the reference maps to one ``OrderState``: live reasons to ``open`` /
  ``partially_filled`` (by ``filled``), ``full_fill`` to ``filled``, removals to ``cancelled``,
  refusals (full body, or ``order_for_edit_not_found``) to ``rejected``,
  ``stop_order_triggered`` to ``triggered``; an unknown reason follows ``is_cancel``. Orders
  missing from a new snapshot become ``closed`` (they left while we could not see why).
* A ``fills`` message with ``remaining_order_qty`` 0 marks its order ``filled`` (an order filled
  on arrival never appears on open_orders); if the tracker sees the fills feed, ``wait_for``
  can therefore await such an order too.
* Only messages of the chosen feed are applied; the tracker never does I/O.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum

from .tracker_waiters import MessageSource, Waiters
from .ws_messages import (
    FillsMessage,
    OpenOrdersSnapshot,
    OpenOrdersUpdate,
    OrderBody,
    Reconnected,
    WsMessage,
)


class OrderState(StrEnum):
    OPEN = "open"
    PARTIALLY_FILLED = "partially_filled"
    FILLED = "filled"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    TRIGGERED = "triggered"
    CLOSED = "closed"


LIVE_STATES = frozenset({OrderState.OPEN, OrderState.PARTIALLY_FILLED})

LIVE_REASONS = frozenset({
    "new_placed_order_by_user", "partial_fill", "edited_by_user", "limit_order_from_stop",
})  # fmt: skip
CANCEL_REASONS = frozenset({
    "cancelled_by_user", "cancelled_by_admin", "dead_man_switch", "contract_expired",
    "not_enough_margin", "market_inactive", "liquidation",
})  # fmt: skip
REFUSAL_REASONS = frozenset({
    "post_order_failed_because_it_would_filled", "post_order_failed_because_it_would_be_filled",
    "ioc_order_failed_because_it_would_not_be_executed", "order_for_edit_not_found",
})  # fmt: skip
# Refused at placement when the body comes with it; a resting order removed when id-only.
REFUSED_OR_REMOVED = frozenset({"would_execute_self", "would_not_reduce_position"})
KNOWN_REASONS = (
    LIVE_REASONS | CANCEL_REASONS | REFUSAL_REASONS | REFUSED_OR_REMOVED
    | {"full_fill", "stop_order_triggered"}
)


def state_for(update: OpenOrdersUpdate, last_body: OrderBody | None) -> OrderState:
    """The state an order is in after ``update`` (see the module docstring)."""
    reason, body = update.reason, update.order or last_body
    if update.is_cancel:
        if reason == "full_fill":
            return OrderState.FILLED
        if reason == "stop_order_triggered":
            return OrderState.TRIGGERED
        if reason in REFUSAL_REASONS or (reason in REFUSED_OR_REMOVED and update.order):
            return OrderState.REJECTED
        return OrderState.CANCELLED
    if body is not None and body.filled > 0:
        return OrderState.PARTIALLY_FILLED
    return OrderState.OPEN


@dataclass(frozen=True, slots=True)
class TrackedOrder:
    """The latest known state of one order."""

    order_id: str
    state: OrderState
    reason: str  # the last wire reason ("snapshot" when it came from a snapshot)
    order: OrderBody | None  # the last full body seen
    cli_ord_id: str | None = None

    @property
    def is_open(self) -> bool:
        return self.state in LIVE_STATES

    @property
    def remaining(self) -> Decimal | None:
        if self.state is OrderState.FILLED:
            return Decimal(0)
        return self.order.qty if self.order else None

    @property
    def filled(self) -> Decimal | None:
        return self.order.filled if self.order else None

    @property
    def size(self) -> Decimal | None:
        return self.order.size if self.order else None


class OrderWaitTimeout(TimeoutError):
    """``wait_for`` timed out; ``last`` is the order's latest record (None if never seen)."""

    def __init__(self, order_id: str, wanted: str, last: TrackedOrder | None) -> None:
        seen = f"last seen {last.state} ({last.reason})" if last else "never seen"
        super().__init__(f"order {order_id} did not reach {wanted}: {seen}")
        self.order_id = order_id
        self.last = last


class OpenOrdersTracker:
    """Open orders of one account, from a ``FuturesWebSocket`` (``ws``) or from ``apply``."""

    def __init__(
        self,
        ws: MessageSource | None = None,
        *,
        feed: str = "open_orders",
        keep_closed: int = 10_000,
    ) -> None:
        if feed not in ("open_orders", "open_orders_verbose"):
            raise ValueError("feed must be 'open_orders' or 'open_orders_verbose'")
        self.feed = feed
        self.account: str | None = None
        self.synced = False
        self._open: dict[str, TrackedOrder] = {}
        self._closed: OrderedDict[str, TrackedOrder] = OrderedDict()
        self._keep_closed = keep_closed
        self._waiters: Waiters[TrackedOrder | None] = Waiters()
        if ws is not None:
            ws.add_listener(self.apply)

    # -- reading -------------------------------------------------------------------------------

    @property
    def orders(self) -> dict[str, TrackedOrder]:
        """The open orders by order id, oldest first (a copy)."""
        return dict(self._open)

    def open_bodies(self) -> list[OrderBody]:
        return [o.order for o in self._open.values() if o.order is not None]

    def get(self, order_id: str) -> TrackedOrder | None:
        """The latest record of an order, open or (recently) closed."""
        return self._open.get(order_id) or self._closed.get(order_id)

    def __contains__(self, order_id: object) -> bool:
        return order_id in self._open

    def __len__(self) -> int:
        return len(self._open)

    # -- applying messages ---------------------------------------------------------------------

    def apply(self, message: WsMessage) -> None:
        """Apply one message (others than this tracker's feed, fills and reconnects are
        ignored)."""
        if isinstance(message, OpenOrdersSnapshot) and message.feed == self.feed:
            self._snapshot(message)
        elif isinstance(message, OpenOrdersUpdate) and message.feed == self.feed:
            self._update(message)
        elif isinstance(message, FillsMessage):
            for fill in message.fills:
                if fill.remaining_order_qty == 0:
                    self._filled(fill.order_id)
        elif isinstance(message, Reconnected):
            self.synced = False
        else:
            return
        self._waiters.check(self.get)

    def _snapshot(self, snap: OpenOrdersSnapshot) -> None:
        self.account, self.synced = snap.account, True
        fresh = {
            body.order_id: TrackedOrder(
                body.order_id,
                OrderState.PARTIALLY_FILLED if body.filled > 0 else OrderState.OPEN,
                "snapshot", body, body.cli_ord_id,
            )
            for body in snap.orders
        }  # fmt: skip
        for order_id, gone in self._open.items():
            if order_id not in fresh:
                self._close(replace(gone, state=OrderState.CLOSED, reason="snapshot"))
        for order_id in fresh:
            self._closed.pop(order_id, None)
        self._open = fresh

    def _update(self, update: OpenOrdersUpdate) -> None:
        previous = self.get(update.order_id)
        last_body = previous.order if previous else None
        body = update.order or last_body
        if not update.is_cancel and body is None:
            return  # an id-only message for an order we never saw: nothing to keep
        record = TrackedOrder(
            update.order_id,
            state_for(update, last_body),
            update.reason,
            body,
            update.cli_ord_id or (previous.cli_ord_id if previous else None),
        )
        if update.is_cancel:
            self._open.pop(update.order_id, None)
            self._close(record)
        else:
            self._closed.pop(update.order_id, None)
            self._open[update.order_id] = record

    def _filled(self, order_id: str) -> None:
        previous = self.get(order_id)
        if previous is not None and not previous.is_open:
            return
        self._open.pop(order_id, None)
        body = previous.order if previous else None
        if body is not None:
            body = replace(body, qty=Decimal(0), filled=body.qty + body.filled)
        cli = previous.cli_ord_id if previous else None
        self._close(TrackedOrder(order_id, OrderState.FILLED, "full_fill", body, cli))

    def _close(self, record: TrackedOrder) -> None:
        self._closed[record.order_id] = record
        self._closed.move_to_end(record.order_id)
        while len(self._closed) > self._keep_closed:
            self._closed.popitem(last=False)

    # -- waiting -------------------------------------------------------------------------------

    async def wait_for(
        self,
        order_id: str,
        state: OrderState | str | Iterable[OrderState | str] | None = None,
        *,
        reason: str | None = None,
        predicate: Callable[[TrackedOrder], bool] | None = None,
        timeout: float = 10.0,
    ) -> TrackedOrder:
        """Wait until order ``order_id`` is in ``state`` (one or any of several), with the last
        wire ``reason`` and satisfying ``predicate`` (every criterion given must hold). The
        order's current record is checked at once, then after every message about it. Raises
        ``OrderWaitTimeout`` after ``timeout`` seconds."""
        states = _states(state)
        if states is None and reason is None and predicate is None:
            raise ValueError("wait_for needs a state, a reason or a predicate")

        def matches(record: TrackedOrder | None) -> bool:
            return (
                record is not None
                and (states is None or record.state in states)
                and (reason is None or record.reason == reason)
                and (predicate is None or predicate(record))
            )

        try:
            found = await self._waiters.wait(order_id, matches, self.get, timeout)
        except TimeoutError:
            wanted = ", ".join(sorted(states)) if states else "the predicate"
            if reason:
                wanted += f" with reason {reason}"
            raise OrderWaitTimeout(order_id, wanted, self.get(order_id)) from None
        assert found is not None
        return found

    async def wait_synced(self, timeout: float = 10.0) -> None:
        """Wait for the (next) snapshot if none has been applied since the last reconnect."""
        async with asyncio.timeout(timeout):
            while not self.synced:
                await self._waiters.wait_any(timeout)


def _states(
    state: OrderState | str | Iterable[OrderState | str] | None,
) -> frozenset[OrderState] | None:
    if state is None:
        return None
    if isinstance(state, str):
        return frozenset({OrderState(state)})
    return frozenset(OrderState(s) for s in state)
