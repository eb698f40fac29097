"""Funds: wallet transfers, master/subaccount transfers, withdrawal to spot, trading switch.

Wallets are Kraken's account names: `cash` (holding), `flex` (multi-collateral) and the
single-collateral margin wallets of the listed inverse contracts (`fi_xbtusd`). `spot` is the
account's simulated Kraken Spot wallet: only `Withdraw` credits it, no transfer may name it. It
lives outside `Account.wallets` (in `TransferLog.spot`), so nothing that lists or values an
account's Futures wallets ever sees it, and its credit is no Futures `BalanceChanged`.

Invariants:
- a refused command changes nothing (the outcome carries the `Reject`, no event is emitted);
- an accepted transfer emits one `FundsTransferred`, then a `BalanceChanged` (kind TRANSFER,
  `ref` = the transfer id) for each Futures wallet it debits or credits, by the same amount:
  every currency's total over an account family plus its spot wallets is conserved;
- a margin wallet never gives away collateral its positions and orders need: after the debit
  its available margin must still be >= 0 (else `INSUFFICIENT_FUNDS`).
Checks run in the order amount, account, unit, funds, so the first problem is the one reported.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from ..accounts.account import Wallet
from ..engine.commands import SetTradingEnabled, TransferFunds, Withdraw
from ..engine.events import BalanceKind, FundsTransferred, TradingEnabledChanged, TransferKind
from ..engine.reasons import Reject

if TYPE_CHECKING:
    from ..accounts.account import Account
    from .core import Exchange, Outcome

SPOT = "spot"
HOLDING = "cash"
FLEX = "flex"
_ZERO = Decimal(0)
TRANSFER_MEMORY = 10_000  # transfers kept for GET /transfers


@dataclass(frozen=True, slots=True)
class TransferRecord:
    transfer_id: str
    kind: TransferKind
    time: int
    from_account: str
    from_wallet: str
    to_account: str
    to_wallet: str
    currency: str
    amount: Decimal


class TransferLog:
    """The most recent transfers, oldest first (bounded), and the simulated spot wallets."""

    def __init__(self, memory: int = TRANSFER_MEMORY) -> None:
        self.records: deque[TransferRecord] = deque(maxlen=memory)
        self.spot: dict[str, Wallet] = {}  # account id -> its simulated Kraken Spot wallet

    def spot_wallet(self, account_id: str) -> Wallet:
        wallet = self.spot.get(account_id)
        if wallet is None:
            wallet = self.spot[account_id] = Wallet(SPOT)
        return wallet

    def of(self, account_id: str, since: int | None = None) -> list[TransferRecord]:
        return [
            r
            for r in self.records
            if account_id in (r.from_account, r.to_account) and (since is None or r.time > since)
        ]


# -- vocabulary ----------------------------------------------------------------------------
def margin_wallets(ex: Exchange) -> list[str]:
    """`flex` and the single-collateral wallets of the listed contracts, sorted."""
    return sorted({i.margin_wallet for i in ex.instruments.values()} | {FLEX})


def futures_wallets(ex: Exchange) -> list[str]:
    """Every wallet a Futures transfer may name: `cash` and the margin wallets."""
    return [HOLDING, *margin_wallets(ex)]


def currencies(ex: Exchange) -> list[str]:
    """Every currency the exchange knows: collateral currencies and contract currencies."""
    names = set(ex.settings.haircuts)
    for inst in ex.instruments.values():
        names |= {inst.base, inst.quote}
    return sorted(names)


def holds(ex: Exchange, wallet: str, currency: str) -> bool:
    """May `wallet` hold `currency`? cash: any known currency; flex: its collateral currencies;
    a single-collateral wallet: its own coin only."""
    if wallet == HOLDING:
        return currency in currencies(ex)
    if wallet == FLEX:
        return currency in ex.settings.haircuts
    return wallet in margin_wallets(ex) and currency == ex.margin.wallet_currency(wallet)


def spare(ex: Exchange, acct: Account, wallet: str, currency: str, amount: Decimal) -> bool:
    """Can `wallet` give `amount` of `currency` and keep its margin requirement covered?"""
    held = acct.wallets.get(wallet)
    balance = held.balance(currency) if held is not None else _ZERO
    if held is None or balance < amount:
        return False
    if wallet not in margin_wallets(ex):
        return True
    held.balances[currency] = balance - amount  # value the wallet as if debited ...
    try:
        after = ex.margin.summary(acct, wallet)
    finally:
        held.balances[currency] = balance  # ... and restore it: nothing changes here
    return after.available >= 0


def subaccounts(ex: Exchange, master_id: str) -> list[Account]:
    """The subaccounts of `master_id`, in creation order."""
    return [a for a in ex.accounts.values() if a.master_id == master_id]


# -- commands ------------------------------------------------------------------------------
def transfer(ex: Exchange, cmd: TransferFunds) -> Outcome:
    caller = ex.account(cmd.account_id)
    source = _user(ex, caller, cmd.from_user)
    target = _user(ex, caller, cmd.to_user)
    if source is None or target is None:
        return ex.outcome(Reject.INVALID_ARGUMENT, account_id=caller.account_id)
    refusal = _check(ex, source, cmd.from_wallet, cmd.currency, cmd.amount, target, cmd.to_wallet)
    if refusal is not None:
        return ex.outcome(refusal, account_id=caller.account_id)
    kind = TransferKind.WALLET if source is target else TransferKind.SUBACCOUNT
    _move(ex, kind, source, cmd.from_wallet, target, cmd.to_wallet, cmd.currency, cmd.amount)
    return ex.outcome(account_id=caller.account_id)


def withdraw(ex: Exchange, cmd: Withdraw) -> Outcome:
    acct = ex.account(cmd.account_id)
    refusal = _check(ex, acct, cmd.source_wallet, cmd.currency, cmd.amount, acct, SPOT, True)
    if refusal is not None:
        return ex.outcome(refusal, account_id=acct.account_id)
    kind = TransferKind.WITHDRAWAL
    _move(ex, kind, acct, cmd.source_wallet, acct, SPOT, cmd.currency, cmd.amount)
    return ex.outcome(account_id=acct.account_id)


def set_trading_enabled(ex: Exchange, cmd: SetTradingEnabled) -> Outcome:
    ex.account(cmd.account_id)
    sub = ex.accounts.get(cmd.subaccount_id)
    if sub is None or sub.master_id != cmd.account_id:
        return ex.outcome(Reject.NOT_FOUND, account_id=cmd.account_id)
    if sub.trading_enabled is not cmd.enabled:
        sub.trading_enabled = cmd.enabled
        ex.emit(TradingEnabledChanged(*ex.stamp(), sub.account_id, cmd.enabled))
    return ex.outcome(account_id=sub.account_id)


# -- helpers -------------------------------------------------------------------------------
def _user(ex: Exchange, caller: Account, user: str | None) -> Account | None:
    """The caller itself, or one of its subaccounts; anything else is not the caller's."""
    if user is None or user == caller.account_id:
        return caller
    acct = ex.accounts.get(user)
    if acct is None or acct.master_id != caller.account_id:
        return None
    return acct


def _check(
    ex: Exchange,
    source: Account,
    from_wallet: str,
    currency: str,
    amount: Decimal,
    target: Account,
    to_wallet: str,
    to_spot: bool = False,
) -> Reject | None:
    if not amount.is_finite() or amount <= 0:
        return Reject.INVALID_AMOUNT
    wallets = futures_wallets(ex)
    if from_wallet not in wallets or (to_wallet not in wallets and not to_spot):
        return Reject.INVALID_ACCOUNT
    if source is target and from_wallet == to_wallet:
        return Reject.INVALID_ACCOUNT
    if not holds(ex, from_wallet, currency):
        return Reject.INVALID_UNIT
    if not to_spot and not holds(ex, to_wallet, currency):
        return Reject.INVALID_UNIT
    if not spare(ex, source, from_wallet, currency, amount):
        return Reject.INSUFFICIENT_FUNDS
    return None


def _move(
    ex: Exchange,
    kind: TransferKind,
    source: Account,
    from_wallet: str,
    target: Account,
    to_wallet: str,
    currency: str,
    amount: Decimal,
) -> None:
    tid = ex.ids.uuid()
    ex.emit(
        FundsTransferred(
            *ex.stamp(),
            tid,
            kind,
            source.account_id,
            from_wallet,
            target.account_id,
            to_wallet,
            currency,
            amount,
        )
    )
    ex.credit(source, from_wallet, currency, -amount, BalanceKind.TRANSFER, ref=tid)
    if kind is TransferKind.WITHDRAWAL:
        ex.transfers.spot_wallet(target.account_id).credit(currency, amount)
    else:
        ex.credit(target, to_wallet, currency, amount, BalanceKind.TRANSFER, ref=tid)
    ex.transfers.records.append(
        TransferRecord(
            tid,
            kind,
            ex.now,
            source.account_id,
            from_wallet,
            target.account_id,
            to_wallet,
            currency,
            amount,
        )
    )
