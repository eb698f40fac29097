"""What the exchange has done, kept for read endpoints: fills, public trades, order history.

A `History` listens to the exchange's events (pure bookkeeping, no I/O) and is attached to a
server state with `History.attach(state)`; an admin reset re-attaches it to the new exchange.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .engine.events import Event

if TYPE_CHECKING:
    from .server.state import ServerState


class History:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def record(self, events: Sequence[Event]) -> None:
        self.events.extend(events)

    @classmethod
    def attach(cls, state: ServerState) -> History:
        history = cls()
        state.extras["history"] = history

        def reattach() -> None:
            history.__init__()  # type: ignore[misc]
            state.exchange.subscribe(history.record)

        state.exchange.subscribe(history.record)
        state.reset_hooks.append(reattach)
        return history
