"""The assignment program: participants' preferences and the assignment of liquidations.

When a liquidation order cannot be completed in the book (risk `_close_position`), `assign`
books the remainder directly onto participants whose preferences accept it (reference §5.1),
before the house takes what is left (the unwind queue). Choices where Kraken is silent:
- scope: a wallet-wide preference (`contract_type` only), a pair (`base_currency`) or a
  contract; finer preferences override coarser ones field by field (a null number inherits);
- eligibility: `enabled`, the direction (`accept_long` for a participant that would go long),
  the UTC time frame, a positive capacity; never the liquidated account, the house or a
  subaccount with trading disabled;
- price: the participant's edge is its minimum profitability (default 75 bps, at most 250)
  against mark, rounded to the tick in its favour: a long arrives below mark, a short above;
- allocation: lowest minimum edge first; within one edge, equal shares capped by `max_size`
  (one assignment), `max_position` (resulting position), `max_notional` (the wallet's open
  notional) and by what the available margin carries; the excess is re-split among the rest;
- sizes in `max_size`/`max_position` are USD notional on `flex`, contracts elsewhere;
- fees: the assignor pays the liquidation fee, the assignee nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

from ..engine.commands import (
    AddAssignmentPreference,
    DeleteAssignmentPreference,
    TimeFrame,
)
from ..engine.commands import AssignmentPreference as Preference
from ..engine.events import AssignmentPreferenceChanged
from ..engine.instruments import Instrument
from ..engine.market import Market
from ..engine.reasons import Reject
from ..engine.types import FillType, Order, Side
from . import risk

if TYPE_CHECKING:
    from ..accounts.account import Account
    from .core import Exchange, Outcome

DEFAULT_EDGE_BPS = 75
MAX_EDGE_BPS = 250
HISTORY_MEMORY = 1_000  # preference changes kept per account
_DAY_MS = 86_400_000
_BPS = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    time: int
    deleted: bool
    preference: Preference


class AssignmentBook:
    """Current preferences and their change history, per account."""

    def __init__(self) -> None:
        self.next_id = 1
        self.current: dict[str, dict[int, Preference]] = {}
        self.history: dict[str, list[HistoryEntry]] = {}

    def record(self, account_id: str, entry: HistoryEntry) -> None:
        log = self.history.setdefault(account_id, [])
        log.append(entry)
        del log[:-HISTORY_MEMORY]


# -- commands ------------------------------------------------------------------------------
def add(ex: Exchange, cmd: AddAssignmentPreference) -> Outcome:
    ex.account(cmd.account_id)
    refusal = _invalid(ex, cmd)
    if refusal is not None:
        return ex.outcome(refusal, account_id=cmd.account_id)
    pref = cmd.preference
    if pref.base_currency is None and pref.quote_currency is not None:
        pref = replace(pref, quote_currency=None)  # a quote currency only scopes a pair
    if pref.contract_type == "flex" and pref.rank == 0:
        pref = replace(pref, max_size=None)  # Kraken drops maxSize on wallet-wide flex scope
    book = ex.assignment
    pid, book.next_id = book.next_id, book.next_id + 1
    book.current.setdefault(cmd.account_id, {})[pid] = pref
    book.record(cmd.account_id, HistoryEntry(ex.now, False, pref))
    ex.emit(AssignmentPreferenceChanged(*ex.stamp(), cmd.account_id, pid, False))
    return ex.outcome(account_id=cmd.account_id)


def delete(ex: Exchange, cmd: DeleteAssignmentPreference) -> Outcome:
    ex.account(cmd.account_id)
    mine = ex.assignment.current.get(cmd.account_id, {})
    pref = mine.pop(cmd.preference_id, None)
    if pref is None:
        return ex.outcome(Reject.NOT_FOUND, account_id=cmd.account_id)
    ex.assignment.record(cmd.account_id, HistoryEntry(ex.now, True, pref))
    ex.emit(AssignmentPreferenceChanged(*ex.stamp(), cmd.account_id, cmd.preference_id, True))
    return ex.outcome(account_id=cmd.account_id)


def _invalid(ex: Exchange, cmd: AddAssignmentPreference) -> Reject | None:
    pref = cmd.preference
    wallets = {i.margin_wallet for i in ex.instruments.values()} | {"flex"}
    if pref.contract_type not in wallets:
        return Reject.INVALID_ARGUMENT
    if pref.contract is not None:
        inst = ex.instruments.get(pref.contract)
        if inst is None or inst.margin_wallet != pref.contract_type:
            return Reject.INVALID_ARGUMENT
        if pref.base_currency is not None:
            return Reject.INVALID_ARGUMENT  # a pair scope and a contract scope exclude each other
    if pref.base_currency is not None:
        pair = (pref.base_currency, pref.quote_currency or "USD")
        if pref.contract_type != "flex" or pair[1] != "USD":
            return Reject.INVALID_ARGUMENT
        if not any((i.base, i.quote) == pair for i in ex.instruments.values()):
            return Reject.INVALID_ARGUMENT
    numbers = (pref.max_size, pref.max_position, pref.max_notional)
    if any(n is not None and (not n.is_finite() or n < 0) for n in numbers):
        return Reject.INVALID_ARGUMENT
    for bps in (pref.min_long_bps, pref.min_short_bps):
        if bps is not None and (not 0 <= bps <= MAX_EDGE_BPS or bps == DEFAULT_EDGE_BPS):
            return Reject.INVALID_ARGUMENT  # Kraken refuses a minimum equal to the default
    return None


# -- assignment of a liquidation remainder -------------------------------------------------
def assign(ex: Exchange, market: Market, order: Order) -> None:
    """Book as much of the liquidation order's remainder as participants take (`order.filled`
    grows); what is left stays for the house."""
    if order.remaining <= 0 or not ex.assignment.current:
        return
    inst = market.instrument
    side = order.side.opposite  # a participant receives the liquidated side itself
    offers: dict[int, list[tuple[str, int, int]]] = {}  # edge -> (account, price ticks, cap)
    for account_id in sorted(ex.assignment.current):
        acct = ex.accounts.get(account_id)
        if acct is None or account_id in (order.account_id, "house") or not acct.trading_enabled:
            continue
        pref = effective(ex.assignment.current[account_id].values(), inst)
        if pref is None or not _eligible(pref, side, ex.now):
            continue
        edge = (pref.min_long_bps if side is Side.BUY else pref.min_short_bps) or DEFAULT_EDGE_BPS
        ticks = _price(inst, market.mark, side, edge)
        cap = _capacity(ex, acct, inst, side, ticks, pref, order.remaining)
        if cap > 0:
            offers.setdefault(edge, []).append((account_id, ticks, cap))
    for edge in sorted(offers):
        group = offers[edge]
        shares = split(order.remaining, [cap for _, _, cap in group])
        for (account_id, ticks, _), lots in zip(group, shares, strict=True):
            if lots:
                _book(ex, market, order, ex.accounts[account_id], ticks, lots)
        if order.remaining == 0:
            return


def effective(prefs: Iterable[Preference], inst: Instrument) -> Preference | None:
    """The preference that applies to `inst`: every matching scope, finer over coarser."""
    matching = [p for p in prefs if _covers(p, inst)]
    if not matching:
        return None
    matching.sort(key=lambda p: p.rank)  # stable: among equals the older comes first
    merged: Preference = matching[0]
    for finer in matching[1:]:
        merged = replace(
            finer,
            **{
                name: getattr(merged, name)
                for name in (
                    "max_size",
                    "max_position",
                    "max_notional",
                    "min_long_bps",
                    "min_short_bps",
                )
                if getattr(finer, name) is None
            },
        )
    return merged


def _covers(pref: Preference, inst: Instrument) -> bool:
    if pref.contract_type != inst.margin_wallet:
        return False
    if pref.contract is not None:
        return pref.contract == inst.symbol
    if pref.base_currency is not None:
        return (pref.base_currency, pref.quote_currency or "USD") == (inst.base, inst.quote)
    return True


def split(total: int, caps: list[int]) -> list[int]:
    """Equal shares of `total` lots, each capped; what a capped share leaves is re-split.
    Odd lots go to the earliest participants."""
    shares = [0] * len(caps)
    left = total
    order = sorted(range(len(caps)), key=lambda i: (caps[i], i))
    for k, i in enumerate(order):
        share = left // (len(caps) - k)
        if caps[i] <= share:
            shares[i] = caps[i]
            left -= caps[i]
            continue
        rest = sorted(order[k:])  # every one of these can take at least share + 1
        extra = left - share * len(rest)
        for n, j in enumerate(rest):
            shares[j] = share + (1 if n < extra else 0)
        break
    return shares


def _eligible(pref: Preference, side: Side, now: int) -> bool:
    if not pref.enabled or pref.max_position == 0:
        return False
    if not (pref.accept_long if side is Side.BUY else pref.accept_short):
        return False
    weekday = (now // _DAY_MS + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    if pref.time_frame is TimeFrame.WEEKDAYS:
        return weekday < 5
    if pref.time_frame is TimeFrame.WEEKEND:
        return weekday >= 5
    return True


def _price(inst: Instrument, mark: Decimal, side: Side, edge_bps: int) -> int:
    edge = min(max(edge_bps, 0), MAX_EDGE_BPS) / _BPS
    if side is Side.BUY:
        return max(1, inst.ticks_floor(mark * (1 - edge)))
    return inst.ticks_ceiling(mark * (1 + edge))


def _capacity(
    ex: Exchange,
    acct: Account,
    inst: Instrument,
    side: Side,
    ticks: int,
    pref: Preference,
    wanted: int,
) -> int:
    """The most lots (<= wanted) this participant may receive at `ticks`."""
    notional = inst.exposure(Decimal(1), inst.price(ticks))  # of one contract, in USD
    unit = notional if pref.contract_type == "flex" else Decimal(1)
    cap = wanted
    if pref.max_size is not None:
        cap = min(cap, _lots(inst, pref.max_size / unit))
    if pref.max_position is not None:
        room = pref.max_position / unit - side.sign * acct.position_size(inst.symbol)
        cap = min(cap, _lots(inst, room))
    if pref.max_notional is not None:
        held = sum(
            (
                ex.instruments[s].exposure(p.size, ex.markets[s].mark)
                for s, p in acct.positions.items()
                if ex.instruments[s].margin_wallet == inst.margin_wallet
            ),
            Decimal(0),
        )
        cap = min(cap, _lots(inst, (pref.max_notional - held) / notional))
    low, high = 0, max(cap, 0)  # margin: the largest size the checks accept
    while low < high:
        mid = (low + high + 1) // 2
        if risk.check_order(ex, acct, inst, side, [(ticks, mid)], 0, 0) is None:
            low = mid
        else:
            high = mid - 1
    return low


def _lots(inst: Instrument, size: Decimal) -> int:
    if size <= 0:
        return 0
    return int(size.scaleb(inst.precision).to_integral_value(ROUND_FLOOR))


def _book(ex: Exchange, market: Market, order: Order, acct: Account, ticks: int, lots: int) -> None:
    """One assignment: assignee and assignor fills, positions, the assignor's fee."""
    risk.off_book_fill(
        ex,
        market,
        order,
        acct,
        lots,
        market.instrument.price(ticks),
        FillType.ASSIGNEE,
        FillType.ASSIGNOR,
    )
