"""Dockerfile, .dockerignore and docker-compose.yml, checked without a container engine: the
compose file parses and has the documented structure (service `exchange` on port 8000 with a
health check on /__admin/health, a `scenario` profile with its own manual-clock, maker-free
exchange), its commands parse with the real CLI parser, its KRAKEN_MOCK_* variables are
settings config.py reads, the same command lines (with 127.0.0.1 and a free port) start a
working server whose health check passes and run a library scenario with the file's own seed,
and the wheel's package data carries the scenario library."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from integration.server import ServeProcess

from mock_exchange import cli, config

ROOT = Path(__file__).resolve().parents[2]
ENV_PREFIX = "KRAKEN_MOCK_"
_VAR = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>[^}]*))?\}")
_DURATION = re.compile(r"^\d+(ms|s|m|h)$")
# The keys of the Compose specification used or plausible here; anything else is a typo.
_SERVICE_KEYS = {"build", "image", "command", "entrypoint", "ports", "environment",
                 "healthcheck", "stop_signal", "restart", "profiles", "depends_on", "volumes"}
#: What the scenario runner needs of its server, whatever the shell's KRAKEN_MOCK_* say.
_HOSTILE_SHELL = {"KRAKEN_MOCK_CLOCK": "real", "KRAKEN_MOCK_MAKERS": "on"}


def _compose() -> dict[str, Any]:
    document = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def interpolate(value: str, env: Mapping[str, str]) -> str:
    """Compose's `${NAME}` and `${NAME:-default}` (unset or empty: the default)."""
    out = _VAR.sub(lambda m: env.get(m["name"]) or (m["default"] or ""), value)
    assert "$" not in out, f"unsupported interpolation in {value!r}"
    return out


def _service_env(service: Mapping[str, Any], shell: Mapping[str, str]) -> dict[str, str]:
    """The container's environment: values interpolated; a bare name passes the shell's on."""
    env = {}
    for name, value in service["environment"].items():
        if value is None:
            if name in shell:
                env[name] = shell[name]
        else:
            env[name] = interpolate(str(value), shell)
    return env


def _dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    joined = re.sub(r"\\\n\s*", " ", text)
    out = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            word, _, rest = line.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_compose_structure() -> None:
    doc = _compose()
    assert set(doc) == {"name", "services"}
    services = doc["services"]
    assert set(services) == {"exchange", "scenario-exchange", "scenario"}
    for name, service in services.items():
        assert set(service) <= _SERVICE_KEYS, f"{name}: {set(service) - _SERVICE_KEYS}"
    exchange, scenario = services["exchange"], services["scenario"]
    own = services["scenario-exchange"]
    assert exchange["build"] == "." and "profiles" not in exchange
    assert [interpolate(p, {}) for p in exchange["ports"]] == ["127.0.0.1:8000:8000"]
    assert [interpolate(p, {"KRAKEN_PUBLISH": "9000"}) for p in exchange["ports"]] == [
        "9000:8000"
    ]
    assert [interpolate(p, {}) for p in own["ports"]] == ["127.0.0.1:8001:8000"]
    for server in (exchange, own):
        check = server["healthcheck"]
        assert check["test"][0] == "CMD"
        assert "http://127.0.0.1:8000/__admin/health" in check["test"][-1]
        assert all(_DURATION.match(check[k]) for k in ("interval", "timeout", "start_period"))
        assert isinstance(check["retries"], int) and check["retries"] >= 3
    assert own["healthcheck"] == exchange["healthcheck"]
    assert own["profiles"] == scenario["profiles"] == ["scenario"]
    assert own["build"] == "." and "restart" not in own  # stopped after a run, fresh next time
    assert scenario["image"] == own["image"] == exchange["image"]
    assert scenario["depends_on"] == {"scenario-exchange": {"condition": "service_healthy"}}
    source, target, mode = scenario["volumes"][0].split(":")
    assert (source, target, mode) == ("./scenarios/library", "/scenarios", "ro")
    assert (ROOT / "scenarios").is_dir()


def test_exchange_command_is_the_cli_serve_on_every_interface() -> None:
    command = _compose()["services"]["exchange"]["command"]
    args = cli._parser().parse_args(command)
    assert (args.command, args.host, args.port) == ("serve", "0.0.0.0", "8000")
    assert args.config is None and args.seed is None  # settings come from the environment


def test_scenario_command_parses_with_the_cli_and_keeps_the_files_seed() -> None:
    scenario = _compose()["services"]["scenario"]
    shell = {"KRAKEN_SCENARIO": "flash_crash", "KRAKEN_SCENARIO_SEED": "9"}
    argv = [interpolate(part, shell) for part in scenario["command"]]
    assert argv[:3] == ["scenario", "run", "/scenarios/flash_crash.toml"]
    args = cli._parser().parse_args(argv)
    assert (args.target, args.seed) == ("http://scenario-exchange:8000", None)
    # the seed reaches the CLI only through its variable: unset or empty, the file's own
    assert set(scenario["environment"]) == {cli.SCENARIO_SEED_ENV}
    assert _service_env(scenario, shell) == {cli.SCENARIO_SEED_ENV: "9"}
    assert _service_env(scenario, {}) == {cli.SCENARIO_SEED_ENV: ""}


def test_scenario_exchange_runs_a_manual_clock_without_makers_whatever_the_shell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own = _compose()["services"]["scenario-exchange"]
    args = cli._parser().parse_args(own["command"])
    assert (args.command, args.host, args.port) == ("serve", "0.0.0.0", "8000")
    _container_environment(monkeypatch, _service_env(own, _HOSTILE_SHELL))
    settings = cli._settings(args)  # flags over the container's variables, as `serve` does
    assert (settings.seed, settings.clock, settings.makers) == (1, "manual", False)
    assert settings.scenario is None and settings.accounts is None


def test_scenario_seed_variable_is_checked(capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv(cli.SCENARIO_SEED_ENV, "seven")
    assert cli.main(["scenario", "run", "quiet_range"]) == 2
    assert capsys.readouterr().err == (
        "kraken-mock: error: KRAKEN_SCENARIO_SEED: a whole number from 0 to 2**64-1, "
        "got 'seven'\n"
    )



def test_environment_names_are_settings(tmp_path: Path) -> None:
    service = _compose()["services"]["exchange"]
    assert all(name.startswith(ENV_PREFIX) for name in service["environment"])
    defaults = _service_env(service, {})
    settings = config.load(None, env=defaults)
    assert set(settings.sources) == {"seed", "clock", "rate_limits"}  # the rest: serve defaults
    assert (settings.seed, settings.clock, settings.makers) == (1, "real", True)
    assert (settings.maker_interval_ms, settings.rate_limits) == (1000, "off")
    toml = tmp_path / "accounts.toml"
    toml.write_text('[[accounts]]\nname = "alice"\nbalances = { USD = 5000 }\n')
    shell = {
        "KRAKEN_MOCK_SEED": "7", "KRAKEN_MOCK_CLOCK": "manual", "KRAKEN_MOCK_MAKERS": "off",
        "KRAKEN_MOCK_START": "2026-03-01T12:00:00Z", "KRAKEN_MOCK_SYMBOLS": "PF_XBTUSD",
        "KRAKEN_MOCK_PRICES": "XBT=65000", "KRAKEN_MOCK_CONFIG": str(toml),
    }  # fmt: skip
    env = _service_env(service, shell)
    assert set(env) == set(service["environment"])  # every name reaches the container
    chosen = config.load(None, env=env)
    assert (chosen.seed, chosen.clock, chosen.makers) == (7, "manual", False)
    assert (chosen.start_ms, chosen.symbols) == (1_772_366_400_000, ("PF_XBTUSD",))
    assert chosen.accounts is not None and [a.name for a in chosen.accounts] == ["alice"]
    by_env = config.load(None, env=_service_env(service, {"KRAKEN_MOCK_ACCOUNTS": "bo:USD=9"}))
    assert by_env.accounts == (config.AccountSpec("bo", {"USD": "9"}),)


def test_dockerfile_matches_the_compose_service() -> None:
    lines = _dockerfile()
    exchange = _compose()["services"]["exchange"]
    first = lines[0]
    assert first == ("FROM", "python:3.11-slim")
    by_word: dict[str, list[str]] = {}
    for word, rest in lines:
        by_word.setdefault(word, []).append(rest)
    assert by_word["EXPOSE"] == ["8000"]
    assert json.loads(by_word["ENTRYPOINT"][0]) == ["kraken-mock"]
    assert json.loads(by_word["CMD"][0]) == exchange["command"]
    check = by_word["HEALTHCHECK"][0]
    assert json.loads(check[check.index("CMD ") + 4 :]) == exchange["healthcheck"]["test"][1:]
    assert any(run.startswith("pip install . ") for run in by_word["RUN"])
    assert by_word["USER"] == ["kraken"]


def test_dockerignore_keeps_what_the_image_copies() -> None:
    patterns = [
        p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines()
        if p.strip() and not p.startswith("#")
    ]  # fmt: skip
    copied = []
    for word, rest in _dockerfile():
        if word == "COPY":
            copied += rest.split()[:-1]
    assert copied == ["pyproject.toml", "README.md", "mock_exchange", "client", "scenarios"]
    for source in copied:
        assert (ROOT / source).exists(), source
        assert not any(fnmatch.fnmatch(source, p) for p in patterns), source
    for heavy in ("tests", ".git", "bench", "docs", "*.egg-info"):
        assert heavy in patterns


def _container_environment(monkeypatch: pytest.MonkeyPatch, env: Mapping[str, str]) -> None:
    """This process's KRAKEN_MOCK_* variables replaced by a container's `env`."""
    for name in list(os.environ):
        if name.startswith(ENV_PREFIX):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


def _start_like_compose(monkeypatch: pytest.MonkeyPatch, shell: Mapping[str, str],
                        name: str = "exchange") -> ServeProcess:  # fmt: skip
    """A service's serve command and environment, on 127.0.0.1 and a free port."""
    service = _compose()["services"][name]
    _container_environment(monkeypatch, _service_env(service, shell))
    args = list(service["command"])
    assert args[0] == "serve"
    args[args.index("--host") + 1] = "127.0.0.1"  # as in the container, but local
    port_at = args.index("--port")
    del args[port_at : port_at + 2]  # ServeProcess adds --port <free>
    return ServeProcess(*args[1:])


@pytest.fixture
def compose_like_server(monkeypatch: pytest.MonkeyPatch) -> Any:
    process = _start_like_compose(monkeypatch, {})
    try:
        process.wait_healthy()
        yield process, _compose()["services"]["exchange"]["healthcheck"]["test"]
    finally:
        process.stop()


def test_the_compose_command_line_serves_and_passes_its_health_check(
    compose_like_server: Any,
) -> None:
    process, check = compose_like_server
    state = httpx.get(process.base + "/__admin/state", timeout=5).json()
    assert state["server"] == {"seed": 1, "clock": "real", "makers": True}
    assert "seed=1  clock=real  makers=on" in "".join(process.out)
    probe = [sys.executable if part == "python" else part for part in check[1:]]
    probe[-1] = probe[-1].replace("127.0.0.1:8000", f"127.0.0.1:{process.port}")
    assert subprocess.run(probe, capture_output=True, timeout=30).returncode == 0
    process.stop()  # SIGTERM, as `docker compose stop` sends
    assert subprocess.run(probe, capture_output=True, timeout=30).returncode != 0


def test_the_scenario_profile_runs_a_library_scenario_against_its_exchange(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The profile as documented, whatever the shell says of clock and makers: its exchange's
    command line, then the scenario service's command and environment with the library at its
    place and that exchange at its local address. The run keeps the file's seed (0)."""
    shell = {**_HOSTILE_SHELL, "KRAKEN_SCENARIO": "reason_full_fill"}
    exchange = _start_like_compose(monkeypatch, shell, "scenario-exchange")
    try:
        exchange.wait_healthy()
        scenario = _compose()["services"]["scenario"]
        argv = [interpolate(part, shell) for part in scenario["command"]]
        argv = [part.replace("/scenarios/", str(ROOT / "scenarios" / "library") + "/")
                .replace("http://scenario-exchange:8000", exchange.base)
                for part in argv]  # fmt: skip
        env = {**os.environ, **_service_env(scenario, shell)}
        run = subprocess.run([sys.executable, "-m", "mock_exchange", *argv], env=env,
                             capture_output=True, text=True, timeout=300)  # fmt: skip
        assert run.returncode == 0, run.stdout + run.stderr
        assert run.stdout.startswith("scenario 'reason: full_fill': seed 0, ")
        state = httpx.get(exchange.base + "/__admin/state", timeout=5).json()
        assert state["server"] == {"seed": 1, "clock": "manual", "makers": False}
        assert state["clock"]["now_ms"] > 1_767_225_600_000  # the run moved the admin clock
    finally:
        exchange.stop()


def test_package_data_ships_the_scenario_library(tmp_path: Path) -> None:
    tree = tmp_path / "src"
    tree.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, tree / name)
    for package in ("mock_exchange", "client", "scenarios"):
        shutil.copytree(ROOT / package, tree / package,
                        ignore=shutil.ignore_patterns("__pycache__"))  # fmt: skip
    library = tree / "scenarios" / "library"
    library.mkdir(exist_ok=True)
    (library / "probe_scenario.toml").write_text("[scenario]\n")
    (library / "probe_prices.csv").write_text("time,price\n")
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py",
         "--build-lib", str(out)],
        cwd=tree, check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    shipped = {p.name for p in (out / "scenarios" / "library").iterdir()}
    assert {"probe_scenario.toml", "probe_prices.csv"} <= shipped
    assert (out / "mock_exchange" / "testing" / "__init__.py").is_file()
    assert (out / "client" / "admin" / "__init__.py").is_file()
    assert not (out / "tests").exists()
