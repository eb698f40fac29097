"""Fan-out of committed exchange events to subscribed WebSocket connections.

Job
---
One `Hub` per server state (`state.extras["ws_hub"]`). It listens to the exchange like `History`
does, renders each committed event into feed messages (via `protocol.feeds_*`), serialises each
message once and puts it on the outbox of every connection subscribed to it. Public and private
messages are only rendered for a (feed, product or account) somebody subscribes to (their
bookkeeping advances anyway, so snapshots do not depend on who watched); balances and positions
only for watched accounts. The server's `History` must be attached first (`account_log` renders
its ledger). It also owns the subscription index, per-connection challenges and the connection
limits.

Invariants
----------
* The listener runs synchronously inside `Exchange.submit`/`advance` and only enqueues: a
  command's messages are on every outbox before its REST response is written, in the order the
  engine committed the events. The engine never waits for a socket.
* Each `Outbox` is bounded; a full one marks its connection closing (1013, reason text) and
  drops everything after it, so a slow consumer costs nothing to the engine or to others.
* Subscribing registers the connection and renders its snapshot in one synchronous step, so no
  delta can fall between a snapshot and the deltas that follow it.
* An admin reset re-attaches to the new exchange (fresh bookkeeping) and closes every
  connection with 1012 "Exchange reset": their snapshots describe a market that is gone.
* A listener error is logged and swallowed: the WebSocket never breaks order entry.
* `queued` turns True whenever a message is put on some outbox; a REST handler that takes it
  (`take_queued`) may yield once to the event loop so the woken writers send before the
  handler renders its own answer (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from ..engine.events import Event
from ..engine.ids import IdGenerator
from ..history import History
from ..protocol import feeds, feeds_account, feeds_private, feeds_public
from ..protocol.feeds import Message
from .state import ServerState

log = logging.getLogger("mock_exchange.ws")

_ACCOUNT_FEEDS = frozenset({"balances", "open_positions"})  # rendered per watched account

_SALT = 0x5753_4348_414C_4C45  # mixes the challenge stream away from the exchange's ids


KRAKEN_WS_LIMITS = {"max_connections_per_ip": 100, "max_requests_per_second": 100}
"""Kraken's published WebSocket limits, applied with `--rate-limits kraken`."""


@dataclass(slots=True)
class WsLimits:
    """Tunables, read from the optional dict `state.extras["ws_limits"]` (docs/websocket.md)."""

    queue_size: int = 10_000  # outgoing messages held per connection
    max_frame_bytes: int = 65_536  # larger inbound frames close the connection (1009)
    max_connections_per_ip: int | None = None  # Kraken: 100
    max_requests_per_second: int | None = None  # Kraken: 100; over it: close 1008
    max_subscriptions: int = 1_000  # per connection; over it: `subscribed_failed`
    max_challenges: int = 16  # remembered per connection and key
    ticker_interval_s: float = 1.0
    heartbeat_interval_s: float = 10.0
    idle_timeout_s: float | None = None  # no inbound text frame for this long: close 1000
    close_timeout_s: float = 5.0

    @classmethod
    def from_extras(cls, extras: dict[str, Any]) -> WsLimits:
        given = extras.get("ws_limits") or {}
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in dict(given).items() if k in known})


class Outbox:
    """A bounded queue of serialised messages for one connection, fed synchronously."""

    def __init__(self, loop: asyncio.AbstractEventLoop, limit: int) -> None:
        self._loop = loop
        self._limit = limit
        self._items: deque[str] = deque()
        self._wake = asyncio.Event()
        self.closing: tuple[int, str] | None = None

    def put(self, text: str) -> bool:
        if self.closing is not None:
            return False
        if len(self._items) >= self._limit:
            self.close(*feeds.SLOW_CONSUMER)
            return False
        self._items.append(text)
        self._notify()
        return True

    def close(self, code: int, reason: str) -> None:
        if self.closing is None:
            self.closing = (code, reason)
            self._items.clear()
            self._notify()

    async def get(self) -> str | None:
        """The next message, or None once the connection is closing."""
        while True:
            if self.closing is not None:
                return None
            if self._items:
                return self._items.popleft()
            self._wake.clear()
            if not self._items and self.closing is None:
                await self._wake.wait()

    async def closed(self) -> tuple[int, str]:
        while self.closing is None:
            self._wake.clear()
            if self.closing is None:
                await self._wake.wait()
        return self.closing

    def drain(self) -> list[str]:
        """Take every pending message at once (tests, diagnostics)."""
        items = list(self._items)
        self._items.clear()
        return items

    def __len__(self) -> int:
        return len(self._items)

    def _notify(self) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._wake.set()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)


class Connection:
    """One WebSocket client: its outbox, subscriptions, challenges and message counters."""

    def __init__(self, conn_id: int, ip: str, outbox: Outbox) -> None:
        self.id = conn_id
        self.ip = ip
        self.outbox = outbox
        #: (feed, product or account id or "") -> fills product filter (None: all)
        self.subs: dict[tuple[str, str], frozenset[str] | None] = {}
        self.challenges: dict[str, deque[str]] = {}
        self.seqs: dict[tuple[str, str], int] = {}

    def send(self, message: Message) -> bool:
        return self.outbox.put(feeds.dumps(message))

    def next_seq(self, feed: str, account_id: str) -> int:
        seq = self.seqs.get((feed, account_id), 0)
        self.seqs[(feed, account_id)] = seq + 1
        return seq


class Hub:
    def __init__(self, state: ServerState) -> None:
        self.state = state
        self.connections: dict[int, Connection] = {}
        self.subs: dict[tuple[str, str], dict[int, Connection]] = {}
        #: the accounts whose `balances` or `open_positions` somebody watches (with a count)
        self.account_watch: dict[str, int] = {}
        self.notifications: list[Message] = []
        self._next_id = 0
        self._per_ip: dict[str, int] = {}
        self.queued = False
        self._start()

    @property
    def limits(self) -> WsLimits:
        """Read when used, so limits set after the app was built still apply."""
        return WsLimits.from_extras(self.state.extras)

    @classmethod
    def of(cls, state: ServerState) -> Hub:
        """The state's hub, attached on first use."""
        hub = state.extras.get("ws_hub")
        return hub if isinstance(hub, Hub) else cls.attach(state)

    @classmethod
    def attach(cls, state: ServerState) -> Hub:
        hub = cls(state)
        state.extras["ws_hub"] = hub
        state.reset_hooks.append(hub._reset)
        return hub

    def _start(self) -> None:
        ex = self.state.exchange
        self.public = feeds_public.PublicFeeds(ex.markets)
        # The account_log feed renders the History's ledger records (History attaches first:
        # create_app does, and so must anything else that builds a hub).
        history = self.state.extras.get("history")
        if not isinstance(history, History):
            raise RuntimeError("attach a History to the server state before the WebSocket hub")
        self.private = feeds_private.PrivateFeeds(set(ex.orders), history, ex.seq)
        seed = int.from_bytes(copy.copy(ex.ids).token(8), "big") ^ _SALT
        self._challenge_ids = IdGenerator(seed)
        ex.subscribe(self.on_events)

    def _reset(self) -> None:
        for conn in list(self.connections.values()):
            conn.outbox.close(*feeds.EXCHANGE_RESET)
        self.subs.clear()
        self.account_watch.clear()
        self._start()

    # -- connections ---------------------------------------------------------------------------
    def connect(self, ip: str, outbox: Outbox) -> Connection | None:
        """Register a connection, or None when its address has too many."""
        cap = self.limits.max_connections_per_ip
        if cap is not None and self._per_ip.get(ip, 0) >= cap:
            return None
        self._next_id += 1
        conn = Connection(self._next_id, ip, outbox)
        self.connections[conn.id] = conn
        self._per_ip[ip] = self._per_ip.get(ip, 0) + 1
        return conn

    def disconnect(self, conn: Connection) -> None:
        if self.connections.pop(conn.id, None) is None:
            return
        for key in conn.subs:
            self._unindex(conn, key)
        conn.subs.clear()
        left = self._per_ip.get(conn.ip, 1) - 1
        if left:
            self._per_ip[conn.ip] = left
        else:
            self._per_ip.pop(conn.ip, None)

    def issue_challenge(self, conn: Connection, api_key: str) -> str:
        challenge = self._challenge_ids.uuid()
        issued = conn.challenges.get(api_key)
        if issued is None:
            if len(conn.challenges) >= self.limits.max_challenges:
                conn.challenges.pop(next(iter(conn.challenges)))
            issued = conn.challenges[api_key] = deque(maxlen=self.limits.max_challenges)
        issued.append(challenge)
        return challenge

    # -- subscriptions ---------------------------------------------------------------------------
    def add(self, conn: Connection, feed: str, key: str, only: frozenset[str] | None) -> None:
        conn.subs[(feed, key)] = only
        targets = self.subs.setdefault((feed, key), {})
        if conn.id not in targets and feed in _ACCOUNT_FEEDS:
            self.account_watch[key] = self.account_watch.get(key, 0) + 1
        targets[conn.id] = conn

    def remove(self, conn: Connection, feed: str, key: str) -> bool:
        if (feed, key) not in conn.subs:
            return False
        del conn.subs[(feed, key)]
        self._unindex(conn, (feed, key))
        return True

    def _unindex(self, conn: Connection, key: tuple[str, str]) -> None:
        targets = self.subs.get(key)
        if targets is not None:
            if targets.pop(conn.id, None) is not None and key[0] in _ACCOUNT_FEEDS:
                left = self.account_watch[key[1]] - 1
                if left:
                    self.account_watch[key[1]] = left
                else:
                    del self.account_watch[key[1]]
            if not targets:
                del self.subs[key]

    def initial(self, conn: Connection, feed: str, key: str) -> list[Message]:
        """What a new (or re-requested) subscription receives first: snapshot or state."""
        ex = self.state.exchange
        if feed == "book":
            return [self.public.books[key].snapshot(ex.markets[key], ex.now)]
        if feed == "trade":
            return [self.public.tapes[key].snapshot(key)]
        if feed in ("ticker", "ticker_lite"):
            return [self.ticker(feed, key)]
        if feed in (feeds_private.OPEN_ORDERS, feeds_private.VERBOSE):
            views = [ex.view(o) for o in ex.accounts[key].orders.values()]
            return [feeds_private.orders_snapshot(feed, key, views)]
        if feed == "fills":
            return [self.private.fills_snapshot(key, conn.subs.get((feed, key)))]
        if feed == "account_log":
            return [self.private.log_snapshot(key)]
        if feed == "balances":
            conn.seqs[(feed, key)] = 0
            return [feeds_account.balances(ex, key, conn.next_seq(feed, key))]
        if feed == "open_positions":
            conn.seqs[(feed, key)] = 0
            return [feeds_account.positions(ex, key, conn.next_seq(feed, key))]
        if feed == "notifications_auth":
            return [feeds_account.notifications(self.notifications)]
        return []

    def ticker(self, feed: str, product: str) -> Message:
        ex = self.state.exchange
        market = ex.markets[product]
        stats = self.public.tapes[product].stats(market.instrument, market.last, ex.now)
        if feed == "ticker_lite":
            return feeds_public.ticker_lite(market, stats, ex.now)
        interest = feeds_public.open_interest(ex.accounts.values(), product)
        return feeds_public.ticker(market, stats, ex.now, ex.next_funding, interest)

    def notify(self, notification: Message) -> None:
        """Publish an exchange notification (for the admin API) to `notifications_auth`."""
        self.notifications.append(notification)
        message = feeds_account.notifications([notification])
        for (feed, _), targets in self.subs.items():
            if feed == "notifications_auth":
                for conn in targets.values():
                    conn.send(message)

    # -- the listener ----------------------------------------------------------------------------
    def take_queued(self) -> bool:
        """Whether messages were queued since the last call (and forget it)."""
        queued, self.queued = self.queued, False
        return queued

    def on_events(self, events: Sequence[Event]) -> None:
        try:
            self._fan_out(events)
        except Exception:  # our own bug: never let it reach order entry
            log.exception("WebSocket fan-out failed")

    def _fan_out(self, events: Sequence[Event]) -> None:
        ex, subs, markets = self.state.exchange, self.subs, self.state.exchange.markets
        public, private, publish = self.public.on_event, self.private.on_event, self._publish
        for event in events:
            for feed, message in public(event, markets, subs):
                publish(feed, message["product_id"], message)
            for feed, account_id, message in private(event, subs):
                publish(feed, account_id, message)
        if not self.account_watch:
            return
        watched = set(self.account_watch)
        families, moved = feeds_account.account_changes(ex, events, watched)
        for account_id, changed in families.items():
            for conn in self._targets("balances", account_id):
                seq = conn.next_seq("balances", account_id)
                self.queued |= conn.send(feeds_account.balances(ex, account_id, seq, changed))
        for account_id in sorted(moved):
            for conn in self._targets("open_positions", account_id):
                seq = conn.next_seq("open_positions", account_id)
                self.queued |= conn.send(feeds_account.positions(ex, account_id, seq))

    def _publish(self, feed: str, key: str, message: Message) -> None:
        targets = self.subs.get((feed, key))
        if not targets:
            return
        text = feeds.dumps(message)
        for conn in targets.values():
            if feed != "fills" or _wanted(message["fills"][0], conn.subs.get((feed, key))):
                self.queued |= conn.outbox.put(text)

    def _targets(self, feed: str, key: str) -> list[Connection]:
        return list(self.subs.get((feed, key), {}).values())


def _wanted(fill: Message, only: frozenset[str] | None) -> bool:
    return only is None or fill["instrument"] in only
