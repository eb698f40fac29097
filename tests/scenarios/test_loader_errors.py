"""Malformed scenario files: each is refused with the file, the line, the field and what was
expected - the exact message is the contract."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import scenarios
from scenarios.fields import ScenarioError
from tests.scenarios.scenario_text import MARKET

BASE = MARKET.format(duration="10m")
PLACE = '\n[[actions]]\nkind = "place"\nat = "1m"\naccount = "alice"\nsymbol = "PF_XBTUSD"\n'
MM = '\n[[actors]]\nkind = "market_maker"\nname = "mm"\nsymbol = "PF_XBTUSD"\n'

MALFORMED = [
    ("x = [1,\n", "1: not valid TOML: Invalid value"),
    (
        '[scenario]\nduration = "1m"\nduration = "2m"\n',
        "3: not valid TOML: Cannot overwrite a value",
    ),
    (
        BASE + "\n[extra]\na = 1\n",
        "11: extra: unknown key (expected one of: accounts, actions, "
        "actors, expect, incidents, instruments, paths, scenario)",
    ),
    (
        "[instruments.PF_XBTUSD]\nprice = 1\n",
        "1: scenario: missing [scenario] table (with duration)",
    ),
    (
        BASE.replace('"10m"', '"soon"'),
        '2: scenario.duration: expected a time like "90s", "5m", '
        '"1h", "1h30m" or whole milliseconds, got "soon"',
    ),
    (
        BASE.replace('duration = "10m"', "seed = 1"),
        "1: scenario: missing duration (a time like "
        '"90s", "5m", "1h", "1h30m" or whole milliseconds)',
    ),
    (
        BASE.replace('"10m"', '"10m"\nseed = -3'),
        "3: scenario.seed: expected a whole number from 0 to 18446744073709551615, got -3",
    ),
    (
        BASE.replace('"10m"', '"10m"\nspeed = 2'),
        "3: scenario.speed: unknown key (expected one "
        "of: description, duration, name, seed, start, step)",
    ),
    (
        BASE.replace('"10m"', '"10m"\nstart = "yesterday"'),
        '3: scenario.start: expected epoch milliseconds or an ISO 8601 time, got "yesterday"',
    ),
    (
        BASE.replace("PF_XBTUSD", "PF_DOGEUSD"),
        "4: instruments.PF_DOGEUSD: unknown instrument "
        "(catalogue: FF_XBTUSD, FF_XBTUSD_260130, PF_ETHUSD, PF_SOLUSD, PF_XBTUSD, PI_XBTUSD)",
    ),
    (
        BASE.replace("price = 60000", "price = 60000.5"),
        "5: instruments.PF_XBTUSD.price: expected a multiple of the tick size 1, got 60000.5",
    ),
    (
        BASE.replace("price = 60000", 'price = "free"'),
        '5: instruments.PF_XBTUSD.price: expected a decimal number > 0, got "free"',
    ),
    (
        BASE.replace("price = 60000", "price = 60000\ncolour = 3"),
        "6: instruments.PF_XBTUSD.colour: not an overridable field (collar, contract_size, "
        "funding_rate_coefficient, impact_mid_size, last_trading_ms, max_open_orders, "
        "max_position_size, max_relative_funding_rate, opening_ms, precision, tick_size)",
    ),
    (
        BASE.replace("price = 60000", "price = 60000\ntick_size = -1"),
        "6: instruments.PF_XBTUSD.tick_size: must be greater than zero, got -1",
    ),
    (
        BASE + '\n[[accounts]]\nname = "alice"\n',
        '12: accounts[1].name: expected a unique name, got "alice" twice',
    ),
    (
        BASE.replace("USD = 100000", "DOGE = 1"),
        "9: accounts[0].balances: unknown currency "
        "'DOGE' (accepted: ETH, SOL, USD, USDC, USDT, XBT)",
    ),
    (
        BASE.replace("USD = 100000", "USD = -5"),
        "9: accounts[0].balances: balances.USD must not be negative",
    ),
    (
        BASE + '\n[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "sine"\n',
        '13: paths[0].kind: expected one of "constant", "points", "random_walk", "csv", got "sine"',
    ),
    (
        BASE + '\n[[paths]]\nsymbol = "PF_ETHUSD"\nkind = "constant"\nprice = 1\n',
        '12: paths[0].symbol: expected one of the listed instruments: PF_XBTUSD, got "PF_ETHUSD"',
    ),
    (
        BASE + '\n[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "random_walk"\nvolatility = "high"\n',
        '14: paths[0].volatility: expected a decimal number >= 0 and <= 10, got "high"',
    ),
    (
        BASE + '\n[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "points"\n'
        'points = [["0s", 1], ["1m", -2]]\n',
        '14: paths[0].points: expected [time, price > 0] pairs, item 1 is ["1m", -2]',
    ),
    (
        BASE + '\n[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "constant"\nprice = 1\n\n[[paths]]\n'
        'symbol = "PF_XBTUSD"\nkind = "constant"\nfields = ["mark"]\nprice = 2\n',
        "19: paths[1].fields: expected each price of a symbol driven by one path, PF_XBTUSD mark "
        "is already driven by the path of line 11",
    ),
    (
        BASE + '\n[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "constant"\nprice = 1\n'
        'fields = ["mark"]\noffset = { index = -5 }\n',
        '16: paths[0].offset: expected keys among the driven fields ("mark"), got "index"',
    ),
    (
        BASE + '\n[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "csv"\nfile = "nope.csv"\n',
        '14: paths[0].file: expected a CSV file relative to the scenario, "nope.csv" not found',
    ),
    (
        BASE + '\n[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "constant"\nprice = 1\n'
        'jumps = [{ at = "1m", by = -2 }]\n',
        "15: paths[0].jumps: expected { at = TIME, by = "
        'FRACTION > -1 }, item 0 is { at = "1m", by = -2 }',
    ),
    (
        BASE + MM + 'size = 1\nspread = "wide"\n',
        '16: actors[0].spread: expected a decimal number > 0 and <= 1, got "wide"',
    ),
    (
        BASE + MM + 'size = "0.00001"\n',
        "15: actors[0].size: expected a multiple of the lot size 0.0001, got 0.00001",
    ),
    (
        BASE + MM + 'size = 1\nstart = "5m"\nstop = "2m"\n',
        '17: actors[0].stop: expected a time after start, got "2m"',
    ),
    (
        BASE + '\n[[actors]]\nkind = "liquidity_withdrawal"\nname = "w"\nmaker = "ghost"\n',
        '14: actors[0].maker: expected the name of an earlier market_maker actor, got "ghost"',
    ),
    (
        BASE + '\n[[actors]]\nkind = "aggressor"\nname = "big"\nsymbol = "PF_XBTUSD"\n'
        'side = "buy"\nsize = 1\ntotal = 5\nsped = 3\n',
        "18: actors[0].sped: unknown key "
        "(expected one of: balances, every, kind, name, side, size, start, stop, symbol, total)",
    ),
    (
        BASE + '\n[[actors]]\nkind = "random_taker"\nname = "t"\nsymbol = "PF_XBTUSD"\n'
        'min_size = 1\nmax_size = "0.5"\n',
        "16: actors[0].max_size: expected at least min_size (1), got 0.5",
    ),
    (
        BASE + '\n[[incidents]]\nkind = "suspend"\nsymbol = "PF_XBTUSD"\nat = "1h"\n',
        '14: incidents[0].at: expected a time within the duration (600000 ms), got "1h"',
    ),
    (
        BASE + '\n[[incidents]]\nkind = "suspend"\nsymbol = "PF_XBTUSD"\nat = "5m"\nuntil = "1m"\n',
        '15: incidents[0].until: expected a time after at, got "1m"',
    ),
    (
        BASE + '\n[[incidents]]\nkind = "expiry"\nsymbol = "PF_XBTUSD"\nat = "5m"\n',
        '13: incidents[0].symbol: expected a fixed-maturity contract (FF_...), got "PF_XBTUSD" '
        "(a perpetual)",
    ),
    (
        BASE + '\n[[incidents]]\nkind = "funding_spike"\nsymbol = "PF_XBTUSD"\nat = "5m"\n',
        "11: incidents[0]: missing rate (a decimal number >= -1 and <= 1)",
    ),
    (
        BASE + '\n[[actions]]\nkind = "cancel_all"\nat = "1m"\naccount = "bob"\n',
        '14: actions[0].account: expected one of the accounts: alice, got "bob"',
    ),
    (
        BASE + PLACE + 'side = "buy"\ntype = "limit"\nsize = 1\nprice = 1\n',
        '17: actions[0].type: expected one of "lmt", "post", "ioc", "mkt", "stp", "take_profit", '
        '"trailing_stop", got "limit"',
    ),
    (
        BASE + PLACE + 'side = "buy"\ntype = "lmt"\nsize = 1\n',
        "11: actions[0]: missing price (a decimal number > 0)",
    ),
    (
        BASE + PLACE + 'side = "up"\ntype = "mkt"\nsize = 1\n',
        '16: actions[0].side: expected one of "buy", "sell", got "up"',
    ),
    (
        BASE + '\n[[actions]]\nkind = "cancel"\nat = "1m"\naccount = "alice"\norder = "bid"\n',
        "15: actions[0].order: expected the label of an earlier place action (labels: none), "
        'got "bid"',
    ),
    (
        BASE + PLACE + 'side = "buy"\ntype = "mkt"\nsize = 1\nlabel = "m"\n\n[[actions]]\n'
        'kind = "cancel"\nat = "30s"\naccount = "alice"\norder = "m"\n',
        '25: actions[1].order: expected an order placed at or before this action, "m" is placed '
        "later (60000 ms)",
    ),
    (
        BASE + '\n[[expect]]\nkind = "pnl"\n',
        '12: expect[0].kind: expected one of "order", '
        '"reason", "position", "balance", "equity", "price", "fills", got "pnl"',
    ),
    (
        BASE + '\n[[expect]]\nkind = "order"\norder = "x"\nstatus = "placed"\n',
        '13: expect[0].order: expected the label of a place action (labels: none), got "x"',
    ),
    (
        BASE + '\n[[expect]]\nkind = "balance"\naccount = "alice"\ncurrency = "USD"\n',
        "11: expect[0]: balance: expected value or min / max",
    ),
    (
        BASE + '\n[[expect]]\nkind = "reason"\naccount = "alice"\nreason = "full_fill"\n'
        'feed = "fills"\n',
        '15: expect[0].feed: expected one of "open_orders", '
        '"open_orders_verbose", "any", got "fills"',
    ),
]


@pytest.mark.parametrize(("text", "message"), MALFORMED)
def test_malformed_files_name_file_line_field_and_expectation(
    refusal: Callable[[str], str], text: str, message: str
) -> None:
    assert refusal(text) == message


def test_an_unreadable_file_and_a_csv_error_are_named(write: Callable[[str, str], Path]) -> None:
    folder = write("", "s.toml").parent / "folder.toml"
    folder.mkdir()  # it exists, but is no file
    with pytest.raises(ScenarioError) as unreadable:
        scenarios.load(folder)
    assert str(unreadable.value) == f"{folder}:0: cannot read the file: Is a directory"
    path = write(
        BASE + '\n[[paths]]\nsymbol = "PF_XBTUSD"\nkind = "csv"\nfile = "p.csv"\n', "s.toml"
    )
    (path.parent / "p.csv").write_text("time,price\n1000,60000\n900,60001\n")
    with pytest.raises(ScenarioError) as caught:
        scenarios.load(path)
    assert str(caught.value) == (
        f"{path}:14: paths[0].file: p.csv: line 3: times must increase, got 900 after 1000"
    )
