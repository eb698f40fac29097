"""Parsers of the account, market, RFQ and assignment reads against the reference's golden
examples (kraken-futures-rest.md §4.9-4.18, kraken-futures-rfq-assignment-transfers.md §2-5)."""

from __future__ import annotations

from decimal import Decimal as D

from client import endpoints as ep
from client import endpoints_funds as fu
from client.core import result


def test_openpositions() -> None:
    body = b"""{"result":"success","serverTime":"2020-07-22T14:39:12.376Z","openPositions":[
  {"side":"short","symbol":"PI_XBTUSD","price":9392.749993345933,"fillTime":"2020-07-22T14:39:12.376Z",
   "size":10000,"unrealizedFunding":1.045432180096817e-05},
  {"side":"long","symbol":"PF_DEFIUSD","price":570.0,"fillTime":"2022-04-20T19:15:25.438Z","size":1,
   "unrealizedFunding":-0.0073428045972263895,"pnlCurrency":"BTC","maxFixedLeverage":5.0}]}"""
    short, isolated = result(ep.get_open_positions(), 200, body)
    assert (short.side, short.size, short.price) == ("short", D(10000), D("9392.749993345933"))
    assert short.unrealized_funding == D("1.045432180096817e-05")
    assert (short.max_fixed_leverage, isolated.max_fixed_leverage) == (None, D("5.0"))
    assert isolated.pnl_currency == "BTC"


def test_accounts() -> None:
    body = b"""{"result":"success","serverTime":"2016-02-25T09:45:53.818Z","accounts":{
  "cash":{"type":"cashAccount","balances":{"xbt":"141.31756797","xrp":"52465.1254"}},
  "fi_xbtusd":{"type":"marginAccount","currency":"xbt",
    "balances":{"FI_XBTUSD_171215":"50000","xbt":"141.31756797"},
    "auxiliary":{"usd":0,"pv":153.73891563,"pnl":12.42134766,"af":100.73891563,"funding":100.73891563},
    "marginRequirements":{"im":52.8,"mm":23.76,"lt":39.6,"tt":15.84},
    "triggerEstimates":{"im":3110,"mm":3000,"lt":2890,"tt":2830}},
  "flex":{"type":"multiCollateralMarginAccount",
    "currencies":{"USD":{"quantity":5000.0,"value":5000.0,"collateral":5000.0,"available":5000.0}},
    "initialMargin":0.0,"initialMarginWithOrders":0.0,"maintenanceMargin":0.0,
    "balanceValue":5000.0,"portfolioValue":5000.0,"collateralValue":5000.0,"pnl":0.0,
    "unrealizedFunding":0.0,"totalUnrealized":0.0,"totalUnrealizedAsMargin":0.0,
    "availableMargin":5000.0,"marginEquity":5000.0}}}"""
    accounts = result(ep.get_accounts(), 200, body)
    assert accounts.cash == {"xbt": D("141.31756797"), "xrp": D("52465.1254")}
    assert accounts.flex is not None
    assert accounts.flex.currencies["USD"].available == D(5000)
    assert accounts.flex.available_margin == D("5000.0")
    margin = accounts.margin["fi_xbtusd"]
    assert (margin.currency, margin.auxiliary["pv"], margin.margin_requirements["mm"]) == (
        "xbt", D("153.73891563"), D("23.76"))
    assert list(accounts.margin) == ["fi_xbtusd"]


def test_fills() -> None:
    body = b"""{"result":"success","serverTime":"2020-07-22T13:44:24.311Z",
 "fills":[{"fill_id":"3d57ed09-fbd6-44f1-8e8b-b10e551c5e73","symbol":"PI_XBTUSD","side":"buy",
   "order_id":"693af756-055e-47ef-99d5-bcf4c456ebc5","size":5490,"price":9400,
   "fillTime":"2020-07-22T13:37:27.077Z","fillType":"maker","cliOrdId":"optional"}]}"""
    (fill,) = result(ep.get_fills(), 200, body)
    assert (fill.size, fill.price, fill.fill_type, fill.cli_ord_id) == (
        D(5490), D(9400), "maker", "optional")


def test_tickers_including_index_tickers() -> None:
    body = b"""{"result":"success","serverTime":"2022-06-17T11:00:31.335Z","tickers":[
  {"tag":"perpetual","pair":"XBT:USD","symbol":"PI_XBTUSD","markPrice":30209.9,"bid":8634,"bidSize":1000,
   "ask":49289,"askSize":139984,"vol24h":15304,"volumeQuote":7305.2,"openInterest":149655,"open24h":49289,
   "high24h":49289,"low24h":49289,"indexPrice":21087.8,"last":49289,"lastTime":"2022-06-17T10:46:35.705Z",
   "lastSize":100,"suspended":false,"fundingRate":1.18588737106e-07,"fundingRatePrediction":1.1852486794e-07,
   "postOnly":false,"change24h":1.9974017538161748},
  {"symbol":"in_xbtusd","last":21088,"lastTime":"2022-06-17T11:00:30.000Z"}]}"""
    perpetual, index = result(ep.get_tickers(), 200, body)
    assert (perpetual.mark_price, perpetual.bid, perpetual.funding_rate) == (
        D("30209.9"), D(8634), D("1.18588737106e-07"))
    assert (index.symbol, index.last, index.mark_price, index.tag) == (
        "in_xbtusd", D(21088), None, None)


def test_orderbook_instruments_and_trade_history() -> None:
    book = result(ep.get_order_book("PF_XBTUSD"), 200, b"""{"result":"success",
      "orderBook":{"bids":[[40178,5],[40174,4.2]],"asks":[[40186,5.0183],[40190,0.4183]]}}""")
    assert book.bids == [(D(40178), D(5)), (D(40174), D("4.2"))]
    assert book.asks[0] == (D(40186), D("5.0183"))
    instruments = result(ep.get_instruments(), 200, b"""{"result":"success","instruments":[
  {"symbol":"PF_XBTUSD","pair":"XBT:USD","base":"XBT","quote":"USD","type":"flexible_futures",
   "tickSize":1,"contractSize":1,"tradeable":true,"impactMidSize":1,"maxPositionSize":1000000,
   "openingDate":"2022-01-01T00:00:00.000Z","contractValueTradePrecision":4,"postOnly":false,
   "marginLevels":[{"numNonContractUnits":0,"initialMargin":0.02,"maintenanceMargin":0.01}]},
  {"symbol":"FI_XBTUSD_220930","type":"futures_inverse","underlying":"rr_xbtusd",
   "lastTradingTime":"2022-09-30T15:00:00.000Z","tickSize":0.5,"contractSize":1,
   "contractValueTradePrecision":0,"tradeable":true,"openingDate":"2022-01-01T00:00:00.000Z",
   "marginLevels":[{"contracts":0,"initialMargin":0.02,"maintenanceMargin":0.01}]}]}""")
    flexible, dated = instruments
    assert (flexible.tick_size, flexible.contract_value_trade_precision) == (D(1), 4)
    assert (dated.tick_size, dated.last_trading_time is not None) == (D("0.5"), True)
    trades = result(ep.get_trade_history("PF_XBTUSD"), 200, b"""{"result":"success","history":[
      {"time":"2023-04-04T05:28:27.926Z","trade_id":100,"price":27913,"size":2456,"side":"sell",
       "type":"fill","uid":"de7a2eca-f2bc-4afb-860d-522a9dcc0b12"}]}""")
    assert [(t.trade_id, t.price, t.size, t.side, t.type) for t in trades] == [
        (100, D(27913), D(2456), "sell", "fill")]


def test_preferences() -> None:
    (lev,) = result(ep.get_leverage_preferences(), 200, b"""{"result":"success",
      "leveragePreferences":[{"symbol":"PF_XBTUSD","maxLeverage":10.0}]}""")
    assert (lev.symbol, lev.max_leverage) == ("PF_XBTUSD", D("10.0"))
    (pnl,) = result(ep.get_pnl_preferences(), 200, b"""{"result":"success",
      "preferences":[{"symbol":"PF_XBTUSD","pnlCurrency":"BTC"}]}""")
    assert (pnl.symbol, pnl.pnl_currency) == ("PF_XBTUSD", "BTC")


def test_rfqs_v1_and_v2_shapes_and_offers() -> None:
    (v1,) = result(fu.get_open_rfqs(), 200, b"""{"result":"success","rfqs":[{"rfqUid":"r1",
      "expiry":"2026-10-09T00:37:34.703041771Z","markPrice":1401.32,
      "legs":[{"symbol":"OF_XBTUSD_261030_85000_C","size":1,"markPrice":1401.32}]}]}""")
    assert (v1.rfq_uid, v1.mark_price, v1.status, v1.expiry.microsecond) == (
        "r1", D("1401.32"), None, 703041)
    v2 = result(fu.get_open_rfq("b7e39d14"), 200, b"""{"result":"success",
 "rfq":{"uid":"b7e39d14-2c85-4f0a-8e61-93d4a5c7b218","expiry":"2026-10-09T01:09:04.724578888Z",
        "markPrice":-15912.08,"status":"expired",
        "legs":[{"symbol":"OF_XBTUSD_261225_90000_C","size":1,"markPrice":2815.40},
                {"symbol":"OF_XBTUSD_261225_100000_P","size":-1,"markPrice":18727.48}]}}""")
    assert (v2.status, v2.mark_price) == ("expired", D("-15912.08"))
    assert sum(leg.size * (leg.mark_price or 0) for leg in v2.legs) == v2.mark_price
    (offer,) = result(fu.get_rfq_open_offers(), 200, b"""{"result":"success",
 "openOffers":[{"uid":"2d6f8a10-4b3c-4e5d-8f71-a2b3c4d5e6f7","rfqUid":"4f0c2a9e",
                "placementDate":"2025-11-20T08:59:10.120Z","lastUpdateDate":"2025-11-20T08:59:10.120Z",
                "bid":"100.5","ask":"101.75"}]}""")
    assert (offer.bid, offer.ask, offer.rfq_uid) == (D("100.5"), D("101.75"), "4f0c2a9e")
    uid = result(fu.submit_rfq_new_offer("r1", bid=100), 200,
                 b'{"result":"success","offerUid":"o-1"}')
    assert uid == "o-1"


def test_assignment_program_and_withdrawal() -> None:
    (pref,) = result(fu.get_assignment_programs(), 200, b"""{"result":"success","participants":[
  {"id":4521,"participant":{"contractType":"flex","contract":"PF_XBTUSD","maxSize":250000,
    "maxPosition":1000000,"acceptLong":true,"acceptShort":false,"timeFrame":"WEEKDAYS","enabled":true}}]}""")
    assert (pref.id, pref.participant.max_size, pref.participant.accept_short) == (
        4521, D(250000), False)
    added = result(fu.add_assignment_preference("flex", accept_long=True, accept_short=True,
                                                time_frame="weekends"), 200, b"""{"id":4523,
 "participant":{"contractType":"flex","contract":null,"maxSize":500000,"maxPosition":2000000,
   "acceptLong":true,"acceptShort":true,"timeFrame":"WEEKEND","enabled":true},
 "result":"success","serverTime":"2026-03-02T11:11:30.904Z"}""")
    assert (added.id, added.participant.contract, added.participant.time_frame) == (
        4523, None, "WEEKEND")
    history = result(fu.get_assignment_preferences_history(), 200, b"""{"result":"success",
 "participants":[{"deleted":false,"timestamp":"2026-03-01T09:15:22Z",
   "participant":{"contractType":"flex","contract":null,"maxSize":500000,"maxPosition":2000000,
     "acceptLong":true,"acceptShort":true,"timeFrame":"WEEKEND","enabled":true}}]}""")
    assert [(h.deleted, h.participant.max_position) for h in history] == [(False, D(2000000))]
    withdrawal = result(fu.submit_transfer_to_spot("USDT", "10"), 200, b"""{
      "uid":"5b1c7e0a-3f4d-4a8e-9c61-0d2f7a9b4e13","result":"success",
      "serverTime":"2026-03-02T10:18:02.551Z"}""")
    assert withdrawal.uid == "5b1c7e0a-3f4d-4a8e-9c61-0d2f7a9b4e13"
