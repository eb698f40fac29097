"""WebSocket v1 dialect, part 4: the account-state feeds `balances`, `open_positions` and
`notifications_auth`, rendered from the exchange's state.

Job
---
`balances(...)` and `positions(...)` render one account's current wallets and positions;
`account_changes(...)` says, for a committed batch of events, which watched accounts need a new
`balances` message (and which wallet families it must carry) and which need `open_positions`.

Invariants
----------
* Read-only and pure: the exchange is only read; nothing here keeps state between calls.
* `balances_snapshot` carries every family (`holding`, `futures`, `flex_futures`); a `balances`
  delta only the families that changed (reference §3.9). Families: the `cash` wallet is
  `holding`, single-collateral `fi_*` wallets are `futures` (keyed `F-XBT:USD`), `flex` is
  `flex_futures`.
* `open_positions` always lists every non-zero position (a closed one simply disappears).
* A price move refreshes the balances and positions of watched accounts that hold a position
  or a resting order in that contract (margin depends on the mark).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING

from ..accounts.margin import MarginSummary
from ..engine.events import BalanceChanged, Event, PositionChanged, PricesChanged, order_updates
from .feeds import Message, num

if TYPE_CHECKING:
    from ..exchange import Exchange

HOLDING, FUTURES, FLEX = "holding", "futures", "flex_futures"
FAMILIES = (HOLDING, FUTURES, FLEX)
_ZERO = Decimal(0)


def family(wallet: str) -> str:
    if wallet == "cash":
        return HOLDING
    return FLEX if wallet == "flex" else FUTURES


def _cross(s: MarginSummary) -> Message:
    return {
        "balance_value": num(s.balance_value),
        "portfolio_value": num(s.portfolio_value),
        "collateral_value": num(s.collateral),
        "initial_margin": num(s.initial_with_orders),
        "initial_margin_without_orders": num(s.initial),
        "maintenance_margin": num(s.maintenance),
        "pnl": num(s.unrealised),
        "unrealized_funding": 0.0,
        "total_unrealized": num(s.unrealised),
        "total_unrealized_as_margin": num(s.unrealised),
        "margin_equity": num(s.equity),
        "available_margin": num(s.available),
    }


def _flex(ex: Exchange, account_id: str) -> Message:
    acct = ex.accounts[account_id]
    summary = ex.margin.summary(acct, "flex")
    currencies: Message = {}
    for cur, qty in sorted(acct.wallet("flex").balances.items()):
        value = qty * ex.usd_price(cur)
        haircut = ex.margin.haircuts.get(cur, Decimal("0.1"))
        currencies[cur] = {
            "quantity": num(qty),
            "value": num(value),
            "collateral_value": num(value * (1 - haircut) if qty > 0 else value),
            "available": num(qty),
            "haircut": num(haircut),
            "conversion_spread": 0.0,
        }
    cross = _cross(summary)
    return {
        "currencies": currencies,
        **cross,
        "isolated": {},
        "cross": cross | {"effective_leverage": _leverage(ex, account_id, "flex", summary.equity)},
    }


def _leverage(ex: Exchange, account_id: str, wallet: str, equity: Decimal) -> float:
    acct = ex.accounts[account_id]
    notional = _ZERO
    for symbol, pos in acct.positions.items():
        inst = ex.instruments[symbol]
        if inst.margin_wallet == wallet and pos.size:
            notional += inst.value(pos.size, ex.markets[symbol].mark)
    return num(notional / equity) if equity > 0 else 0.0


def _futures(ex: Exchange, account_id: str) -> Message:
    acct = ex.accounts[account_id]
    out: Message = {}
    for name in sorted(w for w in acct.wallets if family(w) == FUTURES):
        s = ex.margin.summary(acct, name)
        base, quote = name[3:6].upper(), name[6:].upper()
        key = f"F-{base}:{quote}"
        out[key] = {
            "name": key,
            "pair": f"{base}/{quote}",
            "unit": base,
            "portfolio_value": num(s.portfolio_value),
            "balance": num(s.balance_value),
            "maintenance_margin": num(s.maintenance),
            "initial_margin": num(s.initial_with_orders),
            "available": num(s.available),
            "unrealized_funding": 0.0,
            "pnl": num(s.unrealised),
        }
    return out


def _holding(ex: Exchange, account_id: str) -> Message:
    cash = ex.accounts[account_id].wallet("cash").balances
    return {cur: num(qty) for cur, qty in sorted(cash.items())}


_RENDER = {HOLDING: _holding, FUTURES: _futures, FLEX: _flex}


def balances(
    ex: Exchange, account_id: str, seq: int, families: Collection[str] = FAMILIES
) -> Message:
    """`balances_snapshot` (seq 0, every family) or a `balances` delta (the given families)."""
    feed = "balances_snapshot" if seq == 0 else "balances"
    out: Message = {"feed": feed, "account": account_id}
    for fam in FAMILIES:
        if fam in families:
            out[fam] = _RENDER[fam](ex, account_id)
    return out | {"timestamp": ex.now, "seq": seq}


def positions(ex: Exchange, account_id: str, seq: int) -> Message:
    """The complete `open_positions` list of an account."""
    acct = ex.accounts[account_id]
    rows = []
    summaries: dict[str, MarginSummary] = {}
    for symbol in sorted(acct.positions):
        pos = acct.positions[symbol]
        if pos.size == 0:
            continue
        inst, market = ex.instruments[symbol], ex.markets[symbol]
        wallet = inst.margin_wallet
        s = summaries.setdefault(wallet, ex.margin.summary(acct, wallet))
        e = ex.margin.symbol_exposure(acct, symbol)
        row: Message = {
            "instrument": symbol,
            "balance": num(pos.size),
            "pnl": num(e.unrealised),
            "entry_price": num(pos.entry),
            "mark_price": num(market.mark),
            "index_price": num(market.index),
            "liquidation_threshold": num(_liquidation(pos.size, market.mark, s, inst.inverse)),
            "effective_leverage": _leverage(ex, account_id, wallet, s.equity),
            "return_on_equity": num(e.unrealised / e.initial) if e.initial else 0.0,
            "unrealized_funding": 0.0,
            "initial_margin": num(e.initial),
            "initial_margin_with_orders": num(e.initial_with_orders),
            "maintenance_margin": num(e.maintenance),
        }
        if not inst.inverse:
            row["pnl_currency"] = inst.quote
        rows.append(row)
    return {
        "feed": "open_positions",
        "account": account_id,
        "positions": rows,
        "seq": seq,
        "timestamp": ex.now,
    }


def _liquidation(size: Decimal, mark: Decimal, s: MarginSummary, inverse: bool) -> Decimal:
    """Mark price at which the wallet's equity would meet its maintenance margin, holding
    everything else still and the margin proportional to the mark (an estimate; 0 if none)."""
    if inverse or mark <= 0:
        return _ZERO
    slope = size - s.maintenance / mark
    if slope == 0:
        return _ZERO
    price = (size * mark - s.equity) / slope
    return price if price > 0 else _ZERO


def notifications(items: Sequence[Message]) -> Message:
    return {"feed": "notifications_auth", "notifications": list(items)}


def account_changes(
    ex: Exchange, events: Sequence[Event], watched: Collection[str]
) -> tuple[dict[str, set[str]], set[str]]:
    """For watched accounts: the balance families a batch changed, and whose positions."""
    families: dict[str, set[str]] = {}
    moved: set[str] = set()

    def touch(account_id: str, fam: str) -> None:
        if account_id in watched:
            families.setdefault(account_id, set()).add(fam)

    for event in events:
        if isinstance(event, BalanceChanged):
            touch(event.account_id, family(event.wallet))
        elif isinstance(event, PositionChanged):
            touch(event.account_id, family(ex.instruments[event.symbol].margin_wallet))
            if event.account_id in watched:
                moved.add(event.account_id)
        elif isinstance(event, PricesChanged):
            fam = family(ex.instruments[event.symbol].margin_wallet)
            for account_id in watched:
                acct = ex.accounts.get(account_id)
                if acct is None:
                    continue
                pos = acct.positions.get(event.symbol)
                if pos is not None and pos.size:
                    moved.add(account_id)
                    touch(account_id, fam)
                elif any(o.symbol == event.symbol for o in acct.orders.values()):
                    touch(account_id, fam)
        else:
            for view, _ in order_updates(event):
                touch(view.account_id, family(ex.instruments[view.symbol].margin_wallet))
    return families, moved
