"""Exact values in and out of Kraken's JSON: decimals, timestamps, booleans.

Reading: the response text is decoded with ``json.loads(parse_float=Decimal)`` (``decode_json``)
so no number ever passes through a float; fields may still arrive as JSON strings
(``"0.10000000000"``, ``"0E-11"``) or integers, and ``dec`` accepts all three. Timestamps are
RFC 3339 strings (millisecond to nanosecond fractions) or millisecond epochs; ``timestamp``
returns an aware UTC ``datetime`` (fractions beyond microseconds are truncated).

Booleans are read strictly (``flag``): JSON ``true``/``false`` (or exactly the strings
``"true"``/``"false"``); anything else is a shape Kraken never sends and raises ``ValueError``,
so ``"false"`` can never turn into ``True``.

Writing: ``wire_number`` renders ``Decimal``/``int``/``str`` in plain notation and refuses
``float`` (a float is already inexact, and Kraken users do arithmetic on these values);
``wire_bool`` takes a real ``bool`` only; ``wire_time`` takes an aware ``datetime`` or an RFC 3339
string with a ``T`` and a zone, and always writes Kraken's own form (UTC, milliseconds, ``Z``).

Invariant: pure functions, no state.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

Number = Decimal | int | str

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|z|[+-]\d{2}:\d{2})?$"
)


def decode_json(text: str | bytes) -> Any:
    """JSON with every non-integer number as an exact ``Decimal``."""
    return json.loads(text, parse_float=Decimal)


def dec(value: Any) -> Decimal:
    """A required decimal field: JSON number (int or Decimal) or numeric string."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"expected a number, got {value!r}")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int | str):
        try:
            return Decimal(value)
        except InvalidOperation:
            raise ValueError(f"expected a number, got {value!r}") from None
    raise ValueError(f"expected a number, got {value!r}")


def opt_dec(value: Any) -> Decimal | None:
    """An optional decimal field: ``None`` (or an empty string) stays ``None``."""
    return None if value is None or value == "" else dec(value)


def timestamp(value: Any) -> datetime:
    """A required time: RFC 3339 string or milliseconds since the epoch, as aware UTC."""
    if isinstance(value, int) and not isinstance(value, bool):
        seconds, millis = divmod(value, 1000)
        return datetime.fromtimestamp(seconds, UTC).replace(microsecond=millis * 1000)
    if isinstance(value, str):
        if value.isdigit():
            return timestamp(int(value))
        match = _RFC3339.match(value)
        if match:
            year, month, day, hour, minute, second, fraction, zone = match.groups()
            micros = int((fraction or "0")[:6].ljust(6, "0"))
            parsed = datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second), micros,
                tzinfo=UTC,
            )
            if zone and zone not in ("Z", "z"):
                parsed = datetime.fromisoformat(parsed.strftime("%Y-%m-%dT%H:%M:%S.%f") + zone)
            return parsed.astimezone(UTC)
    raise ValueError(f"expected a timestamp, got {value!r}")


def opt_timestamp(value: Any) -> datetime | None:
    """An optional time; ``None``, ``""`` and Kraken's disarmed ``"0"`` stay ``None``."""
    return None if value in (None, "", "0", 0) else timestamp(value)


def flag(value: Any) -> bool:
    """A required boolean: JSON ``true``/``false`` or exactly ``"true"``/``"false"``."""
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise ValueError(f"expected a boolean, got {value!r}")


def opt_flag(value: Any) -> bool | None:
    """An optional boolean (a field Kraken leaves out for some objects): ``None`` stays ``None``."""
    return None if value is None else flag(value)


def opt_str(value: Any) -> str | None:
    return None if value is None else str(value)


def wire_number(name: str, value: Number) -> str:
    """``value`` as Kraken expects a number parameter: plain decimal notation."""
    if isinstance(value, bool | float):
        raise TypeError(
            f"{name}: pass a Decimal, int or str, not {type(value).__name__} "
            "(floats are inexact)"
        )
    if isinstance(value, int):
        return str(value)
    try:
        number = value if isinstance(value, Decimal) else Decimal(value)
    except (InvalidOperation, TypeError):
        raise ValueError(f"{name}: {value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{name}: {value!r} is not a finite number")
    return format(number, "f")


def wire_bool(name: str, value: bool) -> str:
    """``true``/``false`` for a real ``bool``; anything else (``"false"``, 0, None) is refused."""
    if not isinstance(value, bool):
        raise TypeError(f"{name}: pass True or False, not {value!r}")
    return "true" if value else "false"


def wire_time(name: str, value: datetime | str) -> str:
    """An RFC 3339 UTC time with milliseconds, as Kraken writes them.

    A string must be a full RFC 3339 time with the ``T`` separator and a zone (``Z`` or
    ``+hh:mm``); it is read and written again in Kraken's form. Epoch numbers and times without
    a zone are refused: they would be read differently by different servers."""
    if isinstance(value, str):
        match = _RFC3339.match(value)
        if match is None or value[10] != "T" or match.group(8) is None:
            raise ValueError(
                f"{name}: {value!r} is not an RFC 3339 time like 2030-01-01T00:00:00.000Z "
                "(a T between date and time, and a zone)"
            )
        value = timestamp(value)
    if not isinstance(value, datetime):
        raise TypeError(f"{name}: pass an aware datetime or an RFC 3339 string, not {value!r}")
    if value.tzinfo is None:
        raise ValueError(f"{name}: give an aware datetime (UTC), not a naive one")
    moment = value.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
