"""The one table from domain reasons to wire strings is total and consistent."""

from __future__ import annotations

from mock_exchange.engine.reasons import VERBOSE_REJECTS, Reject, UpdateReason
from mock_exchange.protocol.errors import REJECTS, UPDATES, feed_reason, update_reason

SEED_REASONS = {
    "new_placed_order_by_user", "liquidation", "stop_order_triggered", "limit_order_from_stop",
    "partial_fill", "full_fill", "cancelled_by_user", "contract_expired", "not_enough_margin",
    "market_inactive", "cancelled_by_admin", "dead_man_switch",
    "ioc_order_failed_because_it_would_not_be_executed",
    "post_order_failed_because_it_would_filled", "would_execute_self",
    "would_not_reduce_position", "order_for_edit_not_found",
}


def test_every_reject_has_a_rest_answer() -> None:
    assert set(REJECTS) == set(Reject)
    for reject, wire in REJECTS.items():
        assert (wire.status is None) == (wire.error is not None), reject


def test_every_update_reason_is_mapped() -> None:
    assert set(UPDATES) == set(UpdateReason)


def test_every_seed_reason_is_produced_by_some_domain_reason() -> None:
    produced = {feed_reason(r) for r in [*UpdateReason, *Reject]} - {None}
    assert produced >= SEED_REASONS


def test_verbose_rejects_have_feed_reasons() -> None:
    assert {r for r in Reject if REJECTS[r].verbose} == set(VERBOSE_REJECTS)


def test_update_reasons_for_orders_status() -> None:
    assert update_reason(UpdateReason.LIQUIDATION) == "LIQUIDATION_ORDER"
    assert update_reason(Reject.POST_WOULD_EXECUTE) == "POST_WOULD_EXECUTE_REASON"
    assert update_reason(Reject.INVALID_SIZE) is None
    assert update_reason(None) is None
