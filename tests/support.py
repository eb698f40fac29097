"""Test support: `Harness`, a small driver around a fresh deterministic Exchange."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from mock_exchange.engine import commands as c
from mock_exchange.engine.clock import ManualClock
from mock_exchange.engine.events import Event
from mock_exchange.engine.ids import IdGenerator
from mock_exchange.engine.types import OrderType, Side
from mock_exchange.exchange import Exchange, Outcome

D = Decimal


class Harness:
    """A fresh exchange on a manual clock that records every event it publishes."""

    def __init__(self, seed: int = 7) -> None:
        self.clock = ManualClock()
        self.ex = Exchange(self.clock, IdGenerator(seed))
        self.events: list[Event] = []
        self.ex.subscribe(self.events.extend)

    def account(self, name: str, usd: str | int = 100_000, xbt: str | int = 0,
                master: str | None = None) -> str:
        balances: dict[str, dict[str, Decimal]] = {"flex": {"USD": D(usd)}}
        if D(xbt):
            balances["fi_xbtusd"] = {"XBT": D(xbt)}
        outcome = self.ex.submit(c.OpenAccount(name, balances, master))
        assert outcome.account_id is not None
        return outcome.account_id

    def place(self, account: str, side: str, kind: str, size: str | int,
              price: str | int | None = None, symbol: str = "PF_XBTUSD",
              **extra: object) -> Outcome:
        fields = {k: _decimal(k, v) for k, v in extra.items()}
        return self.ex.submit(c.PlaceOrder(
            account, symbol, Side(side), OrderType(kind), D(size),
            D(price) if price is not None else None, **fields,  # type: ignore[arg-type]
        ))

    def edit(self, account: str, order_id: str, **extra: object) -> Outcome:
        fields = {k: _decimal(k, v) for k, v in extra.items()}
        return self.ex.submit(c.EditOrder(account, order_id, **fields))  # type: ignore[arg-type]

    def cancel(self, account: str, order_id: str) -> Outcome:
        return self.ex.submit(c.CancelOrder(account, order_id))

    def prices(self, symbol: str = "PF_XBTUSD", **prices: str | int) -> Outcome:
        return self.ex.submit(c.SetPrices(symbol, **{k: D(v) for k, v in prices.items()}))

    def advance(self, ms: int) -> list[Event]:
        self.clock.advance(ms)
        return self.ex.advance()

    def position(self, account: str, symbol: str = "PF_XBTUSD") -> Decimal:
        return self.ex.accounts[account].position_size(symbol)

    def balance(self, account: str, wallet: str = "flex", currency: str = "USD") -> Decimal:
        return self.ex.accounts[account].wallets[wallet].balance(currency)

    def book(self, symbol: str = "PF_XBTUSD") -> tuple[list[tuple[Decimal, Decimal]], ...]:
        market = self.ex.markets[symbol]
        inst = market.instrument
        return tuple(
            [(inst.price(p), inst.size(q)) for p, q in market.book.depth(side)]
            for side in (Side.BUY, Side.SELL)
        )


_DECIMAL_FIELDS = {"size", "limit_price", "stop_price", "trailing_max_deviation",
                   "limit_offset_value"}


def _decimal(key: str, value: object) -> object:
    """Let tests write prices and sizes as ints or strings."""
    if key in _DECIMAL_FIELDS and isinstance(value, (int, str)):
        return D(value)
    return value


def kinds(events: Sequence[Event]) -> list[str]:
    """Event names, with the reason where there is one: "OrderCancelled:dead_man_switch"."""
    out = []
    for e in events:
        reason = getattr(e, "reason", None)
        out.append(f"{type(e).__name__}:{reason.value}" if reason is not None else type(e).__name__)
    return out


def only(events: Sequence[Event], kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, kind)]


class KrakenTestClient:
    """Signs requests the way real clients do, against an in-process app.

    `style="body"` sends parameters as a form body (python-kraken-sdk), `style="query"` in the
    query string with an empty body (ccxt). Returns the decoded JSON.
    """

    def __init__(self, app: object, key: str = "", secret: str = "") -> None:
        from starlette.testclient import TestClient

        self.http = TestClient(app)  # type: ignore[arg-type]
        self.key, self.secret = key, secret
        self.nonce = 1_700_000_000_000_000_00
        self.last_status = 0

    def call(self, method: str, path: str, params: dict[str, object] | None = None,
             style: str = "body", nonce: bool = True, raw_body: str | None = None) -> object:
        from urllib.parse import urlencode

        from mock_exchange.protocol.auth import endpoint_path_for, sign_rest

        encoded = urlencode(params or {}, doseq=True)
        query, body = ("", encoded) if style == "body" and method != "GET" else (encoded, "")
        if raw_body is not None:
            body = raw_body
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if self.key:
            self.nonce += 1
            n = str(self.nonce) if nonce else ""
            headers["APIKey"] = self.key
            headers["Authent"] = sign_rest(self.secret, query + body, n, endpoint_path_for(path))
            if nonce:
                headers["Nonce"] = n
        url = path + ("?" + query if query else "")
        response = self.http.request(method, url, content=body, headers=headers)
        self.last_status = response.status_code
        if response.headers.get("content-type", "").startswith("text/csv"):
            return response.text  # accountlogcsv answers CSV, as Kraken does
        return response.json()

    def post(self, endpoint: str, **params: object) -> object:
        return self.call("POST", f"/derivatives/api/v3/{endpoint}", params)

    def get(self, endpoint: str, **params: object) -> object:
        return self.call("GET", f"/derivatives/api/v3/{endpoint}", params)


def served_account(app: object, name: str = "a", usd: int = 100_000) -> KrakenTestClient:
    """A funded account on `app` with a key, and a signing client for it."""
    state = app.state.mx  # type: ignore[attr-defined]
    outcome = state.exchange.submit(c.OpenAccount(name, {"flex": {"USD": D(usd)}}))
    key = state.keys.issue(outcome.account_id)
    client = KrakenTestClient(app, key.key, key.secret)
    client.account_id = outcome.account_id  # type: ignore[attr-defined]
    return client
