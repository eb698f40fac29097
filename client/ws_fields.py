"""Field readers for Kraken Futures WebSocket v1 messages: decode a frame and pull typed values
out of a JSON object with one precise error when a field is missing or of the wrong type.

Invariants
----------
* Frames are decoded with ``parse_float=Decimal``, so a number is exactly the text that was on
  the wire (``0.8600000000000001`` stays that, ``1.0`` is ``Decimal("1.0")``); no float ever
  reaches a caller. A float handed in by a caller who decoded JSON on their own is converted
  through its shortest ``repr``.
* ``bool`` is never accepted as a number, and a number is never accepted as a bool.
* Every error is a ``MessageFormatError`` naming the field and the message's feed or event.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

Json = Mapping[str, Any]


class MessageFormatError(ValueError):
    """A WebSocket message that does not have the shape its feed or event promises."""


def decode_frame(text: str | bytes) -> dict[str, Any]:
    """One text frame as a JSON object, numbers with a fraction or exponent as ``Decimal``."""
    try:
        value = json.loads(text, parse_float=Decimal)
    except ValueError as exc:
        raise MessageFormatError(f"frame is not JSON: {exc}") from None
    if not isinstance(value, dict):
        raise MessageFormatError(f"frame is not a JSON object but {type(value).__name__}")
    return value


def _where(m: Json) -> str:
    name = m.get("feed") or m.get("event") or "message"
    return str(name)


def _missing(m: Json, key: str, wanted: str) -> MessageFormatError:
    if key not in m:
        return MessageFormatError(f"{_where(m)}: field {key!r} is missing")
    return MessageFormatError(
        f"{_where(m)}: field {key!r} must be {wanted}, got {type(m[key]).__name__} {m[key]!r}"
    )


def as_decimal(value: Any) -> Decimal | None:
    """A JSON number as an exact Decimal, or None if it is not a finite number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        out = Decimal(repr(value))
        return out if out.is_finite() else None
    return None


def req_dec(m: Json, key: str) -> Decimal:
    out = as_decimal(m.get(key))
    if out is None:
        raise _missing(m, key, "a number")
    return out


def opt_dec(m: Json, key: str) -> Decimal | None:
    if m.get(key) is None:
        return None
    return req_dec(m, key)


def req_int(m: Json, key: str) -> int:
    value = m.get(key)
    if isinstance(value, bool):
        raise _missing(m, key, "an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    raise _missing(m, key, "an integer")


def opt_int(m: Json, key: str) -> int | None:
    if m.get(key) is None:
        return None
    return req_int(m, key)


def req_str(m: Json, key: str) -> str:
    value = m.get(key)
    if not isinstance(value, str):
        raise _missing(m, key, "a string")
    return value


def opt_str(m: Json, key: str) -> str | None:
    if m.get(key) is None:
        return None
    return req_str(m, key)


def req_bool(m: Json, key: str) -> bool:
    value = m.get(key)
    if not isinstance(value, bool):
        raise _missing(m, key, "true or false")
    return value


def opt_bool(m: Json, key: str) -> bool | None:
    if m.get(key) is None:
        return None
    return req_bool(m, key)


def req_obj(m: Json, key: str) -> Json:
    value = m.get(key)
    if not isinstance(value, Mapping):
        raise _missing(m, key, "an object")
    return value


def req_list(m: Json, key: str) -> list[Any]:
    value = m.get(key)
    if not isinstance(value, list):
        raise _missing(m, key, "a list")
    return value


def objects(m: Json, key: str) -> list[Json]:
    """A list of JSON objects (each element checked)."""
    items = req_list(m, key)
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise MessageFormatError(f"{_where(m)}: {key}[{i}] must be an object")
    return items


def str_tuple(m: Json, key: str) -> tuple[str, ...]:
    """A list of strings; a bare string (seen in some clients' acks) counts as one element."""
    value = m.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise _missing(m, key, "a list of strings")


def numbers(m: Json) -> dict[str, Decimal]:
    """Every numeric field of an object, as Decimal (non-numeric fields left out)."""
    out: dict[str, Decimal] = {}
    for key, value in m.items():
        number = as_decimal(value)
        if number is not None:
            out[str(key)] = number
    return out
