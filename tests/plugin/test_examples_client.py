"""The docs/testing.md example with our own client (`client.FuturesClient`) through the
`kraken_exchange` fixture: a rejected post-only order is an exception, and the dead man's
switch fires when the test moves the exchange's clock."""

from __future__ import annotations

from decimal import Decimal

import pytest

from client import FuturesClient, PostWouldExecute
from mock_exchange.testing import KrakenExchange


@pytest.mark.kraken_exchange(clock="manual")  # it moves the clock: never on a shared server
def test_dead_mans_switch_with_the_admin_clock(kraken_exchange: KrakenExchange) -> None:
    keys = kraken_exchange["demo1"]
    with FuturesClient(keys.api_key, keys.api_secret, base_url=kraken_exchange.rest_url) as kraken:
        kraken.submit_order("lmt", "PF_XBTUSD", "sell", Decimal("0.01"), limit_price=61_000)
        with pytest.raises(PostWouldExecute):
            kraken.submit_order("post", "PF_XBTUSD", "buy", Decimal("0.01"), limit_price=61_000)
        kraken.cancel_all_orders_after(60)
        kraken_exchange.advance(59_000)
        assert len(kraken.get_open_orders()) == 1
        kraken_exchange.advance(1_000)  # the switch fires: every order is cancelled
        assert kraken.get_open_orders() == []
