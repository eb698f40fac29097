"""Kraken Futures request and challenge signing, written independently of the server.

Kraken signs with one function for both transports:

    Authent = base64( HMAC-SHA512( base64decode(secret), SHA256(post_data + nonce + path) ) )

- REST: ``post_data`` is the URL-encoded query string and/or form body exactly as sent
  (query first, then body, concatenated with nothing between), ``nonce`` is the value of the
  ``Nonce`` header or ``""`` when none is sent, and ``path`` is the endpoint path without the
  ``/derivatives`` prefix and without the query string (``/api/v3/sendorder``,
  ``/api/history/v3/account-log``).
- WebSocket: the signed challenge is the same function with ``post_data`` = the challenge
  string, an empty nonce and an empty path.

Invariant: the functions are pure (no clock, no randomness); the nonce source lives in
``MonotonicNonce`` and is injected by the caller.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable

DERIVATIVES_PREFIX = "/derivatives"


def signing_path(url_path: str) -> str:
    """The path Kraken signs: the URL path without ``/derivatives`` and without a query."""
    path = url_path.split("?", 1)[0]
    if path.startswith(DERIVATIVES_PREFIX):
        path = path[len(DERIVATIVES_PREFIX):]
    return path


def sign(secret: str, post_data: str, nonce: str, path: str) -> str:
    """The ``Authent`` value for one request (see the module docstring)."""
    digest = hashlib.sha256((post_data + nonce + path).encode("utf-8")).digest()
    key = base64.b64decode(secret)
    return base64.b64encode(hmac.new(key, digest, hashlib.sha512).digest()).decode("ascii")


def sign_challenge(secret: str, challenge: str) -> str:
    """The ``signed_challenge`` for a WebSocket ``challenge`` message."""
    return sign(secret, challenge, "", "")


class MonotonicNonce:
    """Strictly increasing millisecond nonces, safe to share between threads.

    Starts from the wall clock in milliseconds; when two calls fall in the same millisecond
    (or the clock steps back) the next value is the previous one plus one.
    """

    def __init__(self, now_ms: Callable[[], int] | None = None) -> None:
        self._now_ms = now_ms or (lambda: time.time_ns() // 1_000_000)
        self._last = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self._last = max(self._last + 1, self._now_ms())
            return str(self._last)
