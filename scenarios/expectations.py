"""Checking a scenario's expectations against a target, each with a clear message.

`check(exp, target, acks, orders)` reads the target at the moment it is called (the runner
calls it at the expectation's time) and returns a `Check`: passed or not, and a message that
says what was expected and what was found. `acks` are the acknowledgements of labelled `place`
actions, `orders` the order ids they got. A check never changes the exchange.

Kinds: order, reason, position, balance, equity, price (a symbol's mark / index / last) and
fills (an account's fills, of one order if given: count and summed size). A reason counted on
feed "any" counts each event once: the same event reaches open_orders and open_orders_verbose,
and the two messages are one (same time, order, reason, is_cancel).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .model import Expectation
from .target import Ack, Target


@dataclass(frozen=True)
class Check:
    expectation: Expectation
    at: int  # the offset it was checked at (ms)
    passed: bool
    message: str


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 0.1000 -> 0.1, 1E+5 -> 100000."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "0") else text


def _range(exp: Expectation, found_value: Decimal, what: str) -> tuple[bool, str]:
    found = plain(found_value)
    if exp.value is not None:
        ok = found_value == exp.value
        return ok, f"{what} {'is' if ok else 'expected'} {exp.value}" + (
            "" if ok else f", found {found}"
        )
    low = "-inf" if exp.minimum is None else str(exp.minimum)
    high = "+inf" if exp.maximum is None else str(exp.maximum)
    ok = (exp.minimum is None or found_value >= exp.minimum) and (
        exp.maximum is None or found_value <= exp.maximum
    )
    return ok, f"{what} {'in' if ok else 'expected in'} [{low}, {high}], found {found}"


def check(exp: Expectation, t: int, target: Target, acks: Mapping[str, Ack]) -> Check:
    def done(ok: bool, message: str) -> Check:
        return Check(exp, t, ok, f"line {exp.line}: {message}")

    account = exp.account or ""
    if exp.kind == "order":
        label = exp.order or ""
        ack = acks.get(label)
        if ack is None:
            return done(False, f'order "{label}" was never sent')
        problems, facts = [], []
        found_status = ack.status or ack.error or ""
        if exp.status is not None:
            facts.append(f"status {found_status}")
            if found_status != exp.status:
                problems.append(f"status expected {exp.status}, found {found_status}")
        if exp.state is not None or exp.filled is not None:
            if ack.order_id is None:
                state, filled = "rejected", Decimal(0)
            else:
                info = target.order_state(account, ack.order_id)
                state, filled = info.state, info.filled
            if exp.state is not None:
                facts.append(f"state {state}")
                if state != exp.state:
                    problems.append(f"state expected {exp.state}, found {state}")
            if exp.filled is not None:
                facts.append(f"filled {plain(filled)}")
                if filled != exp.filled:
                    problems.append(f"filled expected {exp.filled}, found {plain(filled)}")
        if problems:
            return done(False, f'order "{label}": ' + "; ".join(problems))
        return done(True, f'order "{label}": ' + ", ".join(facts))
    if exp.kind == "reason":
        order_id = acks[exp.order].order_id if exp.order and exp.order in acks else None
        seen = [
            m
            for m in target.order_messages(account)
            if m.reason == exp.reason
            and (exp.feed == "any" or m.feed == exp.feed)
            and (exp.order is None or (order_id is not None and m.order_id == order_id))
        ]
        if exp.feed == "any":  # one event reaches both feeds: count it once
            seen = list({(m.time, m.order_id, m.reason, m.is_cancel): m for m in seen}.values())
        where = f"{account} on {exp.feed}" + (f' about "{exp.order}"' if exp.order else "")
        if exp.absent:
            ok = not seen
            return done(
                ok,
                f"reason {exp.reason} {'never seen' if ok else f'seen {len(seen)} time(s)'} "
                f"(expected never) for {where}",
            )
        ok = len(seen) >= exp.min_count
        reasons = sorted({m.reason for m in target.order_messages(account)})
        message = (
            f"reason {exp.reason} seen {len(seen)} time(s) for {where}, "
            f"expected at least {exp.min_count}"
        )
        return done(
            ok, message if ok else f"{message}; reasons seen: {', '.join(reasons) or 'none'}"
        )
    if exp.kind == "price":
        symbol = exp.symbol or ""
        found = getattr(target.prices(symbol), exp.field)
        ok, message = _range(exp, found, f"{symbol} {exp.field} price")
        return done(ok, message)
    if exp.kind == "fills":
        return done(*_fills(exp, target, acks))
    summary = target.account_state(account)
    if exp.kind == "position":
        symbol = exp.symbol or ""
        pos = summary.positions.get(symbol)
        ok, message = _range(
            exp, pos.size if pos else Decimal(0), f"{account} position in {symbol}"
        )
        return done(ok, message)
    if exp.kind == "balance":
        wallet = summary.balances.get(exp.wallet, {})
        found = wallet.get(exp.currency or "", Decimal(0))
        ok, message = _range(exp, found, f"{account} {exp.wallet} {exp.currency}")
        return done(ok, message)
    ok, message = _range(exp, summary.equity, f"{account} equity (USD)")
    return done(ok, message)


def _fills(exp: Expectation, target: Target, acks: Mapping[str, Ack]) -> tuple[bool, str]:
    account = exp.account or ""
    fills = target.fills(account)
    where = f"{account} fills" + (f' of "{exp.order}"' if exp.order else "")
    if exp.order is not None:
        order_id = acks[exp.order].order_id if exp.order in acks else None
        fills = tuple(f for f in fills if order_id is not None and f.order_id == order_id)
    count, volume = len(fills), sum((f.size for f in fills), Decimal(0))
    problems: list[str] = []
    facts: list[str] = []
    by_volume = exp.volume is not None or exp.min_volume is not None or exp.max_volume is not None
    if exp.count is not None or exp.min_count or exp.max_count is not None or not by_volume:
        if exp.count is not None:
            ok, wanted = count == exp.count, f"{exp.count}"
        else:
            high = "+inf" if exp.max_count is None else str(exp.max_count)
            ok = exp.min_count <= count and (exp.max_count is None or count <= exp.max_count)
            wanted = f"in [{exp.min_count}, {high}]"
        (facts if ok else problems).append(
            f"count {count}" + ("" if ok else f" (expected {wanted})")
        )
    if by_volume:
        if exp.volume is not None:
            ok, wanted = volume == exp.volume, str(exp.volume)
        else:
            low = "-inf" if exp.min_volume is None else str(exp.min_volume)
            high = "+inf" if exp.max_volume is None else str(exp.max_volume)
            ok = (exp.min_volume is None or volume >= exp.min_volume) and (
                exp.max_volume is None or volume <= exp.max_volume
            )
            wanted = f"in [{low}, {high}]"
        text = f"volume {plain(volume)}" + ("" if ok else f" (expected {wanted})")
        (facts if ok else problems).append(text)
    if problems:
        return False, f"{where}: " + "; ".join(problems + facts)
    return True, f"{where}: " + ", ".join(facts)
