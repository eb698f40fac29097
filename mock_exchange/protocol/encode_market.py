"""Public market data in Kraken's JSON: instruments and their status, tickers, the order book,
public trades, funding rates, fee schedules and chart candles.

Shapes follow reference §4.12-§4.16, §4.20, §4.21 and §4.23. Every function is pure: markets,
instruments, history records and 24-hour statistics in, JSON-ready values out. v3 numbers go
through `formats.num`; candle prices are strings as the charts API writes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from ..accounts.fees import FeeSchedule
from ..engine.instruments import ContractKind, Instrument
from ..engine.market import Market
from ..engine.types import MarketState, Side
from ..history import Candle, CandleSource, PublicTrade
from .encode_history import public_trade_type, text
from .formats import iso, num

JSON = dict[str, Any]
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)

#: The one fee schedule every instrument uses (instruments' `feeScheduleUid`).
FEE_SCHEDULE_UID = "5b755fea-c5b0-4307-a66e-b392cd5bd931"
INSTRUMENT_TYPES = {
    ContractKind.FLEXIBLE_PERPETUAL: "flexible_futures",
    ContractKind.FLEXIBLE_FUTURE: "flexible_futures",
    ContractKind.INVERSE_PERPETUAL: "futures_inverse",
    ContractKind.INVERSE_FUTURE: "futures_inverse",
}
#: Chart tick types (`/api/charts/v1/`) and the price each one follows.
TICK_TYPES = {"mark": CandleSource.MARK, "spot": CandleSource.INDEX, "trade": CandleSource.TRADE}
MAX_CANDLES = 2000


def instrument(inst: Instrument, market: Market) -> JSON:
    """One `/instruments` entry: flexible contracts tier margin by notional
    (`numNonContractUnits`), inverse ones by `contracts`."""
    unit = "contracts" if inst.inverse else "numNonContractUnits"
    levels = [
        {
            unit: num(t.threshold),
            "initialMargin": num(t.initial),
            "maintenanceMargin": num(t.maintenance),
        }
        for t in inst.margin_tiers
    ]
    out: JSON = {
        "symbol": inst.symbol,
        "type": INSTRUMENT_TYPES[inst.kind],
        "tradeable": market.state is not MarketState.INACTIVE,
        "tickSize": num(inst.tick_size),
        "contractSize": num(inst.contract_size),
        "impactMidSize": num(inst.impact_mid_size),
        "maxPositionSize": num(inst.max_position_size),
        "openingDate": iso(inst.opening_ms),
        "marginLevels": levels,
        "contractValueTradePrecision": inst.precision,
        "postOnly": market.state is MarketState.POST_ONLY,
        "feeScheduleUid": FEE_SCHEDULE_UID,
        "pair": f"{inst.base}:{inst.quote}",
        "base": inst.base,
        "quote": inst.quote,
        "tradfi": False,
        "mtf": False,
    }
    if inst.inverse:
        out["underlying"] = f"rr_{inst.base.lower()}{inst.quote.lower()}"
    else:
        out.update(retailMarginLevels=levels, category="", tags=[])
    if inst.kind.perpetual:
        out["fundingRateCoefficient"] = num(inst.funding_rate_coefficient)
        out["maxRelativeFundingRate"] = num(inst.max_relative_funding_rate)
    if inst.last_trading_ms is not None:
        out["lastTradingTime"] = iso(inst.last_trading_ms)
    return out


def instrument_status(market: Market) -> JSON:
    return {
        "tradeable": market.symbol,
        "experiencingDislocation": False,
        "priceDislocationDirection": None,
        "experiencingExtremeVolatility": False,
        "extremeVolatilityInitialMarginMultiplier": 1,
    }


def ticker(
    market: Market,
    stats: tuple[Decimal, Decimal, Decimal, Decimal, Decimal],
    open_interest: Decimal,
) -> JSON:
    """One ticker. 24-hour figures come from `stats` (open, high, low, volume, quote volume);
    with no trade in 24 hours open, high and low are the last price. Perpetuals add the last
    applied and the predicted absolute funding rate."""
    inst, book = market.instrument, market.book
    last = market.last
    open_, high, low, volume, quote = stats
    if volume == 0:
        open_ = high = low = last
    out: JSON = {
        "tag": "perpetual" if inst.kind.perpetual else "month",
        "pair": f"{inst.base}:{inst.quote}",
        "symbol": inst.symbol,
        "markPrice": num(market.mark),
    }
    for side, name in ((Side.BUY, "bid"), (Side.SELL, "ask")):
        levels = book.depth(side)
        if levels:
            out[name] = num(inst.price(levels[0][0]))
            out[name + "Size"] = num(inst.size(levels[0][1]))
    out.update(
        vol24h=num(volume),
        volumeQuote=num(quote),
        openInterest=num(open_interest),
        open24h=num(open_),
        high24h=num(high),
        low24h=num(low),
        indexPrice=num(market.index),
        last=num(last),
    )
    if market.trade_count:
        out.update(lastTime=iso(market.last_time), lastSize=num(market.last_size))
    out["suspended"] = market.state is MarketState.SUSPENDED
    if inst.kind.perpetual:
        predicted = absolute_rate(inst, market.relative_funding_rate(), market.mark)
        history = market.funding_history
        out["fundingRate"] = num(history[-1][2] if history else predicted)
        out["fundingRatePrediction"] = num(predicted)
    out["postOnly"] = market.state is MarketState.POST_ONLY
    out["change24h"] = num((last - open_) / open_ * _HUNDRED if open_ else _ZERO)
    return out


def absolute_rate(inst: Instrument, relative: Decimal, mark: Decimal) -> Decimal:
    """Funding per contract per interval in the settlement currency."""
    if mark <= 0:
        return _ZERO
    return relative / mark if inst.inverse else relative * mark


def order_book(market: Market) -> JSON:
    """The full, non-cumulative book: bids descending, asks ascending, [price, size] pairs."""
    inst = market.instrument
    return {
        name: [[num(inst.price(p)), num(inst.size(q))] for p, q in market.book.depth(side)]
        for side, name in ((Side.BUY, "bids"), (Side.SELL, "asks"))
    }


def public_trade(trade: PublicTrade) -> JSON:
    t = trade.execution.trade
    return {
        "time": iso(t.time),
        "trade_id": trade.trade_no,
        "price": num(t.price),
        "size": num(t.qty),
        "side": t.taker_side.value,
        "type": public_trade_type(t.maker_fill, t.taker_fill),
        "uid": t.trade_id,
    }


def public_trades(
    trades: Iterable[PublicTrade], before: int | None, limit: int = 100
) -> list[JSON]:
    """The `limit` most recent trades (strictly before `before` when given), newest first."""
    chosen = [t for t in reversed(list(trades)) if before is None or t.execution.time < before]
    return [public_trade(t) for t in chosen[:limit]]


def funding_rates(market: Market) -> list[JSON]:
    """Applied funding rates, oldest first (absolute and relative per interval)."""
    return [
        {"timestamp": iso(time), "fundingRate": num(absolute), "relativeFundingRate": num(rel)}
        for time, rel, absolute in market.funding_history
    ]


def fee_schedules(fees: FeeSchedule) -> list[JSON]:
    """One schedule, one tier: the exchange's maker and taker fees, in percent."""
    tier = {"makerFee": num(fees.maker * _HUNDRED), "takerFee": num(fees.taker * _HUNDRED),
            "usdVolume": 0}  # fmt: skip
    return [{"uid": FEE_SCHEDULE_UID, "name": "Default schedule", "tiers": [tier]}]


def candle(c: Candle) -> JSON:
    return {
        "time": c.time,
        "open": text(c.open),
        "high": text(c.high),
        "low": text(c.low),
        "close": text(c.close),
        "volume": num(c.volume),
    }


def candles(series: list[Candle], start: int | None, end: int | None, count: int | None) -> JSON:
    """Candles starting in [start, end] (ms), oldest first. At most `count` (default and cap
    2000): the first ones after `start` when it is given, else the latest ones."""
    chosen = [
        c for c in series if (start is None or c.time >= start) and (end is None or c.time <= end)
    ]
    limit = min(count if count is not None else MAX_CANDLES, MAX_CANDLES)
    more = len(chosen) > limit
    chosen = chosen[:limit] if start is not None else chosen[len(chosen) - limit :]
    return {"candles": [candle(c) for c in chosen], "more_candles": more}
