"""Admin routes for funds and RFQs, and the subaccount support of `POST /__admin/accounts`.

- `master_of(exchange, value)`: the checked `"master"` field of `POST /__admin/accounts` (the
  admin routes pass it to `OpenAccount`); subaccounts do not nest, the house has none;
- `GET /__admin/accounts/{account_id}`: every wallet's balances (the simulated `spot` wallet
  always listed), margin per Futures margin wallet, positions, master and subaccounts;
- `POST /__admin/rfqs` `{"symbol","side":"buy"|"sell"|null,"size","lifetime_ms"?}`: a simulated
  requester (the house) asks for a quote on one leg -> `{"rfq_uid"}`;
- `POST /__admin/rfqs/{rfq_uid}/accept` `{"account_id"?}`: the requester accepts that account's
  offer, or the best one on its side -> the resulting block trade.
Same conventions as the other admin routes: JSON in and out, exact decimal strings, bad input
is HTTP 400 `{"error": ...}` and changes nothing, an unknown id is 404.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from ..engine import commands as c
from ..engine import events as ev
from ..engine.types import Side
from ..exchange import Exchange
from ..exchange.funds import SPOT, margin_wallets, subaccounts
from ..protocol.encode_funds import error_code
from ..protocol.formats import symbol as wire_symbol
from ..server.state import ServerState
from . import inputs
from .inputs import AdminError
from .snapshot import amount

Json = dict[str, Any]


def master_of(exchange: Exchange, value: object) -> str | None:
    """The `master` of a new account: None, or an existing top-level account id."""
    if value is None:
        return None
    master = inputs.text(value, "master")
    acct = exchange.accounts.get(master)
    if acct is None or master == "house":
        raise AdminError(f"unknown master account {master!r}")
    if acct.master_id is not None:
        raise AdminError(f"{master!r} is a subaccount: subaccounts cannot have subaccounts")
    return master


def account_json(exchange: Exchange, account_id: str) -> Json:
    acct = exchange.accounts[account_id]
    wallets = {
        name: {cur: amount(qty) for cur, qty in sorted(w.balances.items())}
        for name, w in sorted(acct.wallets.items())
    }
    spot = exchange.transfers.spot.get(account_id)
    wallets[SPOT] = {cur: amount(q) for cur, q in sorted(spot.balances.items())} if spot else {}
    margin = {}
    for name in margin_wallets(exchange):
        if name in acct.wallets:
            s = exchange.margin.summary(acct, name)
            margin[name] = {
                "currency": s.currency,
                "equity": amount(s.equity),
                "maintenance": amount(s.maintenance),
                "available": amount(s.available),
            }
    positions = [
        {"symbol": sym, "size": amount(p.size), "entry_price": amount(p.entry)}
        for sym, p in sorted(acct.positions.items())
        if p.size != 0
    ]
    return {
        "account_id": account_id,
        "name": acct.name,
        "master_id": acct.master_id,
        "subaccounts": [a.account_id for a in subaccounts(exchange, account_id)],
        "trading_enabled": acct.trading_enabled,
        "wallets": dict(sorted(wallets.items())),
        "margin": margin,
        "positions": positions,
    }


async def get_account(request: Request, state: ServerState) -> Json:
    account_id = request.path_params["account_id"]
    if account_id not in state.exchange.accounts:
        raise AdminError(f"no account with id {account_id!r}", 404)
    return account_json(state.exchange, account_id)


async def create_rfq(request: Request, state: ServerState) -> Json:
    doc = await inputs.body(request, ("symbol", "side", "size", "lifetime_ms"))
    exchange = state.exchange
    name = wire_symbol(inputs.text(inputs.required(doc, "symbol"), "symbol"))
    if name not in exchange.markets:
        raise AdminError(f"unknown symbol {name}")
    side_text = doc.get("side")
    side = None if side_text is None else Side(inputs.choice(side_text, "side", ("buy", "sell")))
    size = inputs.positive(inputs.required(doc, "size"), "size")
    lifetime = None
    if "lifetime_ms" in doc:
        lifetime = inputs.integer(doc["lifetime_ms"], "lifetime_ms")
    command = c.CreateRfq(None, (c.RfqLeg(name, size),), lifetime_ms=lifetime, side=side)
    outcome = exchange.submit(command)
    if outcome.reject is not None:
        raise AdminError(f"RFQ refused: {error_code(outcome.reject)}")
    opened = next(e for e in outcome.events if isinstance(e, ev.RfqOpened))
    return {"rfq_uid": opened.rfq_uid, "expiry_ms": opened.expiry}


async def accept_rfq(request: Request, state: ServerState) -> Json:
    doc = await inputs.body(request, ("account_id",))
    exchange = state.exchange
    uid = request.path_params["rfq_uid"]
    found = exchange.rfqs.find(uid)
    if found is None:
        raise AdminError(f"no RFQ with uid {uid!r}", 404)
    account = doc.get("account_id")
    offer_account = None if account is None else inputs.text(account, "account_id")
    outcome = exchange.submit(c.AcceptRfqOffer(None, uid, offer_account=offer_account))
    if outcome.reject is not None:
        raise AdminError(f"accept refused: {error_code(outcome.reject)}", 409)
    closed = next(e for e in outcome.events if isinstance(e, ev.RfqClosed))
    return {
        "rfq_uid": uid,
        "status": closed.status.value,
        "offer_uid": closed.offer_uid,
        "offer_account_id": closed.offer_account,
        "requester_account_id": found.requester,
        "trades": [_trade(t) for t in outcome.events if isinstance(t, ev.Trade)],
    }


def _trade(trade: ev.Trade) -> Json:
    return {
        "trade_id": trade.trade_id,
        "symbol": trade.symbol,
        "price": amount(trade.price),
        "size": amount(trade.qty),
        "offerer_side": trade.maker.side.value,
        "fill_type": trade.maker_fill.value,
        "offerer_fee": amount(trade.maker_fee),
        "requester_fee": amount(trade.taker_fee),
        "fee_currency": trade.fee_currency,
    }




routes: list[BaseRoute] = [
    Route("/__admin/accounts/{account_id}", inputs.endpoint(get_account), methods=["GET"]),
    Route("/__admin/rfqs", inputs.endpoint(create_rfq), methods=["POST"]),
    Route("/__admin/rfqs/{rfq_uid}/accept", inputs.endpoint(accept_rfq), methods=["POST"]),
]
