"""`kraken-mock serve --tls` as a real process: https and wss with a local CA that clients trust
through SSL_CERT_FILE / REQUESTS_CA_BUNDLE. python-kraken-sdk's FuturesWSClient (which always
dials wss://) is used unmodified; a signed REST call goes over https with the CA verified; the
uvicorn frame limit (ws_max_size) is live; and `mock_exchange.tls` reuses a named folder's CA."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import certifi
import httpx
import pytest
import websockets
from integration.server import ServeProcess

from mock_exchange import tls
from mock_exchange.protocol.auth import endpoint_path_for, sign_rest

pytest.importorskip("trustme")

Json = dict[str, Any]
START_TIMEOUT_S = 20.0


class TlsServer(ServeProcess):
    """`python -m mock_exchange serve --tls` on a free port, its banner parsed."""

    def __init__(self, tls_dir: Path) -> None:
        super().__init__("--tls", "--seed", "1", "--tls-dir", str(tls_dir), scheme="https",
                         start_timeout_s=START_TIMEOUT_S)
        self.ca = Path(self._banner_field(r"^TLS CA\s+(\S+)"))
        self.keys = re.findall(r"API key:\s+(\S+)\n\s+API secret:\s+(\S+)", "".join(self.out))
        self.context = ssl.create_default_context(cafile=str(self.ca))

    def _banner_field(self, pattern: str) -> str:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "".join(self.err)
            found = re.search(pattern, "".join(self.out), re.M)
            if found and "python-kraken-sdk" in "".join(self.out):
                return found.group(1)
            time.sleep(0.05)
        raise AssertionError("no TLS CA line in the banner:\n" + "".join(self.out + self.err))

    def wait_healthy(self, verify: ssl.SSLContext | bool = True) -> None:
        super().wait_healthy(self.context)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsServer]:
    running = TlsServer(tmp_path_factory.mktemp("tls"))
    try:
        running.wait_healthy()
        yield running
    finally:
        if running.process.poll() is None:
            assert running.stop() in (0, -signal.SIGTERM)


def test_banner_shows_https_wss_and_the_ca(server: TlsServer) -> None:
    banner = "".join(server.out)
    assert f"REST       {server.base}\n" in banner
    assert f"WebSocket  wss://127.0.0.1:{server.port}/ws/v1\n" in banner
    assert f"SSL_CERT_FILE={server.ca} REQUESTS_CA_BUNDLE={server.ca}" in banner
    assert server.ca.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert len(server.keys) == 2


def _signed_post(client: httpx.Client, base: str, key: str, secret: str, **params: str) -> Any:
    body = urlencode(params)
    path = "/derivatives/api/v3/sendorder"
    nonce = str(time.time_ns() // 1000)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "APIKey": key,
        "Nonce": nonce,
        "Authent": sign_rest(secret, body, nonce, endpoint_path_for(path)),
    }
    return client.post(base + path, content=body, headers=headers, timeout=5).json()


def test_signed_rest_over_https_verifies_the_ca(server: TlsServer) -> None:
    (key, secret), _ = server.keys
    with httpx.Client(verify=server.context) as client:
        params = {"symbol": "PF_XBTUSD", "side": "buy", "size": "0.01", "limitPrice": "30000"}
        out = _signed_post(client, server.base, key, secret, orderType="post", **params)
    assert out["result"] == "success", out
    assert out["sendStatus"]["status"] == "placed"
    # it is real TLS: the public trust store does not know our CA
    with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        httpx.get(server.base + "/__admin/health", verify=ssl.create_default_context(
            cafile=certifi.where()))  # fmt: skip


def test_ssl_cert_file_is_what_the_default_context_trusts(
    server: TlsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What docs/tls.md promises: SSL_CERT_FILE makes ssl.create_default_context() (used by
    websockets, asyncio, urllib, aiohttp) trust the CA; REQUESTS_CA_BUNDLE does it for requests."""
    import requests

    url = server.base + "/__admin/health"
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.ca))
    with httpx.Client(verify=ssl.create_default_context()) as client:
        assert client.get(url).json() == {"status": "ok"}
    assert requests.get(url, timeout=5).json() == {"status": "ok"}


async def _wait_for(
    messages: list[Json], found: Callable[[Json], bool], timeout: float = 10
) -> Json:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in messages:
            if found(message):
                return message
        await asyncio.sleep(0.02)
    raise AssertionError(f"not seen; got {messages}")


def test_python_kraken_sdk_ws_client_over_wss_unmodified(
    server: TlsServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kraken.futures import FuturesWSClient, Trade

    (key, secret), _ = server.keys
    # websockets makes a fresh ssl.create_default_context() per wss:// connection (asyncio's
    # ssl=True); requests reads REQUESTS_CA_BUNDLE per request: setting both here is enough.
    monkeypatch.setenv("SSL_CERT_FILE", str(server.ca))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(server.ca))
    ws_url = f"127.0.0.1:{server.port}/ws/v1"

    def place() -> Any:
        trade = Trade(key=key, secret=secret, url=server.base)
        return trade.create_order(orderType="lmt", side="buy", size="0.02",
                                  symbol="PF_XBTUSD", limitPrice="31000")  # fmt: skip

    async def main() -> None:
        messages: list[Json] = []

        async def on_message(message: Json) -> None:
            messages.append(message)

        client = FuturesWSClient(key=key, secret=secret, url=ws_url, callback=on_message)
        await asyncio.wait_for(client.start(), 15)
        try:
            await client.subscribe(feed="ticker", products=["PF_XBTUSD"])
            await client.subscribe(feed="open_orders")
            await _wait_for(messages, lambda m: m == {"event": "info", "version": 1})
            ticker = await _wait_for(
                messages, lambda m: m.get("feed") == "ticker" and "event" not in m
            )
            assert ticker["product_id"] == "PF_XBTUSD" and ticker["markPrice"] > 0
            await _wait_for(messages, lambda m: m == {"event": "subscribed", "feed": "open_orders"})
            await _wait_for(messages, lambda m: m.get("feed") == "open_orders_snapshot")
            out = await asyncio.to_thread(place)
            assert out["result"] == "success", out
            order_id = out["sendStatus"]["order_id"]
            delta = await _wait_for(
                messages, lambda m: m.get("order", {}).get("order_id") == order_id
            )
            assert delta["reason"] == "new_placed_order_by_user" and not delta["is_cancel"]
            assert (delta["order"]["qty"], delta["order"]["limit_price"]) == (0.02, 31000.0)
            assert not any("error" in m or m.get("event") == "alert" for m in messages), messages
        finally:
            await client.close()  # returns within a ticker interval (the receive loop wakes)

    asyncio.run(asyncio.wait_for(main(), 30))


def test_wss_needs_the_ca_and_frames_over_64_kib_are_refused(server: TlsServer) -> None:
    url = f"wss://127.0.0.1:{server.port}/ws/v1"

    async def main() -> None:
        public = ssl.create_default_context(cafile=certifi.where())
        with pytest.raises(ssl.SSLCertVerificationError):
            await websockets.connect(url, ssl=public, open_timeout=5)
        async with websockets.connect(url, ssl=server.context, open_timeout=5) as ws:
            assert json.loads(await ws.recv()) == {"event": "info", "version": 1}
            await ws.send(json.dumps({"event": "subscribe", "feed": "heartbeat"}))
            assert json.loads(await ws.recv()) == {"event": "subscribed", "feed": "heartbeat"}
            await ws.send("x" * 65_537)
            with pytest.raises(websockets.ConnectionClosed) as closed:
                while True:
                    await asyncio.wait_for(ws.recv(), 5)
            # uvicorn's ws_max_size (given by `serve`) answers before the hub's own check would
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
            assert "65536" in closed.value.rcvd.reason

    asyncio.run(main())


def test_a_named_folder_keeps_its_ca(tmp_path: Path) -> None:
    first = tls.prepare(tmp_path / "ca", "0.0.0.0")
    second = tls.prepare(tmp_path / "ca", "192.168.7.7")
    assert (first.reused_ca, second.reused_ca) == (False, True)
    assert first.ca_file.read_bytes() == second.ca_file.read_bytes()
    assert second.names == ("127.0.0.1", "::1", "localhost", "192.168.7.7")
    for private in (second.key_file, second.directory / tls.CA_KEY_FILE):
        assert private.stat().st_mode & 0o077 == 0
    second.cleanup()
    assert second.ca_file.exists()  # a folder the user named is never removed


def test_a_temporary_folder_is_removed_by_cleanup() -> None:
    files = tls.prepare(None)
    assert files.temporary and files.cert_file.exists()
    assert not (files.directory / tls.CA_KEY_FILE).exists()  # the CA key never touches disk
    files.cleanup()
    assert not files.directory.exists()


def test_server_names() -> None:
    assert tls.server_names("0.0.0.0") == tls.LOCAL_NAMES
    assert tls.server_names("localhost") == tls.LOCAL_NAMES
    assert tls.server_names("[0:0::1]") == tls.LOCAL_NAMES
    assert tls.server_names("mock.test")[-1] == "mock.test"
