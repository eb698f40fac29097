"""The cheaper arithmetic of the order path gives the very same Decimals (digits and exponent)
as the straightforward formulas it replaced: lot sizes and tiered margin, for every listed
instrument, over sizes and marks inside, across and beyond the tiers."""

from __future__ import annotations

from decimal import Decimal as D

from mock_exchange.engine.catalogue import default_instruments
from mock_exchange.engine.instruments import Instrument

INSTRUMENTS = default_instruments(1_767_225_600_000)


def _reference_margin(inst: Instrument, size: D, mark: D) -> tuple[D, D]:
    """Marginal tiers, written plainly: each tier's rates on the part of the exposure in it."""
    if size == 0 or mark <= 0:
        return D(0), D(0)
    exposure = inst.exposure(size, mark)
    im = mm = D(0)
    tiers = inst.margin_tiers
    for i, tier in enumerate(tiers):
        upper = tiers[i + 1].threshold if i + 1 < len(tiers) else None
        if exposure <= tier.threshold:
            break
        part = (min(exposure, upper) if upper is not None else exposure) - tier.threshold
        im += part * tier.initial
        mm += part * tier.maintenance
    scale = inst.value(size, mark) / exposure
    return im * scale, mm * scale


def test_size_is_lots_scaled_by_precision_exactly() -> None:
    for inst in INSTRUMENTS:
        for lots in (0, 1, 2, 7, 10, 999, 123_456_789, 10**20):
            got, want = inst.size(lots), D(lots).scaleb(-inst.precision)
            assert got.as_tuple() == want.as_tuple(), (inst.symbol, lots)


def test_margin_equals_the_plain_tier_walk_exactly() -> None:
    marks = [D("0.5"), D(3), D("2999.5"), D(60_000), D("61234.5"), D(250_000)]
    checked = 0
    for inst in INSTRUMENTS:
        assert len(inst.bands) == len(inst.margin_tiers)
        thresholds = [t.threshold for t in inst.margin_tiers]
        for mark in marks:
            sizes = {inst.size(n) for n in (1, 3, 10, 1_000, 50_000, 10**7)}
            for threshold in thresholds:  # exposures exactly on, just under and over each tier
                at = threshold / (mark * inst.contract_size) if not inst.inverse else threshold
                sizes |= {at, at * D("0.999"), at * D("1.001"), at * 3}
            for size in sizes:
                for signed in (size, -size):
                    got, want = inst.margin(signed, mark), _reference_margin(inst, signed, mark)
                    assert [v.as_tuple() for v in got] == [v.as_tuple() for v in want], (
                        inst.symbol, signed, mark,
                    )
                    checked += 1
    assert inst.margin(D(0), D(60_000)) == (D(0), D(0))
    assert checked > 1_000
