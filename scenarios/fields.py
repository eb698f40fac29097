"""Reading one TOML table of a scenario field by field, with errors that name file, line, field.

`KeyLines` finds where keys were written (tomllib forgets): for every table header and every
`key = value` line, the path it defines - `("actors", 0, "spread")` for a key of the first
`[[actors]]` - skipping multi-line strings and arrays; `line_of(path)` answers the line of the
path or of its nearest written ancestor.

`Table` wraps a parsed table and its place in the file; each `get_*` reads one key, converts it
(times to ms offsets, numbers to exact `Decimal`) and checks its range, raising `ScenarioError`
as `FILE:LINE: FIELD: expected ..., got ...`. `Table.finish()` refuses keys nobody read, naming
the keys that are allowed. Nothing here keeps state between scenarios.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

KeyPath = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_NAME = r"""(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')"""
_KEY = re.compile(rf"^\s*({_NAME}(?:\s*\.\s*{_NAME})*)\s*=")


def _split_key(text: str) -> list[str]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", text)
    return [p[1:-1] if p[:1] in "\"'" else p for p in parts]


class KeyLines:
    def __init__(self, text: str) -> None:
        self._lines: dict[KeyPath, int] = {}
        counts: dict[tuple[str, ...], int] = {}
        table: KeyPath = ()
        depth = 0  # open brackets of a multi-line array / inline table
        in_string: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            if depth == 0:
                header = _HEADER.match(line)
                if header:
                    names = _split_key(header.group(2))
                    if header.group(1) == "[[":
                        key = tuple(names)
                        index = counts.get(key, 0)
                        counts[key] = index + 1
                        table = (*names, index)
                        # the array itself is "written" at its first header (an unknown or
                        # ill-typed [[name]] is reported there, not at line 1)
                        self._lines.setdefault(key, number)
                    else:
                        table = tuple(names)
                    self._lines.setdefault(table, number)
                    continue
                key_match = _KEY.match(line)
                if key_match:
                    path = (*table, *_split_key(key_match.group(1)))
                    self._lines.setdefault(path, number)
                    self._mark_inline(path, line[key_match.end() :], number)
            for quote in ('"""', "'''"):
                if line.count(quote) % 2 == 1:
                    in_string = quote
            rest = _strip_strings(line)
            depth = max(0, depth + rest.count("[") + rest.count("{"))
            depth = max(0, depth - rest.count("]") - rest.count("}"))

    def _mark_inline(self, path: KeyPath, value: str, number: int) -> None:
        """Keys of an inline table on the same line (`{ USD = 1 }`) get this line too."""
        for name in re.findall(r"[{,]\s*([A-Za-z0-9_-]+)\s*=", value):
            self._lines.setdefault((*path, name), number)

    def line_of(self, path: KeyPath) -> int:
        probe = tuple(path)
        while probe:
            if probe in self._lines:
                return self._lines[probe]
            probe = probe[:-1]
        return 1


def _strip_strings(line: str) -> str:
    """The line without single-line string contents and comments (for bracket counting)."""
    out = re.sub(r'"(?:[^"\\]|\\.)*"' + r"|'[^']*'", '""', line)
    return out.split("#", 1)[0]


_UNITS = {"ms": 1, "s": 1_000, "m": 60_000, "h": 3_600_000, "d": 86_400_000}
_TIME = re.compile(r"^(\d+(?:ms|s|m|h|d))+$")
_PART = re.compile(r"(\d+)(ms|s|m|h|d)")
TIME_HINT = 'a time like "90s", "5m", "1h", "1h30m" or whole milliseconds'


def need(value: T | None) -> T:
    """A value a reader with a default (or `required`) has produced."""
    assert value is not None
    return value


class ScenarioError(ValueError):
    """A scenario that cannot be used: `file:line: field: what was expected, what was found`."""

    def __init__(self, file: str, line: int, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = file, line, field, message
        super().__init__(
            f"{file}:{line}: {field}: {message}" if field else f"{file}:{line}: {message}"
        )


def show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {show(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(show(v) for v in value) + "]"
    return str(value)


def parse_time(value: object) -> int | None:
    """ms offset from "90s" / "1h30m" / "250ms" / an integer >= 0; None if not a time."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str):
        text = value.strip().replace(" ", "")
        if text.isdigit():
            return int(text)
        if _TIME.match(text):
            return sum(int(n) * _UNITS[u] for n, u in _PART.findall(text))
    return None


def parse_decimal(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None


class Source:
    """The file a scenario came from: its name for messages and its key lines."""

    def __init__(self, name: str, text: str, directory: Path | None) -> None:
        self.name = name
        self.lines = KeyLines(text)
        self.directory = directory

    def error(self, path: KeyPath, message: str) -> ScenarioError:
        return ScenarioError(self.name, self.lines.line_of(path), dotted(path), message)


def dotted(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


class Table:
    def __init__(self, source: Source, path: KeyPath, data: object) -> None:
        self.source = source
        self.path = path
        if not isinstance(data, dict):
            raise source.error(path, f"expected a table, got {show(data)}")
        self.data: dict[str, Any] = data
        self._read: set[str] = set()

    @property
    def line(self) -> int:
        return self.source.lines.line_of(self.path)

    def error(self, key: str, message: str) -> ScenarioError:
        return self.source.error((*self.path, key), message)

    def has(self, key: str) -> bool:
        return key in self.data

    def raw(self, key: str) -> Any:
        self._read.add(key)
        return self.data.get(key)

    def get(
        self,
        key: str,
        convert: Callable[[object], T | None],
        expected: str,
        default: T | None = None,
        required: bool = False,
    ) -> T | None:
        if key not in self.data:
            if required:
                raise self.source.error(self.path, f"missing {key} ({expected})")
            self._read.add(key)
            return default
        value = self.raw(key)
        out = convert(value)
        if out is None:
            raise self.error(key, f"expected {expected}, got {show(value)}")
        return out

    def time(self, key: str, default: int | None = None, required: bool = False) -> int | None:
        return self.get(key, parse_time, TIME_HINT, default, required)

    def decimal(
        self,
        key: str,
        low: Decimal | None = None,
        high: Decimal | None = None,
        *,
        default: Decimal | None = None,
        required: bool = False,
        strict_low: bool = False,
    ) -> Decimal | None:
        parts = []
        if low is not None:
            parts.append(f"{'>' if strict_low else '>='} {low}")
        if high is not None:
            parts.append(f"<= {high}")
        expected = "a decimal number" + (" " + " and ".join(parts) if parts else "")

        def convert(value: object) -> Decimal | None:
            number = parse_decimal(value)
            if number is None or (high is not None and number > high):
                return None
            if low is not None and (number <= low if strict_low else number < low):
                return None
            return number

        return self.get(key, convert, expected, default, required)

    def integer(self, key: str, low: int, high: int, default: int | None = None) -> int | None:
        def convert(value: object) -> int | None:
            ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
            return value if ok else None  # type: ignore[return-value]

        return self.get(key, convert, f"a whole number from {low} to {high}", default)

    def text(self, key: str, default: str | None = None, required: bool = False) -> str | None:
        def convert(value: object) -> str | None:
            return value.strip() if isinstance(value, str) and value.strip() else None

        return self.get(key, convert, "a non-empty string", default, required)

    def choice(
        self, key: str, options: Iterable[str], default: str | None = None, required: bool = False
    ) -> str | None:
        allowed = tuple(options)

        def convert(value: object) -> str | None:
            return value if isinstance(value, str) and value in allowed else None

        expected = "one of " + ", ".join(f'"{o}"' for o in allowed)
        return self.get(key, convert, expected, default, required)

    def flag(self, key: str, default: bool = False) -> bool:
        out = self.get(key, lambda v: v if isinstance(v, bool) else None, "true or false", default)
        return bool(out)

    def table(self, key: str) -> Table:
        self._read.add(key)
        return Table(self.source, (*self.path, key), self.data.get(key, {}))

    def tables(self, key: str) -> list[Table]:
        """An array of tables ([[key]]); absent: []."""
        value = self.raw(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(key, f"expected an array of tables ([[{key}]]), got {show(value)}")
        return [Table(self.source, (*self.path, key, i), item) for i, item in enumerate(value)]

    def finish(self, allowed: Iterable[str] | None = None) -> None:
        known = set(allowed) if allowed is not None else self._read
        for key in self.data:
            if key not in known:
                names = ", ".join(sorted(known))
                raise self.error(key, f"unknown key (expected one of: {names})")


def decimal_map(table: Table, key: str, what: str) -> Mapping[str, Decimal]:
    """A table of name -> non-negative decimal (balances, offsets)."""
    value = table.raw(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise table.error(key, f"expected a table of {what}, got {show(value)}")
    out = {}
    for name, raw in value.items():
        number = parse_decimal(raw)
        if number is None:
            raise table.source.error(
                (*table.path, key, name), f"expected a decimal number, got {show(raw)}"
            )
        out[str(name)] = number
    return out
