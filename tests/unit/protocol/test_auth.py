"""Tests for mock_exchange.protocol.auth: published vectors, postData forms, nonces, robustness."""

import ast
import base64
import hashlib
import hmac
import string
from pathlib import Path
from typing import cast
from urllib.parse import quote, unquote_plus, urlencode

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mock_exchange.protocol import auth
from mock_exchange.protocol.auth import (
    AUTHENTICATION_ERROR,
    MAX_NONCE_DIGITS,
    NONCE_BELOW_THRESHOLD,
    NONCE_DUPLICATE,
    NonceTracker,
    endpoint_path_for,
    match_rest,
    sign_challenge,
    sign_rest,
    verify_challenge,
    verify_rest,
)

# Reference kraken-futures-rest.md §2.2 (python-kraken-sdk golden test secret and vectors).
SECRET = "cHl0aG9uLWtyYWtlbi1zZGsgdW5pdC10ZXN0IHNlY3JldCB2YWx1ZQ=="
PKS_POST_DATA = "orderType=lmt&symbol=PI_XBTUSD"
PKS_NONCE = "1616492376594"
PKS_AUTHENT = (
    "Txi+gJVXe3EN1brXYQ46FuV6UVtEVSKhc6dYMhPb7a/HXZLGvO6m9UUg+KVKqhLxrbllOPI7qRkHYmPfJZZSGA=="
)
CCXT_POST_DATA = "symbol=PF_XBTUSD&side=buy&size=0.001&orderType=lmt&limitPrice=50000"
CCXT_AUTHENT = (
    "tZA+J746QpaFrUjAUih9ix4Z4aD8tICKcctIf4VhwuPM0uk9fETrfULnQMTcI7QTi9sSSUoUvDDVwU2fDHAf9w=="
)
EMPTY_AUTHENT = (
    "HC4ntDo5e7C/1GLTLj5R5PsKU54VpbNDGlzfH5vG738h76Mcr5cqf92lqJtzf6Vb85H14IlufeuQ4t0/j6RC8Q=="
)

# Reference kraken-futures-ws.md §2.2 (Kraken's documented challenge vector).
WS_SECRET = (
    "7zxMEF5p/Z8l2p2U7Ghv6x14Af+Fx+92tPgUdVQ748FOIrEoT9bgT+bTRfXc5pz8na+hL/QdrCVG7bh9KpT0eMTm"
)
WS_CHALLENGE = "c100b894-1729-464d-ace1-52dbce11db42"
WS_SIGNED = (
    "4JEpF3ix66GA2B+ooK128Ift4XQVtc137N9yeg4Kqsn9PI0Kpzbysl9M1IeCEdjg0zl00wkVqcsnG4bmnlMb3A=="
)

OTHER_SECRET = base64.b64encode(b"another secret, another key pair").decode()
SENDORDER = "/derivatives/api/v3/sendorder"

# Exact wire forms from real-clients-on-the-wire.md §2.4 (signed strings recorded there).
PKS_BODY = (
    "orderType=lmt&side=sell&size=0.01&symbol=PF_XBTUSD&cliOrdId=my+id+1"
    "&limitPrice=90000&reduceOnly=True"
)
PKS_BODY_NONCE = "179534465731058368"
CCXT_QUERY = (
    "symbol=PF_XBTUSD&side=sell&size=0.01&cliOrdId=my%20id%201&reduceOnly=true"
    "&orderType=lmt&limitPrice=90000"
)
LEGACY_DECODED = (
    "symbol=PF_XBTUSD&side=sell&size=0.01&cliOrdId=my id 1&reduceOnly=true"
    "&orderType=lmt&limitPrice=90000"
)


def raw_authent(secret_b64: str, message: bytes) -> str:
    """Independent reimplementation over raw bytes (not via the module under test)."""
    digest = hashlib.sha256(message).digest()
    mac = hmac.new(base64.b64decode(secret_b64), digest, hashlib.sha512).digest()
    return base64.b64encode(mac).decode()


# --------------------------------------------------------------------------- published vectors


@pytest.mark.parametrize(
    ("post_data", "nonce", "path", "expected"),
    [
        (PKS_POST_DATA, PKS_NONCE, "/api/v3/sendorder", PKS_AUTHENT),
        (CCXT_POST_DATA, "", "/api/v3/sendorder", CCXT_AUTHENT),
        ("", "", "/api/v3/openpositions", EMPTY_AUTHENT),
    ],
    ids=["pks-golden", "ccxt-no-nonce", "empty-get"],
)
def test_sign_rest_published_vectors(post_data: str, nonce: str, path: str, expected: str) -> None:
    assert sign_rest(SECRET, post_data, nonce, path) == expected


def test_ws_challenge_published_vector() -> None:
    assert sign_challenge(WS_SECRET, WS_CHALLENGE) == WS_SIGNED
    assert sign_rest(WS_SECRET, WS_CHALLENGE, "", "") == WS_SIGNED
    assert verify_challenge(WS_SECRET, WS_CHALLENGE, WS_SIGNED)


def test_verify_rest_pks_vector_as_body_with_nonce() -> None:
    assert verify_rest(SECRET, PKS_AUTHENT, b"", PKS_POST_DATA.encode(), PKS_NONCE, SENDORDER)
    assert not verify_rest(SECRET, PKS_AUTHENT, b"", PKS_POST_DATA.encode(), None, SENDORDER)
    assert not verify_rest(
        SECRET, PKS_AUTHENT, b"", PKS_POST_DATA.encode(), "1616492376595", SENDORDER
    )


def test_verify_rest_ccxt_vector_as_query_without_nonce() -> None:
    assert verify_rest(SECRET, CCXT_AUTHENT, CCXT_POST_DATA.encode(), b"", None, SENDORDER)
    assert verify_rest(SECRET, CCXT_AUTHENT, CCXT_POST_DATA.encode(), b"", "", SENDORDER)
    assert not verify_rest(SECRET, CCXT_AUTHENT, CCXT_POST_DATA.encode(), b"", "1", SENDORDER)


def test_verify_rest_empty_get_vector() -> None:
    path = "/derivatives/api/v3/openpositions"
    assert verify_rest(SECRET, EMPTY_AUTHENT, b"", b"", None, path)
    assert not verify_rest(SECRET, EMPTY_AUTHENT, b"", b"", None, "/derivatives/api/v3/accounts")


# --------------------------------------------------------------------------- endpoint path


@pytest.mark.parametrize(
    ("url_path", "signed"),
    [
        ("/derivatives/api/v3/sendorder", "/api/v3/sendorder"),
        ("/derivatives/api/v4/historicalfundingrates", "/api/v4/historicalfundingrates"),
        ("/api/v3/sendorder", "/api/v3/sendorder"),
        ("/api/history/v2/orders", "/api/history/v2/orders"),
        ("/api/history/v3/account-log", "/api/history/v3/account-log"),
        ("/api/charts/v1/trade/PF_XBTUSD/1m", "/api/charts/v1/trade/PF_XBTUSD/1m"),
        ("/api/auth/v1/api-keys/v3/check", "/api/auth/v1/api-keys/v3/check"),
        ("/derivatives", ""),
        ("/derivativesX/api", "/derivativesX/api"),
        ("/derivatives/derivatives/api", "/derivatives/api"),
        ("", ""),
    ],
)
def test_endpoint_path_for(url_path: str, signed: str) -> None:
    assert endpoint_path_for(url_path) == signed


def test_derivatives_prefix_strip_is_signature_equivalent() -> None:
    with_prefix = sign_rest(SECRET, PKS_POST_DATA, PKS_NONCE, endpoint_path_for(SENDORDER))
    without = sign_rest(SECRET, PKS_POST_DATA, PKS_NONCE, "/api/v3/sendorder")
    assert with_prefix == without == PKS_AUTHENT
    body = PKS_POST_DATA.encode()
    for url_path in (SENDORDER, "/api/v3/sendorder"):
        assert verify_rest(SECRET, PKS_AUTHENT, b"", body, PKS_NONCE, url_path)


def test_history_paths_are_signed_in_full() -> None:
    authent = sign_rest(SECRET, "", "", "/api/history/v2/orders")
    assert verify_rest(SECRET, authent, b"", b"", None, "/api/history/v2/orders")
    # CCXT before PR #17424 signed without "history/": must not verify.
    wrong = sign_rest(SECRET, "", "", "/api/v2/orders")
    assert not verify_rest(SECRET, wrong, b"", b"", None, "/api/history/v2/orders")


# --------------------------------------------------------------------------- postData forms


def test_query_only_as_ccxt_sends() -> None:
    authent = sign_rest(SECRET, CCXT_QUERY, "", "/api/v3/sendorder")
    assert match_rest(SECRET, authent, CCXT_QUERY.encode(), b"", None, SENDORDER) == "query+body"
    assert verify_rest(SECRET, authent, CCXT_QUERY, "", None, SENDORDER)  # str input too


def test_body_only_as_pks_sends() -> None:
    authent = sign_rest(SECRET, PKS_BODY, PKS_BODY_NONCE, "/api/v3/sendorder")
    body = PKS_BODY.encode()
    assert match_rest(SECRET, authent, b"", body, PKS_BODY_NONCE, SENDORDER) == "query+body"
    assert not verify_rest(SECRET, authent, b"", body, None, SENDORDER)


def test_pks_get_with_query_and_nonce() -> None:
    query = "lastFillTime=2024-01-01T00%3A00%3A00.000Z"
    nonce = "179534465810379200"
    authent = sign_rest(SECRET, query, nonce, "/api/v3/fills")
    assert verify_rest(SECRET, authent, query.encode(), b"", nonce, "/derivatives/api/v3/fills")


def test_ccxt_batchorder_raw_json_body() -> None:
    body = 'json={"batchOrder":[{"order":"cancel","order_id":"3d080c9b-1111"}]}'
    authent = sign_rest(SECRET, body, "", "/api/v3/batchorder")
    assert verify_rest(SECRET, authent, b"", body.encode(), None, "/derivatives/api/v3/batchorder")


def test_query_and_body_forms() -> None:
    query, body = "symbol=PF_XBTUSD", "side=buy&size=1"
    q, b = query.encode(), body.encode()
    both = sign_rest(SECRET, query + body, "", "/api/v3/sendorder")
    body_only = sign_rest(SECRET, body, "", "/api/v3/sendorder")
    query_only = sign_rest(SECRET, query, "", "/api/v3/sendorder")
    assert match_rest(SECRET, both, q, b, None, SENDORDER) == "query+body"
    assert match_rest(SECRET, body_only, q, b, None, SENDORDER) == "body"
    assert match_rest(SECRET, query_only, q, b, None, SENDORDER) == "query"
    reversed_order = sign_rest(SECRET, body + query, "", "/api/v3/sendorder")
    assert not verify_rest(SECRET, reversed_order, q, b, None, SENDORDER)
    joined_with_amp = sign_rest(SECRET, query + "&" + body, "", "/api/v3/sendorder")
    assert not verify_rest(SECRET, joined_with_amp, q, b, None, SENDORDER)


def test_percent20_and_plus_are_distinct_raw_forms() -> None:
    plus_query = CCXT_QUERY.replace("%20", "+")
    signed_pct = sign_rest(SECRET, CCXT_QUERY, "", "/api/v3/sendorder")
    signed_plus = sign_rest(SECRET, plus_query, "", "/api/v3/sendorder")
    assert verify_rest(SECRET, signed_pct, CCXT_QUERY.encode(), b"", None, SENDORDER)
    assert verify_rest(SECRET, signed_plus, plus_query.encode(), b"", None, SENDORDER)
    # Signed as one encoding, sent as the other: the bytes differ and so must the verdict.
    assert not verify_rest(SECRET, signed_pct, plus_query.encode(), b"", None, SENDORDER)
    assert not verify_rest(SECRET, signed_plus, CCXT_QUERY.encode(), b"", None, SENDORDER)


@pytest.mark.parametrize("space", ["%20", "+"])
def test_legacy_decoded_form_is_accepted(space: str) -> None:
    sent = CCXT_QUERY.replace("%20", space)
    authent = sign_rest(SECRET, LEGACY_DECODED, "", "/api/v3/sendorder")
    assert match_rest(SECRET, authent, sent.encode(), b"", None, SENDORDER) == "legacy query+body"
    assert match_rest(SECRET, authent, b"", sent.encode(), None, SENDORDER) == "legacy query+body"


def test_legacy_forms_with_query_and_body() -> None:
    query, body = "cliOrdId=a%20b", "symbol=PF_XBTUSD&x=c+d"
    q, b = query.encode(), body.encode()
    decoded_both = sign_rest(SECRET, "cliOrdId=a bsymbol=PF_XBTUSD&x=c d", "", "/api/v3/sendorder")
    decoded_body = sign_rest(SECRET, "symbol=PF_XBTUSD&x=c d", "", "/api/v3/sendorder")
    decoded_query = sign_rest(SECRET, "cliOrdId=a b", "", "/api/v3/sendorder")
    assert match_rest(SECRET, decoded_both, q, b, None, SENDORDER) == "legacy query+body"
    assert match_rest(SECRET, decoded_body, q, b, None, SENDORDER) == "legacy body"
    assert match_rest(SECRET, decoded_query, q, b, None, SENDORDER) == "legacy query"


def test_legacy_decoding_details() -> None:
    # %2B is a literal plus, %26 a literal ampersand, UTF-8 escapes decode to the characters.
    sent = "cliOrdId=a%2Bb%26c&note=caf%C3%A9"
    authent = sign_rest(SECRET, "cliOrdId=a+b&c&note=café", "", "/api/v3/sendorder")
    assert verify_rest(SECRET, authent, sent.encode(), b"", None, SENDORDER)
    # PKS batchorder body: url-encoded json.dumps with default separators.
    batch = '{"batchOrder": [{"order": "cancel", "order_id": "abc"}]}'
    sent_batch = urlencode({"json": batch})
    authent = sign_rest(SECRET, "json=" + batch, "1", "/api/v3/batchorder")
    path = "/derivatives/api/v3/batchorder"
    assert verify_rest(SECRET, authent, b"", sent_batch.encode(), "1", path)


def test_raw_non_utf8_bytes_are_hashed_as_received() -> None:
    body = b"cliOrdId=\xff\xfe&size=1"
    authent = raw_authent(SECRET, body + b"/api/v3/sendorder")
    assert verify_rest(SECRET, authent, b"", body, None, SENDORDER)
    assert not verify_rest(SECRET, PKS_AUTHENT, b"\xff\xfe\xfd", body, None, SENDORDER)


def test_surrogateescaped_text_is_the_same_as_raw_bytes() -> None:
    body = b"cliOrdId=\xff&size=1"
    authent = raw_authent(SECRET, body + b"/api/v3/sendorder")
    text = body.decode("utf-8", "surrogateescape")
    assert verify_rest(SECRET, authent, "", text, None, SENDORDER)
    # bytearray/memoryview (outside the annotation) are read as bytes too.
    assert verify_rest(SECRET, authent, b"", cast(bytes, bytearray(body)), None, SENDORDER)
    assert verify_rest(SECRET, authent, b"", cast(bytes, memoryview(body)), None, SENDORDER)


# --------------------------------------------------------------------------- rejections


def test_wrong_secret_and_tampering_rejected() -> None:
    body = PKS_POST_DATA.encode()
    assert not verify_rest(OTHER_SECRET, PKS_AUTHENT, b"", body, PKS_NONCE, SENDORDER)
    assert not verify_rest(SECRET, PKS_AUTHENT, b"", body + b"&x=1", PKS_NONCE, SENDORDER)
    assert not verify_rest(SECRET, PKS_AUTHENT, b"", body, PKS_NONCE, "/derivatives/api/v3/x")
    assert not verify_challenge(OTHER_SECRET, WS_CHALLENGE, WS_SIGNED)


@pytest.mark.parametrize(
    "authent",
    [
        "",
        "not base64 at all!!",
        PKS_AUTHENT[:-4],
        PKS_AUTHENT + "=",
        " " + PKS_AUTHENT,
        PKS_AUTHENT + "\n",
        PKS_AUTHENT.lower(),
        PKS_AUTHENT.replace("T", "U", 1),
        PKS_AUTHENT.rstrip("="),
        "ü" * 88,
        "\ud800",
        "A" * 1_000_000,
    ],
)
def test_garbage_authent_rejected(authent: str) -> None:
    body = PKS_POST_DATA.encode()
    assert not verify_rest(SECRET, authent, b"", body, PKS_NONCE, SENDORDER)
    assert match_rest(SECRET, authent, b"", body, PKS_NONCE, SENDORDER) is None
    assert not verify_challenge(WS_SECRET, WS_CHALLENGE, authent)


@pytest.mark.parametrize(
    "secret",
    ["", "not-base64!", "abc", SECRET.rstrip("="), SECRET + "\n", " " + SECRET, "sécret", "\ud800"],
)
def test_bad_secret_never_raises_in_verify_and_raises_in_sign(secret: str) -> None:
    body = PKS_POST_DATA.encode()
    assert not verify_rest(secret, PKS_AUTHENT, b"", body, PKS_NONCE, SENDORDER)
    assert not verify_challenge(secret, WS_CHALLENGE, WS_SIGNED)
    with pytest.raises(ValueError):
        sign_rest(secret, PKS_POST_DATA, PKS_NONCE, "/api/v3/sendorder")
    with pytest.raises(ValueError):
        sign_challenge(secret, WS_CHALLENGE)


def test_wrong_types_never_raise() -> None:
    junk: list[object] = [None, 1, 1.5, b"bytes", ["list"], {"k": "v"}, object()]
    body = PKS_POST_DATA.encode()
    for value in junk:
        anything = cast(str, value)
        assert not verify_rest(anything, PKS_AUTHENT, b"", body, PKS_NONCE, SENDORDER)
        assert not verify_rest(SECRET, anything, b"", body, PKS_NONCE, SENDORDER)
        assert not verify_rest(SECRET, PKS_AUTHENT, b"", body, PKS_NONCE, anything)
        assert not verify_challenge(anything, WS_CHALLENGE, WS_SIGNED)
        assert not verify_challenge(WS_SECRET, anything, WS_SIGNED)
        assert not verify_challenge(WS_SECRET, WS_CHALLENGE, anything)
    for value in [None, 1, ["list"], object()]:
        anything_bytes = cast(bytes, value)
        assert not verify_rest(SECRET, PKS_AUTHENT, anything_bytes, body, PKS_NONCE, SENDORDER)
        assert not verify_rest(SECRET, PKS_AUTHENT, b"", anything_bytes, PKS_NONCE, SENDORDER)


def test_unencodable_text_inputs_rejected() -> None:
    lone = "\ud800"
    assert not verify_rest(SECRET, PKS_AUTHENT, lone, b"", None, SENDORDER)
    assert not verify_rest(SECRET, PKS_AUTHENT, b"", lone, None, SENDORDER)
    assert not verify_rest(SECRET, PKS_AUTHENT, b"", b"", lone, SENDORDER)
    assert not verify_rest(SECRET, PKS_AUTHENT, b"", b"", None, "/api/" + lone)
    assert not verify_challenge(WS_SECRET, lone, WS_SIGNED)


def test_empty_challenge_fields_rejected() -> None:
    assert not verify_challenge(WS_SECRET, "", sign_challenge(WS_SECRET, ""))
    assert not verify_challenge(WS_SECRET, WS_CHALLENGE, "")
    assert not verify_challenge(WS_SECRET, WS_CHALLENGE + " ", WS_SIGNED)


def test_huge_inputs() -> None:
    huge = b"a=" + b"%41+" * 1_000_000
    assert not verify_rest(SECRET, PKS_AUTHENT, huge, huge, "9" * 10_000, SENDORDER)
    body = "x=" + "y" * 1_000_000
    authent = sign_rest(SECRET, body, "", "/api/v3/sendorder")
    assert verify_rest(SECRET, authent, b"", body.encode(), None, SENDORDER)


# --------------------------------------------------------------------------- nonces


def test_nonce_absent_is_always_accepted() -> None:
    tracker = NonceTracker()
    for _ in range(3):
        assert tracker.check("k", None) is None
        assert tracker.check("k", "") is None
    assert tracker.remembered("k") == ()
    assert tracker.check("k", "5") is None
    assert tracker.check("k", None) is None  # still fine after nonces were used
    assert tracker.remembered("k") == (5,)


def test_nonce_increasing_accepted() -> None:
    tracker = NonceTracker()
    assert all(tracker.check("k", str(n)) is None for n in range(1, 200))


def test_nonce_duplicate() -> None:
    tracker = NonceTracker()
    assert tracker.check("k", "100") is None
    assert tracker.check("k", "100") == NONCE_DUPLICATE == "nonceDuplicate"
    assert tracker.check("k", "0100") == NONCE_DUPLICATE  # compared by value
    assert tracker.check("k", "101") is None
    assert tracker.check("k", "100") == NONCE_DUPLICATE


def test_nonce_out_of_order_within_window_then_below_threshold() -> None:
    tracker = NonceTracker(window=4)
    for n in (10, 30, 20, 40):  # 20 arrives late but is within the 4 highest
        assert tracker.check("k", str(n)) is None
    assert tracker.check("k", "5") == NONCE_BELOW_THRESHOLD == "nonceBelowThreshold"
    assert tracker.check("k", "15") is None  # ranks among the 4 highest: accepted, 10 evicted
    assert tracker.remembered("k") == (15, 20, 30, 40)
    assert tracker.check("k", "10") == NONCE_BELOW_THRESHOLD  # reuse of an evicted value
    assert tracker.check("k", "15") == NONCE_DUPLICATE


def test_nonce_default_window_is_64() -> None:
    tracker = NonceTracker()
    assert tracker.window == 64
    for n in range(1000, 1064):
        assert tracker.check("k", str(n)) is None
    assert tracker.check("k", "999") == NONCE_BELOW_THRESHOLD
    assert tracker.check("k", "1100") is None
    assert tracker.check("k", "1000") == NONCE_BELOW_THRESHOLD
    assert tracker.check("k", "1001") == NONCE_DUPLICATE


def test_nonce_window_one_is_strictly_increasing() -> None:
    tracker = NonceTracker(window=1)
    assert tracker.check("k", "10") is None
    assert tracker.check("k", "10") == NONCE_DUPLICATE
    assert tracker.check("k", "9") == NONCE_BELOW_THRESHOLD
    assert tracker.check("k", "11") is None
    assert tracker.remembered("k") == (11,)


def test_nonce_huge_values() -> None:
    tracker = NonceTracker()
    pks = [179534400500365056, 179534400584368096, 179534465731058368]
    assert all(tracker.check("k", str(n)) is None for n in pks)
    assert tracker.check("k", str(pks[-1])) == NONCE_DUPLICATE
    forty = "9" * 40
    assert tracker.check("k", forty) is None
    longest = "1" + "0" * (MAX_NONCE_DIGITS - 1)
    assert tracker.check("k", longest) is None
    assert tracker.check("k", longest) == NONCE_DUPLICATE
    assert tracker.check("k", "1" + "0" * MAX_NONCE_DIGITS) == AUTHENTICATION_ERROR


@pytest.mark.parametrize(
    "nonce",
    ["abc", "-1", "+1", "1.5", "1e9", " 1", "1 ", "1_000", "0x10", "١٢٣", "²", "１２", "\ud800"],
)
def test_malformed_nonce_is_authentication_error(nonce: str) -> None:
    tracker = NonceTracker()
    assert tracker.check("k", "50") is None
    assert tracker.check("k", nonce) == AUTHENTICATION_ERROR == "authenticationError"
    assert tracker.remembered("k") == (50,)
    assert tracker.check("k", cast(str, 51)) == AUTHENTICATION_ERROR


def test_nonce_keys_are_independent() -> None:
    tracker = NonceTracker(window=1)
    assert tracker.check("a", "100") is None
    assert tracker.check("b", "100") is None  # same value, other key
    assert tracker.check("b", "1") == NONCE_BELOW_THRESHOLD
    assert tracker.check("a", "101") is None
    assert tracker.remembered("a") == (101,)
    assert tracker.remembered("b") == (100,)
    assert NonceTracker().check("a", "100") is None  # instances share nothing


def test_rejections_leave_state_unchanged() -> None:
    tracker = NonceTracker(window=2)
    assert tracker.check("k", "10") is None
    assert tracker.check("k", "20") is None
    before = tracker.remembered("k")
    for bad in ("5", "10", "x"):
        assert tracker.check("k", bad) is not None
    assert tracker.remembered("k") == before


def test_forget_and_clear() -> None:
    tracker = NonceTracker(window=1)
    tracker.check("a", "10")
    tracker.check("b", "10")
    tracker.forget("a")
    tracker.forget("never-seen")
    assert tracker.check("a", "1") is None  # a new key pair resets the nonce
    assert tracker.check("b", "1") == NONCE_BELOW_THRESHOLD
    tracker.clear()
    assert tracker.check("b", "1") is None


def test_nonce_memory_is_bounded() -> None:
    tracker = NonceTracker(window=8)
    for n in range(10_000):
        tracker.check("k", str(n))
    assert tracker.remembered("k") == tuple(range(9992, 10_000))


@pytest.mark.parametrize("window", [0, -1, True, 1.5, "64"])
def test_invalid_window(window: object) -> None:
    with pytest.raises(ValueError):
        NonceTracker(window=cast(int, window))


# --------------------------------------------------------------------------- properties

PRINTABLE = st.text(alphabet=st.sampled_from(string.printable), max_size=200)
TEXT_OR_BYTES = st.one_of(st.binary(max_size=300), st.text(max_size=300))


@settings(max_examples=300)
@given(
    secret=st.one_of(st.text(max_size=100), st.sampled_from([SECRET, WS_SECRET])),
    authent=st.one_of(st.text(max_size=120), st.just(PKS_AUTHENT)),
    query=TEXT_OR_BYTES,
    body=TEXT_OR_BYTES,
    nonce=st.one_of(st.none(), st.text(max_size=30)),
    path=st.text(max_size=60),
)
def test_verify_rest_never_raises(
    secret: str, authent: str, query: bytes | str, body: bytes | str, nonce: str | None, path: str
) -> None:
    result = verify_rest(secret, authent, query, body, nonce, path)
    assert isinstance(result, bool)
    assert isinstance(verify_challenge(secret, path, authent), bool)


@settings(max_examples=200)
@given(
    post_data=PRINTABLE,
    nonce=st.one_of(st.just(""), st.integers(min_value=0).map(str)),
    endpoint=st.sampled_from(["/api/v3/sendorder", "/api/v3/openorders", "/api/history/v2/orders"]),
    prefixed=st.booleans(),
    in_query=st.booleans(),
)
def test_sign_then_verify_round_trip(
    post_data: str, nonce: str, endpoint: str, prefixed: bool, in_query: bool
) -> None:
    authent = sign_rest(SECRET, post_data, nonce, endpoint)
    url_path = "/derivatives" + endpoint if prefixed and endpoint.startswith("/api/v") else endpoint
    raw = post_data.encode()
    query, body = (raw, b"") if in_query else (b"", raw)
    assert verify_rest(SECRET, authent, query, body, nonce, url_path)
    assert not verify_rest(OTHER_SECRET, authent, query, body, nonce, url_path)
    assert authent == raw_authent(SECRET, (post_data + nonce + endpoint).encode())


@settings(max_examples=200)
@given(
    params=st.lists(st.tuples(st.text(min_size=1, max_size=12), st.text(max_size=20)), max_size=6),
    percent20=st.booleans(),
)
def test_legacy_round_trip_for_any_encoded_params(
    params: list[tuple[str, str]], percent20: bool
) -> None:
    sent = urlencode(params, quote_via=quote) if percent20 else urlencode(params)
    decoded = "&".join(f"{key}={value}" for key, value in params)
    assert unquote_plus(sent) == decoded
    authent = sign_rest(SECRET, decoded, "", "/api/v3/sendorder")
    assert verify_rest(SECRET, authent, sent.encode(), b"", None, SENDORDER)
    assert verify_rest(SECRET, authent, b"", sent.encode(), None, SENDORDER)


@settings(max_examples=200)
@given(challenge=st.text(min_size=1, max_size=100))
def test_challenge_round_trip(challenge: str) -> None:
    signed = sign_challenge(WS_SECRET, challenge)
    assert verify_challenge(WS_SECRET, challenge, signed)
    assert not verify_challenge(OTHER_SECRET, challenge, signed)


@settings(max_examples=200)
@given(
    window=st.integers(min_value=1, max_value=6),
    nonces=st.lists(st.integers(min_value=0, max_value=40), max_size=60),
)
def test_nonce_tracker_matches_reference_model(window: int, nonces: list[int]) -> None:
    tracker = NonceTracker(window=window)
    accepted: set[int] = set()
    for n in nonces:
        top = sorted(accepted)[-window:]
        if n in top:
            expected: str | None = NONCE_DUPLICATE
        elif len(top) == window and n < top[0]:
            expected = NONCE_BELOW_THRESHOLD
        else:
            expected = None
            accepted.add(n)
        assert tracker.check("k", str(n)) == expected
        assert tracker.remembered("k") == tuple(sorted(accepted)[-window:])


# --------------------------------------------------------------------------- purity


def test_module_imports_only_pure_stdlib() -> None:
    source = Path(auth.__file__).read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    allowed = {"base64", "bisect", "collections.abc", "hashlib", "hmac", "typing", "urllib.parse"}
    assert imported <= allowed
