"""The thin I/O shells over the pure core: ``FuturesClient`` (sync) and ``AsyncFuturesClient``
(async), both on httpx, signing through one ``httpx.Auth`` flow (``KrakenAuth``).

Every Kraken method is defined once, as a ``Call`` builder in ``endpoints``/``endpoints_funds``;
the classes below expose each builder as a method with the builder's exact signature and
docstring (``_SyncMethod``/``_AsyncMethod`` descriptors), send the call, and hand the answer to
``core.result``. So the two clients cannot drift apart, and they share validation, encoding,
parsing and the error table.

``KrakenAuth`` signs what httpx is about to send: the raw query string plus the raw body,
the ``Nonce`` header from its nonce source (``auth.nonce``, a ``MonotonicNonce`` unless one is
given) and the endpoint's own path without ``/derivatives`` (``client.signing``). The shells
pass that path in the request's ``extensions`` (``ENDPOINT_PATH``), so a ``base_url`` with a
path of its own (a proxy at ``https://proxy/kraken``) does not change what is signed. Public
calls go unsigned; a private call without credentials raises ``AuthenticationError`` before
anything is sent. Empty credentials are refused when the client is made.

Nonces: every client of one API key must draw from ONE nonce source (pass the same
``MonotonicNonce`` as ``nonce=`` to each, or ``nonce=first.auth.nonce``); two sources of the same
clock collide (``nonceDuplicate``) or fall behind each other (``nonceBelowThreshold``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import inspect
import secrets
import string
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator
from types import TracebackType
from typing import Any, Generic, ParamSpec, TypeVar, overload

import httpx

from . import endpoints as e
from . import endpoints_funds as f
from .core import DEFAULT_BASE_URL, Call, result
from .errors import AuthenticationError
from .ratelimit import RateLimiter
from .signing import MonotonicNonce, sign, signing_path

P = ParamSpec("P")
T = TypeVar("T")

ORDER_ID_ALPHABET = string.ascii_letters + string.digits
USER_AGENT = "kraken-futures-mock-client/0.1"
#: Request extension carrying the endpoint path (``/derivatives/api/v3/...``) to sign.
ENDPOINT_PATH = "kraken_endpoint_path"


def generate_new_order_id() -> str:
    """32 cryptographically random characters (letters and digits) for ``cli_ord_id``.
    Local: nothing is sent."""
    return "".join(secrets.choice(ORDER_ID_ALPHABET) for _ in range(32))


class KrakenAuth(httpx.Auth):
    """Kraken's ``APIKey``/``Nonce``/``Authent`` headers, for sync and async httpx alike."""

    requires_request_body = True

    def __init__(
        self, api_key: str, api_secret: str, nonce: Callable[[], str] | None = None,
    ) -> None:
        if not isinstance(api_key, str) or not api_key.strip():
            raise ValueError("api_key must be the non-empty key Kraken issued")
        if not isinstance(api_secret, str) or not api_secret:
            raise ValueError("api_secret must be the non-empty base64 secret Kraken issued")
        try:
            decoded = base64.b64decode(api_secret, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError("api_secret must be the base64 secret Kraken issued") from None
        if not decoded:
            raise ValueError("api_secret must be the non-empty base64 secret Kraken issued")
        self.api_key = api_key
        self._secret = api_secret
        #: the nonce source; pass it as ``nonce=`` to every other client of this key
        self.nonce: Callable[[], str] = nonce or MonotonicNonce()

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        nonce = self.nonce()
        post_data = request.url.query.decode("ascii") + request.content.decode("utf-8")
        path = request.extensions.get(ENDPOINT_PATH, request.url.path)
        request.headers["APIKey"] = self.api_key
        request.headers["Nonce"] = nonce
        request.headers["Authent"] = sign(self._secret, post_data, nonce, signing_path(path))
        yield request


class _Base:
    """Configuration shared by both shells."""

    def __init__(
        self,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        nonce: Callable[[], str] | None = None,
        rate_limiter: RateLimiter | None = None,
    ) -> None:
        if (api_key is None) != (api_secret is None):
            raise ValueError("give both api_key and api_secret, or neither (public calls only)")
        self.base_url = base_url.rstrip("/")
        self.auth = None if api_key is None else KrakenAuth(api_key, api_secret or "", nonce)
        self.rate_limiter = rate_limiter

    generate_new_order_id = staticmethod(generate_new_order_id)

    def _request_args(self, call: Call[Any]) -> dict[str, Any]:
        if call.private and self.auth is None:
            raise AuthenticationError(
                "authenticationError", f"{call.path} needs api_key and api_secret"
            )
        query, body, content_type = call.encode()
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if content_type is not None:
            headers["Content-Type"] = content_type
        url = self.base_url + call.path + (f"?{query}" if query else "")
        return {"method": call.method, "url": url, "content": body, "headers": headers,
                "auth": self.auth if call.private else None,
                "extensions": {ENDPOINT_PATH: call.path}}

    def _wait(self, call: Call[Any]) -> float:
        if self.rate_limiter is None or not call.private:
            return 0.0
        return self.rate_limiter.reserve(call.cost)


def _result_signature(build: Callable[..., Any]) -> inspect.Signature:
    """The builder's signature with ``Call[X]`` as return annotation replaced by ``X``: what
    ``help()`` should show for the client method."""
    signature = inspect.signature(build)
    returned = signature.return_annotation
    if isinstance(returned, str) and returned.startswith("Call[") and returned.endswith("]"):
        signature = signature.replace(return_annotation=returned[len("Call["):-1])
    return signature


class _SyncMethod(Generic[P, T]):
    """Exposes a ``Call`` builder as a blocking ``FuturesClient`` method."""

    def __init__(self, build: Callable[P, Call[T]]) -> None:
        self.build = build
        self.signature = _result_signature(build)
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> _SyncMethod[P, T]: ...
    @overload
    def __get__(self, obj: FuturesClient, owner: type[Any]) -> Callable[P, T]: ...
    def __get__(
        self, obj: FuturesClient | None, owner: type[Any]
    ) -> _SyncMethod[P, T] | Callable[P, T]:
        if obj is None:
            return self
        build, client = self.build, obj

        @functools.wraps(build)
        def method(*args: P.args, **kwargs: P.kwargs) -> T:
            return client.send(build(*args, **kwargs))

        method.__signature__ = self.signature  # type: ignore[attr-defined]
        return method


class _AsyncMethod(Generic[P, T]):
    """Exposes a ``Call`` builder as a coroutine ``AsyncFuturesClient`` method."""

    def __init__(self, build: Callable[P, Call[T]]) -> None:
        self.build = build
        self.signature = _result_signature(build)
        self.__doc__ = build.__doc__

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> _AsyncMethod[P, T]: ...
    @overload
    def __get__(
        self, obj: AsyncFuturesClient, owner: type[Any]
    ) -> Callable[P, Coroutine[Any, Any, T]]: ...
    def __get__(
        self, obj: AsyncFuturesClient | None, owner: type[Any]
    ) -> _AsyncMethod[P, T] | Callable[P, Coroutine[Any, Any, T]]:
        if obj is None:
            return self
        build, client = self.build, obj

        @functools.wraps(build)
        async def method(*args: P.args, **kwargs: P.kwargs) -> T:
            return await client.send(build(*args, **kwargs))

        method.__signature__ = self.signature  # type: ignore[attr-defined]
        return method


class FuturesClient(_Base):
    """Blocking Kraken Futures REST client. ``with FuturesClient(key, secret) as c: ...``.

    ``base_url`` defaults to the real Kraken (https://futures.kraken.com); point it at
    ``http://127.0.0.1:<port>`` for kraken-futures-mock. Every method is listed in
    docs/client.md with its Kraken endpoint.
    """

    def __init__(
        self,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 10.0,
        nonce: Callable[[], str] | None = None,
        rate_limiter: RateLimiter | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(api_key, api_secret, base_url=base_url, nonce=nonce,
                         rate_limiter=rate_limiter)
        self.http = httpx.Client(timeout=timeout, transport=transport)
        self._sleep = sleep

    def send(self, call: Call[T]) -> T:
        """Send one ``Call`` and return its typed result (or raise its ``KrakenError``)."""
        args = self._request_args(call)
        delay = self._wait(call)
        if delay > 0:
            self._sleep(delay)
        response = self.http.request(**args)
        return result(call, response.status_code, response.content)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> FuturesClient:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    submit_order = _SyncMethod(e.submit_order)
    edit_order = _SyncMethod(e.edit_order)
    cancel_order = _SyncMethod(e.cancel_order)
    cancel_all_orders = _SyncMethod(e.cancel_all_orders)
    cancel_all_orders_after = _SyncMethod(e.cancel_all_orders_after)
    batch_order_management = _SyncMethod(e.batch_order_management)
    get_open_orders = _SyncMethod(e.get_open_orders)
    get_order_status = _SyncMethod(e.get_order_status)
    get_open_positions = _SyncMethod(e.get_open_positions)
    get_accounts = _SyncMethod(e.get_accounts)
    get_fills = _SyncMethod(e.get_fills)
    get_leverage_preferences = _SyncMethod(e.get_leverage_preferences)
    set_leverage_preference = _SyncMethod(e.set_leverage_preference)
    get_pnl_preferences = _SyncMethod(e.get_pnl_preferences)
    set_pnl_preference = _SyncMethod(e.set_pnl_preference)
    get_instruments = _SyncMethod(e.get_instruments)
    get_tickers = _SyncMethod(e.get_tickers)
    get_ticker = _SyncMethod(e.get_ticker)
    get_order_book = _SyncMethod(e.get_order_book)
    get_trade_history = _SyncMethod(e.get_trade_history)
    submit_wallet_transfer = _SyncMethod(f.submit_wallet_transfer)
    submit_transfer_to_spot = _SyncMethod(f.submit_transfer_to_spot)
    submit_subaccount_transfer = _SyncMethod(f.submit_subaccount_transfer)
    get_open_rfqs = _SyncMethod(f.get_open_rfqs)
    get_open_rfq = _SyncMethod(f.get_open_rfq)
    get_rfq_open_offers = _SyncMethod(f.get_rfq_open_offers)
    submit_rfq_new_offer = _SyncMethod(f.submit_rfq_new_offer)
    update_rfq_open_offer = _SyncMethod(f.update_rfq_open_offer)
    cancel_rfq_offer = _SyncMethod(f.cancel_rfq_offer)
    get_assignment_programs = _SyncMethod(f.get_assignment_programs)
    add_assignment_preference = _SyncMethod(f.add_assignment_preference)
    delete_assignment_preference = _SyncMethod(f.delete_assignment_preference)
    get_assignment_preferences_history = _SyncMethod(f.get_assignment_preferences_history)


class AsyncFuturesClient(_Base):
    """Async twin of ``FuturesClient``: the same methods, awaited; ``async with`` closes it."""

    def __init__(
        self,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 10.0,
        nonce: Callable[[], str] | None = None,
        rate_limiter: RateLimiter | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(api_key, api_secret, base_url=base_url, nonce=nonce,
                         rate_limiter=rate_limiter)
        self.http = httpx.AsyncClient(timeout=timeout, transport=transport)
        self._sleep = sleep

    async def send(self, call: Call[T]) -> T:
        """Send one ``Call`` and return its typed result (or raise its ``KrakenError``)."""
        args = self._request_args(call)
        delay = self._wait(call)
        if delay > 0:
            await self._sleep(delay)
        response = await self.http.request(**args)
        return result(call, response.status_code, response.content)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> AsyncFuturesClient:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.aclose()

    submit_order = _AsyncMethod(e.submit_order)
    edit_order = _AsyncMethod(e.edit_order)
    cancel_order = _AsyncMethod(e.cancel_order)
    cancel_all_orders = _AsyncMethod(e.cancel_all_orders)
    cancel_all_orders_after = _AsyncMethod(e.cancel_all_orders_after)
    batch_order_management = _AsyncMethod(e.batch_order_management)
    get_open_orders = _AsyncMethod(e.get_open_orders)
    get_order_status = _AsyncMethod(e.get_order_status)
    get_open_positions = _AsyncMethod(e.get_open_positions)
    get_accounts = _AsyncMethod(e.get_accounts)
    get_fills = _AsyncMethod(e.get_fills)
    get_leverage_preferences = _AsyncMethod(e.get_leverage_preferences)
    set_leverage_preference = _AsyncMethod(e.set_leverage_preference)
    get_pnl_preferences = _AsyncMethod(e.get_pnl_preferences)
    set_pnl_preference = _AsyncMethod(e.set_pnl_preference)
    get_instruments = _AsyncMethod(e.get_instruments)
    get_tickers = _AsyncMethod(e.get_tickers)
    get_ticker = _AsyncMethod(e.get_ticker)
    get_order_book = _AsyncMethod(e.get_order_book)
    get_trade_history = _AsyncMethod(e.get_trade_history)
    submit_wallet_transfer = _AsyncMethod(f.submit_wallet_transfer)
    submit_transfer_to_spot = _AsyncMethod(f.submit_transfer_to_spot)
    submit_subaccount_transfer = _AsyncMethod(f.submit_subaccount_transfer)
    get_open_rfqs = _AsyncMethod(f.get_open_rfqs)
    get_open_rfq = _AsyncMethod(f.get_open_rfq)
    get_rfq_open_offers = _AsyncMethod(f.get_rfq_open_offers)
    submit_rfq_new_offer = _AsyncMethod(f.submit_rfq_new_offer)
    update_rfq_open_offer = _AsyncMethod(f.update_rfq_open_offer)
    cancel_rfq_offer = _AsyncMethod(f.cancel_rfq_offer)
    get_assignment_programs = _AsyncMethod(f.get_assignment_programs)
    add_assignment_preference = _AsyncMethod(f.add_assignment_preference)
    delete_assignment_preference = _AsyncMethod(f.delete_assignment_preference)
    get_assignment_preferences_history = _AsyncMethod(f.get_assignment_preferences_history)
