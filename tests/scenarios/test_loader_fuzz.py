"""Any damage to a valid scenario file is either still a valid scenario or a `ScenarioError`
naming file and line: never another exception (the loader's bad-input promise)."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scenarios
from scenarios.fields import ScenarioError

SOURCE = (Path(__file__).parent / "every_reason.toml").read_text(encoding="utf-8")
LINES = SOURCE.splitlines()
JUNK = [
    '"x"',
    "-1",
    "0",
    "1e9",
    "[]",
    "{}",
    "true",
    '"1h"',
    "[1, 2]",
    "{ a = 1 }",
    '"0.5"',
    '"FF_XBTUSD"',
    '"alice"',
    '"p1"',
    '""',
    "99999999999999999999999",
    '"sell"',
    '"stp"',
    '"cancel"',
    '"edit"',
    '[["0s", 1]]',
]
HEADERS = [
    "[[actors]]",
    "[[expect]]",
    "[[paths]]",
    "[[incidents]]",
    "[[actions]]",
    'kind = "place"',
    'kind = "market_maker"',
    "[instruments.PF_ETHUSD]",
    "[scenario]",
]

edit = st.tuples(
    st.integers(0, len(LINES) - 1),
    st.sampled_from(["delete", "value", "insert"]),
    st.sampled_from(JUNK),
    st.sampled_from(HEADERS),
)


@settings(
    max_examples=300, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(edit, min_size=1, max_size=3))
def test_damaged_files_load_or_fail_precisely(edits: list[tuple[int, str, str, str]]) -> None:
    lines = list(LINES)
    for index, op, junk, header in edits:
        index %= len(lines)
        if op == "delete":
            del lines[index]
        elif op == "value" and "=" in lines[index] and not lines[index].startswith("["):
            lines[index] = lines[index].split("=", 1)[0] + "= " + junk
        else:
            lines.insert(index, header)
    text = "\n".join(lines) + "\n"
    try:
        scenarios.loads(text, name="damaged.toml")
    except ScenarioError as exc:
        assert str(exc).startswith("damaged.toml:")
        assert 0 < exc.line <= len(lines) + 1
