"""The /__admin/state document: clock, markets with their books, open orders and accounts.

A read-only picture of the exchange at one instant, built from its public attributes. Amounts are
exact decimal strings in plain notation ("60000", "0.0001"), never floats, so the dump can be
compared byte for byte between two runs with the same seed and commands.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..engine.clock import ManualClock
from ..engine.market import Market
from ..engine.types import OrderView, Side
from ..exchange import Exchange
from ..protocol.formats import iso


def amount(value: Decimal) -> str:
    """An exact decimal in plain notation without trailing zeros."""
    if value == 0:
        return "0"
    return format(value.normalize(), "f")


def maybe(value: Decimal | None) -> str | None:
    return None if value is None else amount(value)


def clock(exchange: Exchange) -> dict[str, Any]:
    now = exchange.clock.now_ms()
    return {
        "now_ms": now,
        "time": iso(now),
        "kind": "manual" if isinstance(exchange.clock, ManualClock) else "real",
        "next_deadline_ms": exchange.next_deadline(),
    }


def market(m: Market) -> dict[str, Any]:
    inst = m.instrument
    return {
        "state": m.state.value,
        "mark": amount(m.mark),
        "index": amount(m.index),
        "last": amount(m.last),
        "funding_rate_override": maybe(m.funding_rate),
        "funding_rate": amount(m.relative_funding_rate()),
        "tick_size": amount(inst.tick_size),
        "lot_size": amount(inst.lot_size),
        "last_trading_ms": inst.last_trading_ms,
        "bids": [[amount(inst.price(p)), amount(inst.size(q))] for p, q in m.book.depth(Side.BUY)],
        "asks": [[amount(inst.price(p)), amount(inst.size(q))] for p, q in m.book.depth(Side.SELL)],
        "trigger_orders": len(m.triggers),
    }


def order(view: OrderView) -> dict[str, Any]:
    return {
        "order_id": view.order_id,
        "account_id": view.account_id,
        "cli_ord_id": view.cli_ord_id,
        "symbol": view.symbol,
        "side": view.side.value,
        "type": view.kind.value,
        "size": amount(view.qty),
        "filled": amount(view.filled),
        "limit_price": maybe(view.limit_price),
        "stop_price": maybe(view.stop_price),
        "trigger_signal": view.signal.value if view.signal is not None else None,
        "reduce_only": view.reduce_only,
        "created_ms": view.created,
        "updated_ms": view.updated,
    }


def account(exchange: Exchange, account_id: str) -> dict[str, Any]:
    acct = exchange.accounts[account_id]
    wallets = {
        name: {cur: amount(qty) for cur, qty in sorted(w.balances.items())}
        for name, w in sorted(acct.wallets.items())
    }
    margin = {}
    for name in sorted(w for w in acct.wallets if w != "cash"):  # cash holds no margin
        s = exchange.margin.summary(acct, name)
        margin[name] = {
            "currency": s.currency,
            "equity": amount(s.equity),
            "initial": amount(s.initial),
            "initial_with_orders": amount(s.initial_with_orders),
            "maintenance": amount(s.maintenance),
            "available": amount(s.available),
        }
    positions = [
        {
            "symbol": symbol,
            "size": amount(pos.size),
            "entry_price": amount(pos.entry),
            "realised_pnl": amount(pos.realised),
        }
        for symbol, pos in sorted(acct.positions.items())
        if pos.size != 0 or pos.realised != 0
    ]
    return {
        "account_id": account_id,
        "name": acct.name,
        "master_id": acct.master_id,
        "wallets": wallets,
        "margin": margin,
        "positions": positions,
        "open_orders": len(acct.orders),
    }


def dump(exchange: Exchange, server: dict[str, Any]) -> dict[str, Any]:
    return {
        "clock": clock(exchange),
        "seq": exchange.seq,
        "server": server,
        "markets": {symbol: market(m) for symbol, m in sorted(exchange.markets.items())},
        "orders": [order(exchange.view(o)) for o in exchange.orders.values()],
        "accounts": [account(exchange, a) for a in exchange.accounts],
    }
