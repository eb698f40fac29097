"""client.values: exact decimals and UTC times in both directions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal as D

import pytest

from client.values import (
    dec,
    decode_json,
    flag,
    opt_dec,
    opt_flag,
    opt_timestamp,
    timestamp,
    wire_bool,
    wire_number,
    wire_time,
)


def test_json_numbers_are_exact() -> None:
    decoded = decode_json('{"a": 0.1, "b": 3, "c": "0E-11", "d": 1.18588737106e-07}')
    assert [dec(decoded[k]) for k in "abcd"] == [D("0.1"), D(3), D("0E-11"),
                                                 D("1.18588737106e-07")]
    assert (opt_dec(None), opt_dec(""), opt_dec("2.50")) == (None, None, D("2.50"))
    for bad in (True, None, "abc", 1.5, [1]):
        with pytest.raises(ValueError, match="expected a number"):
            dec(bad)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-09-05T16:33:50.734Z", datetime(2019, 9, 5, 16, 33, 50, 734000, tzinfo=UTC)),
        ("2026-10-09T00:37:34.703041771Z", datetime(2026, 10, 9, 0, 37, 34, 703041, tzinfo=UTC)),
        ("2026-03-01T09:15:22Z", datetime(2026, 3, 1, 9, 15, 22, tzinfo=UTC)),
        ("2026-01-01T02:00:00.5+02:00", datetime(2026, 1, 1, 0, 0, 0, 500000, tzinfo=UTC)),
        (1767225600999, datetime(2026, 1, 1, 0, 0, 0, 999000, tzinfo=UTC)),
        ("1767225600001", datetime(2026, 1, 1, 0, 0, 0, 1000, tzinfo=UTC)),
    ],
)
def test_timestamps_in_every_shape_kraken_sends(text: str | int, expected: datetime) -> None:
    assert timestamp(text) == expected and timestamp(text).tzinfo == UTC


def test_missing_or_disarmed_times_are_none() -> None:
    assert [opt_timestamp(v) for v in (None, "", "0", 0)] == [None] * 4
    for bad in ("yesterday", "2026-13-01", 1.5):
        with pytest.raises(ValueError):
            timestamp(bad)


def test_numbers_and_times_on_the_wire() -> None:
    assert [wire_number("x", v) for v in (D("1E+2"), 5, "0.0001", D("-3.50"))] == [
        "100", "5", "0.0001", "-3.50"]
    with pytest.raises(TypeError, match="x: pass a Decimal"):
        wire_number("x", 0.1)
    with pytest.raises(TypeError):
        wire_number("x", True)
    with pytest.raises(ValueError, match="finite"):
        wire_number("x", "Infinity")
    minus_five = timezone(-timedelta(hours=5))
    assert wire_time("t", datetime(2025, 12, 31, 19, 0, 0, 123999, tzinfo=minus_five)) == (
        "2026-01-01T00:00:00.123Z")
    # strings are read and written again in Kraken's own form (UTC, milliseconds, Z)
    assert wire_time("t", "2026-01-01T00:00:00Z") == "2026-01-01T00:00:00.000Z"
    assert wire_time("t", "2026-01-01T02:00:00.5+02:00") == "2026-01-01T00:00:00.500Z"


@pytest.mark.parametrize(
    "text",
    ["1767225600000", "2026-01-01T00:00:00", "2026-01-01 00:00:00Z", "2026-01-01t00:00:00Z",
     "2026-01-01", "tomorrow", ""],
)
def test_times_without_a_t_or_a_zone_are_refused_before_sending(text: str) -> None:
    with pytest.raises(ValueError, match=r"t: .* is not an RFC 3339 time"):
        wire_time("t", text)
    with pytest.raises(ValueError, match="aware"):
        wire_time("t", datetime(2026, 1, 1))  # a naive datetime


def test_booleans_go_out_only_from_real_bools() -> None:
    assert (wire_bool("b", True), wire_bool("b", False)) == ("true", "false")
    for bad in ("false", "true", 0, 1, None):
        with pytest.raises(TypeError, match="b: pass True or False"):
            wire_bool("b", bad)  # type: ignore[arg-type]


def test_booleans_are_read_strictly() -> None:
    assert [flag(v) for v in (True, False, "true", "false")] == [True, False, True, False]
    assert (opt_flag(None), opt_flag(False)) == (None, False)
    for bad in ("False", "no", "", 0, 1, None, [True]):
        with pytest.raises(ValueError, match="expected a boolean"):
            flag(bad)
