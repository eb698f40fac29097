"""External mode: the same fixture pointed at a running `kraken-mock serve` process (the CI
container's stand-in) with --kraken-url or KRAKEN_FUTURES_MOCK_URL. Each test gets fresh
accounts there, reset is refused, so are the helpers that change shared state unless the test
opts in (marker shared_state=True, --kraken-allow-shared-state), in-process-only markers skip
(fail with --kraken-strict-external), parallel tests under xdist get disjoint accounts, and what
a test leaves in the shared books is cancelled after it."""

from __future__ import annotations

import textwrap
import time
from collections.abc import Iterator

import httpx
import pytest
from integration.server import ServeProcess

from client.admin import AdminClient
from mock_exchange.testing import URL_ENV


@pytest.fixture(autouse=True)
def _inner_runs_start_in_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pytester runs decide their mode themselves, whatever this run's environment says."""
    monkeypatch.delenv(URL_ENV, raising=False)


INNER = """
    import pathlib
    from decimal import Decimal
    import pytest
    from kraken.futures import Trade
    from mock_exchange.testing import ExternalServerError

    OUT = pathlib.Path({out!r})
    T1 = 1_767_225_600_000 + 3_600_000

    @pytest.mark.parametrize("n", [1, 2])
    def test_fresh_accounts(kraken_exchange, n):
        ex = kraken_exchange
        assert ex.external and ex.seed is None and ex.rest_url == {base!r}
        assert sorted(ex.accounts) == ["demo1", "demo2"]
        demo1 = ex["demo1"]
        assert demo1.name.startswith("demo1-") and len(demo1.name) == len("demo1-") + 8
        details = ex.admin.account(demo1.account_id)
        assert details.wallets["flex"] == {{"USD": Decimal(100000)}}
        assert details.wallets["fi_xbtusd"] == {{"XBT": Decimal(1)}}
        with pytest.raises(ExternalServerError, match=r"^reset\\(\\) is refused against an"):
            ex.reset()
        trade = Trade(key=demo1.api_key, secret=demo1.api_secret, url=ex.rest_url)
        sent = trade.create_order(orderType="lmt", side="buy", size=0.01, symbol="PF_XBTUSD",
                                  limitPrice=40000 + n)
        assert sent["sendStatus"]["status"] == "placed"
        (OUT / f"{{n}}.ids").write_text(" ".join(a.account_id for a in ex.accounts.values()))

    @pytest.mark.kraken_exchange(accounts=[{{"name": "alice", "balances": {{"USD": 777}}}}])
    def test_accounts_marker_is_honoured(kraken_exchange):
        assert list(kraken_exchange.accounts) == ["alice"]
        alice = kraken_exchange.admin.account(kraken_exchange["alice"].account_id)
        assert alice.wallets["flex"] == {{"USD": Decimal(777)}}

    def test_shared_state_helpers_are_refused(kraken_exchange):
        ex = kraken_exchange
        before = ex.state()
        calls = [("advance", "clock (and fires their timers)", lambda: ex.advance(1000)),
                 ("set_time", "clock (and fires their timers)", lambda: ex.set_time(T1)),
                 ("set_prices", "prices (and triggers their stops)",
                  lambda: ex.set_prices("PF_XBTUSD", mark=1)),
                 ("set_market_state", "market states",
                  lambda: ex.set_market_state("PF_XBTUSD", "suspended")),
                 ("set_funding_rate", "funding rates",
                  lambda: ex.set_funding_rate("PF_XBTUSD", "0.001"))]
        for helper, what, call in calls:
            with pytest.raises(ExternalServerError) as refused:
                call()
            assert str(refused.value) == (
                f"{{helper}}() is refused against an external server: it changes the {{what}} "
                f"of every test sharing {base}; allow it with "
                "@pytest.mark.kraken_exchange(shared_state=True) or --kraken-allow-shared-state")
        after = ex.state()  # nothing was sent (other tests only place orders meanwhile)
        assert after.clock == before.clock
        was, now = before.markets["PF_XBTUSD"], after.markets["PF_XBTUSD"]
        assert (now.state, now.mark, now.funding_rate_override) == (
            was.state, was.mark, was.funding_rate_override)

    @pytest.mark.kraken_exchange(shared_state=True)
    def test_shared_state_by_marker(kraken_exchange):
        assert kraken_exchange.shared_state and list(kraken_exchange.accounts) == ["demo1", "demo2"]
        assert kraken_exchange.set_funding_rate("PF_ETHUSD", None).symbol == "PF_ETHUSD"
        with pytest.raises(ExternalServerError, match=r"^reset\\(\\) is refused against an"):
            kraken_exchange.reset()  # still refused: it would delete other tests' accounts

    @pytest.mark.kraken_exchange(makers=True)
    def test_in_process_settings_skip(kraken_exchange):
        raise AssertionError("must not run against an external server")

    @pytest.mark.kraken_scenario("quiet_range")
    def test_scenarios_skip(kraken_exchange):
        raise AssertionError("must not run against an external server")
"""


@pytest.fixture(scope="module")
def server() -> Iterator[ServeProcess]:
    process = ServeProcess("--clock", "manual", "--no-makers", "--seed", "5")
    try:
        process.wait_healthy()
        yield process
    finally:
        process.stop()


def test_parallel_tests_against_one_server(pytester: pytest.Pytester,
                                           server: ServeProcess) -> None:  # fmt: skip
    with AdminClient(server.base) as admin:  # the module's other tests may have used it
        known = {a.account_id for a in admin.state().accounts}
    out = pytester.mkdir("out")
    pytester.makepyfile(textwrap.dedent(INNER.format(out=str(out), base=server.base)))
    result = pytester.runpytest_subprocess("-n", "2", "--kraken-url", server.base + "/", "-rs")
    result.assert_outcomes(passed=5, skipped=2)
    result.stdout.fnmatch_lines_random([
        "*needs an in-process exchange (marker sets makers); http://127.0.0.1:* is an external "
        "server with its own settings",
        "*kraken_scenario needs an in-process exchange; http://127.0.0.1:* is external",
    ])  # fmt: skip
    first, second = ((out / f"{n}.ids").read_text().split() for n in (1, 2))
    assert len(set(first) | set(second)) == 4  # two tests, two accounts each, none shared
    with AdminClient(server.base) as admin:
        state = admin.state()
        assert state.orders == ()  # each test's resting order was cancelled after it
        assert state.server == {"seed": 5, "clock": "manual", "makers": False}
        names = [a.name for a in state.accounts]
        assert names[:3] == ["house", "demo1", "demo2"]  # the server's own demo accounts
        new = [a.name for a in state.accounts if a.account_id not in known]
        opened = sorted(n.split("-")[0] for n in new)
        assert opened == ["alice", *["demo1"] * 4, *["demo2"] * 4]  # four tests with defaults


STRICT_AND_ALLOWED = """
    import pytest

    def test_moves_the_clock(kraken_exchange):
        before = kraken_exchange.now_ms()
        assert kraken_exchange.advance(1_000).now_ms == before + 1_000

    @pytest.mark.kraken_exchange(clock="manual")
    def test_needs_its_own_exchange(kraken_exchange):
        raise AssertionError("must not run against an external server")

    @pytest.mark.kraken_scenario("quiet_range")
    def test_needs_a_scenario(kraken_exchange):
        raise AssertionError("must not run against an external server")

    @pytest.mark.kraken_exchange(shared_state="yes")
    def test_bad_opt_in(kraken_exchange):
        raise AssertionError("must not run")
"""


def test_run_wide_opt_in_and_strict_mode(pytester: pytest.Pytester, server: ServeProcess) -> None:
    pytester.makepyfile(textwrap.dedent(STRICT_AND_ALLOWED))
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "--kraken-url", server.base, "--kraken-allow-shared-state",
        "--kraken-strict-external",
    )  # fmt: skip
    result.assert_outcomes(passed=1, errors=3)
    result.stdout.fnmatch_lines_random([
        "*needs an in-process exchange (marker sets clock); http://127.0.0.1:* is an external "
        "server with its own settings (--kraken-strict-external: not skipped)",
        "*kraken_scenario needs an in-process exchange; http://127.0.0.1:* is external "
        "(--kraken-strict-external: not skipped)",
        "*@pytest.mark.kraken_exchange: shared_state must be True or False, got 'yes'",
    ])  # fmt: skip
    without = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--kraken-url", server.base)
    without.assert_outcomes(failed=1, skipped=2, errors=1)
    without.stdout.fnmatch_lines(["*ExternalServerError: advance() is refused against an "
                                  "external server: it changes the clock*"])  # fmt: skip


def test_environment_variable_selects_the_server(
    pytester: pytest.Pytester, server: ServeProcess, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytester.makepyfile("""
        def test_it(kraken_exchange):
            assert kraken_exchange.external
            assert kraken_exchange.state().server["seed"] == 5
    """)
    monkeypatch.setenv(URL_ENV, server.base)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_unreachable_or_adminless_server_is_a_clear_error(pytester: pytest.Pytester) -> None:
    pytester.makeconftest(  # the run is a throwaway process: shorten its wait for health
        "import mock_exchange.testing.fixture as fixture\n"
        "fixture.EXTERNAL_HEALTH_TIMEOUT_S = 0.2\n"
    )
    pytester.makepyfile("def test_it(kraken_exchange):\n    pass\n")
    nobody = ServeProcess("--no-admin")  # a server without the admin API, then no server
    try:
        _wait_listening(nobody)
        result = pytester.runpytest_subprocess("--kraken-url", nobody.base)
        result.assert_outcomes(errors=1)
        result.stdout.fnmatch_lines([
            f"kraken_exchange: the exchange at {nobody.base} is not usable: the server does not "
            "serve the admin API at /__admin/ (was it started with --no-admin?)",
        ])  # fmt: skip
    finally:
        nobody.stop()
    result = pytester.runpytest_subprocess("--kraken-url", nobody.base)
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        f"kraken_exchange: the exchange at {nobody.base} is not usable: cannot reach "
        f"{nobody.base}: ConnectError(*",
    ])  # fmt: skip


def _wait_listening(process: ServeProcess) -> None:
    """Wait until the --no-admin server answers anything (its health route is a 404)."""
    deadline = time.monotonic() + process.start_timeout_s
    while time.monotonic() < deadline:
        try:
            httpx.get(process.base + "/derivatives/api/v3/tickers", timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise AssertionError("the --no-admin server did not start:\n" + "".join(process.err))
