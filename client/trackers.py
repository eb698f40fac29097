"""Local state kept from WebSocket feeds: ``OpenOrdersTracker`` (the user's open orders, from
``open_orders``/``open_orders_verbose``, with ``wait_for``) and ``OrderBookTracker`` (L2 books
from ``book``, with sequence-gap detection and resync).

Both attach to a ``FuturesWebSocket`` as listeners (pass it to the constructor) or take
messages through ``apply``; neither does I/O itself. See order_tracker.py and book_tracker.py
for their invariants.
"""

from __future__ import annotations

from .book_tracker import OrderBook, OrderBookTracker
from .order_tracker import (
    KNOWN_REASONS,
    OpenOrdersTracker,
    OrderState,
    OrderWaitTimeout,
    TrackedOrder,
    state_for,
)

__all__ = [
    "KNOWN_REASONS", "OpenOrdersTracker", "OrderBook", "OrderBookTracker", "OrderState",
    "OrderWaitTimeout", "TrackedOrder", "state_for",
]
