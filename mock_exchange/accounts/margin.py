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

Caching: `MarginModel` remembers the last `Exposure` it computed per (account, symbol) together
with the inputs it came from: position size and entry, resting buy and sell lots, mark and
instrument. The
Decimal inputs are compared by identity (every change of a position or a price stores a new
object; Decimals are immutable), the lot counts by value, so a remembered exposure is reused
exactly when it would be recomputed from the very same numbers, and nothing has to invalidate
it. A wallet summary adds the (mostly remembered) exposures of its symbols to its balances.
tests/property/test_margin_cache.py checks cached against freshly computed results.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from ..engine.instruments import Instrument
from .account import Account

_ZERO = Decimal(0)
_DEFAULT_HAIRCUT = Decimal("0.1")
_Inputs = tuple[Decimal, Decimal, int, int, Decimal, Instrument]


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
        #: (account id, symbol) -> (size, entry, buy lots, sell lots, mark) and its exposure
        self._exposures: dict[tuple[str, str], tuple[_Inputs, Exposure]] = {}

    def symbols(self, account: Account, wallet: str) -> list[str]:
        names = {*account.positions, *account.open_buys, *account.open_sells}
        instruments = self.instruments
        return sorted(s for s in names if instruments[s].margin_wallet == wallet)

    def symbol_exposure(self, account: Account, symbol: str) -> Exposure:
        pos = account.positions.get(symbol)
        size, entry = (pos.size, pos.entry) if pos is not None else (_ZERO, _ZERO)
        buys = account.open_buys.get(symbol, 0)
        sells = account.open_sells.get(symbol, 0)
        mark = self.mark(symbol)
        inst = self.instruments[symbol]
        slot = (account.account_id, symbol)
        known = self._exposures.get(slot)
        if known is not None:
            k = known[0]
            if (
                k[0] is size
                and k[1] is entry
                and k[2] == buys
                and k[3] == sells
                and k[4] is mark
                and k[5] is inst
            ):
                return known[1]
        found = exposure(inst, size, entry, inst.size(buys), inst.size(sells), mark)
        self._exposures[slot] = ((size, entry, buys, sells, mark, inst), found)
        return found

    def fresh_exposure(self, account: Account, symbol: str) -> Exposure:
        """`symbol_exposure` computed from scratch, bypassing the cache (tests, audits)."""
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

    def summary(self, account: Account, wallet: str, fresh: bool = False) -> MarginSummary:
        """The wallet's margin; `fresh` recomputes every exposure instead of reusing them."""
        currency = self.wallet_currency(wallet)
        balances = account.wallets[wallet].balances if wallet in account.wallets else {}
        balance_value = collateral = _ZERO
        if wallet == "flex":
            for cur, qty in balances.items():
                value = qty * self.usd_price(cur)
                balance_value += value
                haircut = self.haircuts.get(cur, _DEFAULT_HAIRCUT)
                collateral += value * (1 - haircut) if qty > 0 else value
        else:
            balance_value = collateral = balances.get(currency, _ZERO)
        unreal = im = im_orders = mm = _ZERO
        of = self.fresh_exposure if fresh else self.symbol_exposure
        for symbol in self.symbols(account, wallet):
            e = of(account, symbol)
            unreal += e.unrealised
            im += e.initial
            im_orders += e.initial_with_orders
            mm += e.maintenance
        return MarginSummary(wallet, currency, balance_value, collateral, unreal, im, im_orders, mm)
