"""What KrakenAuth signs and with which nonce, beyond the published vectors: the endpoint's own
path whatever the base URL, empty credentials refused, one nonce source shared by every client
of a key (``client.auth.nonce``), and the nonce resolutions ``MonotonicNonce`` offers."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from client import AsyncFuturesClient, FuturesClient
from client.rest import KrakenAuth
from client.signing import MonotonicNonce, sign

SECRET = "cHl0aG9uLWtyYWtlbi1zZGsgdW5pdC10ZXN0IHNlY3JldCB2YWx1ZQ=="
EMPTY_POSITIONS = b'{"result":"success","openPositions":[],"fills":[]}'


class Recorder:
    """An httpx transport keeping each request (thread-safe) and answering no positions."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
        return httpx.Response(200, content=EMPTY_POSITIONS)


@pytest.mark.parametrize(
    "base_url",
    ["https://proxy.example/kraken", "https://proxy.example/kraken/", "http://127.0.0.1:1",
     "https://proxy.example/a/derivatives"],
)
def test_the_endpoint_path_is_signed_whatever_the_base_urls_own_path(base_url: str) -> None:
    recorder = Recorder()
    with FuturesClient("key", SECRET, base_url=base_url, nonce=lambda: "1",
                       transport=httpx.MockTransport(recorder)) as c:
        c.get_open_positions()
        c.get_fills(last_fill_time="2020-07-22T13:37:27.077Z")
    positions, fills = recorder.requests
    prefix = base_url.split("//", 1)[1].split("/", 1)[1:]  # the proxy's own path, if any
    assert positions.url.path == ("/" + prefix[0].rstrip("/") if prefix else "") + (
        "/derivatives/api/v3/openpositions")
    assert positions.headers["Authent"] == sign(SECRET, "", "1", "/api/v3/openpositions")
    assert fills.headers["Authent"] == sign(
        SECRET, "lastFillTime=2020-07-22T13%3A37%3A27.077Z", "1", "/api/v3/fills")


def test_the_async_client_signs_the_endpoint_path_too() -> None:
    recorder = Recorder()

    async def run() -> None:
        async with AsyncFuturesClient("key", SECRET, base_url="https://proxy.example/kraken",
                                      nonce=lambda: "7",
                                      transport=httpx.MockTransport(recorder)) as c:
            await c.get_open_positions()

    asyncio.run(run())
    (request,) = recorder.requests
    assert request.url.path == "/kraken/derivatives/api/v3/openpositions"
    assert request.headers["Authent"] == sign(SECRET, "", "7", "/api/v3/openpositions")


@pytest.mark.parametrize(
    ("key", "secret", "match"),
    [("", SECRET, "api_key"), ("   ", SECRET, "api_key"), ("key", "", "api_secret")],
)
def test_empty_credentials_are_refused_when_the_client_is_made(
    key: str, secret: str, match: str,
) -> None:
    with pytest.raises(ValueError, match=match):
        FuturesClient(key, secret)
    with pytest.raises(ValueError, match=match):
        AsyncFuturesClient(key, secret)
    with pytest.raises(ValueError, match=match):
        KrakenAuth(key, secret)


def test_the_nonce_source_is_public_and_can_be_shared_between_clients() -> None:
    first = FuturesClient("key", SECRET)
    assert isinstance(first.auth, KrakenAuth) and isinstance(first.auth.nonce, MonotonicNonce)
    second = AsyncFuturesClient("key", SECRET, nonce=first.auth.nonce)
    assert second.auth is not None and second.auth.nonce is first.auth.nonce
    first.close()
    asyncio.run(second.aclose())


def test_a_sync_and_an_async_client_sharing_one_source_never_repeat_a_nonce() -> None:
    """The reviewer's collision: two clients of one key, each with its own counter on a
    stalled clock, send the same nonces; one shared source cannot."""
    recorder = Recorder()
    shared = MonotonicNonce(lambda: 1_900_000_000_000)
    sync = FuturesClient("key", SECRET, base_url="http://127.0.0.1:1", nonce=shared,
                         transport=httpx.MockTransport(recorder))
    async_client = AsyncFuturesClient("key", SECRET, base_url="http://127.0.0.1:1",
                                      nonce=shared, transport=httpx.MockTransport(recorder))

    def sync_calls() -> None:
        for _ in range(40):
            sync.get_open_positions()

    async def async_calls() -> None:
        for _ in range(40):
            await async_client.get_open_positions()
        await async_client.aclose()

    worker = threading.Thread(target=sync_calls)
    worker.start()
    asyncio.run(async_calls())
    worker.join()
    sync.close()
    nonces = [int(r.headers["Nonce"]) for r in recorder.requests]
    assert len(nonces) == 80 and len(set(nonces)) == 80
    assert sorted(nonces) == list(range(1_900_000_000_000, 1_900_000_000_080))

    separate = [MonotonicNonce(lambda: 1_900_000_000_000) for _ in range(2)]
    assert separate[0]() == separate[1]()  # why the docs say: one source per key


def test_nonce_resolutions() -> None:
    ms, us, pks = (MonotonicNonce(per_second=p) for p in (
        MonotonicNonce.MILLISECONDS, MonotonicNonce.MICROSECONDS,
        MonotonicNonce.PYTHON_KRAKEN_SDK))
    assert [len(n()) for n in (ms, us, pks)] == [13, 16, 18]
    assert int(pks()) > int(us()) > int(ms())
    assert MonotonicNonce().per_second == 1_000
    ticks = iter([5, 5, 4])
    stalled = MonotonicNonce(lambda: next(ticks), per_second=MonotonicNonce.MICROSECONDS)
    assert [stalled() for _ in range(3)] == ["5", "6", "7"]
    for bad in (0, -1, 10**10, True):
        with pytest.raises(ValueError, match="per_second"):
            MonotonicNonce(per_second=bad)
