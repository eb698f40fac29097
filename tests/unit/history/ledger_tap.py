"""Test support for the account ledger: one exchange read by the History and by `account_log`.

`LedgerTap` wires a `Harness` exchange the way a server does — a `History` attached first, then
the private feeds given that History (what `Hub` does), watching every account. `as_feed(row)`
is the documented mapping from
a History API row to the `account_log` entry that must carry the same booking
(docs/funds-rfq-assignment.md, "One ledger, two renderings").
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from support import Harness

from mock_exchange.engine.events import Event, PositionChanged
from mock_exchange.history import History
from mock_exchange.keys import KeyStore
from mock_exchange.protocol import encode_history
from mock_exchange.protocol.feeds_private import EVERYONE, LOG_SIZE, PrivateFeeds
from mock_exchange.server.state import ServerState

Json = dict[str, Any]

#: Kraken's WebSocket key order of an `account_log` entry (`contract` only when there is one).
FEED_KEYS = (
    "id", "date", "asset", "contract", "info", "booking_uid", "margin_account", "old_balance",
    "new_balance", "old_average_entry_price", "new_average_entry_price", "trade_price",
    "mark_price", "realized_pnl", "fee", "execution", "collateral", "funding_rate",
    "realized_funding", "conversion_spread_percentage", "liquidation_fee",
)  # fmt: skip
TEXT_KEYS = ("date", "asset", "contract", "info", "booking_uid", "margin_account", "execution",
             "collateral")  # fmt: skip


def as_feed(row: Json) -> Json:
    """The `account_log` entry for a History API row: the same values, numbers as doubles,
    null as "" (text) or 0.0 (numbers), and no `contract` key when the row has none."""
    out: Json = {}
    for key in FEED_KEYS:
        value = row[key]
        if key == "contract" and value is None:
            continue
        if key in TEXT_KEYS:
            out[key] = "" if value is None else value
        elif key == "id":
            out[key] = value
        else:
            out[key] = 0.0 if value is None else float(Decimal(str(value)))
    return out


class LedgerTap:
    def __init__(self, seed: int = 7) -> None:
        self.h = Harness(seed)
        self.state = ServerState(self.h.ex, KeyStore(self.h.ex.ids))
        self.history = History.attach(self.state)
        self.shared = PrivateFeeds(set(self.h.ex.orders), self.history, self.h.ex.seq)
        self.fed: dict[str, list[Json]] = {}
        #: account -> the seq of every `PositionChanged` the exchange published for it
        self.position_changes: dict[str, list[int]] = {}
        self.h.ex.subscribe(self._on_events)

    def _on_events(self, events: list[Event]) -> None:
        for event in events:
            if isinstance(event, PositionChanged):
                self.position_changes.setdefault(event.account_id, []).append(event.seq)
            for feed, account, message in self.shared.on_event(event, EVERYONE):
                if feed == "account_log":
                    self.fed.setdefault(account, []).append(message["new_entry"])

    def rows(self, account: str) -> list[Json]:
        """The History API rows of an account, oldest first."""
        return [encode_history.log_entry(e) for e in self.history.account(account).log]

    def feed(self, account: str) -> list[Json]:
        return list(self.fed.get(account, []))

    def accounts(self) -> set[str]:
        logged = {a for a in self.h.ex.accounts if self.history.account(a).log}
        return logged | set(self.fed)

    def check(self) -> None:
        """Every account's feed carries exactly its History rows, in order, field by field, and
        a snapshot taken now holds the newest of those very entries, newest first."""
        for account in sorted(self.accounts()):
            sent = self.feed(account)
            assert sent == [as_feed(r) for r in self.rows(account)], account
            assert all(tuple(e) == tuple(k for k in FEED_KEYS if k in e) for e in sent)
            snapshot = self.shared.log_snapshot(account)
            assert snapshot["logs"] == sent[::-1][:LOG_SIZE], account
