"""Settings: what to run, read from flags, KRAKEN_MOCK_* variables and a TOML file.

Precedence, lowest first: defaults, the TOML file (`--config` or KRAKEN_MOCK_CONFIG), the
environment, command-line flags. `load` checks every value here, before anything is built: a bad
one raises `ConfigError` naming its source (a flag, a KRAKEN_MOCK_* variable or
"<file>: <key>"); `Settings.sources` records where each set value came from (what was not set
has its default).

Invariants: unknown variables and file keys are errors, an empty variable is unset; numbers are
whole or Decimal, never float (TOML floats are read as Decimal); `load` reads nothing but the
file it is given and the environment (os.environ unless a mapping is passed) and builds
nothing: checks that need the instrument catalogue are made by `mock_exchange.config.build`,
which raises the same `ConfigError`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from .admin import inputs
from .protocol.formats import parse_iso

ENV_PREFIX = "KRAKEN_MOCK_"


class ConfigError(ValueError):
    """A setting that cannot be used, with where it came from."""


@dataclass(frozen=True)
class AccountSpec:
    name: str
    balances: Mapping[str, Decimal] = field(default_factory=dict)  # the flex wallet
    wallets: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)


@dataclass(frozen=True)
class Settings:
    host: str = "127.0.0.1"
    port: int = 8000
    seed: int | None = None  # None: drawn from the OS at build time
    clock: str = "real"  # "real" (wall time) or "manual" (moves only through /__admin/clock)
    makers: bool = True
    maker_interval_ms: int = 1_000
    rate_limits: str = "off"  # "off" or "kraken"
    admin: bool = True
    start_ms: int | None = None  # None: now (real clock) or 2026-01-01T00:00Z (manual clock)
    symbols: tuple[str, ...] | None = None  # None: the whole default catalogue
    instruments: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # overrides
    prices: Mapping[str, Decimal] = field(default_factory=dict)  # by symbol or base currency
    accounts: tuple[AccountSpec, ...] | None = None  # None: the two demo accounts
    tls: bool = False  # serve https/wss with a local CA (mock_exchange/tls.py, docs/tls.md)
    tls_dir: str | None = None  # where the CA and certificate go (None: a temporary folder)
    #: `serve` a live exchange driven by this scenario (a file or a library name; scenarios.live)
    scenario: str | None = None
    #: setting -> where `load` found it (a flag, a KRAKEN_MOCK_* variable or "<file>: <key>");
    #: a setting absent here has its default. Not part of equality.
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)


# -- reading settings ----------------------------------------------------------------------

#: Environment variable (after KRAKEN_MOCK_) -> settings key.
_ENV = {
    name.upper(): name
    for name in (
        "host", "port", "seed", "clock", "makers", "maker_interval_ms", "rate_limits", "admin",
        "start", "symbols", "prices", "tls", "tls_dir", "scenario", "accounts",
    )
}  # fmt: skip
_FILE_KEYS = (*_ENV.values(), "instruments", "accounts")
_DECIMAL_FIELDS = {"tick_size", "max_position_size", "contract_size", "impact_mid_size",
                   "funding_rate_coefficient", "max_relative_funding_rate", "collar"}  # fmt: skip
_INT_FIELDS = {"precision", "opening_ms", "last_trading_ms", "max_open_orders"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
#: Flags that are spelled otherwise than `--<setting>` (they switch a default off).
_FLAG_NAMES = {"makers": "--no-makers", "admin": "--no-admin"}


def load(
    flags: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    config_file: str | Path | None = None,
) -> Settings:
    """Settings from a TOML file, the environment and flags (flags given as None are unset)."""
    env = os.environ if env is None else env
    raw: dict[str, tuple[Any, str]] = {}
    path = config_file or env.get(ENV_PREFIX + "CONFIG")
    if path:
        for key, value in _read_toml(Path(path)).items():
            raw[key] = (value, f"{path}: {key}")
    for name, value in env.items():
        if name.startswith(ENV_PREFIX) and name != ENV_PREFIX + "CONFIG":
            setting = _ENV.get(name[len(ENV_PREFIX) :])
            if setting is None:
                raise ConfigError(f"unknown environment variable {name}")
            if not value.strip():
                continue  # empty is unset: lets compose files pass `${VAR:-}` through
            raw[setting] = (_accounts_text(value) if setting == "accounts" else value, name)
    for key, value in (flags or {}).items():
        if value is not None:
            raw[key] = (value, _FLAG_NAMES.get(key, f"--{key.replace('_', '-')}"))
    return _settings(raw)


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"), parse_float=Decimal)
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None
    unknown = sorted(set(document) - set(_FILE_KEYS))
    if unknown:
        raise ConfigError(f"{path}: unknown key(s) {', '.join(unknown)}")
    return document


def _settings(raw: dict[str, tuple[Any, str]]) -> Settings:
    def get(key: str, parse: Any, *args: Any) -> dict[str, Any]:
        if key not in raw:
            return {}
        value, where = raw[key]
        try:
            return {key: parse(value, *args)}
        except inputs.AdminError as exc:
            raise ConfigError(f"{where}: {exc.message}") from None

    out: dict[str, Any] = {}
    out |= get("host", inputs.text, "host", 255)
    out |= get("port", _int, "port", 0, 65_535)
    out |= get("seed", _int, "seed", 0, (1 << 64) - 1)
    out |= get("clock", _choice, "clock", ("real", "manual"))
    out |= get("makers", _flag, "makers")
    out |= get("maker_interval_ms", _int, "maker_interval_ms", 10, 86_400_000)
    out |= get("rate_limits", _choice, "rate_limits", ("off", "kraken"))
    out |= get("admin", _flag, "admin")
    if "start" in raw:
        out["start_ms"] = get("start", _start)["start"]
    out |= get("symbols", _symbols)
    out |= get("prices", _prices)
    out |= get("instruments", _overrides)
    out |= get("accounts", _accounts)
    out |= get("tls", _flag, "tls")
    out |= get("tls_dir", inputs.text, "tls_dir", 4096)
    out |= get("scenario", inputs.text, "scenario", 4096)
    return Settings(**out, sources={key: where for key, (_, where) in raw.items()})


def _int(value: object, name: str, low: int, high: int) -> int:
    number: object = value
    if isinstance(value, str):
        try:
            number = int(value.strip())
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
        raise inputs.AdminError(f"{name} must be a whole number from {low} to {high}")
    return number


def _choice(value: object, name: str, options: tuple[str, ...]) -> str:
    return inputs.choice(value.strip().lower() if isinstance(value, str) else value, name, options)


def _flag(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    words = {"on": True, "true": True, "yes": True, "1": True}
    words |= {"off": False, "false": False, "no": False, "0": False}
    key = value.strip().lower() if isinstance(value, str) else None
    if key not in words:
        raise inputs.AdminError(f"{name} must be on or off (true/false), got {value!r}")
    return words[key]


def _start(value: object) -> int:
    """A start time: milliseconds since the epoch, an ISO 8601 string or a TOML date-time."""
    if isinstance(value, date):  # TOML date-times are datetimes, TOML dates dates
        if not isinstance(value, datetime):
            value = datetime(value.year, value.month, value.day)
        stamp = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return (stamp - _EPOCH) // timedelta(milliseconds=1)
    if isinstance(value, str) and not value.strip().isdigit():
        ms = parse_iso(value)
        if ms is None:
            raise inputs.AdminError(f"start must be epoch milliseconds or ISO 8601, got {value!r}")
        return ms
    return _int(value, "start", 0, 253_402_300_799_999)


def _symbols(value: object) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not items:
        raise inputs.AdminError("symbols must be a non-empty list of symbols")
    return tuple(inputs.text(s, "symbols").upper() for s in items)


def _prices(value: object) -> dict[str, Decimal]:
    if isinstance(value, str):
        pairs = [p.partition("=") for p in value.split(",") if p.strip()]
        value = {k.strip(): v for k, _, v in pairs}
    table = inputs.mapping(value, "prices")
    return {k.upper(): inputs.positive(v, f"prices.{k}") for k, v in table.items()}


def _overrides(value: object) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for symbol, table in inputs.mapping(value, "instruments").items():
        fields: dict[str, Any] = {}
        for name, raw in inputs.mapping(table, f"instruments.{symbol}").items():
            where = f"instruments.{symbol}.{name}"
            if name in _DECIMAL_FIELDS:
                fields[name] = inputs.positive(raw, where)
            elif name in _INT_FIELDS:
                low, high = (-8, 18) if name == "precision" else (0, 2**53)
                fields[name] = _int(raw, where, low, high)
            else:
                known = ", ".join(sorted(_DECIMAL_FIELDS | _INT_FIELDS))
                raise inputs.AdminError(f"{where}: not an overridable field ({known})")
        out[symbol.upper()] = fields
    return out


def _accounts_text(text: str) -> object:
    """`alice:USD=100000,XBT=1;bob:USD=50000` as the [[accounts]] tables it stands for."""
    tables: list[object] = []
    for entry in text.split(";"):
        name, sep, amounts = entry.partition(":")
        if not entry.strip():
            continue
        if not sep or not name.strip():
            return f"bad account {entry.strip()!r}: expected name:CURRENCY=amount,..."
        balances: dict[str, str] = {}
        for pair in filter(None, (p.strip() for p in amounts.split(","))):
            currency, eq, amount = pair.partition("=")
            if not eq:
                return f"bad balance {pair!r} of {name.strip()}: expected CURRENCY=amount"
            balances[currency.strip().upper()] = amount.strip()
        tables.append({"name": name.strip(), "balances": balances})
    return tables


def _accounts(value: object) -> tuple[AccountSpec, ...]:
    if isinstance(value, str):  # a message from _accounts_text
        raise inputs.AdminError(value)
    if not isinstance(value, list):
        raise inputs.AdminError("accounts must be a list of tables ([[accounts]])")
    specs = []
    for i, entry in enumerate(value):
        table = inputs.mapping(entry, f"accounts[{i}]")
        unknown = sorted(set(table) - {"name", "balances", "wallets"})
        if unknown:
            raise inputs.AdminError(f"accounts[{i}]: unknown key(s) {', '.join(unknown)}")
        name = inputs.text(inputs.required(table, "name"), f"accounts[{i}].name")
        balances = inputs.mapping(table.get("balances", {}), f"accounts[{i}].balances")
        wallets = inputs.mapping(table.get("wallets", {}), f"accounts[{i}].wallets")
        specs.append(AccountSpec(name, balances, wallets))
    return tuple(specs)
