"""Margin arithmetic for one wallet: collateral, unrealised PnL, initial and maintenance margin.

Definitions (Kraken's names in brackets):
- collateral [collateralValue]: positive balances valued in the wallet currency less haircut;
  negative balances count in full.
- equity [marginEquity] = collateral + unrealised PnL of the wallet's positions.
- initial / maintenance [initialMargin, maintenanceMargin]: tiered margin of the positions at mark.
- initial with orders [initialMarginWithOrders]: tiered margin of the worst case if every resting
  order filled: max(|position + buys|, |position - sells|) per symbol.
- available [availableMargin] = equity - initial with orders.
An account is liquidated when equity < maintenance; resting orders are removed while
available < 0.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..engine.instruments import Instrument
from .account import Account

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Exposure:
    """One symbol's contribution to a wallet's margin."""

    unrealised: Decimal
    initial: Decimal
    initial_with_orders: Decimal
    maintenance: Decimal


def exposure(
    inst: Instrument, size: Decimal, entry: Decimal, buys: Decimal, sells: Decimal, mark: Decimal
) -> Exposure:
    if mark <= 0:
        return Exposure(_ZERO, _ZERO, _ZERO, _ZERO)
    im, mm = inst.margin(size, mark)
    worst = max(abs(size + buys), abs(size - sells))
    im_orders = im if worst == abs(size) else inst.margin(worst, mark)[0]
    unrealised = inst.pnl(size, entry, mark) if size != 0 and entry > 0 else _ZERO
    return Exposure(unrealised, im, im_orders, mm)


@dataclass(frozen=True, slots=True)
class MarginSummary:
    wallet: str
    currency: str
    balance_value: Decimal
    collateral: Decimal
    unrealised: Decimal
    initial: Decimal
    initial_with_orders: Decimal
    maintenance: Decimal

    @property
    def equity(self) -> Decimal:
        return self.collateral + self.unrealised

    @property
    def available(self) -> Decimal:
        return self.equity - self.initial_with_orders

    @property
    def portfolio_value(self) -> Decimal:
        return self.balance_value + self.unrealised

    def shifted(self, old: Exposure, new: Exposure, cash_delta: Decimal) -> MarginSummary:
        """The summary after one symbol's exposure changes from `old` to `new` and the
        wallet's settlement balance moves by `cash_delta` (fees, realised PnL)."""
        return MarginSummary(
            self.wallet,
            self.currency,
            self.balance_value + cash_delta,
            self.collateral + cash_delta,
            self.unrealised - old.unrealised + new.unrealised,
            self.initial - old.initial + new.initial,
            self.initial_with_orders - old.initial_with_orders + new.initial_with_orders,
            self.maintenance - old.maintenance + new.maintenance,
        )


class MarginModel:
    """Values wallets. `usd_price(currency)` and `mark(symbol)` come from the exchange's prices."""

    def __init__(
        self,
        instruments: Mapping[str, Instrument],
        mark: Callable[[str], Decimal],
        usd_price: Callable[[str], Decimal],
        haircuts: Mapping[str, Decimal],
    ) -> None:
        self.instruments = instruments
        self.mark = mark
        self.usd_price = usd_price
        self.haircuts = haircuts

    def symbols(self, account: Account, wallet: str) -> list[str]:
        names = set(account.positions) | set(account.open_buys) | set(account.open_sells)
        return sorted(s for s in names if self.instruments[s].margin_wallet == wallet)

    def symbol_exposure(self, account: Account, symbol: str) -> Exposure:
        inst = self.instruments[symbol]
        pos = account.positions.get(symbol)
        size, entry = (pos.size, pos.entry) if pos is not None else (_ZERO, _ZERO)
        buys = inst.size(account.open_buys.get(symbol, 0))
        sells = inst.size(account.open_sells.get(symbol, 0))
        return exposure(inst, size, entry, buys, sells, self.mark(symbol))

    def wallet_currency(self, wallet: str) -> str:
        if wallet == "flex" or wallet == "cash":
            return "USD"
        return wallet[3:6].upper()  # fi_xbtusd -> XBT

    def summary(self, account: Account, wallet: str) -> MarginSummary:
        currency = self.wallet_currency(wallet)
        balances = account.wallets[wallet].balances if wallet in account.wallets else {}
        balance_value = collateral = _ZERO
        if wallet == "flex":
            for cur, qty in balances.items():
                value = qty * self.usd_price(cur)
                balance_value += value
                haircut = self.haircuts.get(cur, Decimal("0.1"))
                collateral += value * (1 - haircut) if qty > 0 else value
        else:
            balance_value = collateral = balances.get(currency, _ZERO)
        unreal = im = im_orders = mm = _ZERO
        for symbol in self.symbols(account, wallet):
            e = self.symbol_exposure(account, symbol)
            unreal += e.unrealised
            im += e.initial
            im_orders += e.initial_with_orders
            mm += e.maintenance
        return MarginSummary(wallet, currency, balance_value, collateral, unreal, im, im_orders, mm)
