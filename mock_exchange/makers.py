"""Synthetic market makers: a seeded random walk of reference prices and a ladder of quotes.

Each listed instrument gets one maker account (`maker:<SYMBOL>`), funded with balances so large
that it can never be liquidated. On every step the mark of each live market takes a random-walk
step (one shock per base currency, so PF_XBTUSD, PI_XBTUSD and FF_XBTUSD move together, with a
slow pull back toward an anchor), the index is set a few basis points from the mark, and each
maker re-quotes `levels` bids and asks around the new mark on a coarse price grid, so that small
moves leave most quotes (and their queue priority) alone.

Invariants:
- pure and deterministic: the only randomness is this object's own `random.Random(seed)`, drawn
  in a fixed order; time is the exchange's clock; every change is an ordinary command
  (`SetPrices`, `CancelOrder`, `PlaceOrder`), so makers trade with users like any account;
- a maker's bids are all strictly below the mark and its asks strictly above, and stale quotes
  are cancelled before new ones are placed in the same batch: a maker never meets itself;
- a maker stops quoting the side that would grow its position past `inventory` x the contract's
  maximum position size, and its whole ladder fits within that budget.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from .engine.commands import CancelOrder, Command, OpenAccount, PlaceOrder, SetPrices
from .engine.instruments import Instrument
from .engine.market import Market
from .engine.types import MarketState, OrderType, Side
from .exchange import Exchange

QUOTING = frozenset({MarketState.OPEN, MarketState.POST_ONLY})
_BPS = Decimal(10_000)

Quotes = dict[tuple[Side, int], int]  # (side, price in ticks) -> lots


@dataclass(frozen=True, slots=True)
class MakerSettings:
    interval_ms: int = 1_000  # one price step and re-quote per interval
    levels: int = 5  # quotes per side
    level_notional: Decimal = Decimal(25_000)  # USD at the best level; level i holds (i+1)x
    half_spread_bps: Decimal = Decimal(2)  # best bid/ask at least this far from the mark
    level_step_bps: Decimal = Decimal(5)  # distance between levels (and the quote grid)
    volatility: float = 1e-4  # standard deviation of the mark's relative step
    reversion: float = 1e-3  # fraction of the distance to the anchor closed per step
    index_noise: float = 5e-5  # standard deviation of index / mark - 1
    inventory: Decimal = Decimal("0.25")  # position budget as a fraction of the maximum
    max_catch_up: int = 100  # steps taken at most when a manual clock jumps ahead
    usd_balance: Decimal = Decimal(10) ** 12
    coin_balance: Decimal = Decimal(10) ** 6  # for single-collateral (inverse) wallets


class Makers:
    def __init__(self, exchange: Exchange, seed: int, settings: MakerSettings | None = None):
        self.exchange = exchange
        self.settings = settings or MakerSettings()
        self._rng = random.Random(seed)
        self.accounts: dict[str, str] = {}  # symbol -> maker account id
        self.anchors: dict[str, Decimal] = {}  # symbol -> price the walk is pulled toward
        self.next_step_ms = exchange.clock.now_ms() + self.settings.interval_ms

    @classmethod
    def open(cls, exchange: Exchange, seed: int, settings: MakerSettings | None = None) -> Makers:
        """Open one funded maker account per listed instrument and post the first quotes."""
        makers = cls(exchange, seed, settings)
        s = makers.settings
        for symbol in sorted(exchange.markets):
            inst = exchange.instruments[symbol]
            wallets = {"flex": {"USD": s.usd_balance}}
            if inst.inverse:
                wallets[inst.margin_wallet] = {inst.settlement_currency: s.coin_balance}
            outcome = exchange.submit(OpenAccount(f"maker:{symbol}", wallets))
            assert outcome.account_id is not None
            makers.accounts[symbol] = outcome.account_id
            makers.anchors[symbol] = exchange.markets[symbol].mark
        makers.quote()
        return makers

    # -- driving -----------------------------------------------------------------------------
    def catch_up(self, now: int, limit: int) -> int:
        """Take the steps due by `now` (at most `limit`; the rest are skipped). Returns the
        number taken."""
        interval = self.settings.interval_ms
        steps = 0
        while self.next_step_ms <= now and steps < limit:
            self.step()
            steps += 1
            self.next_step_ms += interval
        if self.next_step_ms <= now:
            self.next_step_ms += ((now - self.next_step_ms) // interval + 1) * interval
        return steps

    def step(self) -> None:
        """One random-walk step of every live market's prices, then a re-quote."""
        ex = self.exchange
        bases = sorted({inst.base for inst in ex.instruments.values()})
        shocks = {base: self._rng.gauss(0.0, 1.0) for base in bases}
        moves: list[Command] = []
        for symbol in sorted(ex.markets):
            market = ex.markets[symbol]
            noise = self._rng.gauss(0.0, 1.0)  # drawn for every market: a fixed draw order
            if market.state is MarketState.INACTIVE:
                continue
            mark, index = self._walk(market, shocks[market.instrument.base], noise)
            moves.append(SetPrices(symbol, mark=mark, index=index))
        if moves:
            ex.submit_batch(moves)
        self.quote()

    def reanchor(self, symbol: str) -> None:
        """The mark was moved from outside (admin): walk from there and quote around it."""
        if symbol in self.accounts:
            self.anchors[symbol] = self.exchange.markets[symbol].mark
            self.quote([symbol])

    def quote(self, symbols: Iterable[str] | None = None) -> None:
        """Bring each maker's resting orders in line with its ladder, as one batch."""
        commands: list[Command] = []
        for symbol in sorted(self.accounts if symbols is None else symbols):
            if symbol in self.accounts:
                commands += self._requote(symbol)
        if commands:
            self.exchange.submit_batch(commands)

    # -- the model ---------------------------------------------------------------------------
    def _walk(self, market: Market, shock: float, noise: float) -> tuple[Decimal, Decimal]:
        s, inst = self.settings, market.instrument
        mark = float(market.mark)
        anchor = float(self.anchors.get(inst.symbol, market.mark))
        moved = mark * (1.0 + s.reversion * (anchor / mark - 1.0) + s.volatility * shock)
        tick = float(inst.tick_size)
        ticks = max(1, round(moved / tick))
        index_ticks = max(1, round(ticks * (1.0 + s.index_noise * noise)))
        return inst.price(ticks), inst.price(index_ticks)

    def ladder(self, market: Market, position: Decimal) -> Quotes:
        """The quotes a maker holding `position` wants around the mark. Spread, grid and sizes
        are measured at the anchor, so that they stay put while the mark walks."""
        s, inst, mark = self.settings, market.instrument, market.mark
        anchor = self.anchors.get(inst.symbol, mark)
        half = max(1, inst.ticks_ceiling(anchor * s.half_spread_bps / _BPS))
        step = max(1, inst.ticks_ceiling(anchor * s.level_step_bps / _BPS))
        top_bid = (inst.ticks_floor(mark) - half) // step * step
        top_ask = -(-(inst.ticks_ceiling(mark) + half) // step) * step
        lots = self._lots(inst, anchor)
        budget = inst.max_position_size * s.inventory
        quotes: Quotes = {}
        for level in range(s.levels):
            size = lots * (level + 1)
            bid = top_bid - level * step
            if position < budget and bid >= 1:
                quotes[(Side.BUY, bid)] = size
            if position > -budget:
                quotes[(Side.SELL, top_ask + level * step)] = size
        return quotes

    def _lots(self, inst: Instrument, price: Decimal) -> int:
        """Lots at the best level: `level_notional` USD at `price`, within the inventory
        budget."""
        s = self.settings
        usd_per_contract = (
            inst.contract_size
            if inst.inverse
            else inst.contract_size * price * self.exchange.usd_price(inst.quote)
        )
        lots = int(
            (s.level_notional / usd_per_contract)
            .scaleb(inst.precision)
            .to_integral_value(ROUND_FLOOR)
        )
        budget = int((inst.max_position_size * s.inventory).scaleb(inst.precision))
        ladder_units = s.levels * (s.levels + 1) // 2
        return max(1, min(lots, budget // ladder_units))

    def _requote(self, symbol: str) -> list[Command]:
        ex = self.exchange
        market, account_id = ex.markets[symbol], self.accounts[symbol]
        acct = ex.accounts[account_id]
        wanted = self.ladder(market, acct.position_size(symbol)) if market.state in QUOTING else {}
        cancels: list[Command] = []
        kept: set[tuple[Side, int]] = set()
        for order in [o for o in acct.orders.values() if o.symbol == symbol]:
            key = (order.side, order.price if order.price is not None else 0)
            if wanted.get(key) == order.remaining and key not in kept:
                kept.add(key)
            else:
                cancels.append(CancelOrder(account_id, order.order_id))
        inst = market.instrument
        places: list[Command] = [
            PlaceOrder(account_id, symbol, side, OrderType.LMT, inst.size(lots), inst.price(px))
            for (side, px), lots in wanted.items()
            if (side, px) not in kept
        ]
        return cancels + places
