"""Kraken Futures authentication: REST ``Authent``, the WebSocket signed challenge, and nonces.

Job
---
Compute and verify the two Kraken Futures signatures, and decide whether a ``Nonce`` header is
acceptable for an API key. The server reads the raw request (query string, body, headers), looks
the secret up by ``APIKey`` and asks this module whether everything matches; this module knows
nothing about HTTP frameworks, key storage, clocks or randomness (stdlib only, no I/O).

The signature (reference kraken-futures-rest.md §2.2, kraken-futures-ws.md §2.2)::

    Authent = base64( HMAC-SHA512( key = base64decode(secret),
                                   msg = SHA256(postData + nonce + endpointPath) ) )

``nonce`` is "" when the ``Nonce`` header is absent, and ``endpointPath`` is the URL path with a
leading ``/derivatives`` segment removed (``/api/history/...`` and ``/api/charts/...`` paths are
signed in full). The WebSocket ``signed_challenge`` is the same function with postData = the
challenge, nonce = "" and endpointPath = "".

Invariants
----------
* Verification hashes the raw bytes as received (query string without ``?``, body), never a
  re-serialisation of parsed parameters: clients differ in key order and in ``+`` vs ``%20``.
* Accepted postData candidates (reference §2.7), first match wins: ``query + body``, ``body``,
  ``query`` (the last two only when both are non-empty, otherwise they equal the first), then the
  legacy pre-2024 form of each: percent-decoded with ``+`` read as a space (bytes, so a
  non-UTF-8 result is fine). Note that ``body`` alone leaves the query unauthenticated and vice
  versa; the reference recommends accepting them and no surveyed client needs stricter.
* Secrets are decoded strictly (standard alphabet, padding required, no whitespace) and must not be
  empty: an empty HMAC key authenticates nothing. ``Authent`` is compared as text, exactly.
* ``verify_*`` and ``match_rest`` never raise: malformed input of any kind (invalid or empty
  secret, non-ASCII or empty signature, wrong types, unencodable text, huge inputs) gives a
  negative answer. Comparisons use ``hmac.compare_digest``.
* No module-level mutable state. ``NonceTracker`` keeps its state in the instance, bounded per key.
"""

import base64
import hashlib
import hmac
from bisect import bisect_left
from collections.abc import Iterable
from typing import Final, Literal
from urllib.parse import unquote_to_bytes

__all__ = [
    "AUTHENTICATION_ERROR",
    "DEFAULT_NONCE_WINDOW",
    "MAX_NONCE_DIGITS",
    "NONCE_BELOW_THRESHOLD",
    "NONCE_DUPLICATE",
    "NonceError",
    "NonceTracker",
    "PostDataForm",
    "endpoint_path_for",
    "match_rest",
    "sign_challenge",
    "sign_rest",
    "verify_challenge",
    "verify_rest",
]

AUTHENTICATION_ERROR: Final = "authenticationError"
NONCE_BELOW_THRESHOLD: Final = "nonceBelowThreshold"
NONCE_DUPLICATE: Final = "nonceDuplicate"

NonceError = Literal["authenticationError", "nonceBelowThreshold", "nonceDuplicate"]
"""The Kraken ``error`` strings ``NonceTracker.check`` can return."""

PostDataForm = Literal[
    "query+body",
    "body",
    "query",
    "legacy query+body",
    "legacy body",
    "legacy query",
]
"""Which postData candidate matched (``match_rest``); ``legacy`` = percent-decoded form."""

DEFAULT_NONCE_WINDOW: Final = 64
"""How many of the highest accepted nonces per key are remembered (see ``NonceTracker``)."""

MAX_NONCE_DIGITS: Final = 1024
"""Longest accepted nonce string; keeps nonce memory bounded (clients send 13-18 digits)."""

_DERIVATIVES: Final = "/derivatives"


# --------------------------------------------------------------------------- signing


def _decode_secret(secret_b64: str) -> bytes:
    """Decode an API secret strictly; raise ValueError if invalid or empty."""
    if not isinstance(secret_b64, str):
        raise ValueError("API secret must be a base64 string")
    key = base64.b64decode(secret_b64, validate=True)  # binascii.Error is a ValueError
    if not key:
        raise ValueError("API secret is empty")
    return key


def _mac_b64(key: bytes, parts: Iterable[bytes]) -> bytes:
    """base64(HMAC-SHA512(key, SHA256(concatenation of parts))) as ASCII bytes."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part)
    return base64.b64encode(hmac.new(key, digest.digest(), hashlib.sha512).digest())


def endpoint_path_for(url_path: str) -> str:
    """The endpointPath to sign for a request path: strip one leading ``/derivatives`` segment.

    ``/derivatives/api/v3/sendorder`` -> ``/api/v3/sendorder``; ``/api/history/v2/orders`` and
    ``/api/charts/v1/...`` are unchanged. Only a whole segment is stripped (``/derivativesX`` is
    left alone); ``/derivatives`` itself becomes "" as in the clients' ``removeprefix``.
    """
    if url_path == _DERIVATIVES or url_path.startswith(_DERIVATIVES + "/"):
        return url_path[len(_DERIVATIVES) :]
    return url_path


def sign_rest(secret_b64: str, post_data: str, nonce: str, endpoint_path: str) -> str:
    """Compute ``Authent`` for ``post_data + nonce + endpoint_path`` (each UTF-8 encoded).

    ``endpoint_path`` is used as given (pass it through ``endpoint_path_for`` to strip
    ``/derivatives``). Raises ValueError for an invalid or empty secret or unencodable text.
    """
    key = _decode_secret(secret_b64)
    parts = (post_data.encode(), nonce.encode(), endpoint_path.encode())
    return _mac_b64(key, parts).decode("ascii")


def sign_challenge(secret_b64: str, challenge: str) -> str:
    """Compute the WebSocket v1 ``signed_challenge``; raises ValueError like ``sign_rest``."""
    return sign_rest(secret_b64, challenge, "", "")


# --------------------------------------------------------------------------- verification


def _to_bytes(value: object) -> bytes | None:
    """Raw bytes of a request part; text is UTF-8 (lone surrogateescape bytes restored)."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        try:
            return value.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            return None
    return None


def _signature_bytes(signature: object) -> bytes | None:
    """A received signature as ASCII bytes, or None if it cannot possibly match."""
    if not isinstance(signature, str) or not signature or not signature.isascii():
        return None
    return signature.encode("ascii")


def _legacy(part: bytes) -> bytes:
    """Pre-2024 signing input: the percent-decoded string, ``+`` read as a space."""
    return unquote_to_bytes(part.replace(b"+", b" "))


def _candidates(query: bytes, body: bytes) -> list[tuple[PostDataForm, tuple[bytes, ...]]]:
    raw: list[tuple[PostDataForm, tuple[bytes, ...]]] = [("query+body", (query, body))]
    if query and body:
        raw += [("body", (body,)), ("query", (query,))]
    legacy_names: dict[PostDataForm, PostDataForm] = {
        "query+body": "legacy query+body",
        "body": "legacy body",
        "query": "legacy query",
    }
    result = list(raw)
    for name, parts in raw:
        decoded = tuple(_legacy(part) for part in parts)
        if decoded != parts:
            result.append((legacy_names[name], decoded))
    return result


def match_rest(
    secret_b64: str,
    authent: str,
    raw_query: bytes | str,
    raw_body: bytes | str,
    nonce: str | None,
    url_path: str,
) -> PostDataForm | None:
    """Which postData form ``authent`` signs, or None if none does (never raises).

    ``raw_query`` is the query string as received, without ``?`` (ASGI ``scope["query_string"]``);
    ``raw_body`` the body as received; ``nonce`` the ``Nonce`` header, or ""/None when absent;
    ``url_path`` the request path (``/derivatives`` is stripped here). Useful to flag clients that
    still rely on the legacy decoded form.
    """
    try:
        key = _decode_secret(secret_b64)
    except ValueError:
        return None
    given = _signature_bytes(authent)
    query = _to_bytes(raw_query)
    body = _to_bytes(raw_body)
    nonce_bytes = b"" if nonce is None else _to_bytes(nonce)
    path = endpoint_path_for(url_path) if isinstance(url_path, str) else None
    path_bytes = None if path is None else _to_bytes(path)
    if given is None or query is None or body is None or nonce_bytes is None or path_bytes is None:
        return None
    suffix = nonce_bytes + path_bytes
    for name, parts in _candidates(query, body):
        if hmac.compare_digest(_mac_b64(key, (*parts, suffix)), given):
            return name
    return None


def verify_rest(
    secret_b64: str,
    authent: str,
    raw_query: bytes | str,
    raw_body: bytes | str,
    nonce: str | None,
    url_path: str,
) -> bool:
    """True iff ``authent`` signs one of the accepted postData forms (see ``match_rest``)."""
    return match_rest(secret_b64, authent, raw_query, raw_body, nonce, url_path) is not None


def verify_challenge(secret_b64: str, original_challenge: str, signed_challenge: str) -> bool:
    """True iff ``signed_challenge`` signs the non-empty ``original_challenge`` (never raises).

    Whether the challenge was issued on this connection for this key is the caller's check.
    """
    try:
        key = _decode_secret(secret_b64)
    except ValueError:
        return False
    given = _signature_bytes(signed_challenge)
    challenge = _to_bytes(original_challenge) if isinstance(original_challenge, str) else None
    if given is None or not challenge:
        return False
    return hmac.compare_digest(_mac_b64(key, (challenge,)), given)


# --------------------------------------------------------------------------- nonces


def _parse_nonce(nonce: str) -> int | None:
    """The value of a well-formed nonce: 1..MAX_NONCE_DIGITS ASCII digits, nothing else."""
    if not (0 < len(nonce) <= MAX_NONCE_DIGITS and nonce.isascii() and nonce.isdigit()):
        return None
    return int(nonce)


class NonceTracker:
    """Per-API-key nonce policy (Kraken publishes no tolerance; reference §2.5 and §9.3).

    Policy, for ``check(api_key, nonce)``:

    * Absent nonce (None or "") -> accepted, state unchanged: ccxt and siebly never send one, and
      a key that used nonces before may omit them later.
    * Malformed nonce -> ``"authenticationError"``. Well formed means 1 to ``MAX_NONCE_DIGITS``
      ASCII digits: no sign, spaces, underscores, decimal point or non-ASCII digits. Kraken has no
      dedicated error for this and no real client can produce it. Magnitude is otherwise free
      (python-kraken-sdk sends 18 digits); leading zeros are allowed and values compare as integers.
    * The tracker remembers, per key, the ``window`` highest accepted nonce values (default 64):
      - a value equal to a remembered one -> ``"nonceDuplicate"``;
      - once ``window`` values are remembered, a value below the lowest of them ->
        ``"nonceBelowThreshold"`` (this also covers re-use of a value that has left the window);
      - otherwise the value is accepted and remembered, and the lowest is forgotten when more
        than ``window`` are held.

      So nonces may arrive out of order as long as they rank among the ``window`` highest values
      seen for that key. The window counts values rather than spanning a numeric or time range
      because clients use different units (ms, 1e-8 s, plain counters) and this module has no
      clock. ``window=1`` means strictly increasing.
    * A rejected nonce changes no state. Call ``check`` only after the signature has verified, so
      that forged requests cannot burn nonces.

    Memory: at most ``window`` integers of at most ``MAX_NONCE_DIGITS`` digits per key; the server
    only passes known keys. ``forget`` (key deleted or replaced: "a new key pair resets the
    nonce") and ``clear`` (exchange reset) drop state. Not thread-safe: use from one event loop.
    """

    __slots__ = ("_seen", "_window")

    def __init__(self, window: int = DEFAULT_NONCE_WINDOW) -> None:
        if isinstance(window, bool) or not isinstance(window, int) or window < 1:
            raise ValueError(f"nonce window must be a positive integer, got {window!r}")
        self._window = window
        self._seen: dict[str, list[int]] = {}  # api key -> ascending accepted values

    @property
    def window(self) -> int:
        """How many of the highest accepted nonces are remembered per key."""
        return self._window

    def check(self, api_key: str, nonce: str | None) -> NonceError | None:
        """None if ``nonce`` is accepted (and recorded), else the Kraken error string."""
        if nonce is None or nonce == "":
            return None
        value = _parse_nonce(nonce) if isinstance(nonce, str) else None
        if value is None:
            return AUTHENTICATION_ERROR
        seen = self._seen.get(api_key)
        if seen is None:
            self._seen[api_key] = [value]
            return None
        index = bisect_left(seen, value)
        if index < len(seen) and seen[index] == value:
            return NONCE_DUPLICATE
        if index == 0 and len(seen) >= self._window:
            return NONCE_BELOW_THRESHOLD
        seen.insert(index, value)
        if len(seen) > self._window:
            del seen[0]
        return None

    def remembered(self, api_key: str) -> tuple[int, ...]:
        """The remembered nonce values for ``api_key``, ascending (for diagnostics/admin)."""
        return tuple(self._seen.get(api_key, ()))

    def forget(self, api_key: str) -> None:
        """Drop the state of one key (key deleted or its secret replaced)."""
        self._seen.pop(api_key, None)

    def clear(self) -> None:
        """Drop the state of every key (exchange reset)."""
        self._seen.clear()
