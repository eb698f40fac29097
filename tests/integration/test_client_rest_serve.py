"""The README example of docs/client.md, run as written against a real
`python -m mock_exchange serve --seed 1 --clock manual` process; and the async client used
natively (asyncio.run, concurrent calls through one AsyncFuturesClient)."""

from __future__ import annotations

import asyncio
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from integration.server import ServeProcess, running_server

from client import AsyncFuturesClient, OrderNotFound
from mock_exchange.server.app import create_app

DOC = Path(__file__).resolve().parents[2] / "docs" / "client.md"
D = Decimal


def readme_example() -> str:
    (block,) = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)[:1]
    assert len(block.strip().splitlines()) == 10
    return block


def test_the_readme_example_runs_against_kraken_mock_serve() -> None:
    server = ServeProcess("--seed", "1", "--clock", "manual")
    try:
        server.wait_healthy()
        assert "+JOi7vsyVV5xwYaQ7kLJC3G7VNjRAbW5w00L/5AVAoDgmexs1zY8pYXn" in "".join(server.out)
        code = readme_example().replace("http://127.0.0.1:8000", server.base)
        ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             timeout=60, cwd=DOC.parents[1])
        assert ran.returncode == 0, ran.stderr
        assert ran.stdout.splitlines() == [
            "placed [('PF_XBTUSD', 'buy', Decimal('0.01'))]",
            "cancelled 100000",
        ]
    finally:
        server.stop()


def test_concurrent_async_calls_through_one_client() -> None:
    with running_server(create_app()) as base:
        import httpx

        account = httpx.post(base + "/__admin/accounts", json={"balances": {"USD": 100_000}}).json()

        async def scenario() -> None:
            async with AsyncFuturesClient(account["api_key"], account["api_secret"],
                                          base_url=base) as kraken:
                prices = [59000 + i for i in range(10)]
                placed = await asyncio.gather(*(
                    kraken.submit_order("lmt", "PF_XBTUSD", "buy", D("0.01"), limit_price=p)
                    for p in prices))
                assert {p.status for p in placed} == {"placed"}
                book = await kraken.get_order_book("PF_XBTUSD")
                assert book.bids == [(D(p), D("0.01")) for p in reversed(prices)]
                cancelled = await asyncio.gather(*(kraken.cancel_order(p.order_id)
                                                   for p in placed))
                assert {c.status for c in cancelled} == {"cancelled"}
                try:
                    await kraken.cancel_order(placed[0].order_id)
                except OrderNotFound as gone:
                    assert gone.code == "notFound"
                else:
                    raise AssertionError("a second cancel must raise OrderNotFound")

        asyncio.run(scenario())
