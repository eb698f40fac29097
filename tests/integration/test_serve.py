"""`python -m mock_exchange serve` as a real process: it starts, prints working keys, its makers
fill the book, its ticker runs, and it stops cleanly on SIGTERM; `serve --scenario` names the
settings set explicitly that the scenario ignores (and only those)."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from integration.server import ServeProcess

from mock_exchange.config import Settings, build
from mock_exchange.protocol.auth import endpoint_path_for, sign_rest


class Server(ServeProcess):
    """The seeded default server (seed 1: the demo keys are known)."""

    def __init__(self) -> None:
        super().__init__("--seed", "1")


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    running = Server()
    try:
        running.wait_healthy()
        yield running
    finally:
        if running.process.poll() is None:
            running.stop()


def _signed_post(base: str, key: str, secret: str, endpoint: str, **params: str) -> Any:
    body = urlencode(params)
    path = f"/derivatives/api/v3/{endpoint}"
    nonce = str(time.time_ns() // 1000)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "APIKey": key,
        "Nonce": nonce,
        "Authent": sign_rest(secret, body, nonce, endpoint_path_for(path)),
    }
    return httpx.post(base + path, content=body, headers=headers, timeout=5).json()


def test_banner_shows_urls_and_the_seeded_keys(server: Server) -> None:
    banner = "".join(server.out)
    assert f"REST       {server.base}\n" in banner
    assert f"WebSocket  ws{server.base[4:]}/ws/v1\n" in banner
    printed = re.findall(r"API key:\s+(\S+)\n\s+API secret:\s+(\S+)", banner)
    _, info = build(Settings(seed=1, makers=False))
    assert printed == [(a.api_key, a.api_secret) for a in info.accounts]
    assert f'url="{server.base}"' in banner and f'"{server.base}/derivatives/api/"' in banner


def test_printed_keys_sign_requests(server: Server) -> None:
    banner = "".join(server.out)
    keys = re.findall(r"API key:\s+(\S+)\n\s+API secret:\s+(\S+)", banner)
    for key, secret in keys:
        out = _signed_post(server.base, key, secret, "sendorder", orderType="post",
                           symbol="PF_XBTUSD", side="buy", size="0.01", limitPrice="40000")
        assert out["result"] == "success", out
        assert out["sendStatus"]["status"] == "placed"
    (key, _), (_, other_secret) = keys
    wrong = _signed_post(server.base, key, other_secret, "sendorder", orderType="post",
                         symbol="PF_XBTUSD", side="buy", size="0.01", limitPrice="40000")
    assert wrong["error"] == "authenticationError"


def _book(base: str) -> tuple[list[Any], list[Any]]:
    """Bids and asks from the public order book, or from /__admin/state until it exists."""
    response = httpx.get(base + "/derivatives/api/v3/orderbook?symbol=PF_XBTUSD", timeout=5)
    body = response.json() if response.status_code == 200 else {}
    if body.get("result") == "success":
        return body["orderBook"]["bids"], body["orderBook"]["asks"]
    market = httpx.get(base + "/__admin/state", timeout=5).json()["markets"]["PF_XBTUSD"]
    return market["bids"], market["asks"]


def test_makers_fill_the_book_and_the_ticker_moves_prices(server: Server) -> None:
    bids, asks = _book(server.base)
    assert bids and asks
    assert float(bids[0][0]) < float(asks[0][0])
    seq = httpx.get(server.base + "/__admin/state", timeout=5).json()["seq"]
    deadline = time.monotonic() + 10
    while httpx.get(server.base + "/__admin/state", timeout=5).json()["seq"] == seq:
        assert time.monotonic() < deadline, "no maker step within 10 s"
        time.sleep(0.2)


def test_stops_cleanly_on_sigterm() -> None:
    running = Server()
    running.wait_healthy()
    # uvicorn shuts down gracefully, then re-raises the signal: exit code 0 or -SIGTERM
    assert running.stop() in (0, -signal.SIGTERM)
    time.sleep(0.1)
    assert "Application shutdown complete" in "".join(running.err)
    assert "Traceback" not in "".join(running.err)


def _serve_scenario(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], *args: str) -> str:
    """stderr of `serve --scenario reason_full_fill --clock manual <args>` once it is healthy."""
    for name in list(os.environ):
        if name.startswith("KRAKEN_MOCK_"):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    process = ServeProcess("--scenario", "reason_full_fill", "--clock", "manual", *args)
    try:
        process.wait_healthy()
    finally:
        process.stop()
    return "".join(process.err)


def test_scenario_warns_about_the_explicit_settings_it_ignores(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    toml = tmp_path / "market.toml"
    toml.write_text('symbols = ["PF_XBTUSD"]\nrate_limits = "off"\n'
                    '[[accounts]]\nname = "carol"\nbalances = { USD = 5 }\n')  # fmt: skip
    err = _serve_scenario(
        monkeypatch, {"KRAKEN_MOCK_MAKERS": "on", "KRAKEN_MOCK_PRICES": "XBT=1",
                      "KRAKEN_MOCK_CONFIG": str(toml), "KRAKEN_MOCK_SEED": "4"},
        "--config", str(toml),
    )  # fmt: skip
    warnings = [line for line in err.splitlines() if "warning" in line]
    assert warnings == [
        "kraken-mock: warning: the scenario reason_full_fill brings its own market, accounts "
        f"and actors; ignoring symbols ({toml}: symbols), prices (KRAKEN_MOCK_PRICES), "
        f"accounts ({toml}: accounts), makers (KRAKEN_MOCK_MAKERS)"
    ]


def test_scenario_with_default_or_matching_settings_does_not_warn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    err = _serve_scenario(monkeypatch, {"KRAKEN_MOCK_RATE_LIMITS": "off"}, "--no-makers",
                          "--seed", "3", "--host", "127.0.0.1")  # fmt: skip
    assert "warning" not in err and "Application startup complete" in err
