"""Random transfer sequences conserve every currency across a user's accounts.

A master with two subaccounts (the master also holds a position, so margin refusals happen)
runs random wallet transfers, master/subaccount transfers and withdrawals to spot, valid or not.
After every step: the total of each currency over the family's wallets, spot included, is what
it was; no balance is negative; a refused step changed nothing; an accepted one moved exactly
its amount from one wallet to another; a margin wallet that could carry its position still can.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st
from support import Harness

from mock_exchange.engine import commands as c

WALLETS = ["cash", "flex", "fi_xbtusd"] * 4 + ["spot", "fi_nope"]  # mostly valid names
CURRENCIES = ["USD", "XBT"] * 3 + ["USDT", "DOGE"]
amounts = st.one_of(
    st.decimals(min_value=D("0.0001"), max_value=D("1.5"), places=4),  # coin-sized
    st.decimals(min_value=D("0.01"), max_value=D("3000"), places=2),  # dollar-sized
    st.decimals(min_value=D("-5"), max_value=D("15000"), places=2),  # anything
    st.sampled_from([D(0), D("0.0001"), D("2.5"), D(1)]),
)
step = st.tuples(
    st.sampled_from(["wallet", "sub", "withdraw"]),
    st.integers(0, 2),  # caller / from user
    st.integers(0, 2),  # to user
    st.sampled_from(WALLETS),
    st.sampled_from(WALLETS),
    st.sampled_from(CURRENCIES),
    amounts,
)


def _family() -> tuple[Harness, list[str]]:
    mx = Harness(seed=5)
    funding = {
        "flex": {"USD": D(5000), "XBT": D("0.5")},
        "fi_xbtusd": {"XBT": D(2)},
        "cash": {"USDT": D(300)},
    }
    m = mx.ex.submit(c.OpenAccount("m", funding)).account_id or ""
    subs = [
        mx.ex.submit(c.OpenAccount(f"s{i}", {"flex": {"USD": D(1000)}}, m)).account_id or ""
        for i in range(2)
    ]
    b = mx.account("b")
    mx.place(b, "sell", "lmt", "0.1", 60000)
    mx.place(m, "buy", "lmt", "0.1", 60000)  # margin now binds part of the master's flex
    return mx, [m, *subs]


def _balances(mx: Harness, family: list[str]) -> dict[tuple[str, str, str], D]:
    spot = mx.ex.transfers.spot
    return {
        (aid, name, cur): qty
        for aid in family
        for name, wallet in [*mx.ex.accounts[aid].wallets.items(), *(
            [("spot", spot[aid])] if aid in spot else [])]
        for cur, qty in wallet.balances.items()
        if qty != 0
    }


def _totals(balances: dict[tuple[str, str, str], D]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for (_, _, cur), qty in balances.items():
        totals[cur] += qty  # type: ignore[assignment]
    return totals


def _command(family: list[str], s: tuple[str, int, int, str, str, str, D]) -> c.Command:
    kind, i, j, src, dst, cur, amount = s
    if kind == "wallet":
        return c.TransferFunds(family[i], src, dst, cur, amount)
    if kind == "sub":
        caller = family[0] if i != j or i == 0 else family[i]
        return c.TransferFunds(caller, src, dst, cur, amount, family[i], family[j])
    return c.Withdraw(family[i], cur, amount, src)


@settings(max_examples=150, deadline=None)
@given(st.lists(step, max_size=25))
def test_transfers_conserve_every_currency(
    steps: list[tuple[str, int, int, str, str, str, D]],
) -> None:
    mx, family = _family()
    before = _balances(mx, family)
    totals = _totals(before)
    for s in steps:
        flex_ok = mx.ex.margin.summary(mx.ex.accounts[family[0]], "flex").available >= 0
        out = mx.ex.submit(_command(family, s))
        after = _balances(mx, family)
        assert _totals(after) == totals
        assert all(qty >= 0 for qty in after.values())
        changed = {
            k: after.get(k, D(0)) - before.get(k, D(0))
            for k in set(before) | set(after)
            if after.get(k) != before.get(k)
        }
        if out.reject is not None:
            assert changed == {}
        else:
            assert sorted(changed.values()) == [-s[6], s[6]]
        if flex_ok:
            assert mx.ex.margin.summary(mx.ex.accounts[family[0]], "flex").available >= 0
        before = after
