"""Contract specifications and their checks: tick and lot grids, tiered margin, expiry.

An `Instrument` converts between exact decimals on the wire and the integer ticks (price) and
lots (size) the book works in; a value off the grid converts to None, never to a rounded number.
Margin tiers are marginal: each tier's rate applies to the part of the exposure inside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from .types import IdentityEnum

_ZERO = Decimal(0)


class ContractKind(IdentityEnum):
    FLEXIBLE_PERPETUAL = "flexible_perpetual"  # PF_: linear, multi-collateral, USD settled
    FLEXIBLE_FUTURE = "flexible_future"  # FF_: linear, multi-collateral, dated
    INVERSE_PERPETUAL = "inverse_perpetual"  # PI_: inverse, single-collateral (base coin)
    INVERSE_FUTURE = "inverse_future"  # FI_: inverse, single-collateral, dated

    @property
    def inverse(self) -> bool:
        return self in (ContractKind.INVERSE_PERPETUAL, ContractKind.INVERSE_FUTURE)

    @property
    def perpetual(self) -> bool:
        return self in (ContractKind.FLEXIBLE_PERPETUAL, ContractKind.INVERSE_PERPETUAL)


@dataclass(frozen=True, slots=True)
class MarginTier:
    """From `threshold` upward (quote notional for linear, contracts for inverse), these rates."""

    threshold: Decimal
    initial: Decimal
    maintenance: Decimal


@dataclass(frozen=True, slots=True)
class Instrument:
    symbol: str
    kind: ContractKind
    base: str
    quote: str
    tick_size: Decimal
    precision: int  # contractValueTradePrecision: size decimals, may be negative
    margin_tiers: tuple[MarginTier, ...]
    max_position_size: Decimal
    contract_size: Decimal = Decimal(1)
    impact_mid_size: Decimal = Decimal(1)
    opening_ms: int = 1_640_995_200_000  # 2022-01-01
    last_trading_ms: int | None = None
    funding_rate_coefficient: Decimal = Decimal(8)
    max_relative_funding_rate: Decimal = Decimal("0.001")
    collar: Decimal = Decimal("0.25")  # fraction of mark beyond which a limit is refused
    max_open_orders: int = 500
    lot_size: Decimal = field(init=False)
    inverse: bool = field(init=False)
    #: the currency PnL, fees and margin are counted in
    settlement_currency: str = field(init=False)
    #: the wallet whose collateral backs this contract (Kraken's account names)
    margin_wallet: str = field(init=False)
    #: (threshold, next tier's threshold or None, initial, maintenance) per tier
    bands: tuple[tuple[Decimal, Decimal | None, Decimal, Decimal], ...] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        # derived once: these are read several times for every order
        inverse = self.kind.inverse
        set_ = object.__setattr__
        set_(self, "lot_size", Decimal(1).scaleb(-self.precision))
        set_(self, "inverse", inverse)
        set_(self, "settlement_currency", self.base if inverse else self.quote)
        set_(self, "margin_wallet",
             f"fi_{self.base.lower()}{self.quote.lower()}" if inverse else "flex")
        tiers = self.margin_tiers
        uppers = [t.threshold for t in tiers[1:]] + ([None] if tiers else [])
        set_(self, "bands", tuple(
            (t.threshold, upper, t.initial, t.maintenance)
            for t, upper in zip(tiers, uppers, strict=True)
        ))

    # -- grids -------------------------------------------------------------------------------
    def to_ticks(self, price: Decimal) -> int | None:
        """Price in ticks, or None when it is not a positive multiple of the tick size."""
        if not _sane(price):
            return None
        q = price / self.tick_size
        return int(q) if q == q.to_integral_value() else None

    def to_lots(self, size: Decimal) -> int | None:
        """Size in lots, or None when it is not a positive multiple of the lot size."""
        if not _sane(size):
            return None
        q = size.scaleb(self.precision)
        return int(q) if q == q.to_integral_value() else None

    def price(self, ticks: int) -> Decimal:
        return ticks * self.tick_size

    def size(self, lots: int) -> Decimal:
        # lots x 10^-precision: the same Decimal (digits and exponent) as
        # Decimal(lots).scaleb(-precision), at a third of the cost
        return lots * self.lot_size

    def ticks_floor(self, price: Decimal) -> int:
        return int((price / self.tick_size).to_integral_value(ROUND_FLOOR))

    def ticks_ceiling(self, price: Decimal) -> int:
        return int((price / self.tick_size).to_integral_value(ROUND_CEILING))

    # -- economics ---------------------------------------------------------------------------
    def exposure(self, size: Decimal, mark: Decimal) -> Decimal:
        """What margin tiers are measured in: quote notional (linear) or contracts (inverse)."""
        return (
            abs(size) * self.contract_size
            if self.inverse
            else abs(size) * mark * self.contract_size
        )

    def value(self, size: Decimal, mark: Decimal) -> Decimal:
        """Notional of `size` contracts in the settlement currency."""
        if self.inverse:
            return abs(size) * self.contract_size / mark
        return abs(size) * self.contract_size * mark

    def margin(self, size: Decimal, mark: Decimal) -> tuple[Decimal, Decimal]:
        """(initial, maintenance) margin for a position of `size` at `mark`, settlement currency."""
        if size == 0 or mark <= 0:
            return _ZERO, _ZERO
        exposure = self.exposure(size, mark)
        im = mm = _ZERO
        for threshold, upper, initial, maintenance in self.bands:
            if exposure <= threshold:
                break
            # the part of the exposure inside this tier: min(exposure, upper) - threshold
            part = (upper if upper is not None and upper < exposure else exposure) - threshold
            im += part * initial
            mm += part * maintenance
        scale = self.value(size, mark) / exposure
        return im * scale, mm * scale

    def pnl(self, size: Decimal, entry: Decimal, exit_price: Decimal) -> Decimal:
        """PnL of a signed position of `size` opened at `entry` and closed at `exit_price`."""
        if self.inverse:
            return size * self.contract_size * (exit_price - entry) / (entry * exit_price)
        return size * self.contract_size * (exit_price - entry)


def _sane(value: Decimal) -> bool:
    """A positive finite number of a magnitude an order could have (no context overflow)."""
    return value.is_finite() and value > 0 and -30 <= value.adjusted() <= 30
