"""[[actions]] and [[expect]] of a scenario file: scripted orders by named accounts, and the
checks that make a scenario a test. References are checked here: `order` names the `label` of
a `place` action at or before that time (of the same account, for actions and for reason and
fills expectations); `account` names a known account. Strings with a fixed vocabulary are
checked against it: `reason` against the wire reasons (`WIRE_REASONS`), an order `status`
against what a place can be answered with (`REST_STATUSES`), a `wallet` against the wallets the
scenario's instruments have, so a misspelling is refused instead of silently never matching.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from mock_exchange.protocol.errors import REJECTS, UPDATES

from .fields import Table, need
from .model import Action, Expectation
from .target import ORDER_STATES, ORDER_TYPES

if TYPE_CHECKING:
    from .loader_parts import _Reader

ACTION_KINDS = ("place", "edit", "cancel", "cancel_all", "dead_man_switch")
EXPECT_KINDS = ("order", "reason", "position", "balance", "equity", "price", "fills")
FEEDS = ("open_orders", "open_orders_verbose", "any")
#: Every `reason` an open_orders / open_orders_verbose message can carry.
WIRE_REASONS = tuple(
    sorted(
        {r for r, _ in UPDATES.values() if r is not None}
        | {w.verbose for w in REJECTS.values() if w.verbose is not None}
    )
)
#: Every status (or top-level error) an order request can be answered with.
REST_STATUSES = frozenset(
    {"placed"}
    | {w.status for w in REJECTS.values() if w.status is not None}
    | {w.error for w in REJECTS.values() if w.error is not None and w.order_error is not None}
)
_ZERO = Decimal(0)


def read_actions(reader: _Reader, tables: list[Table]) -> tuple[Action, ...]:
    out: list[Action] = []
    labels: dict[str, Action] = {}
    for t in tables:
        kind = t.choice("kind", ACTION_KINDS, required=True)
        assert kind is not None
        at = reader.at(t, "at", None)
        account = reader.account(t)
        assert at is not None and account is not None
        action = Action(kind, at, account, line=t.line)
        if kind == "place":
            label = t.text("label")
            if label is not None and label in labels:
                raise t.error("label", f'expected a unique label, got "{label}" twice')
            order_type = t.choice("type", ORDER_TYPES, required=True)
            action = Action(
                kind,
                at,
                account,
                label=label,
                symbol=reader.symbol(t),
                side=t.choice("side", ("buy", "sell"), required=True),
                order_type=order_type,
                size=t.decimal("size", _ZERO, strict_low=True, required=True),
                limit_price=t.decimal(
                    "price", _ZERO, strict_low=True, required=order_type in ("lmt", "post", "ioc")
                ),
                stop_price=t.decimal(
                    "stop_price",
                    _ZERO,
                    strict_low=True,
                    required=order_type in ("stp", "take_profit"),
                ),
                trigger_signal=t.choice("trigger_signal", ("mark", "index", "last")),
                reduce_only=t.flag("reduce_only"),
                cli_ord_id=t.text("cli_ord_id"),
                trailing_deviation=t.decimal(
                    "trailing_deviation",
                    _ZERO,
                    strict_low=True,
                    required=order_type == "trailing_stop",
                ),
                trailing_unit=t.choice(
                    "trailing_unit",
                    ("percent", "quote_currency"),
                    "percent" if order_type == "trailing_stop" else None,
                ),
                line=t.line,
            )
            if label is not None:
                labels[label] = action
        elif kind in ("edit", "cancel"):
            action = Action(kind, at, account, order=_label(t, labels, at, account), line=t.line)
            if kind == "edit":
                action = Action(
                    kind,
                    at,
                    account,
                    order=action.order,
                    size=t.decimal("size", _ZERO, strict_low=True),
                    limit_price=t.decimal("price", _ZERO, strict_low=True),
                    stop_price=t.decimal("stop_price", _ZERO, strict_low=True),
                    line=t.line,
                )
                if action.size is None and action.limit_price is None and action.stop_price is None:
                    raise t.source.error(
                        t.path, "edit: expected at least one of size, price, stop_price"
                    )
        elif kind == "cancel_all":
            action = Action(kind, at, account, symbol=reader.symbol(t, required=False), line=t.line)
        else:
            timeout = t.integer("timeout", 0, 86_400)
            if timeout is None:
                raise t.source.error(t.path, "missing timeout (seconds, 0 disarms)")
            action = Action(kind, at, account, timeout_s=timeout, line=t.line)
        t.finish()
        out.append(action)
    return tuple(out)


def _label(t: Table, labels: dict[str, Action], at: int, account: str) -> str:
    known = ", ".join(labels) or "none"
    value = t.get(
        "order",
        lambda v: v if isinstance(v, str) and v in labels else None,
        f"the label of an earlier place action (labels: {known})",
        None,
        True,
    )
    assert value is not None
    placed = labels[value]
    if placed.at > at:
        raise t.error(
            "order",
            f'expected an order placed at or before this action, "{value}" '
            f"is placed later ({placed.at} ms)",
        )
    if placed.account != account:
        raise t.error(
            "order",
            f'expected an order of account "{account}", "{value}" belongs to "{placed.account}"',
        )
    return value


def read_expectation(reader: _Reader, t: Table, actions: tuple[Action, ...]) -> Expectation:
    kind = t.choice("kind", EXPECT_KINDS, required=True)
    assert kind is not None
    at = reader.at(t, "at", None) if t.has("at") else None
    labels = {a.label: a for a in actions if a.label is not None}
    base = Expectation(kind, at=at, line=t.line)
    if kind == "order":
        known = ", ".join(labels) or "none"
        order = t.get(
            "order",
            lambda v: v if isinstance(v, str) and v in labels else None,
            f"the label of a place action (labels: {known})",
            None,
            True,
        )
        exp = replace(
            base,
            order=order,
            account=labels[order or ""].account,
            status=t.get("status", _status, _STATUS_HINT),
            state=t.choice("state", ORDER_STATES[:4]),
            filled=t.decimal("filled", _ZERO),
        )
        if exp.status is None and exp.state is None and exp.filled is None:
            raise t.source.error(t.path, "order: expected at least one of status, state, filled")
    elif kind == "reason":
        account = need(reader.account(t))
        exp = replace(
            base,
            account=account,
            order=_owned_label(t, labels, account),
            absent=t.flag("absent"),
            reason=t.choice("reason", WIRE_REASONS, required=True),
            feed=t.choice("feed", FEEDS, "any") or "any",
            min_count=t.integer("min_count", 1, 1_000_000, 1) or 1,
        )
    elif kind == "fills":
        account = need(reader.account(t))
        exp = _fills(t, replace(base, account=account, order=_owned_label(t, labels, account)))
    else:
        exp = _value(reader, t, base)
    t.finish()
    return exp


def _value(reader: _Reader, t: Table, exp: Expectation) -> Expectation:
    """position / balance / equity / price: an exact value or a [min, max] range."""
    kind = exp.kind
    if kind == "price":
        exp = replace(
            exp,
            symbol=reader.symbol(t),
            field=t.choice("field", ("mark", "index", "last"), "mark") or "mark",
        )
    else:
        exp = replace(exp, account=reader.account(t))
    if kind == "position":
        exp = replace(exp, symbol=reader.symbol(t))
    elif kind == "balance":
        currency = t.text("currency", required=True)
        wallets = ("flex", "cash", *sorted({i.margin_wallet for i in reader.instruments.values()}))
        exp = replace(
            exp,
            currency=(currency or "").upper(),
            wallet=t.choice("wallet", dict.fromkeys(wallets), "flex") or "flex",
        )
    value_key = "size" if kind == "position" else "value"
    value = t.decimal(value_key)
    low, high = t.decimal("min"), t.decimal("max")
    if value is None and low is None and high is None:
        raise t.source.error(t.path, f"{kind}: expected {value_key} or min / max")
    if low is not None and high is not None and high < low:
        raise t.error("max", f"expected at least min ({low}), got {high}")
    return replace(exp, value=value, minimum=low, maximum=high)


def _fills(t: Table, exp: Expectation) -> Expectation:
    count = t.integer("count", 0, 1_000_000_000)
    low = t.integer("min_count", 0, 1_000_000_000)
    high = t.integer("max_count", 0, 1_000_000_000)
    volume = t.decimal("volume", _ZERO)
    low_volume, high_volume = t.decimal("min_volume", _ZERO), t.decimal("max_volume", _ZERO)
    given = (count, low, high, volume, low_volume, high_volume)
    if all(v is None for v in given):
        raise t.source.error(
            t.path,
            "fills: expected count, min_count / max_count, volume or min_volume / max_volume",
        )
    if low is not None and high is not None and high < low:
        raise t.error("max_count", f"expected at least min_count ({low}), got {high}")
    if low_volume is not None and high_volume is not None and high_volume < low_volume:
        raise t.error(
            "max_volume", f"expected at least min_volume ({low_volume}), got {high_volume}"
        )
    return replace(
        exp,
        count=count,
        min_count=0 if low is None else low,
        max_count=high,
        volume=volume,
        min_volume=low_volume,
        max_volume=high_volume,
    )


def _owned_label(t: Table, labels: dict[str, Action], account: str) -> str | None:
    """The optional `order` of a reason / fills expectation: a place label of `account`."""
    known = ", ".join(labels) or "none"
    value = t.get(
        "order",
        lambda v: v if isinstance(v, str) and v in labels else None,
        f"the label of a place action (labels: {known})",
        None,
    )
    if value is not None and labels[value].account != account:
        raise t.error(
            "order",
            f'expected an order of account "{account}", '
            f'"{value}" belongs to "{labels[value].account}"',
        )
    return value


_STATUS_HINT = (
    "a status a place is answered with ("
    + ", ".join(sorted(REST_STATUSES, key=str.lower))
    + ' or "invalidArgument: NAME")'
)


def _status(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    known = value in REST_STATUSES or value.startswith("invalidArgument: ")
    return value if known else None
