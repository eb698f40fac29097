"""The plugin as a user meets it, through pytester: auto-loaded by its entry point, markers
registered (strict), precise errors for bad markers and URLs, two tests in parallel under
pytest-xdist without interference, and a cheap import."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from mock_exchange.testing import URL_ENV


@pytest.fixture(autouse=True)
def _inner_runs_start_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pytester runs decide their mode themselves, whatever this run's environment says."""
    monkeypatch.delenv(URL_ENV, raising=False)


INNER_DEFAULTS = """
    from decimal import Decimal
    import pytest

    @pytest.mark.kraken_exchange(seed=3)
    def test_seeded(kraken_exchange):
        assert kraken_exchange.state().server == {"seed": 3, "clock": "manual", "makers": False}
        assert kraken_exchange.advance(250).now_ms == 1767225600250

    def test_accounts(kraken_exchange):
        assert sorted(kraken_exchange.accounts) == ["demo1", "demo2"]
        assert kraken_exchange.external is False
"""


def test_entry_point_loads_the_plugin_with_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(textwrap.dedent(INNER_DEFAULTS))
    result = pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    listed = pytester.runpytest_subprocess("--markers")
    listed.stdout.fnmatch_lines(["@pytest.mark.kraken_exchange(**settings): *",
                                 "@pytest.mark.kraken_scenario(source, seed=None): *"])


BAD_MARKERS = [
    ("kraken_exchange(makers='maybe')",
     "@pytest.mark.kraken_exchange: makers must be on or off (true/false), got 'maybe'"),
    ("kraken_exchange(colour='red', port=1)",
     "@pytest.mark.kraken_exchange: unknown setting(s) colour, port (accepted: seed, clock, "
     "makers, maker_interval_ms, rate_limits, start, symbols, prices, instruments, accounts)"),
    ("kraken_exchange('fast')",
     "@pytest.mark.kraken_exchange takes keyword arguments only (got ('fast',))"),
    ("kraken_exchange(symbols=['PF_DOGEUSD'])",
     "@pytest.mark.kraken_exchange: unknown instrument(s) PF_DOGEUSD (catalogue: *"),
    ("kraken_exchange(accounts=[{'name': 'a', 'balances': {'DOGE': 1}}])",
     "@pytest.mark.kraken_exchange: account a: balances: unknown currency 'DOGE' *"),
    ("kraken_scenario()",
     "@pytest.mark.kraken_scenario: give one scenario: a library name or a path to a "
     ".toml file"),
    ("kraken_scenario('quiet_range', speed=2)",
     "@pytest.mark.kraken_scenario: unknown argument(s) speed (accepted: seed)"),
    ("kraken_scenario('no_such_market')",
     "@pytest.mark.kraken_scenario: no scenario file 'no_such_market' and no library "
     "scenario of that name (library: *quiet_range*)"),
    ("kraken_scenario('quiet_range')\n@pytest.mark.kraken_exchange(makers=True)",
     "use either kraken_exchange(...) or kraken_scenario(...) on a test, not both: a "
     "scenario brings its own settings"),
]  # fmt: skip


def test_bad_markers_are_precise_errors(pytester: pytest.Pytester) -> None:
    tests = [
        f"@pytest.mark.{marker}\ndef test_{i}(kraken_exchange):\n    pass\n"
        for i, (marker, _) in enumerate(BAD_MARKERS)
    ]
    pytester.makepyfile("import pytest\n\n" + "\n".join(tests))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=len(BAD_MARKERS))
    result.stdout.fnmatch_lines([message for _, message in BAD_MARKERS])


def test_bad_url_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_it(kraken_exchange):\n    pass\n")
    result = pytester.runpytest_subprocess("--kraken-url", "ftp://127.0.0.1:1")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--kraken-url: expected an http:// or https:// URL, got 'ftp://127.0.0.1:1'"]
    )


PARALLEL = """
    import os, pathlib, time
    from decimal import Decimal
    import pytest

    SYNC = pathlib.Path({sync!r})

    def meet(me, other):
        # Both tests must be running at once: each waits for the other to have started.
        (SYNC / me).write_text(os.environ.get("PYTEST_XDIST_WORKER", "none"))
        deadline = time.monotonic() + 60
        while not (SYNC / other).exists():
            assert time.monotonic() < deadline, "the other test never started"
            time.sleep(0.01)

    @pytest.mark.parametrize(("me", "other", "step", "mark"), [
        ("a", "b", 1000, 51000), ("b", "a", 7000, 57000)])
    def test_side(kraken_exchange, me, other, step, mark):
        ex = kraken_exchange
        meet(me, other)
        alice = ex.open_account("alice", balances={{"USD": step}})
        ex.set_prices("PF_XBTUSD", mark=mark)
        for _ in range(20):
            ex.advance(step)
        state = ex.state()
        (SYNC / (me + ".url")).write_text(ex.rest_url)
        assert state.clock.now_ms == 1767225600000 + 20 * step
        assert state.markets["PF_XBTUSD"].mark == Decimal(mark)
        assert [a.name for a in state.accounts] == ["house", "demo1", "demo2", "alice"]
        assert state.account_named("alice").wallets["flex"] == {{"USD": Decimal(step)}}
        assert state.account_named("alice").account_id == alice.account_id
"""


def test_two_tests_in_parallel_do_not_interfere(pytester: pytest.Pytester) -> None:
    sync = pytester.mkdir("sync")
    pytester.makepyfile(textwrap.dedent(PARALLEL.format(sync=str(sync))))
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    workers = {(sync / side).read_text() for side in ("a", "b")}
    assert workers == {"gw0", "gw1"}
    assert (sync / "a.url").read_text() != (sync / "b.url").read_text()


def test_importing_the_plugin_is_cheap() -> None:
    probe = (
        "import sys, mock_exchange.testing; "
        "print(sorted(m for m in ('httpx', 'uvicorn', 'starlette', 'client.admin', "
        "'mock_exchange.config', 'mock_exchange.testing.fixture') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True, timeout=60)  # fmt: skip
    assert out.stdout.strip() == "[]"
