"""The scenario runner: one schedule, one main loop, any `Target`.

`Runner(scenario, target, seed=...).run()` opens the accounts, sets the starting prices, then
walks time forward from offset 0 to `duration`: at each moment something is due it moves the
target's clock there (`advance_to`), then runs, in this fixed order, incident steps, price-path
samples, actors (in file order), scripted actions (in file order) and expectation checks. The
result (`ScenarioResult`) holds per-account figures, every check with its message, the event log
and the recorded order messages.

Invariants: the runner only talks to the target through the `Target` protocol; everything random
is seeded from `seed` (default: the scenario's); times are offsets from the start read from
`target.now_ms()` when the run begins; with the in-process target the same seed gives the same
log, ids and messages; all arithmetic runs in the fixed decimal context `model.arithmetic()`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal, localcontext

from .actors import ActorPlayer
from .expectations import Check, check
from .incidents import Step, incident_steps
from .model import PRICE_FIELDS, Action, Scenario, arithmetic
from .paths import PathPlayer, on_tick
from .result import AccountSummary, ScenarioResult
from .setup import open_accounts, specs_of
from .target import Ack, OrderEdit, OrderRequest, Target

Progress = Callable[[int, int], None]  # (offset ms done, duration ms)


class Runner:
    def __init__(
        self,
        scenario: Scenario,
        target: Target,
        seed: int | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.scenario = scenario
        self.target = target
        self.seed = scenario.seed if seed is None else seed
        self.progress = progress
        self.log: list[str] = []
        self.acks: dict[str, Ack] = {}
        self.sent: dict[str, int] = {}
        self.accepted: dict[str, int] = {}
        self._specs = specs_of(scenario)  # symbol -> (tick, lot)
        self.players = [
            PathPlayer(p, self.tick(p.symbol), self.seed, i) for i, p in enumerate(scenario.paths)
        ]
        self.actors = [ActorPlayer(a, self.seed, i) for i, a in enumerate(scenario.actors)]
        named = {p.actor.name: p for p in self.actors}
        for player in self.actors:
            player.peers = named
        self.shocks: dict[str, dict[int, Decimal]] = {}  # symbol -> cascade -> its level
        self.checks: list[Check] = []
        self._ran = False

    # -- context for actors and incidents ------------------------------------------------
    def tick(self, symbol: str) -> Decimal:
        return self._specs[symbol][0]

    def lot(self, symbol: str) -> Decimal:
        return self._specs[symbol][1]

    def send(self, account: str, order: OrderRequest, t: int, who: str) -> str | None:
        ack = self.target.place(account, order)
        self.sent[account] = self.sent.get(account, 0) + 1
        if ack.ok:
            self.accepted[account] = self.accepted.get(account, 0) + 1
        price = f"@{order.limit_price}" if order.limit_price is not None else ""
        stop = f" stop {order.stop_price}" if order.stop_price is not None else ""
        self.note(
            t,
            f"{who} {order.order_type} {order.side} {order.size} {order.symbol}{price}"
            f"{stop} -> {ack.status or ack.error} {ack.order_id or ''}".rstrip(),
        )
        return ack.order_id

    def shock(self, symbol: str, cascade: int, level: Decimal, t: int) -> None:
        levels = self.shocks.setdefault(symbol, {})
        old = _product(levels.values())
        levels[cascade] = level
        level = _product(levels.values())
        driven: set[str] = set()
        for player in self.players:
            if player.path.symbol == symbol:
                player.shock = level
                driven.update(player.path.fields)
        free = [f for f in PRICE_FIELDS if f not in driven]
        if free:
            now = self.target.prices(symbol)
            values = {f: on_tick(getattr(now, f) * level / old, self.tick(symbol)) for f in free}
            self.target.set_prices(
                symbol, values.get("mark"), values.get("index"), values.get("last")
            )
        self._prices(t, symbol)

    # -- the run ---------------------------------------------------------------------------
    def note(self, t: int, text: str) -> None:
        self.log.append(f"{t:>10} {text}")

    def _prices(self, t: int, symbol: str | None = None) -> None:
        for player in self.players:
            if symbol is None or player.path.symbol == symbol:
                values = player.sample(t)
                self.target.set_prices(
                    player.path.symbol, values.get("mark"), values.get("index"), values.get("last")
                )

    def run(self) -> ScenarioResult:
        """Run the scenario once (a Runner is single-use: its target holds the state), in the
        fixed decimal context `arithmetic()` whatever the calling thread's context is."""
        if self._ran:
            raise RuntimeError("a Runner runs once; make a new target and Runner to run again")
        self._ran = True
        with localcontext(arithmetic()):
            return self._run()

    def _run(self) -> ScenarioResult:
        sc = self.scenario
        ids = open_accounts(sc, self.target)
        base = self.target.now_ms()
        for spec in sc.instruments:
            self.target.set_prices(spec.symbol, spec.price, spec.price, spec.price)
        start_equity = {a.name: self.target.account_state(a.name).equity for a in sc.accounts}
        steps: list[tuple[int, int, int, Step]] = []
        for i, inc in enumerate(sc.incidents):
            steps.extend((s.at, i, j, s) for j, s in enumerate(incident_steps(inc, i)))
        steps.sort(key=lambda x: (x[0], x[1], x[2]))
        actions = sorted(enumerate(sc.actions), key=lambda x: (x[1].at, x[0]))
        timed = sorted(
            (e.at if e.at is not None else sc.duration, i) for i, e in enumerate(sc.expectations)
        )
        next_sample = 0 if self.players else None
        t = 0
        while True:
            candidates = [
                x
                for x in (
                    steps[0][0] if steps else None,
                    next_sample,
                    min((a.next_at for a in self.actors if a.next_at is not None), default=None),
                    actions[0][1].at if actions else None,
                    timed[0][0] if timed else None,
                )
                if x is not None and x <= sc.duration
            ]
            if not candidates:
                break
            t = min(candidates)
            self.target.advance_to(base + t)
            while steps and steps[0][0] == t:
                for line in steps.pop(0)[3].run(self, t):
                    self.note(t, line)
            if next_sample == t:
                self._prices(t)
                next_sample = t + sc.step
            self._run_actors(t)
            while actions and actions[0][1].at == t:
                self._action(actions.pop(0)[1], t)
            while timed and timed[0][0] == t:
                exp = sc.expectations[timed.pop(0)[1]]
                result = check(exp, t, self.target, self.acks)
                self.checks.append(result)
                self.note(t, f"expect {'ok' if result.passed else 'FAILED'}: {result.message}")
            if self.progress is not None:
                self.progress(t, sc.duration)
        self.target.advance_to(base + sc.duration)
        if self.progress is not None and t < sc.duration:
            self.progress(sc.duration, sc.duration)
        return self._result(ids, start_equity)

    def _result(self, ids: dict[str, str], start_equity: dict[str, Decimal]) -> ScenarioResult:
        sc = self.scenario
        summaries = tuple(
            AccountSummary.read(
                self.target,
                a.name,
                ids[a.name],
                start_equity[a.name],
                self.sent.get(a.name, 0),
                self.accepted.get(a.name, 0),
            )
            for a in sc.accounts
        )
        messages = {a.name: self.target.order_messages(a.name) for a in sc.accounts}
        return ScenarioResult(
            sc.name,
            self.seed,
            sc.duration,
            summaries,
            tuple(self.checks),
            tuple(self.log),
            messages,
            dict(self.acks),
        )

    def _run_actors(self, t: int) -> None:
        while True:
            due = [p for p in self.actors if p.next_at is not None and p.next_at <= t]
            if not due:
                return
            due[0].act(self, t)

    def _action(self, action: Action, t: int) -> None:
        account = action.account
        if action.kind == "place":
            assert action.symbol and action.side and action.order_type and action.size
            order = OrderRequest(
                action.symbol,
                action.side,
                action.order_type,
                action.size,
                action.limit_price,
                action.stop_price,
                action.trigger_signal,
                action.reduce_only,
                action.cli_ord_id,
                action.trailing_deviation,
                action.trailing_unit,
            )
            self.sent[account] = self.sent.get(account, 0) + 1
            ack = self.target.place(account, order)
            if ack.ok:
                self.accepted[account] = self.accepted.get(account, 0) + 1
            if action.label is not None:
                self.acks[action.label] = ack
            what = f"{order.order_type} {order.side} {order.size} {order.symbol}"
            what += f"@{order.limit_price}" if order.limit_price is not None else ""
            what += f" stop {order.stop_price}" if order.stop_price is not None else ""
        elif action.kind in ("edit", "cancel"):
            placed = self.acks.get(action.order or "")
            order_id = placed.order_id if placed is not None else None
            if order_id is None:
                self.note(t, f"{account} {action.kind} {action.order}: it has no order id")
                return
            if action.kind == "edit":
                edit = OrderEdit(order_id, action.size, action.limit_price, action.stop_price)
                ack = self.target.edit(account, edit)
            else:
                ack = self.target.cancel(account, order_id)
            what = f"{action.kind} {action.order}"
        elif action.kind == "cancel_all":
            ack = self.target.cancel_all(account, action.symbol)
            what = f"cancel_all {action.symbol or 'all'} ({len(ack.cancelled)})"
        else:
            self.target.dead_man_switch(account, action.timeout_s)
            ack, what = Ack("armed" if action.timeout_s else "disarmed"), "dead_man_switch"
            what += f" {action.timeout_s}s"
        label = f" [{action.label}]" if action.label else ""
        self.note(
            t, f"{account} {what}{label} -> {ack.status or ack.error} {ack.order_id or ''}".rstrip()
        )


def _product(levels: Iterable[Decimal]) -> Decimal:
    out = Decimal(1)
    for level in levels:
        out *= level
    return out
