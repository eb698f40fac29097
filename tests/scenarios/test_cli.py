"""`kraken-mock scenario run` and `kraken-mock serve --scenario`, end to end as subprocesses
(`python -m mock_exchange ...`), plus the progress bar and the summary (library names are
resolved by `scenarios.load`: tests/scenarios/test_loader.py)."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from integration.server import ServeProcess

import scenarios
from client import FuturesClient
from mock_exchange import config
from mock_exchange.cli import main
from scenarios.cli import ProgressBar, duration_text, summary
from scenarios.live import live_app
from scenarios.loader import LIBRARY

D = Decimal


def kraken_mock(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mock_exchange", *args], capture_output=True,
                          text=True, timeout=120)  # fmt: skip


FAILING = """
[scenario]
name = "wrong guess"
duration = "1m"

[instruments.PF_XBTUSD]
price = 60000

[[accounts]]
name = "alice"
balances = { USD = 100000 }

[[actions]]
kind = "place"
at = "5s"
account = "alice"
label = "bid"
symbol = "PF_XBTUSD"
side = "buy"
type = "lmt"
size = "1"
price = 59000

[[expect]]
kind = "order"
order = "bid"
state = "open"

[[expect]]
kind = "reason"
account = "alice"
reason = "full_fill"
"""


def test_scenario_run_passes_with_exit_code_0_and_a_summary_table() -> None:
    done = kraken_mock("scenario", "run", str(LIBRARY / "reason_partial_fill.toml"))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "scenario 'reason: partial_fill': seed 0, 1m simulated, in-process"
    assert lines[2].split() == ["account", "orders", "accepted", "fills", "volume", "pnl",
                                "(USD)", "positions"]  # fmt: skip
    assert lines[4].split() == ["alice", "1", "1", "1", "0.2500", "247.05", "PF_XBTUSD",
                                "+0.2500"]  # fmt: skip
    assert lines[5].split()[:5] == ["bob", "1", "1", "1", "0.2500"]
    assert "expectations met: 4/4" in lines
    assert done.stderr == ""


def test_scenario_run_fails_with_exit_code_1_and_names_each_failure(
    write: Callable[..., Path],
) -> None:
    path = write(FAILING, "wrong.toml")
    done = kraken_mock("scenario", "run", str(path))
    assert done.returncode == 1
    assert "expectations met: 1/2" in done.stdout
    failure = ("  FAIL  line 29: reason full_fill seen 0 time(s) for alice on any, expected at "
               "least 1; reasons seen: new_placed_order_by_user")  # fmt: skip
    assert failure in done.stdout.splitlines()
    assert done.stderr == (
        "kraken-mock: scenario 'wrong guess' failed: 1 of 2 expectation(s) not met\n"
    )


def test_a_malformed_scenario_is_exit_code_2_with_file_line_and_field(
    write: Callable[..., Path],
) -> None:
    path = write(FAILING.replace('size = "1"', 'size = "lots"'), "bad.toml")
    done = kraken_mock("scenario", "run", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == (
        f"kraken-mock: error: {path}:21: actions[0].size: "
        'expected a decimal number > 0, got "lots"\n'
    )


def test_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scenario", "run", "trend", "--speed", "10"]) == 2
    assert capsys.readouterr().err == (
        "kraken-mock: error: --speed paces a run against a server (--target URL); the in-process"
        " run always goes as fast as it can\n"
    )
    assert main(["scenario", "run", "trend", "--reset"]) == 2
    assert capsys.readouterr().err == (
        "kraken-mock: error: --reset clears a server before a run against it (--target URL); "
        "the in-process run always starts fresh\n"
    )
    assert main(["scenario", "run", "no_such_market"]) == 2
    assert capsys.readouterr().err.startswith(
        "kraken-mock: error: no scenario file 'no_such_market' and no library scenario of that "
        "name (library: contract_expiry, flash_crash, funding_spike, quiet_range, "
    )
    for bad in (["--speed", "0"], ["--speed", "fast"], ["--seed", "-1"]):
        with pytest.raises(SystemExit) as stopped:
            main(["scenario", "run", "trend", *bad])
        assert stopped.value.code == 2
        assert f"argument --{bad[0][2:]}: " in capsys.readouterr().err


def test_scenario_run_over_the_wire_against_a_served_exchange() -> None:
    server = ServeProcess("--clock", "manual", "--no-makers", "--seed", "1")
    try:
        server.wait_healthy()
        done = kraken_mock("scenario", "run", "reason_dead_man_switch", "--target", server.base)
        again = kraken_mock("scenario", "run", "reason_dead_man_switch", "--target", server.base)
        reset = kraken_mock(
            "scenario", "run", "reason_dead_man_switch", "--target", server.base, "--reset"
        )
        unreachable = kraken_mock("scenario", "run", "trend", "--target", "http://127.0.0.1:9")
    finally:
        server.stop()
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines()[0] == (
        f"scenario 'reason: dead_man_switch': seed 0, 2m simulated, over the wire against "
        f"{server.base}"
    )
    assert "expectations met: 3/3" in done.stdout
    assert again.returncode == 2  # the first run's clock and accounts are still there
    assert again.stderr.startswith(f"kraken-mock: error: {server.base}"), again.stderr
    assert "--reset" in again.stderr
    assert reset.returncode == 0, reset.stdout + reset.stderr
    assert "expectations met: 3/3" in reset.stdout
    assert unreachable.returncode == 2
    assert unreachable.stderr.startswith("kraken-mock: error: http://127.0.0.1:9: ")


def test_serve_scenario_answers_with_the_scenario_accounts_and_prices() -> None:
    _, expected = live_app(scenarios.load(LIBRARY / "quiet_range.toml"), seed=3)
    expected.stop()  # only its keys are wanted: the served process must give the same
    server = ServeProcess("--scenario", "quiet_range", "--clock", "manual", "--seed", "3")
    try:
        server.wait_healthy()
        me = expected.accounts["me"]
        with FuturesClient(me.api_key, me.api_secret, base_url=server.base) as client:
            flex = client.get_accounts().flex
            ticker = client.get_ticker("PF_XBTUSD")
            book = client.get_order_book("PF_XBTUSD")
    finally:
        server.stop()
    out = "".join(server.out)
    assert out.startswith("scenario 'quiet range' (quiet_range): 3 accounts, 2 actors, runs for "
                          "1h on the manual clock\n")  # fmt: skip
    assert f"  me (account {me.account_id})\n    API key:    {me.api_key}\n" in out
    assert flex is not None and flex.currencies["USD"].quantity == D(100000)
    assert ticker.mark_price == D(60000)
    assert len(book.bids) == len(book.asks) == 3  # the scenario's maker, not the built-in ones


def test_the_scenario_setting_comes_from_the_environment_too() -> None:
    settings = config.load({}, {"KRAKEN_MOCK_SCENARIO": "flash_crash"})
    assert settings.scenario == "flash_crash"
    assert config.load({"scenario": "trend"}, {}).scenario == "trend"


def test_keys_prints_the_scenario_accounts_when_a_scenario_is_configured(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    _, expected = live_app(scenarios.load(LIBRARY / "flash_crash.toml"), seed=9)
    expected.stop()
    monkeypatch.setenv("KRAKEN_MOCK_SCENARIO", "flash_crash")
    assert main(["keys", "--seed", "9", "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed == [a.as_json() for a in expected.accounts.values()]
    assert [a["name"] for a in printed] == ["me", "levered", "probe", "mm"]


def test_duration_text() -> None:
    assert [duration_text(ms) for ms in (0, 250, 1_500, 10_000, 30_000, 90_000, 3_600_000,
                                         12_600_000)] == [
        "0s", "0.25s", "1.5s", "10s", "30s", "1m30s", "1h", "3h30m"]  # fmt: skip


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_progress_bar_stays_quiet_on_short_runs_and_reports_long_ones() -> None:
    clock, stream = FakeClock(), io.StringIO()
    bar = ProgressBar(stream, after_s=1.0, clock=clock, tty=False)
    bar(30_000, 3_600_000)
    assert stream.getvalue() == ""  # not a second of wall time yet
    clock.now = 1.5
    for done in (360_000, 400_000, 720_000, 3_600_000):
        bar(done, 3_600_000)
    bar.finish()
    assert stream.getvalue() == (
        "progress  10%  6m of 1h simulated\n"
        "progress  20%  12m of 1h simulated\n"
        "progress 100%  1h of 1h simulated\n"
    )


def test_the_progress_bar_redraws_one_line_on_a_terminal() -> None:
    clock, stream = FakeClock(), io.StringIO()
    bar = ProgressBar(stream, after_s=0.0, width=10, clock=clock, tty=True)
    clock.now = 1.0
    bar(1_800_000, 3_600_000)
    clock.now = 1.05
    bar(2_000_000, 3_600_000)  # within 0.1 s of the last draw: skipped
    clock.now = 2.0
    bar(3_600_000, 3_600_000)
    bar.finish()
    assert stream.getvalue() == (
        "\r[#####.....]  50%  30m of 1h simulated"
        "\r[##########] 100%  1h of 1h simulated\n"
    )


def test_summary_lists_accounts_and_expectations() -> None:
    result = scenarios.run_in_process(scenarios.load(LIBRARY / "funding_spike.toml"))
    text = summary(result, "in-process").splitlines()
    assert text[0] == "scenario 'funding spike': seed 0, 3h simulated, in-process"
    assert text[5].split() == ["long", "1", "1", "1", "1.0000", "-150.00", "PF_XBTUSD", "+1.0000"]
    assert text[6].split() == ["short", "1", "1", "1", "1.0000", "108.00", "PF_XBTUSD", "-1.0000"]
    assert text[8] == "expectations met: 4/4"
