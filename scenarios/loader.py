"""Scenario files (TOML, read with `tomllib`) to validated `Scenario` values.

`load(source)` / `loads(text)` check everything before anything runs: every refusal is a
`ScenarioError` naming the file, the line and the field and saying what was expected. `source`
is a file, or when no such file exists the name of a library scenario (`quiet_range` or
`quiet_range.toml`: `scenarios/library/quiet_range.toml`); this is the one place names are
resolved (the CLI, `serve --scenario` and the pytest plugin all call `load`). The
instrument and account parts reuse the server config's own checks (`mock_exchange.config` for
instrument overrides, `admin.inputs.funding` for balances), so a scenario accepts exactly what
`kraken-mock serve` accepts. Paths, actors, incidents, actions and expectations are read in
`scenarios.loader_parts`. The loader is pure: same text, same `Scenario`.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Any

from mock_exchange import config
from mock_exchange.admin import inputs
from mock_exchange.engine.catalogue import DEFAULT_PRICES
from mock_exchange.engine.instruments import Instrument
from mock_exchange.exchange import ExchangeSettings
from mock_exchange.protocol.formats import parse_iso

from . import loader_parts as parts
from .fields import ScenarioError, Source, Table, decimal_map, show
from .model import AccountSpec, InstrumentSpec, Scenario, arithmetic

TOP_KEYS = (
    "scenario",
    "instruments",
    "accounts",
    "paths",
    "actors",
    "incidents",
    "actions",
    "expect",
)
SCENARIO_KEYS = ("name", "description", "duration", "seed", "step", "start")
LIBRARY = Path(__file__).parent / "library"
DEFAULT_START = 1_767_225_600_000  # 2026-01-01T00:00:00Z
_TOML_LINE = re.compile(r"\(at (?:line (\d+), column \d+|end of document)\)")


class ScenarioNotFound(ScenarioError):
    """`source` is neither a file nor the name of a library scenario (the message lists the
    library; it names no line, as there is no file)."""

    def __init__(self, source: str | Path) -> None:
        message = (f"no scenario file {str(source)!r} and no library scenario of that name "
                   f"(library: {', '.join(library_names())})")  # fmt: skip
        super().__init__(str(source), 0, "", message)
        self.args = (message,)


def library_names() -> list[str]:
    """The names of the library's scenarios, sorted."""
    return sorted(p.stem for p in LIBRARY.glob("*.toml"))


def resolve(source: str | Path) -> Path:
    """The file `source` names: itself if it exists, else the library scenario of that name
    (a bare name, with or without `.toml`); `ScenarioNotFound` if neither."""
    path = Path(source)
    if path.exists():
        return path
    name = path.name.removesuffix(".toml")
    in_library = LIBRARY / f"{name}.toml"
    if path.parent == Path(".") and in_library.exists():
        return in_library
    raise ScenarioNotFound(source)


def load(source: str | Path) -> Scenario:
    """The scenario in file `source`, or in the library scenario named `source` (`resolve`)."""
    file = resolve(source)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(str(file), 0, "", f"cannot read the file: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ScenarioError(str(file), 0, "", "not UTF-8 text") from None
    return loads(text, name=str(file), directory=file.resolve().parent)


def loads(text: str, *, name: str = "<scenario>", directory: Path | None = None) -> Scenario:
    with localcontext(arithmetic()):
        return _loads(text, name, directory)


def _loads(text: str, name: str, directory: Path | None) -> Scenario:
    source = Source(name, text, directory)
    try:
        document = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        found = _TOML_LINE.search(str(exc))
        last = max(1, len(text.splitlines()))
        line = int(found.group(1)) if found and found.group(1) else last
        message = _TOML_LINE.sub("", str(exc)).strip()
        raise ScenarioError(name, line, "", f"not valid TOML: {message}") from None
    root = Table(source, (), document)
    root.finish(TOP_KEYS)
    head = root.table("scenario")
    if not root.has("scenario"):
        raise ScenarioError(name, 1, "scenario", "missing [scenario] table (with duration)")
    start = head.get("start", _start, "epoch milliseconds or an ISO 8601 time", DEFAULT_START)
    assert start is not None
    catalogue = config.Simulation(config.Settings(clock="manual"), 0).instruments(start)
    instruments, built = _instruments(root, catalogue, start)
    accounts = _accounts(root, built)
    known_stem = Path(name).stem if name != "<scenario>" else "scenario"
    duration = head.time("duration", required=True)
    assert duration is not None
    if duration <= 0:
        raise head.error("duration", "expected a time > 0, got 0")
    scenario = Scenario(
        name=head.text("name", known_stem) or known_stem,
        source=Path(name) if directory is not None else None,
        description=head.get(
            "description", lambda v: v if isinstance(v, str) else None, "a string", ""
        )
        or "",
        duration=duration,
        seed=head.integer("seed", 0, (1 << 64) - 1, 0) or 0,
        step=_positive_time(head, "step", 1_000),
        start_ms=start,
        instruments=instruments,
        accounts=accounts,
    )
    head.finish(SCENARIO_KEYS)
    scenario = parts.read_rest(root, scenario, {i.symbol: i for i in built})
    return _apply_expiries(scenario, root)


def _positive_time(table: Table, key: str, default: int) -> int:
    value = table.time(key, default)
    assert value is not None
    if value <= 0:
        raise table.error(key, "expected a time > 0, got 0")
    return value


def _start(value: object) -> int | None:
    if isinstance(value, datetime):
        stamp = value if value.tzinfo else value.replace(tzinfo=UTC)
        return int(stamp.timestamp() * 1000) if stamp.year >= 1970 else None
    if isinstance(value, date):
        return _start(datetime(value.year, value.month, value.day, tzinfo=UTC))
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str):
        return parse_iso(value)
    return None


def _instruments(
    root: Table, catalogue: tuple[Instrument, ...], start: int
) -> tuple[tuple[InstrumentSpec, ...], tuple[Instrument, ...]]:
    table = root.table("instruments")
    if not table.data:
        raise ScenarioError(
            table.source.name,
            table.line,
            "instruments",
            "expected at least one [instruments.SYMBOL] table",
        )
    by_name = {i.symbol: i for i in catalogue}
    aliases = {i.symbol.rsplit("_", 1)[0]: i.symbol for i in catalogue if i.last_trading_ms}
    specs, built = [], []
    for raw_symbol in table.data:
        entry = table.table(raw_symbol)
        symbol = aliases.get(raw_symbol.upper(), raw_symbol.upper())
        if symbol not in by_name:
            names = ", ".join(sorted(set(by_name) | set(aliases)))
            raise table.error(raw_symbol, f"unknown instrument (catalogue: {names})")
        base = by_name[symbol].base
        price = entry.decimal(
            "price", Decimal(0), strict_low=True, default=DEFAULT_PRICES.get(base, Decimal(100))
        )
        assert price is not None
        overrides = {k: v for k, v in entry.data.items() if k != "price"}
        try:
            settings = config.load({"symbols": [symbol], "instruments": {symbol: overrides}}, {})
            instrument = config.Simulation(settings, 0).instruments(start)[0]
        except config.ConfigError as exc:
            text = str(exc).split(": ", 1)[-1]
            found = re.search(rf"instruments\.{re.escape(symbol)}\.(\w+)", str(exc))
            key = found.group(1) if found else "price"
            for prefix in (f"instruments.{symbol}.{key}: ", f"instruments.{symbol}.{key} "):
                text = text.removeprefix(prefix)
            raise entry.error(key, text) from None
        if instrument.to_ticks(price) is None:
            raise entry.error(
                "price", f"expected a multiple of the tick size {instrument.tick_size}, got {price}"
            )
        specs.append(InstrumentSpec(symbol, price, dict(settings.instruments.get(symbol, {}))))
        built.append(instrument)
    return tuple(specs), tuple(built)


def _accounts(root: Table, built: tuple[Instrument, ...]) -> tuple[AccountSpec, ...]:
    out: list[AccountSpec] = []
    haircuts = ExchangeSettings().haircuts
    for entry in root.tables("accounts"):
        name = entry.text("name", required=True)
        assert name is not None
        if any(a.name == name for a in out):
            raise entry.error("name", f'expected a unique name, got "{name}" twice')
        balances = decimal_map(entry, "balances", "currency = amount")
        wallets_raw = entry.raw("wallets") or {}
        if not isinstance(wallets_raw, dict):
            raise entry.error("wallets", f"expected a table of wallets, got {show(wallets_raw)}")
        wallets = {
            w: decimal_map(entry.table("wallets"), w, "currency = amount") for w in wallets_raw
        }
        try:
            inputs.funding(built, haircuts, balances, wallets)
        except inputs.AdminError as exc:
            key = "wallets" if "wallet" in exc.message else "balances"
            raise entry.error(key, exc.message.removeprefix("balances: ")) from None
        entry.finish(("name", "balances", "wallets"))
        out.append(AccountSpec(name, balances, wallets))
    return tuple(out)


def _apply_expiries(scenario: Scenario, root: Table) -> Scenario:
    """An `expiry` incident sets its contract's last trading time (an instrument override)."""
    specs = {s.symbol: s for s in scenario.instruments}
    for incident in scenario.incidents:
        if incident.kind != "expiry" or incident.symbol is None:
            continue
        spec = specs[incident.symbol]
        overrides: dict[str, Any] = dict(spec.overrides)
        overrides["last_trading_ms"] = scenario.start_ms + incident.at
        specs[incident.symbol] = replace(spec, overrides=overrides)
    del root
    return replace(scenario, instruments=tuple(specs[s.symbol] for s in scenario.instruments))
