"""The default instrument catalogue, with Kraken-realistic contract specifications.

Figures follow Kraken's published `/instruments` answers (see docs/fidelity.md for sources);
the dated future is listed relative to the start time so that it can expire during a run.
"""

from __future__ import annotations

from decimal import Decimal as D

from .instruments import ContractKind, Instrument, MarginTier

_DAY_MS = 86_400_000


def _tiers(*rows: tuple[str, str, str]) -> tuple[MarginTier, ...]:
    return tuple(MarginTier(D(t), D(im), D(mm)) for t, im, mm in rows)


# Kraken's multi-collateral margin classes (USD notional thresholds; IM/MM per level I..VII)
_LEVELS = (
    ("0.02", "0.01"),
    ("0.04", "0.02"),
    ("0.05", "0.025"),
    ("0.1", "0.05"),
    ("0.2", "0.1"),
    ("0.3", "0.15"),
    ("0.5", "0.25"),
)
_CLASS_A = ("0", "1000000", "2000000", "5000000", "10000000", "20000000", "60000000")
_CLASS_B = ("0", "250000", "750000", "1000000", "5000000", "10000000", "30000000")
_A_TIERS = _tiers(*((t, im, mm) for t, (im, mm) in zip(_CLASS_A, _LEVELS, strict=True)))
_B_TIERS = _tiers(*((t, im, mm) for t, (im, mm) in zip(_CLASS_B, _LEVELS, strict=True)))
# Inverse margin schedule (thresholds in 1-USD contracts)
_INVERSE_TIERS = _tiers(
    ("0", "0.02", "0.01"),
    ("500000", "0.04", "0.02"),
    ("1000000", "0.06", "0.03"),
    ("3000000", "0.1", "0.05"),
    ("6000000", "0.15", "0.075"),
    ("12000000", "0.25", "0.125"),
    ("20000000", "0.3", "0.15"),
    ("50000000", "0.4", "0.2"),
)


def last_friday_expiry(start_ms: int, min_days: int = 28) -> int:
    """08:00 UTC on the last Friday of the first month whose last Friday is `min_days` away.

    Kraken's linear dated futures (FF_) stop trading at 08:00 UTC on the last Friday of their
    month. 1970-01-01 was a Thursday, so day number d is a Friday when d % 7 == 1.
    """
    day = start_ms // _DAY_MS + min_days
    while True:
        # walk to the last Friday of `day`'s month
        month = _civil(day)[:2]
        last = day
        while _civil(last + 1)[:2] == month:
            last += 1
        friday = last - ((last - 1) % 7)
        if friday >= day:
            return friday * _DAY_MS + 8 * 3_600_000
        day = last + 1


def _civil(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day number (days since 1970-01-01), Howard Hinnant's algorithm."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if m <= 2 else 0), m, d


def dated_symbol(prefix: str, pair: str, last_trading_ms: int) -> str:
    """Kraken names dated contracts by their last trading day: FF_XBTUSD_261225."""
    y, m, d = _civil(last_trading_ms // _DAY_MS)
    return f"{prefix}_{pair}_{y % 100:02d}{m:02d}{d:02d}"


def default_instruments(start_ms: int) -> tuple[Instrument, ...]:
    """PF_XBTUSD, PF_ETHUSD, PF_SOLUSD, PI_XBTUSD and the next monthly FF_XBTUSD future."""
    expiry = last_friday_expiry(start_ms)
    cap = D("0.0025")  # maxRelativeFundingRate: 0.25 % per hour
    return (
        Instrument(
            "PF_XBTUSD",
            ContractKind.FLEXIBLE_PERPETUAL,
            "XBT",
            "USD",
            D("1"),
            4,
            _A_TIERS,
            D("1200"),
            max_relative_funding_rate=cap,
        ),
        Instrument(
            "PF_ETHUSD",
            ContractKind.FLEXIBLE_PERPETUAL,
            "ETH",
            "USD",
            D("0.1"),
            3,
            _A_TIERS,
            D("16000"),
            max_relative_funding_rate=cap,
        ),
        Instrument(
            "PF_SOLUSD",
            ContractKind.FLEXIBLE_PERPETUAL,
            "SOL",
            "USD",
            D("0.01"),
            2,
            _B_TIERS,
            D("80000"),
            max_relative_funding_rate=cap,
        ),
        Instrument(
            "PI_XBTUSD",
            ContractKind.INVERSE_PERPETUAL,
            "XBT",
            "USD",
            D("0.5"),
            0,
            _INVERSE_TIERS,
            D("75000000"),
            impact_mid_size=D("1000"),
            max_relative_funding_rate=cap,
        ),
        Instrument(
            dated_symbol("FF", "XBTUSD", expiry),
            ContractKind.FLEXIBLE_FUTURE,
            "XBT",
            "USD",
            D("1"),
            4,
            _A_TIERS,
            D("600"),
            last_trading_ms=expiry,
        ),
    )


#: Reference prices a fresh exchange starts from (mark = index = last).
DEFAULT_PRICES: dict[str, D] = {
    "XBT": D("60000"),
    "ETH": D("3000"),
    "SOL": D("150"),
}
