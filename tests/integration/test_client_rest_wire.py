"""The client against a real server where the wire itself matters: a base URL behind a path
prefix (a proxy), one API key used by a sync and an async client at once (one shared nonce
source), a key that first saw python-kraken-sdk's large nonces, the RFQ open-offers list under
only one of its two names, and the 2026 RFQ URLs (``api="v2"``), sync and async.

The proxy and the key-dropping answer are httpx transports wrapping the real one: requests still
cross a real socket to a real server, which verifies every signature.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from integration.server import running_server

from client import AsyncFuturesClient, FuturesClient
from client import errors as e
from client.signing import MonotonicNonce
from mock_exchange.server.app import create_app

D = Decimal
PREFIX = "/kraken"


@pytest.fixture
def base() -> Iterator[str]:
    with running_server(create_app()) as url:
        yield url


def _account(base: str, usd: int = 100_000) -> tuple[str, str]:
    made = httpx.post(f"{base}/__admin/accounts", json={"balances": {"USD": usd}}).json()
    return made["api_key"], made["api_secret"]


class Proxy(httpx.BaseTransport):
    """Forwards ``/kraken/derivatives/...`` to the server's ``/derivatives/...``, as a reverse
    proxy mounted under a path would."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert request.url.path.startswith(PREFIX + "/derivatives/")
        request.url = request.url.copy_with(raw_path=request.url.raw_path[len(PREFIX):])
        return self.inner.handle_request(request)


def test_a_base_url_with_a_path_signs_the_endpoint_path(base: str) -> None:
    key, secret = _account(base)
    with FuturesClient(key, secret, base_url=base + PREFIX, transport=Proxy()) as alice:
        placed = alice.submit_order("lmt", "PF_XBTUSD", "buy", D("0.1"), limit_price=59000)
        (resting,) = alice.get_open_orders()
        assert (resting.order_id, resting.unfilled_size) == (placed.order_id, D("0.1"))
        assert alice.cancel_order(placed.order_id).status == "cancelled"


def test_a_sync_and_an_async_client_of_one_key_share_one_nonce_source(base: str) -> None:
    key, secret = _account(base)
    shared = MonotonicNonce()
    sync = FuturesClient(key, secret, base_url=base, nonce=shared)
    failures: list[BaseException] = []

    def sync_calls() -> None:
        try:
            for _ in range(30):
                sync.get_open_orders()
        except BaseException as failure:  # reported by the assertion below
            failures.append(failure)

    async def async_calls() -> int:
        async with AsyncFuturesClient(key, secret, base_url=base,
                                      nonce=sync.auth.nonce if sync.auth else None) as other:
            answers = [await other.get_open_orders() for _ in range(30)]
        return len(answers)

    worker = threading.Thread(target=sync_calls)
    worker.start()
    assert asyncio.run(async_calls()) == 30
    worker.join()
    sync.close()
    assert failures == []


def test_separate_nonce_sources_of_one_key_collide(base: str) -> None:
    """What the docs warn about: each source alone is monotonic, together they repeat."""
    key, secret = _account(base)
    stalled = 1_900_000_000_000
    with FuturesClient(key, secret, base_url=base, nonce=MonotonicNonce(lambda: stalled)) as one, \
            FuturesClient(key, secret, base_url=base,
                          nonce=MonotonicNonce(lambda: stalled)) as two:
        one.get_open_orders()
        with pytest.raises(e.NonceError) as caught:
            two.get_open_orders()
        assert caught.value.code == "nonceDuplicate"


def test_a_key_used_with_python_kraken_sdk_needs_its_nonce_scale(base: str) -> None:
    key, secret = _account(base)
    pks = MonotonicNonce(per_second=MonotonicNonce.PYTHON_KRAKEN_SDK)
    with FuturesClient(key, secret, base_url=base, nonce=pks) as before:
        for _ in range(64):  # the server tolerates reordering within its last 64 nonces
            before.get_open_orders()
    with FuturesClient(key, secret, base_url=base) as milliseconds:
        with pytest.raises(e.NonceError) as caught:
            milliseconds.get_open_orders()
        assert caught.value.code == "nonceBelowThreshold"
    fine = MonotonicNonce(per_second=MonotonicNonce.PYTHON_KRAKEN_SDK)
    with FuturesClient(key, secret, base_url=base, nonce=fine) as after:
        assert after.get_open_orders() == []
    micro = MonotonicNonce(per_second=MonotonicNonce.MICROSECONDS)
    with FuturesClient(*_account(base), base_url=base, nonce=micro) as fresh:
        assert fresh.get_open_orders() == []


class OneOffersKey(httpx.BaseTransport):
    """Passes answers through, keeping only ``keep`` of the two open-offers list keys."""

    def __init__(self, keep: str) -> None:
        self.keep = keep
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if not request.url.path.endswith("/rfqs/open-offers"):
            return response
        body = json.loads(response.read())
        assert body["offers"] == body["openOffers"]  # our server sends both
        body.pop("openOffers" if self.keep == "offers" else "offers")
        return httpx.Response(response.status_code, json=body)


def _rfq(base: str) -> str:
    made = httpx.post(f"{base}/__admin/rfqs", json={"symbol": "PF_XBTUSD", "side": "buy",
                                                   "size": "1", "lifetime_ms": 60_000})
    uid: str = made.json()["rfq_uid"]
    return uid


@pytest.mark.parametrize("keep", ["offers", "openOffers"])
def test_open_offers_under_either_key(base: str, keep: str) -> None:
    uid = _rfq(base)
    key, secret = _account(base)
    with FuturesClient(key, secret, base_url=base, transport=OneOffersKey(keep)) as alice:
        assert alice.get_rfq_open_offers() == []
        offer_uid = alice.submit_rfq_new_offer(uid, bid=D(59900))
        (offer,) = alice.get_rfq_open_offers()
        assert (offer.uid, offer.rfq_uid, offer.bid, offer.ask) == (offer_uid, uid, D(59900), None)


def test_the_2026_rfq_urls_sync_and_async(base: str) -> None:
    uid = _rfq(base)
    key, secret = _account(base)
    with FuturesClient(key, secret, base_url=base) as alice:
        offer_uid = alice.submit_rfq_new_offer(uid, bid=D(59900), ask=D(60050), api="v2")
        (offer,) = alice.get_rfq_open_offers()
        assert (offer.uid, offer.bid, offer.ask) == (offer_uid, D(59900), D(60050))
        with pytest.raises(e.InvalidArgument) as twice:  # a success envelope with a reason
            alice.submit_rfq_new_offer(uid, ask=60040, api="v2")
        assert (twice.value.code, twice.value.http_status) == ("offerAlreadyExists", 200)
        assert alice.cancel_rfq_offer(uid, api="v2", offer_uid=offer_uid).raw["status"] == (
            "cancelled")
        assert alice.get_rfq_open_offers() == []
        with pytest.raises(e.NotFound) as gone:  # status "failed" + reason, as success
            alice.cancel_rfq_offer(uid, api="v2")
        assert gone.value.code == "offerNotFound"
        with pytest.raises(e.NotFound) as v1_gone:  # the v1 path: an error envelope
            alice.cancel_rfq_offer(uid)
        assert v1_gone.value.code in ("offerNotFound", "notFound")

    async def run() -> None:
        async with AsyncFuturesClient(key, secret, base_url=base) as bob:
            with pytest.raises(e.InvalidArgument) as far:
                await bob.submit_rfq_new_offer(uid, bid=30000, api="v2")
            assert far.value.code == "priceTooFarFromMarket"
            with pytest.raises(e.NotFound) as missing:
                await bob.submit_rfq_new_offer("no-such-rfq", ask=1, api="v2")
            assert missing.value.code == "rfqNotFound"
            placed = await bob.submit_rfq_new_offer(uid, ask=D(60100), api="v2")
            (offer,) = await bob.get_rfq_open_offers()
            assert (offer.uid, offer.ask) == (placed, D(60100))
            await bob.cancel_rfq_offer(uid, api="v2")
            assert await bob.get_rfq_open_offers() == []

    asyncio.run(run())
