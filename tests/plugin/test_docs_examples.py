"""Every example test in docs/testing.md and README.md runs as printed: each ```python block
that defines a test is written to a file of its own and run through pytester with the plugin
as installed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mock_exchange.testing import URL_ENV

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "testing.md"
README = ROOT / "README.md"
_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _examples(doc: Path = DOC) -> list[str]:
    return [b for b in _BLOCK.findall(doc.read_text(encoding="utf-8")) if "def test_" in b]


def test_the_documented_examples_pass(pytester: pytest.Pytester,
                                      monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.delenv(URL_ENV, raising=False)
    examples = _examples()
    tests = sum(len(re.findall(r"^def test_", code, re.MULTILINE)) for code in examples)
    assert len(examples) == 5 and tests == 6  # markers (2), scenario, sdk, ccxt, our client
    pytester.makepyfile(**{f"test_doc_{i}": code for i, code in enumerate(examples)})
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=tests)


def test_the_readme_fixture_example_passes(pytester: pytest.Pytester,
                                           monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.delenv(URL_ENV, raising=False)
    (example,) = _examples(README)
    pytester.makepyfile(test_readme=example)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strict-markers")
    result.assert_outcomes(passed=1)
