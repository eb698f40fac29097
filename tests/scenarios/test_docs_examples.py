"""The examples in docs/scenarios.md stay valid: its Python example runs as printed, and its TOML
fragments, put together under a `[scenario]` table, load and run."""

from __future__ import annotations

import re
from pathlib import Path

import scenarios

DOC = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_python_example_runs_as_printed() -> None:
    first = _blocks("python")[0]
    assert 'scenarios.load("flash_crash.toml")' in first
    namespace: dict[str, object] = {}
    exec(compile(first, str(DOC), "exec"), namespace)  # our own documentation
    assert namespace["result"].passed  # type: ignore[attr-defined]


def test_the_toml_fragments_make_a_scenario(tmp_path: Path) -> None:
    fragments = _blocks("toml")
    assert len(fragments) >= 5
    path = tmp_path / "docs.toml"
    header = '[scenario]\nname = "docs"\nduration = "3h"\n\n'
    incident = '\n[[incidents]]\nkind = "admin_cancel"\nat = "1m"\naccount = "alice"\n'
    path.write_text(header + "\n".join(fragments) + incident, encoding="utf-8")
    result = scenarios.run_in_process(scenarios.load(path), seed=1)
    assert result.passed, result.report()
    assert [c.passed for c in result.checks] == [True]
