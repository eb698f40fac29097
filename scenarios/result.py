"""What a scenario run produced: per-account figures, checks, the event log, order messages.

`ScenarioResult.passed` is true when every expectation passed; `report()` renders a plain-text
summary (accounts table, then each check). PnL is the change of the account's flex portfolio
value (collateral + unrealised PnL, USD) from the start of the run to the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from .expectations import Check
from .target import Ack, OrderMessage, Position, Target


@dataclass(frozen=True)
class AccountSummary:
    name: str
    account_id: str
    orders_sent: int
    orders_accepted: int
    fills: int
    volume: Decimal  # sum of filled sizes
    pnl: Decimal
    equity: Decimal
    positions: Mapping[str, Position]

    @classmethod
    def read(
        cls,
        target: Target,
        name: str,
        account_id: str,
        start_equity: Decimal,
        sent: int,
        accepted: int,
    ) -> AccountSummary:
        state = target.account_state(name)
        fills = target.fills(name)
        volume = sum((f.size for f in fills), Decimal(0))
        return cls(
            name,
            account_id,
            sent,
            accepted,
            len(fills),
            volume,
            state.equity - start_equity,
            state.equity,
            state.positions,
        )


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    seed: int
    duration: int
    accounts: tuple[AccountSummary, ...]
    checks: tuple[Check, ...]
    log: tuple[str, ...]
    messages: Mapping[str, tuple[OrderMessage, ...]]
    acks: Mapping[str, Ack]

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    @property
    def failures(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.passed)

    def account(self, name: str) -> AccountSummary:
        for summary in self.accounts:
            if summary.name == name:
                return summary
        raise KeyError(name)

    def report(self) -> str:
        head = f"{'account':<16} {'orders':>7} {'accepted':>8} {'fills':>6} {'pnl (USD)':>16}"
        lines = [f"scenario {self.name} (seed {self.seed}, {self.duration} ms)", head]
        for a in self.accounts:
            lines.append(
                f"{a.name:<16} {a.orders_sent:>7} {a.orders_accepted:>8} {a.fills:>6} "
                f"{a.pnl:>16.2f}"
            )
        met = sum(1 for c in self.checks if c.passed)
        lines.append(f"expectations met: {met}/{len(self.checks)}")
        for c in self.checks:
            lines.append(f"  {'ok  ' if c.passed else 'FAIL'} {c.message}")
        return "\n".join(lines)
