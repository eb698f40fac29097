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
    """Strictly increasing nonces from the wall clock, safe to share between threads.

    ``per_second`` sets the resolution: ``MILLISECONDS`` (1 000, the default: 13 digits, what
    Kraken's guide suggests), ``MICROSECONDS`` (1 000 000) or ``PYTHON_KRAKEN_SDK``
    (100 000 000, the scale python-kraken-sdk sends: use it for a key that was used with that
    SDK, whose nonces are far above millisecond ones). Kraken keeps, per key, the highest nonce
    it has seen, so a key cannot go back to a coarser scale. When two calls fall in the same
    tick (or the clock steps back) the next value is the previous one plus one.

    ONE instance per API key: every client using the key must share it (``nonce=``). ``now``
    (for tests) gives the current time in units of ``per_second``.
    """

    MILLISECONDS = 1_000
    MICROSECONDS = 1_000_000
    PYTHON_KRAKEN_SDK = 100_000_000

    def __init__(
        self, now: Callable[[], int] | None = None, *, per_second: int = MILLISECONDS,
    ) -> None:
        if isinstance(per_second, bool) or not isinstance(per_second, int) or not (
            1 <= per_second <= 1_000_000_000
        ):
            raise ValueError(f"per_second: an int from 1 to 1e9, not {per_second!r}")
        self.per_second = per_second
        self._now = now or (lambda: time.time_ns() * per_second // 1_000_000_000)
        self._last = 0
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            self._last = max(self._last + 1, self._now())
            return str(self._last)
