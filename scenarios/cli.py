"""The body of `kraken-mock scenario run FILE [--target URL] [--seed N] [--speed X]`.

`run(...)` loads the scenario (`scenarios.load`: a file, or the name of a library scenario such
as `quiet_range`), runs it in-process (default) or over the wire against `--target`, shows a
progress bar on long runs (standard library only: a redrawn line on a terminal, a line per 10%
otherwise) and ends with a summary table: per account the orders sent and accepted, fills,
volume, PnL and positions, then every expectation with its message.

Exit codes: 0 every expectation met, 1 some not met (each failure is listed), 2 the scenario
or the target cannot be used (a precise message on stderr, nothing run).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from .fields import ScenarioError
from .loader import load
from .result import ScenarioResult

EXIT_OK, EXIT_FAILED, EXIT_UNUSABLE = 0, 1, 2


class UsageError(ValueError):
    """A command line that cannot be run (shown as `kraken-mock: error: ...`, exit 2)."""


def duration_text(ms: int) -> str:
    """12_600_000 -> "3h30m"; 1_500 -> "1.5s"."""
    if ms == 0:
        return "0s"
    if ms < 60_000:
        text = f"{Decimal(ms) / 1000:f}"
        return (text.rstrip("0").rstrip(".") if "." in text else text) + "s"
    hours, rest = divmod(ms // 1000, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(hours, "h"), (minutes, "m"), (seconds, "s")]
    return "".join(f"{n}{unit}" for n, unit in parts if n) or "0s"


class ProgressBar:
    """Progress of a run (`Runner`'s progress callback), shown only once the run has lasted
    `after_s` seconds of wall time, so short runs print nothing."""

    def __init__(self, stream: TextIO, *, after_s: float = 1.0, width: int = 30,
                 clock: Callable[[], float] = time.monotonic,
                 tty: bool | None = None) -> None:  # fmt: skip
        self.stream = stream
        self.after_s = after_s
        self.width = width
        self.clock = clock
        self.tty = stream.isatty() if tty is None else tty
        self.started = clock()
        self.last_draw = -1.0
        self.last_tenth = -1
        self.drawn = False

    def __call__(self, done_ms: int, total_ms: int) -> None:
        now = self.clock()
        if now - self.started < self.after_s or total_ms <= 0:
            return
        fraction = min(Decimal(1), Decimal(done_ms) / Decimal(total_ms))
        text = (f"{int(fraction * 100):>3}%  {duration_text(done_ms)} of "
                f"{duration_text(total_ms)} simulated")  # fmt: skip
        if self.tty:
            if now - self.last_draw < 0.1 and done_ms < total_ms:
                return
            filled = int(fraction * self.width)
            bar = "#" * filled + "." * (self.width - filled)
            self.stream.write(f"\r[{bar}] {text}")
            self.last_draw = now
        else:
            tenth = int(fraction * 10)
            if tenth == self.last_tenth:
                return
            self.last_tenth = tenth
            self.stream.write(f"progress {text}\n")
        self.drawn = True
        self.stream.flush()

    def finish(self) -> None:
        if self.drawn and self.tty:
            self.stream.write("\n")
            self.stream.flush()


def summary(result: ScenarioResult, where: str) -> str:
    """The final table: accounts, then expectations."""
    head = (f"{'account':<14} {'orders':>7} {'accepted':>8} {'fills':>6} {'volume':>10} "
            f"{'pnl (USD)':>14}  positions")  # fmt: skip
    lines = [f"scenario {result.name!r}: seed {result.seed}, {duration_text(result.duration)} "
             f"simulated, {where}", "", head, "-" * len(head)]  # fmt: skip
    for a in result.accounts:
        held = ", ".join(f"{s} {p.size:+f}" for s, p in sorted(a.positions.items()) if p.size)
        pnl = a.pnl.quantize(Decimal("0.01"))
        lines.append(f"{a.name:<14} {a.orders_sent:>7} {a.orders_accepted:>8} {a.fills:>6} "
                     f"{a.volume:>10f} {pnl:>14,f}  {held or '-'}")  # fmt: skip
    met = sum(1 for c in result.checks if c.passed)
    lines += ["", f"expectations met: {met}/{len(result.checks)}"]
    lines += [f"  {'ok  ' if c.passed else 'FAIL'}  {c.message}" for c in result.checks]
    return "\n".join(lines)


def run(source: str | Path, *, target_url: str | None = None, seed: int | None = None,
        speed: Decimal | None = None, reset: bool = False, out: TextIO | None = None,
        err: TextIO | None = None) -> int:  # fmt: skip
    """Run one scenario and print its summary (`out`, `err`: default stdout and stderr at the
    time of the call); the exit code (module docstring)."""
    out = sys.stdout if out is None else out
    err = sys.stderr if err is None else err
    from .inprocess import InProcessTarget
    from .runner import Runner
    from .target import Target

    try:
        if speed is not None and target_url is None:
            raise UsageError("--speed paces a run against a server (--target URL); "
                             "the in-process run always goes as fast as it can")  # fmt: skip
        if reset and target_url is None:
            raise UsageError("--reset clears a server before a run against it (--target URL); "
                             "the in-process run always starts fresh")  # fmt: skip
        scenario = load(source)
        target: Target
        if target_url is None:
            target, where = InProcessTarget(scenario, seed), "in-process"
        else:
            from .wire import WireSetupError, WireTarget

            try:
                target = WireTarget(scenario, target_url, speed=speed, reset=reset)
            except WireSetupError as exc:
                raise UsageError(str(exc)) from None
            where = f"over the wire against {target_url}"
    except (UsageError, ScenarioError) as exc:
        err.write(f"kraken-mock: error: {exc}\n")
        return EXIT_UNUSABLE
    bar = ProgressBar(err)
    try:
        result = Runner(scenario, target, seed, bar).run()
    except Exception as exc:  # the server went away, or refused something mid-run
        bar.finish()
        err.write(f"kraken-mock: error: the run stopped: {type(exc).__name__}: {exc}\n")
        return EXIT_UNUSABLE
    finally:
        target.close()
    bar.finish()
    out.write(summary(result, where) + "\n")
    out.flush()
    if not result.passed:
        failed = len(result.failures)
        err.write(f"kraken-mock: scenario {scenario.name!r} failed: {failed} of "
                  f"{len(result.checks)} expectation(s) not met\n")  # fmt: skip
        return EXIT_FAILED
    return EXIT_OK
