"""Account settings as commands: leverage and PnL preferences, self-trade prevention.

Each handler validates completely before it changes anything, so a refused command leaves the
account exactly as it was and emits no event. An accepted preference is stored on the `Account`
and announced by one event (`LeveragePreferenceSet`, `PnlPreferenceSet`) on every acceptance,
also when the value is the one already held: the event log then records every preference an
account has stated, and replaying the commands rebuilds the same preferences.

Rules (docs/fidelity-reads.md): a preference names an existing contract (`CONTRACT_DOES_NOT_EXIST`)
that is multi-collateral, i.e. not inverse (`CONTRACT_IS_NOT_MULTI_COLLATERAL`), checked in that
order; a maximum leverage is above 0 and at most 1 / the first margin tier's initial rate
(`INVALID_MAX_LEVERAGE`); a PnL currency is a collateral currency of the exchange's haircut
table or BTC (`CURRENCY_DOES_NOT_EXIST`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from ..engine.commands import SetLeveragePreference, SetPnlPreference, SetSelfTradeStrategy
from ..engine.events import LeveragePreferenceSet, PnlPreferenceSet
from ..engine.reasons import Reject

if TYPE_CHECKING:
    from .core import Exchange, Outcome

#: PnL currencies accepted besides the haircut table's collateral currencies.
EXTRA_PNL_CURRENCIES = frozenset({"BTC"})


def set_leverage(ex: Exchange, cmd: SetLeveragePreference) -> Outcome:
    acct = ex.account(cmd.account_id)
    refusal = _contract_refusal(ex, cmd.symbol)
    leverage = cmd.max_leverage
    ceiling = max_leverage(ex, cmd.symbol) if refusal is None else None
    if ceiling is not None and leverage is not None and not 0 < leverage <= ceiling:
        refusal = Reject.INVALID_MAX_LEVERAGE
    if refusal is not None:
        return ex.outcome(refusal, account_id=acct.account_id)
    if cmd.max_leverage is None:
        acct.leverage.pop(cmd.symbol, None)
    else:
        acct.leverage[cmd.symbol] = cmd.max_leverage
    ex.emit(LeveragePreferenceSet(*ex.stamp(), acct.account_id, cmd.symbol, cmd.max_leverage))
    return ex.outcome(account_id=acct.account_id)


def set_pnl_currency(ex: Exchange, cmd: SetPnlPreference) -> Outcome:
    acct = ex.account(cmd.account_id)
    refusal = _contract_refusal(ex, cmd.symbol)
    if refusal is None and not (
        cmd.currency in ex.settings.haircuts or cmd.currency in EXTRA_PNL_CURRENCIES
    ):
        refusal = Reject.CURRENCY_DOES_NOT_EXIST
    if refusal is not None:
        return ex.outcome(refusal, account_id=acct.account_id)
    acct.pnl_currency[cmd.symbol] = cmd.currency
    ex.emit(PnlPreferenceSet(*ex.stamp(), acct.account_id, cmd.symbol, cmd.currency))
    return ex.outcome(account_id=acct.account_id)


def set_strategy(ex: Exchange, cmd: SetSelfTradeStrategy) -> Outcome:
    ex.account(cmd.account_id).strategy = cmd.strategy
    return ex.outcome(account_id=cmd.account_id)


def max_leverage(ex: Exchange, symbol: str) -> Decimal:
    """The highest leverage a preference may name: 1 / the first tier's initial margin rate."""
    tiers = ex.instruments[symbol].margin_tiers
    return 1 / tiers[0].initial if tiers else Decimal(1)


def _contract_refusal(ex: Exchange, symbol: str) -> Reject | None:
    inst = ex.instruments.get(symbol)
    if inst is None:
        return Reject.CONTRACT_DOES_NOT_EXIST
    if inst.inverse:
        return Reject.CONTRACT_IS_NOT_MULTI_COLLATERAL
    return None
