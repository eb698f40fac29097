"""A standalone Kraken Futures client; it imports nothing from mock_exchange, so it works
against the real Kraken as well as our server.

REST: ``FuturesClient`` (sync) and ``AsyncFuturesClient`` (async) over one pure core
(``client.core``, ``client.endpoints``), typed results (``client.models*``), one exception
table (``client.errors``), an optional cost-model limiter (``client.ratelimit``). See
docs/client.md.

WebSocket: ``FuturesWebSocket`` (async) with typed messages (``client.ws_messages``,
``client.ws_private``), its own exceptions (``client.ws_errors``: ``WebSocketError`` and
subclasses), and the local-state trackers ``OpenOrdersTracker`` and ``OrderBookTracker``. See
docs/client-websocket.md.

Admin: ``AdminClient`` for the mock exchange's ``/__admin/`` API (``client.admin``), kept apart
from the Kraken client.
"""

from .errors import (
    AuthenticationError,
    DuplicateClientOrderId,
    ExchangeUnavailable,
    InsufficientAvailableFunds,
    InsufficientFunds,
    InvalidArgument,
    InvalidOrder,
    IocWouldNotExecute,
    KrakenError,
    MarketClosed,
    NonceError,
    NotFound,
    OrderAlreadyFilled,
    OrderError,
    OrderNotFound,
    OrderRejected,
    PermissionDenied,
    PostWouldExecute,
    PriceOutsideCollar,
    ProcessBeforeExpired,
    RateLimitExceeded,
    SelfFill,
    UnexpectedResponse,
    WouldNotReducePosition,
)
from .orders import BatchCancel, BatchEdit, BatchSend
from .ratelimit import RateLimiter
from .rest import AsyncFuturesClient, FuturesClient, KrakenAuth, generate_new_order_id
from .trackers import OpenOrdersTracker, OrderBookTracker
from .ws import FuturesWebSocket
from .ws_errors import (
    ConnectionClosedError,
    SubscriptionError,
    WebSocketAuthError,
    WebSocketError,
)

__all__ = [
    "AsyncFuturesClient",
    "AuthenticationError",
    "BatchCancel",
    "BatchEdit",
    "BatchSend",
    "ConnectionClosedError",
    "DuplicateClientOrderId",
    "ExchangeUnavailable",
    "FuturesClient",
    "FuturesWebSocket",
    "InsufficientAvailableFunds",
    "InsufficientFunds",
    "InvalidArgument",
    "InvalidOrder",
    "IocWouldNotExecute",
    "KrakenAuth",
    "KrakenError",
    "MarketClosed",
    "NonceError",
    "NotFound",
    "OpenOrdersTracker",
    "OrderAlreadyFilled",
    "OrderBookTracker",
    "OrderError",
    "OrderNotFound",
    "OrderRejected",
    "PermissionDenied",
    "PostWouldExecute",
    "PriceOutsideCollar",
    "ProcessBeforeExpired",
    "RateLimitExceeded",
    "RateLimiter",
    "SelfFill",
    "SubscriptionError",
    "UnexpectedResponse",
    "WebSocketAuthError",
    "WebSocketError",
    "WouldNotReducePosition",
    "generate_new_order_id",
]
