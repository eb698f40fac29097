"""Typed, strict reading of one JSON object of an admin answer (`Reader`).

Invariant: a missing or mistyped field raises ValueError naming the field's path, never returns
a default; decimals are read from exact strings (or integers) into `Decimal`, never via float.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any


class Reader:
    """Typed access to one JSON object of an answer; a missing or mistyped field raises
    ValueError naming it (turned into `AdminResponseError` by `finish`)."""

    def __init__(self, doc: Mapping[str, Any], where: str) -> None:
        self.raw = dict(doc)
        self.where = where

    def _get(self, key: str, kinds: type | tuple[type, ...], optional: bool = False) -> Any:
        if key not in self.raw:
            raise ValueError(f"{self.where}: missing field {key!r}")
        value = self.raw[key]
        if value is None and optional:
            return None
        if isinstance(value, bool) != (kinds is bool) or not isinstance(value, kinds):
            raise ValueError(f"{self.where}.{key}: unexpected value {value!r}")
        return value

    def text(self, key: str) -> str:
        return str(self._get(key, str))

    def opt_text(self, key: str) -> str | None:
        value = self._get(key, str, optional=True)
        return None if value is None else str(value)

    def integer(self, key: str) -> int:
        return int(self._get(key, int))

    def opt_integer(self, key: str) -> int | None:
        value = self._get(key, int, optional=True)
        return None if value is None else int(value)

    def flag(self, key: str) -> bool:
        return bool(self._get(key, bool))

    def decimal(self, key: str) -> Decimal:
        return _decimal(self._get(key, (str, int, Decimal)), f"{self.where}.{key}")

    def opt_decimal(self, key: str) -> Decimal | None:
        value = self._get(key, (str, int, Decimal), optional=True)
        return None if value is None else _decimal(value, f"{self.where}.{key}")

    def child(self, key: str) -> Reader:
        return Reader(self._get(key, dict), f"{self.where}.{key}")

    def children(self, key: str) -> tuple[Reader, ...]:
        items = self._get(key, list)
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise ValueError(f"{self.where}.{key}[{i}]: expected an object, got {item!r}")
        return tuple(Reader(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(items))

    def texts(self, key: str) -> tuple[str, ...]:
        items = self._get(key, list)
        if not all(isinstance(x, str) for x in items):
            raise ValueError(f"{self.where}.{key}: expected a list of strings")
        return tuple(items)

    def wallets(self, key: str) -> dict[str, dict[str, Decimal]]:
        table = self.child(key)
        return {name: {cur: table.child(name).decimal(cur) for cur in table.child(name).raw}
                for name in table.raw}  # fmt: skip

    def levels(self, key: str) -> tuple[tuple[Decimal, Decimal], ...]:
        out = []
        for i, level in enumerate(self._get(key, list)):
            if not isinstance(level, list) or len(level) != 2:
                raise ValueError(f"{self.where}.{key}[{i}]: expected [price, size]")
            where = f"{self.where}.{key}[{i}]"
            out.append((_decimal(level[0], where), _decimal(level[1], where)))
        return tuple(out)


def _decimal(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError(f"{where}: expected a decimal, got {value!r}")
    try:
        number = Decimal(value)
    except ArithmeticError:
        raise ValueError(f"{where}: expected a decimal, got {value!r}") from None
    if not number.is_finite():
        raise ValueError(f"{where}: expected a finite decimal, got {value!r}")
    return number
