"""What the exchange has done, kept for the read endpoints: fills, trades, order history, ledger.

`History.attach(state)` subscribes a recorder to `state.exchange`, stores it in
`state.extras["history"]`, and registers a reset hook that clears it and follows the new
exchange. `recorder` turns events into the plain records of `records`; the protocol encoders
write those in Kraken's dialect. Everything is bounded and deterministic (see `recorder`).
"""

from .recorder import AccountLogs, History, HistoryLimits, SymbolLogs
from .records import (
    RESOLUTIONS_MS,
    Candle,
    CandleSource,
    Execution,
    Fill,
    LogEntry,
    LogKind,
    OrderKind,
    OrderRecord,
    PositionUpdate,
    PriceRecord,
    PublicTrade,
)

__all__ = [
    "RESOLUTIONS_MS",
    "AccountLogs",
    "Candle",
    "CandleSource",
    "Execution",
    "Fill",
    "History",
    "HistoryLimits",
    "LogEntry",
    "LogKind",
    "OrderKind",
    "OrderRecord",
    "PositionUpdate",
    "PriceRecord",
    "PublicTrade",
    "SymbolLogs",
]
