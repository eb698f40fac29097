"""The over-the-wire target (`scenarios.wire.WireTarget`) against real servers on free ports:
it answers exactly what the in-process target answers, refuses servers that do not list the
scenario's market and starts a manual clock at the scenario's start (the other refusals and the
real clock: test_wire_setup.py); each account's socket (`scenarios.wire_feeds.AccountFeed`)
records deltas stamped at the sync."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from integration.server import free_port, running_server

import scenarios
from client import FuturesClient
from client.admin import AdminClient
from mock_exchange import config
from scenarios.inprocess import InProcessTarget
from scenarios.model import Scenario
from scenarios.setup import settings_for
from scenarios.target import Ack, OrderEdit, OrderMessage, OrderRequest, Target
from scenarios.wire import WireSetupError, WireTarget, ws_url
from scenarios.wire_feeds import AccountFeed, LoopThread
from tests.scenarios.scenario_text import BOB

D = Decimal
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z


@contextlib.contextmanager
def server(settings: config.Settings) -> Iterator[str]:
    app, _ = config.build(settings)
    with running_server(app) as base:
        yield base


def market_of(scenario: Scenario, **changes: object) -> config.Settings:
    return replace(settings_for(scenario), accounts=(), seed=0, **changes)  # type: ignore[arg-type]


@pytest.fixture
def two_traders(scenario: Callable[..., Scenario]) -> Scenario:
    return scenario(BOB, duration="1m")


def test_ws_url() -> None:
    assert ws_url("http://127.0.0.1:8000") == "ws://127.0.0.1:8000/ws/v1"
    assert ws_url("https://localhost:9/") == "wss://localhost:9/ws/v1"


def drive(target: Target) -> list[tuple[str, str | None, bool]]:
    """The same requests on any target; (status, error, has an order id) of each answer."""
    target.open_account("alice", {"USD": D(100000)}, {})
    target.open_account("bob", {"USD": D(100000)}, {})
    acks: list[Ack] = []
    place = target.place
    acks.append(place("bob", OrderRequest("PF_XBTUSD", "sell", "lmt", D(1), D(60000))))
    acks.append(place("alice", OrderRequest("PF_XBTUSD", "buy", "post", D(1), D(60000))))
    acks.append(place("alice", OrderRequest("PF_XBTUSD", "sell", "ioc", D(1), D(50000))))
    acks.append(place("alice", OrderRequest("PF_XBTUSD", "buy", "lmt", D(1), D(59000))))
    acks.append(place("alice", OrderRequest("PF_XBTUSD", "sell", "lmt", D(1), D(59000))))
    acks.append(place("alice", OrderRequest("PF_XBTUSD", "sell", "lmt", D(1), D(61000),
                                            reduce_only=True)))  # fmt: skip
    acks.append(place("alice", OrderRequest("PF_XBTUSD", "buy", "lmt", D("0.00001"), D(59000))))
    acks.append(place("alice", OrderRequest("PF_NOPE", "buy", "lmt", D(1), D(59000))))
    acks.append(place("alice", OrderRequest("PF_XBTUSD", "buy", "stp", D(1), D(61500), D(61000),
                                            "mark", cli_ord_id="stop-1")))  # fmt: skip
    resting = acks[3].order_id
    assert resting is not None
    acks.append(target.edit("alice", OrderEdit(resting, size=D(2))))
    acks.append(target.edit("alice", OrderEdit("00000000-0000-4000-8000-00000000beef", D(1))))
    acks.append(target.cancel("alice", "00000000-0000-4000-8000-00000000beef"))
    target.set_market_state("PF_XBTUSD", "suspended")
    acks.append(place("alice", OrderRequest("PF_XBTUSD", "buy", "lmt", D(1), D(58000))))
    target.set_market_state("PF_XBTUSD", "open")
    acks.append(target.cancel_all("alice", "PF_XBTUSD"))
    assert len(acks[-1].cancelled) == 2  # the resting bid and the stop
    acks.append(target.cancel_all("alice"))
    assert target.admin_cancel("00000000-0000-4000-8000-00000000beef") is False
    assert target.order_state("alice", resting).state == "cancelled"
    assert target.order_state("alice", "00000000-0000-4000-8000-00000000beef").state == "unknown"
    return [(a.status, a.error, a.order_id is not None) for a in acks]


def test_the_wire_target_answers_what_the_in_process_target_answers(
    two_traders: Scenario,
) -> None:
    local = InProcessTarget(two_traders)
    try:
        expected = drive(local)
    finally:
        local.close()
    assert [s for s, _, _ in expected] == [
        "placed", "postWouldExecute", "iocWouldNotExecute", "placed", "selfFill",
        "wouldNotReducePosition", "invalidSize", "", "placed", "edited", "orderForEditNotFound",
        "notFound",
        "marketSuspended", "cancelled", "noOrdersToCancel",
    ]  # fmt: skip
    assert expected[7][1] == "contractNotFound"
    with server(market_of(two_traders)) as base:
        target = WireTarget(two_traders, base)
        try:
            assert drive(target) == expected
            reasons = [(m.feed, m.reason) for m in target.order_messages("alice")]
        finally:
            target.close()
    plain, verbose = "open_orders", "open_orders_verbose"
    assert reasons == [
        (verbose, "post_order_failed_because_it_would_filled"),
        (verbose, "ioc_order_failed_because_it_would_not_be_executed"),
        (plain, "new_placed_order_by_user"), (verbose, "new_placed_order_by_user"),
        (verbose, "would_execute_self"), (verbose, "would_not_reduce_position"),
        (plain, "new_placed_order_by_user"), (verbose, "new_placed_order_by_user"),
        (plain, "edited_by_user"), (verbose, "edited_by_user"),
        (verbose, "order_for_edit_not_found"),
        (plain, "cancelled_by_user"), (verbose, "cancelled_by_user"),
        (plain, "cancelled_by_user"), (verbose, "cancelled_by_user"),
    ]  # fmt: skip


def test_a_server_without_the_scenario_market_is_refused(scenario: Callable[..., Scenario]) -> None:
    wanted = scenario('[instruments.PF_ETHUSD]\nprice = 3000\ntick_size = "0.5"\n', duration="1m")
    settings = config.Settings(clock="manual", makers=False, accounts=(), seed=0,
                               symbols=("PF_ETHUSD",))  # fmt: skip
    with server(settings) as base, pytest.raises(WireSetupError) as refused:
        WireTarget(wanted, base)
    assert str(refused.value) == (
        f"{base} does not list the scenario's market: PF_XBTUSD is not listed (listed: "
        "PF_ETHUSD); PF_ETHUSD has tick/lot/last trading ms 0.1/0.001/None, the scenario needs "
        "0.5/0.001/None (start the server with a config listing the same instruments: "
        "docs/cli.md)"
    )


def test_an_unreachable_server_is_a_setup_error(two_traders: Scenario) -> None:
    base = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(WireSetupError, match=f"^{base}: "):
        WireTarget(two_traders, base, timeout_s=2)


def test_a_manual_clock_behind_the_scenario_start_is_moved_to_it(
    write: Callable[..., Path],
) -> None:
    text = ('[scenario]\nduration = "10s"\nstart = "2026-01-01T06:00:00Z"\n'
            '[instruments.PF_XBTUSD]\nprice = 60000\n')  # fmt: skip
    later = scenarios.load(write(text))
    settings = market_of(later, start_ms=T0)  # the server starts six hours earlier
    with server(settings) as base:
        target = WireTarget(later, base)
        try:
            assert target.now_ms() == T0 + 6 * 3_600_000
            target.advance_to(T0 + 6 * 3_600_000 + 2_500)
            assert AdminClient(base).clock().now_ms == T0 + 6 * 3_600_000 + 2_500
        finally:
            target.close()


def test_speed_must_be_positive(two_traders: Scenario) -> None:
    with pytest.raises(ValueError, match="speed must be > 0, got 0"):
        WireTarget(two_traders, "http://127.0.0.1:1", speed=D(0))


def test_an_account_socket_records_deltas_stamped_at_the_sync_and_refusals_are_setup_errors(
) -> None:  # fmt: skip
    settings = config.Settings(clock="manual", makers=False, accounts=(), seed=0)
    loop = LoopThread()
    with server(settings) as base, AdminClient(base) as admin:
        alice, bob = (admin.open_account(n, balances={"USD": 100_000}) for n in ("al", "bo"))
        feed = AccountFeed.open(loop, ws_url(base), alice.api_key, alice.api_secret, 5)
        try:
            with FuturesClient(alice.api_key, alice.api_secret, base_url=base) as rest:
                sent = rest.submit_order("lmt", "PF_XBTUSD", "buy", D(1), limit_price=D(50000))
            assert feed.messages == []  # nothing is recorded before a sync
            feed.sync(1234)
            placed = ("new_placed_order_by_user", sent.order_id, None, False, D(1), D(0))
            assert feed.messages == [OrderMessage(1234, "open_orders", *placed),
                                     OrderMessage(1234, "open_orders_verbose", *placed)]
            assert feed.fills == []
        finally:
            feed.close()
        with pytest.raises(WireSetupError) as refused:  # bob's key, alice's secret
            AccountFeed.open(loop, ws_url(base), bob.api_key, alice.api_secret, 5)
        assert str(refused.value) == ("the server refused the subscription to open_orders: "
                                      "open_orders: Failed to subscribe to authenticated feed")
    gone = f"ws://127.0.0.1:{free_port()}/ws/v1"
    with pytest.raises(WireSetupError, match=f"^cannot connect to {re.escape(gone)}: "):
        AccountFeed.open(loop, gone, alice.api_key, alice.api_secret, 2)
    loop.stop()
    loop.stop()  # idempotent
