"""The example at the top of docs/client-websocket.md runs as printed against a real server:
it prints the best bid, then the cancel reason, then streams messages until stopped."""

from __future__ import annotations

import asyncio
import contextlib
import re
from pathlib import Path
from typing import Any

import pytest
from integration.server import running_server

from mock_exchange.config import Settings, build

DOC = Path(__file__).resolve().parents[2] / "docs" / "client-websocket.md"


def test_the_documented_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    example = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)[0]
    namespace: dict[str, Any] = {}
    exec(compile(example, str(DOC), "exec"), namespace)  # our own documentation
    app, info = build(Settings(clock="manual", seed=1))  # makers on: the book has a bid
    demo1 = info.accounts[0]
    with running_server(app) as base:
        port = int(base.rsplit(":", 1)[1])

        async def bounded() -> None:
            with contextlib.suppress(TimeoutError):  # the example streams until stopped
                await asyncio.wait_for(namespace["main"](demo1.api_key, demo1.api_secret, port), 2)

        asyncio.run(bounded())
    lines = capsys.readouterr().out.splitlines()
    assert re.fullmatch(r"BookLevel\(price=Decimal\('\d+(\.\d+)?'\), qty=Decimal\('[\d.]+'\)\)",
                        lines[0]), lines[0]  # fmt: skip
    assert lines[1] == "cancelled_by_user"
    assert len(lines) > 2  # then the stream
