"""The `account_log` feed through a real `Hub` wired to the server's History: the messages a
subscriber receives are the History API's rows, field by field; each position change is booked
once (by the History's recorder, never again by the feed); a hub needs a History.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from support import Harness
from unit.history.ledger_tap import Json, as_feed

from mock_exchange.engine.events import Event, PositionChanged
from mock_exchange.history import History, ledger
from mock_exchange.keys import KeyStore
from mock_exchange.protocol import encode_history
from mock_exchange.server.hub import Connection, Hub, Outbox
from mock_exchange.server.state import ServerState


class Served:
    def __init__(self) -> None:
        self.h = Harness()
        self.state = ServerState(self.h.ex, KeyStore(self.h.ex.ids))
        self.history = History.attach(self.state)
        self.hub = Hub.attach(self.state)
        self.loop = asyncio.new_event_loop()

    def watch(self, account: str) -> Connection:
        conn = self.hub.connect("test", Outbox(self.loop, 10_000))
        assert conn is not None
        self.hub.add(conn, "account_log", account, None)
        for message in self.hub.initial(conn, "account_log", account):
            conn.send(message)
        return conn

    def rows(self, account: str) -> list[Json]:
        return [encode_history.log_entry(e) for e in self.history.account(account).log]


def _got(conn: Connection) -> list[Json]:
    return [json.loads(text) for text in conn.outbox.drain()]


def _trade_and_move(s: Served) -> tuple[str, Connection]:
    alice, bob = s.h.account("alice"), s.h.account("bob")
    conn = s.watch(alice)
    s.h.place(bob, "sell", "lmt", "1", 60000)
    s.h.place(alice, "buy", "mkt", "1")
    s.h.place(bob, "buy", "lmt", "0.4", 60500)
    s.h.place(alice, "sell", "mkt", "0.4")
    return alice, conn


def test_the_feed_sends_the_history_rows() -> None:
    s = Served()
    alice, conn = _trade_and_move(s)
    snapshot, *deltas = _got(conn)
    rows = s.rows(alice)
    assert snapshot == {"feed": "account_log_snapshot", "logs": [as_feed(rows[0])]}  # deposit
    assert [m["feed"] for m in deltas] == ["account_log"] * 4
    assert [m["new_entry"] for m in deltas] == [as_feed(r) for r in rows[1:]]
    assert [m["new_entry"]["mark_price"] for m in deltas] == [60000.0] * 4
    closing = deltas[-1]["new_entry"]
    # sold 0.4 at 60,500 from an entry of 60,000: PnL 200; taker fee 0.05 % of 24,200
    assert (closing["realized_pnl"], closing["fee"], closing["id"]) == (200.0, 12.1, 5)
    again = s.watch(alice)
    (snapshot,) = _got(again)
    assert snapshot["logs"] == [as_feed(r) for r in reversed(rows)]  # newest first
    s.loop.close()


def test_each_position_change_is_booked_once_with_the_feed_watching(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    booked: list[int] = []
    book = ledger.on_position

    def counting(history: History, event: PositionChanged, batch: ledger.Batch) -> None:
        booked.append(event.seq)
        book(history, event, batch)

    monkeypatch.setattr(ledger, "on_position", counting)
    s = Served()
    changes: dict[str, list[int]] = {}

    def listen(events: list[Event]) -> None:
        for e in events:
            if isinstance(e, PositionChanged):
                changes.setdefault(e.account_id, []).append(e.seq)

    s.h.ex.subscribe(listen)
    _, conn = _trade_and_move(s)
    # one booking per change
    assert sorted(booked) == sorted(seq for seqs in changes.values() for seq in seqs)
    assert len(booked) == 4  # two trades, two accounts each
    for account, seqs in changes.items():
        logs = s.history.account(account)
        assert len(logs.positions) == len(seqs) == 2
        assert [e.seq for e in logs.log if e.asset == e.symbol] == seqs
    position_rows = [m["new_entry"] for m in _got(conn)[1:] if m["new_entry"]["asset"] != "usd"]
    assert [r["new_balance"] for r in position_rows] == [1.0, 0.6]
    s.loop.close()


def test_a_hub_needs_the_history_attached_first() -> None:
    h = Harness()
    state = ServerState(h.ex, KeyStore(h.ex.ids))
    listeners = list(h.ex.listeners)
    with pytest.raises(RuntimeError, match="attach a History"):
        Hub.attach(state)
    assert "ws_hub" not in state.extras and h.ex.listeners == listeners
