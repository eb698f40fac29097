"""TOML pieces the scenario tests write their files from: the one-trader market most tests start
from, the second trader, and a `place` action. Messages name line numbers, so each piece is the
exact text (leading newline included) the tests count lines in."""

from __future__ import annotations

#: One perpetual at 60000 and one trader (alice) with 100,000 USD; `.format(duration=...)`.
MARKET = """\
[scenario]
duration = "{duration}"

[instruments.PF_XBTUSD]
price = 60000

[[accounts]]
name = "alice"
balances = {{ USD = 100000 }}
"""

#: The second trader, with the same balance as alice.
BOB = '\n[[accounts]]\nname = "bob"\nbalances = { USD = 100000 }\n'


def two_accounts(duration: str, **prices: int) -> str:
    """A scenario of `duration` with one instrument per `prices` entry (symbol = price) and
    alice and bob with 100,000 USD each, written without blank lines."""
    instruments = "".join(f"[instruments.{symbol}]\nprice = {p}\n" for symbol, p in prices.items())
    accounts = "".join(f'[[accounts]]\nname = "{n}"\nbalances = {{ USD = 100000 }}\n'
                       for n in ("alice", "bob"))  # fmt: skip
    return f'\n[scenario]\nduration = "{duration}"\n' + instruments + accounts


def place(
    at: str,
    label: str,
    side: str = "buy",
    kind: str = "lmt",
    size: str = "0.1",
    price: str | None = "50000",
    account: str = "alice",
    symbol: str = "PF_XBTUSD",
) -> str:
    """A `place` action; `price=None` leaves the price out (market orders)."""
    text = (
        f'\n[[actions]]\nkind = "place"\nat = "{at}"\naccount = "{account}"\n'
        f'label = "{label}"\nsymbol = "{symbol}"\nside = "{side}"\ntype = "{kind}"\n'
        f'size = "{size}"\n'
    )
    return text + (f"price = {price}\n" if price is not None else "")
