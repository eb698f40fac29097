"""Settings from flags, environment and TOML (and where each came from); `build` and its
determinism; the runtime clock."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from mock_exchange import cli, runtime, ticker
from mock_exchange.config import AccountSpec, ConfigError, Info, Settings, build, load
from mock_exchange.engine.clock import ManualClock

D = Decimal

TOML = """
host = "0.0.0.0"
port = 9000
seed = 42
clock = "manual"
makers = false
rate_limits = "kraken"
start = 2026-03-01T12:00:00Z
symbols = ["PF_XBTUSD", "PI_XBTUSD"]

[prices]
XBT = 65000.5
PI_XBTUSD = "64000"

[instruments.PF_XBTUSD]
tick_size = 0.5
max_position_size = 100

[[accounts]]
name = "alice"
balances = { USD = 1000.25, XBT = 1 }

[[accounts]]
name = "bob"
wallets = { fi_xbtusd = { XBT = 2 } }
"""


@pytest.fixture
def toml_file(tmp_path: Path) -> Path:
    path = tmp_path / "mock.toml"
    path.write_text(TOML)
    return path


def test_defaults() -> None:
    s = load({}, {})
    assert s == Settings()
    assert (s.host, s.port, s.clock, s.makers, s.rate_limits, s.admin) == (
        "127.0.0.1", 8000, "real", True, "off", True)


def test_toml_file(toml_file: Path) -> None:
    s = load({}, {}, toml_file)
    assert (s.host, s.port, s.seed, s.clock, s.makers, s.rate_limits) == (
        "0.0.0.0", 9000, 42, "manual", False, "kraken")
    assert s.start_ms == 1_772_366_400_000
    assert s.symbols == ("PF_XBTUSD", "PI_XBTUSD")
    assert s.prices == {"XBT": D("65000.5"), "PI_XBTUSD": D("64000")}
    assert s.instruments == {"PF_XBTUSD": {"tick_size": D("0.5"), "max_position_size": D(100)}}
    assert [a.name for a in s.accounts or ()] == ["alice", "bob"]


def test_precedence_file_then_env_then_flags(toml_file: Path) -> None:
    env = {"KRAKEN_MOCK_CONFIG": str(toml_file), "KRAKEN_MOCK_PORT": "9100",
           "KRAKEN_MOCK_SEED": "7", "KRAKEN_MOCK_MAKERS": "on"}
    s = load({"seed": "8", "host": None}, env)
    assert (s.port, s.seed, s.makers, s.host) == (9100, 8, True, "0.0.0.0")


def test_sources_name_where_each_set_value_came_from(toml_file: Path) -> None:
    env = {"KRAKEN_MOCK_CONFIG": str(toml_file), "KRAKEN_MOCK_PORT": "9100",
           "KRAKEN_MOCK_SEED": "7", "KRAKEN_MOCK_PRICES": " "}  # fmt: skip
    s = load({"seed": "8", "makers": False, "admin": None}, env)
    assert s.sources == {
        "host": f"{toml_file}: host", "clock": f"{toml_file}: clock",
        "rate_limits": f"{toml_file}: rate_limits", "start": f"{toml_file}: start",
        "symbols": f"{toml_file}: symbols", "prices": f"{toml_file}: prices",
        "instruments": f"{toml_file}: instruments", "accounts": f"{toml_file}: accounts",
        "port": "KRAKEN_MOCK_PORT", "seed": "--seed", "makers": "--no-makers",
    }  # fmt: skip
    assert load({}, {}).sources == {} and load({}, {}) == Settings()
    assert cli.ignored_by_scenario(s) == [
        f"symbols ({toml_file}: symbols)", f"instruments ({toml_file}: instruments)",
        f"prices ({toml_file}: prices)", f"start ({toml_file}: start)",
        f"accounts ({toml_file}: accounts)",
    ]  # makers set to off: what a scenario does anyway
    on = load({}, {"KRAKEN_MOCK_MAKERS": "on", "KRAKEN_MOCK_MAKER_INTERVAL_MS": "250"})
    assert cli.ignored_by_scenario(on) == [
        "makers (KRAKEN_MOCK_MAKERS)", "maker_interval_ms (KRAKEN_MOCK_MAKER_INTERVAL_MS)"]


def test_environment_forms() -> None:
    env = {"KRAKEN_MOCK_PRICES": "XBT=61000, ETH=3100.5",
           "KRAKEN_MOCK_SYMBOLS": "pf_xbtusd,PF_ETHUSD",
           "KRAKEN_MOCK_START": "1767225600000", "KRAKEN_MOCK_ADMIN": "false",
           "KRAKEN_MOCK_CLOCK": "MANUAL", "KRAKEN_MOCK_MAKER_INTERVAL_MS": "250"}
    s = load({}, env)
    assert s.prices == {"XBT": D(61000), "ETH": D("3100.5")}
    assert s.symbols == ("PF_XBTUSD", "PF_ETHUSD")
    assert (s.start_ms, s.admin, s.clock, s.maker_interval_ms) == (
        1_767_225_600_000, False, "manual", 250)
    assert load({}, {"KRAKEN_MOCK_START": "2026-01-01T00:00:00Z"}).start_ms == 1_767_225_600_000


def test_accounts_from_the_environment_and_empty_values_are_unset() -> None:
    s = load({}, {"KRAKEN_MOCK_ACCOUNTS": "alice:USD=100000, xbt=1.5; bob:USD=50000",
                  "KRAKEN_MOCK_SEED": "", "KRAKEN_MOCK_PORT": "  "})
    assert s.accounts == (AccountSpec("alice", {"USD": "100000", "XBT": "1.5"}),
                          AccountSpec("bob", {"USD": "50000"}))
    assert (s.seed, s.port) == (Settings().seed, Settings().port)
    _, info = build(s)
    assert [a.name for a in info.accounts] == ["alice", "bob"]


@pytest.mark.parametrize("env, message", [
    ({"KRAKEN_MOCK_PORT": "http"}, "KRAKEN_MOCK_PORT: port must be a whole number"),
    ({"KRAKEN_MOCK_PORT": "70000"}, "from 0 to 65535"),
    ({"KRAKEN_MOCK_CLOCK": "fast"}, "clock must be one of real, manual"),
    ({"KRAKEN_MOCK_MAKERS": "maybe"}, "makers must be on or off"),
    ({"KRAKEN_MOCK_RATE_LIMITS": "strict"}, "rate_limits must be one of off, kraken"),
    ({"KRAKEN_MOCK_START": "yesterday"}, "start must be epoch milliseconds or ISO 8601"),
    ({"KRAKEN_MOCK_PRICES": "XBT=-1"}, "prices.XBT must be greater than zero"),
    ({"KRAKEN_MOCK_PORTT": "1"}, "unknown environment variable KRAKEN_MOCK_PORTT"),
    ({"KRAKEN_MOCK_CONFIG": "/nonexistent/mock.toml"}, "cannot read config file"),
    ({"KRAKEN_MOCK_ACCOUNTS": "alice"}, "KRAKEN_MOCK_ACCOUNTS: bad account 'alice': expected"),
    ({"KRAKEN_MOCK_ACCOUNTS": "a:USD"}, "bad balance 'USD' of a: expected CURRENCY=amount"),
])
def test_bad_values_name_their_source(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        load({}, env)


@pytest.mark.parametrize("text, message", [
    ("port = ", "not valid TOML"),
    ("colour = 1", "unknown key"),
    ("[instruments.PF_XBTUSD]\nfee = 1", "not an overridable field"),
    ("[instruments.PF_XBTUSD]\ntick_size = 0", "greater than zero"),
    ("accounts = 5", "accounts must be a list"),
    ("[[accounts]]\nbalances = {}", "missing field: name"),
    ("[[accounts]]\nname = 'x'\nextra = 1", "unknown key"),
])
def test_bad_files(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        load({}, {}, path)


def test_build_from_file(toml_file: Path) -> None:
    app, info = build(load({}, {}, toml_file))
    state = app.state.mx
    ex = state.exchange
    assert isinstance(ex.clock, ManualClock) and ex.clock.now_ms() == 1_772_366_400_000
    assert sorted(ex.markets) == ["PF_XBTUSD", "PI_XBTUSD"]
    assert ex.instruments["PF_XBTUSD"].tick_size == D("0.5")
    assert ex.markets["PF_XBTUSD"].mark == D("65000.5")
    assert ex.markets["PI_XBTUSD"].mark == D(64000)
    assert [a.name for a in info.accounts] == ["alice", "bob"]
    alice, bob = (ex.accounts[a.account_id] for a in info.accounts)
    assert alice.wallets["flex"].balances == {"USD": D("1000.25"), "XBT": D(1)}
    assert bob.wallets["fi_xbtusd"].balances == {"XBT": D(2)}
    assert state.limiter is not None and state.background == []
    assert ticker.makers_of(state) is None
    assert state.keys.get(info.accounts[0].api_key).account_id == alice.account_id
    assert (info.rest_url, info.ws_url) == ("http://127.0.0.1:9000", "ws://127.0.0.1:9000/ws/v1")


@pytest.mark.parametrize("settings, message", [
    (Settings(symbols=("PF_DOGEUSD",)), "unknown instrument"),
    (Settings(symbols=("PF_XBTUSD",), instruments={"PF_ETHUSD": {"collar": D(1)}}),
     "not among the symbols"),
    (Settings(prices={"DOGE": D(1)}), "neither a symbol nor a base"),
    (Settings(accounts=(AccountSpec("x", {"DOGE": D(1)}),)), "account x: .*DOGE"),
    (Settings(symbols=("PF_XBTUSD",), accounts=(AccountSpec("x", {}, {"fi_xbtusd": {}}),)),
     "unknown wallet"),
])
def test_build_refuses_what_it_cannot_list(settings: Settings, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build(settings)


def test_default_demo_accounts_and_background_jobs() -> None:
    app, info = build(Settings(seed=1))
    state = app.state.mx
    assert [a.name for a in info.accounts] == ["demo1", "demo2"]
    demo = state.exchange.accounts[info.accounts[0].account_id]
    assert demo.wallets["flex"].balances == {"USD": D(100_000)}
    assert demo.wallets["fi_xbtusd"].balances == {"XBT": D(1)}
    assert state.background == [ticker.run]
    assert state.limiter is None
    assert ticker.makers_of(state) is not None
    assert not isinstance(state.exchange.clock, ManualClock)


def test_keys_depend_only_on_the_seed_and_accounts() -> None:
    def keys(**kw: Any) -> list[tuple[str, str, str]]:
        _, info = build(Settings(**kw))
        return [(a.account_id, a.api_key, a.api_secret) for a in info.accounts]

    assert keys(seed=5) == keys(seed=5, makers=False, clock="manual") == keys(seed=5, port=1)
    assert keys(seed=5) != keys(seed=6)
    assert keys() != keys()  # an OS seed


def test_info_urls() -> None:
    def urls(host: str) -> tuple[str, str]:
        info = Info(1, Settings(host=host, port=81), ())
        return info.rest_url, info.ws_url

    assert urls("0.0.0.0") == ("http://127.0.0.1:81", "ws://127.0.0.1:81/ws/v1")
    assert urls("::1") == ("http://[::1]:81", "ws://[::1]:81/ws/v1")
    assert urls("example.test") == ("http://example.test:81", "ws://example.test:81/ws/v1")


def test_cli_keys(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["keys", "--seed", "1"]) == 0
    _, info = build(Settings(seed=1))
    out = capsys.readouterr().out
    for account in info.accounts:
        assert f"API key:    {account.api_key}" in out
        assert f"API secret: {account.api_secret}" in out
    assert cli.main(["keys"]) == 2
    assert "give a seed" in capsys.readouterr().err


def test_cli_banner(capsys: pytest.CaptureFixture[str]) -> None:
    _, info = build(Settings(seed=1, port=8123, makers=False))
    cli.banner(info, __import__("sys").stdout)
    out = capsys.readouterr().out
    key, secret = info.accounts[0].api_key, info.accounts[0].api_secret
    assert "REST       http://127.0.0.1:8123" in out
    assert "WebSocket  ws://127.0.0.1:8123/ws/v1" in out
    assert f'Trade(key="{key}", secret="{secret}", url="http://127.0.0.1:8123")' in out
    assert '"private": "http://127.0.0.1:8123/derivatives/api/"' in out
    assert '"charts": "http://127.0.0.1:8123/api/charts/"' in out
    assert '"history": "http://127.0.0.1:8123/api/history/"' in out


def test_system_clock() -> None:
    wall = runtime.SystemClock()
    a, b = wall.now_ms(), wall.now_ms()
    assert 1_700_000_000_000 < a <= b
    started = runtime.SystemClock(1_000)
    assert 1_000 <= started.now_ms() < 60_000
    assert 0 <= runtime.os_seed() < 2**32
