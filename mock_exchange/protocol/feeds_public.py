"""WebSocket v1 dialect, part 2: the public feeds `book`, `trade`, `ticker`, `ticker_lite` and
`heartbeat`, with the bookkeeping they need (book sequence numbers, the recent-trade tape).

Job
---
`PublicFeeds` follows the exchange's committed events and, per event, says which public
messages it causes: one `book` delta per price level whose size changed, one `trade` message
per execution. Snapshots (`book_snapshot`, `trade_snapshot`) and tickers are rendered from the
exchange's state on demand. A message is only rendered for a (feed, product) that somebody
watches (the caller says which); the bookkeeping (published depth, sequence numbers, the
tape) advances for every event either way, so a later subscriber sees the same snapshot and
sequence it would have seen had it watched all along.

Invariants
----------
* Book: each product has one global `seq`; every delta raises it by exactly one, and a snapshot
  carries the current value, so a subscriber sees S, S+1, S+2 ... after a snapshot at S.
  `published` is the depth as the deltas so far describe it; a level is only sent when its
  size there differs from the exchange's book, so snapshot + deltas == exchange depth after
  every committed command. Deltas carry the level's size after the whole command (absolute,
  `0.0` deletes the level), in the order the command first touched each level.
* Trades: per-product `seq` counts every execution; the tape keeps the newest 100 trades with
  their `seq` (rendered when a snapshot or a watched delta needs them, the same message either
  way; snapshot newest first) and a bounded 24 h window for the ticker statistics.
* Pure bookkeeping: no I/O, no clock (times come from events or the caller).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from ..accounts.account import Account
from ..engine.events import Event, OrderCancelled, OrderEdited, OrderPlaced, Trade
from ..engine.instruments import Instrument
from ..engine.market import Market
from ..engine.types import FillType, MarketState, OrderView, Side
from .feeds import Message, num

DAY_MS = 86_400_000
TAPE_SIZE = 100
WINDOW_LIMIT = 100_000  # trades kept for the 24 h statistics, per product

_SIDE = {Side.BUY: "buy", Side.SELL: "sell"}
_TRADE_TYPES = {FillType.LIQUIDATION: "liquidation", FillType.BLOCK: "block"}


class _Everything:
    """A container that holds every key: render all messages (tests, the default)."""

    def __contains__(self, key: object) -> bool:
        return True


_EVERYTHING = _Everything()


class BookFeed:
    """The published depth of one product and its message sequence."""

    __slots__ = ("published", "seq", "symbol")

    def __init__(self, market: Market) -> None:
        self.symbol = market.symbol
        self.seq = 0
        self.published: dict[tuple[Side, int], int] = {
            (side, ticks): lots for side in Side for ticks, lots in market.book.depth(side)
        }

    def snapshot(self, market: Market, now: int) -> Message:
        inst = market.instrument
        bids, asks = (
            [
                {"price": num(inst.price(p)), "qty": num(inst.size(q))}
                for p, q in market.book.depth(s)
            ]
            for s in (Side.BUY, Side.SELL)
        )
        return {
            "feed": "book_snapshot",
            "product_id": self.symbol,
            "timestamp": now,
            "seq": self.seq,
            "tickSize": None,
            "bids": bids,
            "asks": asks,
        }

    def changes(
        self,
        market: Market,
        levels: Iterable[tuple[Side, Decimal]],
        now: int,
        render: bool = True,
    ) -> Iterator[Message]:
        """Deltas for the touched levels whose size differs from what was published. With
        `render` False the published depth and `seq` advance but no message is built."""
        inst, book = market.instrument, market.book
        for side, price in levels:
            ticks = inst.to_ticks(price)
            if ticks is None:
                continue
            level = (book.bids if side is Side.BUY else book.asks).get(ticks)
            lots = level.total if level is not None else 0
            if self.published.get((side, ticks), 0) == lots:
                continue
            if lots:
                self.published[(side, ticks)] = lots
            else:
                self.published.pop((side, ticks), None)
            self.seq += 1
            if not render:
                continue
            yield {
                "feed": "book",
                "product_id": self.symbol,
                "side": _SIDE[side],
                "seq": self.seq,
                "price": num(price),
                "qty": num(inst.size(lots)),
                "timestamp": now,
            }


@dataclass(frozen=True, slots=True)
class Stats:
    """24 h statistics of one product (volume in contracts, quote volume, OHLC)."""

    volume: Decimal
    volume_quote: Decimal
    open: Decimal
    high: Decimal
    low: Decimal


class Tape:
    """The recent trades of one product: per-product trade seq, newest 100, a 24 h window."""

    __slots__ = ("recent", "seq", "window")

    def __init__(self, seq: int = 0) -> None:
        self.seq = seq
        self.recent: deque[tuple[int, Trade]] = deque(maxlen=TAPE_SIZE)
        self.window: deque[tuple[int, Decimal, Decimal]] = deque(maxlen=WINDOW_LIMIT)

    def record(self, trade: Trade, render: bool = True) -> Message | None:
        """Count and keep one execution; its `trade` message when `render`, else None."""
        self.seq += 1
        self.recent.append((self.seq, trade))
        self.window.append((trade.time, trade.price, trade.qty))
        return trade_message(self.seq, trade) if render else None

    def snapshot(self, symbol: str) -> Message:
        trades = [trade_message(seq, trade) for seq, trade in reversed(self.recent)]
        return {"feed": "trade_snapshot", "product_id": symbol, "trades": trades}

    def stats(self, inst: Instrument, last: Decimal, now: int) -> Stats:
        while self.window and self.window[0][0] <= now - DAY_MS:
            self.window.popleft()
        if not self.window:
            return Stats(Decimal(0), Decimal(0), last, last, last)
        prices = [p for _, p, _ in self.window]
        volume = sum((q for _, _, q in self.window), Decimal(0))
        quote = volume if inst.inverse else sum((p * q for _, p, q in self.window), Decimal(0))
        return Stats(volume, quote, prices[0], max(prices), min(prices))


def trade_message(seq: int, trade: Trade) -> Message:
    """The `trade` message of one execution (the same in deltas and snapshots)."""
    return {
        "feed": "trade",
        "product_id": trade.symbol,
        "uid": trade.trade_id,
        "side": _SIDE[trade.taker_side],
        "type": _TRADE_TYPES.get(trade.taker_fill, "fill"),
        "seq": seq,
        "time": trade.time,
        "qty": num(trade.qty),
        "price": num(trade.price),
    }


class PublicFeeds:
    """Book and trade bookkeeping for every product of one exchange."""

    def __init__(self, markets: dict[str, Market]) -> None:
        self.books = {symbol: BookFeed(m) for symbol, m in markets.items()}
        self.tapes = {symbol: Tape(m.trade_count) for symbol, m in markets.items()}

    def on_event(
        self,
        event: Event,
        markets: dict[str, Market],
        watched: Container[tuple[str, str]] = _EVERYTHING,
    ) -> Iterator[tuple[str, Message]]:
        """(feed, message) pairs this event causes, in order: book deltas, then the trade.
        Only (feed, product) pairs in `watched` are rendered; the bookkeeping runs for all."""
        if not isinstance(event, _BOOK_EVENTS):
            return
        for symbol, levels in _touched(event):
            market, book = markets.get(symbol), self.books.get(symbol)
            if market is not None and book is not None:
                render = ("book", symbol) in watched
                for message in book.changes(market, levels, event.time, render):
                    yield "book", message
        if isinstance(event, Trade):
            tape = self.tapes.get(event.symbol)
            if tape is not None:
                trade = tape.record(event, ("trade", event.symbol) in watched)
                if trade is not None:
                    yield "trade", trade


_BOOK_EVENTS = (OrderPlaced, OrderCancelled, OrderEdited, Trade)


def _touched(event: Event) -> list[tuple[str, list[tuple[Side, Decimal]]]]:
    """The book levels an event may have changed, per symbol."""
    views: list[OrderView] = []
    if isinstance(event, OrderPlaced | OrderCancelled):
        views = [event.order]
    elif isinstance(event, OrderEdited):
        views = [event.old, event.new]
    elif isinstance(event, Trade):
        views = [event.maker, event.taker] if event.taker_resting else [event.maker]
    levels = [
        (v.side, v.limit_price)
        for v in views
        if not v.kind.is_trigger and v.limit_price is not None
    ]
    return [(views[0].symbol, levels)] if levels else []


# -- tickers and heartbeat -------------------------------------------------------------------
def open_interest(accounts: Iterable[Account], symbol: str) -> Decimal:
    """Open interest: the long side of every position in `symbol`."""
    total = Decimal(0)
    for acct in accounts:
        pos = acct.positions.get(symbol)
        if pos is not None and pos.size > 0:
            total += pos.size
    return total


def _tag(inst: Instrument) -> str:
    return "perpetual" if inst.kind.perpetual else "month"


def _best(market: Market) -> tuple[float, float, float, float]:
    inst, book = market.instrument, market.book
    bid, ask = book.best_bid(), book.best_ask()
    bid_size = book.bids[bid].total if bid is not None else 0
    ask_size = book.asks[ask].total if ask is not None else 0
    return (
        num(inst.price(bid)) if bid is not None else 0.0,
        num(inst.price(ask)) if ask is not None else 0.0,
        num(inst.size(bid_size)),
        num(inst.size(ask_size)),
    )


def _change(stats: Stats, last: Decimal) -> float:
    return num((last - stats.open) / stats.open * 100) if stats.open else 0.0


def _premium(market: Market) -> float:
    return num((market.mark - market.index) / market.index * 100) if market.index else 0.0


def _maturity(inst: Instrument, now: int) -> tuple[int, int]:
    expiry = inst.last_trading_ms
    return (0, 0) if expiry is None else (max(0, (expiry - now) // DAY_MS), expiry)


def ticker(market: Market, stats: Stats, now: int, next_funding: int, interest: Decimal) -> Message:
    """A full `ticker` message (every field, every time)."""
    inst = market.instrument
    bid, ask, bid_size, ask_size = _best(market)
    dtm, maturity = _maturity(inst, now)
    out: Message = {"time": now, "product_id": inst.symbol}
    if inst.kind.perpetual:
        rate = market.relative_funding_rate()
        absolute = rate / market.mark if inst.inverse else rate * market.mark
        out |= {
            "funding_rate": num(absolute),
            "funding_rate_prediction": num(absolute),
            "relative_funding_rate": num(rate),
            "relative_funding_rate_prediction": num(rate),
            "next_funding_rate_time": next_funding,
        }
    leverage = int(1 / inst.margin_tiers[0].initial) if inst.margin_tiers else 1
    return out | {
        "leverage": f"{leverage}x",
        "premium": _premium(market),
        "feed": "ticker",
        "bid": bid,
        "ask": ask,
        "bid_size": bid_size,
        "ask_size": ask_size,
        "volume": num(stats.volume),
        "dtm": dtm,
        "index": num(market.index),
        "last": num(market.last),
        "change": _change(stats, market.last),
        "suspended": market.state is MarketState.SUSPENDED,
        "tag": _tag(inst),
        "pair": f"{inst.base}:{inst.quote}",
        "openInterest": num(interest),
        "markPrice": num(market.mark),
        "maturityTime": maturity,
        "post_only": market.state is MarketState.POST_ONLY,
        "volumeQuote": num(stats.volume_quote),
        "open": num(stats.open),
        "high": num(stats.high),
        "low": num(stats.low),
    }


def ticker_lite(market: Market, stats: Stats, now: int) -> Message:
    inst = market.instrument
    bid, ask, _, _ = _best(market)
    dtm, maturity = _maturity(inst, now)
    return {
        "feed": "ticker_lite",
        "product_id": inst.symbol,
        "bid": bid,
        "ask": ask,
        "change": _change(stats, market.last),
        "premium": _premium(market),
        "volume": num(stats.volume),
        "tag": _tag(inst),
        "pair": f"{inst.base}:{inst.quote}",
        "dtm": dtm,
        "maturityTime": maturity,
        "volumeQuote": num(stats.volume_quote),
    }


def heartbeat(now: int) -> Message:
    return {"feed": "heartbeat", "time": now}
