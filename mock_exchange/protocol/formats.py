"""Wire formats: timestamps, numbers, booleans and symbols as Kraken writes and reads them.

Exact `Decimal`s become JSON numbers here, at the edge: integral values as ints, the rest as the
shortest float that reads back to the same decimal where one exists.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

_ISO = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:?\d{2})?$"
)


def iso(ms: int) -> str:
    """Milliseconds since the epoch as Kraken's `2026-01-01T00:00:00.000Z`."""
    seconds, millis = divmod(ms, 1000)
    stamp = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{stamp}.{millis:03d}Z"


def parse_iso(text: str) -> int | None:
    """An RFC 3339 / ISO 8601 time (`Z` or offset; no zone means UTC) in ms, or None."""
    m = _ISO.match(text.strip())
    if m is None:
        return None
    year, month, day, hour, minute, second, frac, zone = m.groups()
    try:
        dt = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=UTC
        )
    except ValueError:
        return None
    ms = int(dt.timestamp()) * 1000 + int((frac or "0").ljust(3, "0")[:3])
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        ms -= sign * (int(digits[:2]) * 60 + int(digits[2:])) * 60_000
    return ms


def num(value: Decimal | int | None) -> int | float | None:
    """A decimal as a JSON number: an int when integral, else a float."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    if value == value.to_integral_value() and abs(value) < 2**53:
        return int(value)
    return float(value)


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def parse_bool(text: str) -> bool | None:
    """`true`/`false`/`True`/`False`/`1`/`0` in any case; anything else is None."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def symbol(text: str) -> str:
    """Symbols are case-insensitive on the way in and upper-case on the way out."""
    return text.strip().upper()
