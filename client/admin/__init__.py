"""Clients for the simulator's own `/__admin/` API (docs/admin-api.md): open accounts, reset,
move the manual clock, set prices and market states, admin-cancel orders, set funding, dump
the state, drive RFQs. Kept apart from the Kraken client: the real Kraken has no such API.

    from client.admin import AdminClient
    with AdminClient("http://127.0.0.1:8000") as admin:
        alice = admin.open_account("alice", balances={"USD": 50_000})
        admin.set_prices("PF_XBTUSD", mark="58000.5")
        admin.advance_clock(60_000)

Layout: `reader` (strict JSON field access), `models` (typed answers), `core` (errors, request
builders, answer parsing; no I/O), `shells` (`AdminClient` on httpx.Client, `AsyncAdminClient`
on httpx.AsyncClient). Invariant: nothing here imports `mock_exchange`.
"""

from .core import (
    AdminConflictError,
    AdminConnectionError,
    AdminError,
    AdminInputError,
    AdminNotFoundError,
    AdminResponseError,
    AdminUnavailableError,
    Call,
    finish,
)
from .models import (
    AccountDetails,
    AccountKeys,
    AccountSnapshot,
    AdminCancellation,
    BlockTrade,
    ClockMove,
    ClockState,
    FundingRate,
    Margin,
    MarketPrices,
    MarketSnapshot,
    MarketStateChange,
    OrderSnapshot,
    Position,
    ResetResult,
    RfqAcceptance,
    RfqCreated,
    StateDump,
)
from .shells import DEFAULT_BASE_URL, AdminClient, AsyncAdminClient

__all__ = [
    "DEFAULT_BASE_URL",
    "AccountDetails",
    "AccountKeys",
    "AccountSnapshot",
    "AdminCancellation",
    "AdminClient",
    "AdminConflictError",
    "AdminConnectionError",
    "AdminError",
    "AdminInputError",
    "AdminNotFoundError",
    "AdminResponseError",
    "AdminUnavailableError",
    "AsyncAdminClient",
    "BlockTrade",
    "Call",
    "ClockMove",
    "ClockState",
    "FundingRate",
    "Margin",
    "MarketPrices",
    "MarketSnapshot",
    "MarketStateChange",
    "OrderSnapshot",
    "Position",
    "ResetResult",
    "RfqAcceptance",
    "RfqCreated",
    "StateDump",
    "finish",
]
