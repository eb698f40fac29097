"""client.signing and client.rest.KrakenAuth against Kraken's published vectors
(reference kraken-futures-rest.md §2.2, kraken-futures-ws.md challenge table), and the
signature httpx actually sends: computed over the exact query and body bytes on the wire."""

from __future__ import annotations

import httpx
import pytest

from client.core import Call
from client.endpoints import get_open_positions, submit_order
from client.rest import FuturesClient, KrakenAuth
from client.signing import MonotonicNonce, sign, sign_challenge, signing_path

PKS_SECRET = "cHl0aG9uLWtyYWtlbi1zZGsgdW5pdC10ZXN0IHNlY3JldCB2YWx1ZQ=="


@pytest.mark.parametrize(
    ("post_data", "nonce", "path", "expected"),
    [
        (  # python-kraken-sdk golden test: body-signed, with a nonce
            "orderType=lmt&symbol=PI_XBTUSD", "1616492376594", "/api/v3/sendorder",
            "Txi+gJVXe3EN1brXYQ46FuV6UVtEVSKhc6dYMhPb7a/HXZLGvO6m9UUg+KVKqhLxrbllOPI7qRkHYmPfJZZSGA==",
        ),
        (  # ccxt style: query-signed, no nonce
            "symbol=PF_XBTUSD&side=buy&size=0.001&orderType=lmt&limitPrice=50000", "",
            "/api/v3/sendorder",
            "tZA+J746QpaFrUjAUih9ix4Z4aD8tICKcctIf4VhwuPM0uk9fETrfULnQMTcI7QTi9sSSUoUvDDVwU2fDHAf9w==",
        ),
        (  # empty post data, no nonce
            "", "", "/api/v3/openpositions",
            "HC4ntDo5e7C/1GLTLj5R5PsKU54VpbNDGlzfH5vG738h76Mcr5cqf92lqJtzf6Vb85H14IlufeuQ4t0/j6RC8Q==",
        ),
    ],
)
def test_rest_vectors(post_data: str, nonce: str, path: str, expected: str) -> None:
    assert sign(PKS_SECRET, post_data, nonce, path) == expected


def test_websocket_challenge_vector() -> None:
    secret = ("7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9"
              "KpT0eMTm")
    assert sign_challenge(secret, "c100b894-1729-464d-ace1-52dbce11db42") == (
        "4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A==")


def test_signing_path_strips_the_prefix_and_query() -> None:
    assert signing_path("/derivatives/api/v3/sendorder?x=1") == "/api/v3/sendorder"
    assert signing_path("/api/history/v3/account-log") == "/api/history/v3/account-log"


def test_monotonic_nonce_never_repeats_when_the_clock_stalls_or_steps_back() -> None:
    times = iter([1000, 1000, 999, 1005])
    nonce = MonotonicNonce(lambda: next(times))
    assert [nonce() for _ in range(4)] == ["1000", "1001", "1002", "1005"]


class Recorder:
    """An httpx transport that keeps each request and answers a canned envelope."""

    def __init__(self, body: bytes = b'{"result":"success","openPositions":[]}') -> None:
        self.requests: list[httpx.Request] = []
        self.body = body

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, content=self.body)


def _client(recorder: Recorder, **kwargs: object) -> FuturesClient:
    nonces = iter(["1616492376594", "1616492376595"])
    return FuturesClient("key", PKS_SECRET, base_url="http://127.0.0.1:1",
                         nonce=lambda: next(nonces), transport=httpx.MockTransport(recorder),
                         **kwargs)  # type: ignore[arg-type]


def test_a_post_is_signed_over_its_form_body_with_the_nonce_sent() -> None:
    recorder = Recorder(b'{"result":"success","sendStatus":{"status":"placed","orderEvents":[]}}')
    with _client(recorder) as c:
        c.send(submit_order("lmt", "PI_XBTUSD", "buy", 1, limit_price=9400))
    (request,) = recorder.requests
    body = "orderType=lmt&symbol=PI_XBTUSD&side=buy&size=1&limitPrice=9400"
    assert (request.method, request.url.path, request.url.query) == (
        "POST", "/derivatives/api/v3/sendorder", b"")
    assert request.content == body.encode()
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert (request.headers["APIKey"], request.headers["Nonce"]) == ("key", "1616492376594")
    assert request.headers["Authent"] == sign(PKS_SECRET, body, "1616492376594",
                                              "/api/v3/sendorder")


def test_a_get_is_signed_over_its_query_and_public_calls_are_not_signed() -> None:
    recorder = Recorder(b'{"result":"success","openPositions":[],"fills":[],"tickers":[]}')
    with _client(recorder) as c:
        c.send(get_open_positions())
        c.get_fills(last_fill_time="2020-07-22T13:37:27.077Z")
        c.get_tickers()
    positions, fills, tickers = recorder.requests
    assert positions.headers["Authent"] == (
        sign(PKS_SECRET, "", "1616492376594", "/api/v3/openpositions"))
    assert fills.url.query == b"lastFillTime=2020-07-22T13%3A37%3A27.077Z"
    assert fills.headers["Authent"] == sign(
        PKS_SECRET, "lastFillTime=2020-07-22T13%3A37%3A27.077Z", "1616492376595", "/api/v3/fills")
    assert not {"APIKey", "Authent", "Nonce"} & set(tickers.headers)


def test_bad_credentials_are_refused_before_anything_is_sent() -> None:
    with pytest.raises(ValueError, match="base64"):
        KrakenAuth("key", "not base64!")
    with pytest.raises(ValueError, match="both"):
        FuturesClient("key", None)
    recorder = Recorder()
    with FuturesClient(base_url="http://127.0.0.1:1",
                       transport=httpx.MockTransport(recorder)) as anonymous:
        from client.errors import AuthenticationError

        with pytest.raises(AuthenticationError, match="needs api_key"):
            anonymous.get_open_positions()
    assert recorder.requests == []
    assert isinstance(get_open_positions(), Call)
