"""AdminClient against the in-process app (Starlette's TestClient as its httpx client): every
route of docs/admin-api.md, typed answers with exact numbers, and each refusal as its error class
with the server's message, changing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from starlette.testclient import TestClient

from client.admin import (
    AccountKeys,
    AdminCancellation,
    AdminClient,
    AdminConflictError,
    AdminInputError,
    AdminNotFoundError,
    AdminUnavailableError,
    ClockMove,
    FundingRate,
    MarketPrices,
    MarketStateChange,
)
from mock_exchange.config import Settings, build

D = Decimal
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z
HOUR = 3_600_000
# The demo accounts of seed 1 (docs/cli.md).
DEMO1 = AccountKeys(
    "demo1", "910a2dec-8902-4cc1-beeb-8da1658eec67",
    "+JOi7vsyVV5xwYaQ7kLJC3G7VNjRAbW5w00L/5AVAoDgmexs1zY8pYXn",
    "SRcY3jV+PajLQ1yOdGFnlmd13HcBVk9hmvzUTRTPi/50ds+KS6pdwIezQdaQ16KKb5ttrm9MV6gqws4XpXlKOw==",
)  # fmt: skip


def _admin(**settings: object) -> Iterator[AdminClient]:
    app, _ = build(Settings(**{"seed": 1, "clock": "manual", "makers": False, **settings}))
    with TestClient(app) as http, AdminClient("http://127.0.0.1:8000", http=http) as admin:
        yield admin


@pytest.fixture
def admin() -> Iterator[AdminClient]:
    yield from _admin()


def test_health_and_clock(admin: AdminClient) -> None:
    assert admin.health() == "ok"
    clock = admin.clock()
    assert (clock.now_ms, clock.time, clock.kind) == (T0, "2026-01-01T00:00:00.000Z", "manual")
    assert clock.next_deadline_ms == T0 + HOUR  # the first hourly funding
    assert admin.advance_clock(0) == ClockMove(T0, 0)
    assert admin.set_clock(T0 + 2 * HOUR).now_ms == T0 + 2 * HOUR  # two fundings on the way
    assert admin.clock().time == "2026-01-01T02:00:00.000Z"


def test_advance_reports_the_timer_events_of_funding(admin: AdminClient) -> None:
    first = admin.advance_clock(HOUR - 1)
    assert first == ClockMove(T0 + HOUR - 1, 0)
    assert admin.advance_clock(1).timer_events > 0  # funding of every perpetual fell due


def test_clock_refusals_change_nothing(admin: AdminClient) -> None:
    with pytest.raises(AdminInputError) as back:
        admin.set_clock(T0 - 1)
    assert back.value.status == 400
    assert back.value.message == (
        f"set_ms {T0 - 1} is before the current time {T0}: a clock cannot move backwards"
    )
    with pytest.raises(AdminInputError, match="advance_ms must not be negative"):
        admin.advance_clock(-5)
    assert admin.clock().now_ms == T0


def test_real_clock_cannot_move() -> None:
    for admin in _admin(clock="real"):
        with pytest.raises(AdminConflictError) as refused:
            admin.advance_clock(1000)
        assert refused.value.status == 409
        assert refused.value.message.startswith("the clock is real (wall time)")
        assert admin.clock().kind == "real"


def test_open_account_and_read_it(admin: AdminClient) -> None:
    carol = admin.open_account("carol", balances={"USD": 25_000, "XBT": "0.5"},
                               wallets={"fi_xbtusd": {"XBT": D(1)}})  # fmt: skip
    assert carol.name == "carol" and len(carol.api_secret) == 88
    details = admin.account(carol.account_id)
    assert details.wallets == {
        "cash": {}, "fi_xbtusd": {"XBT": D(1)}, "flex": {"USD": D(25_000), "XBT": D("0.5")},
        "spot": {},
    }  # fmt: skip
    assert details.master_id is None and details.subaccounts == () and details.trading_enabled
    assert details.margin["fi_xbtusd"].currency == "XBT"
    assert details.margin["fi_xbtusd"].equity == D(1)
    assert details.positions == ()
    sub = admin.open_account("carol-sub", master=carol.account_id)
    assert admin.account(sub.account_id).master_id == carol.account_id
    assert admin.account(carol.account_id).subaccounts == (sub.account_id,)


def test_open_account_refusals(admin: AdminClient) -> None:
    before = admin.state()
    with pytest.raises(AdminInputError) as doge:
        admin.open_account(balances={"DOGE": 1})
    assert doge.value.message == (
        "balances: unknown currency 'DOGE' (accepted: ETH, SOL, USD, USDC, USDT, XBT)"
    )
    with pytest.raises(AdminInputError, match="unknown master account 'nobody'"):
        admin.open_account("x", master="nobody")
    with pytest.raises(AdminNotFoundError, match="no account with id 'nobody'"):
        admin.account("nobody")
    assert admin.state().raw == before.raw


def test_floats_are_refused_before_sending(admin: AdminClient) -> None:
    with pytest.raises(TypeError, match=r"balances.USD must be a Decimal, int or decimal string"):
        admin.open_account(balances={"USD": 0.1})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="mark must be"):
        admin.set_prices("PF_XBTUSD", mark=True)
    with pytest.raises(TypeError, match="ms must be an int"):
        admin.advance_clock(1.5)  # type: ignore[arg-type]


def test_prices_market_state_and_funding(admin: AdminClient) -> None:
    assert admin.set_prices("pf_xbtusd", mark="58000.5", index=58010) == MarketPrices(
        "PF_XBTUSD", D("58000.5"), D(58010), D(60000)
    )
    with pytest.raises(AdminInputError) as empty:
        admin.set_prices("PF_XBTUSD")
    assert str(empty.value) == "POST /__admin/prices -> 400: give at least one of mark, index, last"
    assert admin.set_market_state("PF_ETHUSD", "post_only") == MarketStateChange(
        "PF_ETHUSD", "post_only"
    )
    with pytest.raises(AdminNotFoundError, match="unknown symbol PF_DOGEUSD"):
        admin.set_market_state("PF_DOGEUSD", "open")
    assert admin.set_funding_rate("PF_XBTUSD", "0.0002") == FundingRate(
        "PF_XBTUSD", D("0.0002"), D("0.0002")
    )
    back = admin.set_funding_rate("PF_XBTUSD", None)
    assert back.rate is None  # the premium formula: (mark - index) / index / 8
    assert back.effective_rate == (D("58000.5") - 58010) / 58010 / 8
    markets = admin.state().markets
    assert markets["PF_ETHUSD"].state == "post_only"
    assert (markets["PF_XBTUSD"].mark, markets["PF_XBTUSD"].index) == (D("58000.5"), D(58010))


def test_state_dump_and_admin_cancel() -> None:
    for admin in _admin(makers=True):
        state = admin.state()
        assert state.server == {"seed": 1, "clock": "manual", "makers": True}
        assert state.clock.now_ms == T0 and state.seq > 0
        xbt = state.markets["PF_XBTUSD"]
        assert xbt.bids[0][0] < xbt.mark < xbt.asks[0][0]
        assert (xbt.tick_size, xbt.lot_size) == (D(1), D("0.0001"))
        assert state.account_named("demo1").wallets["flex"] == {"USD": D(100_000)}
        order = state.orders[0]
        assert admin.cancel_order(order.order_id) == AdminCancellation(
            order.order_id, None, order.account_id, order.symbol, "cancelled",
            "cancelled_by_admin",
        )  # fmt: skip
        assert order.order_id not in {o.order_id for o in admin.state().orders}
        with pytest.raises(AdminNotFoundError) as gone:
            admin.cancel_order(order.order_id)
        assert gone.value.message == f"no open order with id {order.order_id!r}"


def test_reset_gives_back_the_same_demo_accounts(admin: AdminClient) -> None:
    extra = admin.open_account("extra")
    admin.advance_clock(5000)
    result = admin.reset()
    assert result.now_ms == T0
    assert result.accounts[0] == DEMO1
    assert [a.name for a in result.accounts] == ["demo1", "demo2"]
    with pytest.raises(AdminNotFoundError):
        admin.account(extra.account_id)


def test_rfq_create_and_accept_without_offer(admin: AdminClient) -> None:
    rfq = admin.create_rfq("PF_XBTUSD", 1, side="buy", lifetime_ms=30_000)
    assert rfq.expiry_ms == T0 + 30_000
    with pytest.raises(AdminConflictError) as refused:
        admin.accept_rfq(rfq.rfq_uid)
    assert (refused.value.status, refused.value.message) == (409, "accept refused: offerNotFound")
    assert refused.value.path == f"/__admin/rfqs/{rfq.rfq_uid}/accept"
    with pytest.raises(AdminNotFoundError, match="no RFQ with uid 'nope'"):
        admin.accept_rfq("nope")
    with pytest.raises(AdminInputError, match="unknown symbol PF_NOPE"):
        admin.create_rfq("PF_NOPE", 1)


def test_admin_off_is_its_own_error() -> None:
    for admin in _admin(admin=False):
        with pytest.raises(AdminUnavailableError) as off:
            admin.health()
        assert off.value.status == 404
        assert "--no-admin" in off.value.message
