"""Maker and taker fees: Kraken's lowest-volume tier by default (0.02% maker, 0.05% taker)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    maker: Decimal = Decimal("0.0002")
    taker: Decimal = Decimal("0.0005")
    liquidation: Decimal = Decimal("0.0075")  # charged to the liquidated side on top
