"""`kraken-mock`: the command line (also `python -m mock_exchange`).

    kraken-mock serve [--host H] [--port P] [--seed N] [--clock real|manual] [--no-makers]
                      [--rate-limits off|kraken] [--config FILE.toml] [--no-admin] [--access-log]
                      [--tls] [--tls-dir DIR]
                      [--scenario FILE]
    kraken-mock keys  [--seed N] [--config FILE.toml] [--json]
    kraken-mock scenario run FILE [--target URL [--reset]] [--seed N] [--speed X]
                                                                  (KRAKEN_SCENARIO_SEED)

`serve` builds the app (`mock_exchange.config.build`), prints where it listens and the demo
accounts' keys with one-line recipes for python-kraken-sdk and ccxt, then runs uvicorn with one
worker and one event loop (the exchange lives in that loop; a second worker would be a second,
unrelated exchange). With `--tls` it first makes a local CA and a server certificate
(`mock_exchange.tls`, trustme imported only then), serves https/wss and prints the CA's path.
Flags override KRAKEN_MOCK_* variables, which override the TOML file. `serve --scenario FILE`
serves a live exchange set up and driven by a scenario (`scenarios.live`); `scenario run` runs
one to its end, in-process or against a server (`scenarios.cli`). The `scenarios` package is
imported only inside those commands. `serve --scenario` warns (stderr) about the settings set
explicitly that the scenario replaces (SCENARIO_REPLACES).
Invariant: a flag that is not given is passed on as None, so it never masks the lower layers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import replace
from decimal import Decimal
from types import FrameType
from typing import Any, TextIO

from . import __version__, runtime
from .config import ConfigError, Info, Settings, build, load
from .tls import TlsError, TlsFiles, prepare

#: uvicorn's limit on an inbound WebSocket message; the hub enforces the same 64 KiB (1009).
WS_MAX_FRAME_BYTES = 65_536
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
#: `scenario run`'s seed when --seed is not given (empty or unset: the file's own seed). Not a
#: KRAKEN_MOCK_* name: `serve` refuses unknown ones, and compose passes this one to `scenario`.
SCENARIO_SEED_ENV = "KRAKEN_SCENARIO_SEED"
#: Settings a scenario replaces with its own (`serve --scenario`): set explicitly, they are
#: ignored with a warning. (makers set to off is what the scenario does anyway: no warning.)
SCENARIO_REPLACES = ("symbols", "instruments", "prices", "start", "accounts", "makers",
                     "maker_interval_ms")  # fmt: skip


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kraken-mock",
        description="A deterministic, offline simulation of the Kraken Futures exchange.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="run the exchange over HTTP")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", help="port to listen on (default 8000)")
    _common(serve, "seed for ids, keys and makers (default: random)")
    serve.add_argument("--clock", choices=("real", "manual"), help="wall time or admin-driven")
    serve.add_argument(
        "--no-makers", dest="makers", action="store_const", const=False,
        help="no synthetic market makers (empty books, prices move only through admin)",
    )  # fmt: skip
    serve.add_argument(
        "--rate-limits", choices=("off", "kraken"), help="Kraken's cost-based limits"
    )
    serve.add_argument(
        "--no-admin", dest="admin", action="store_const", const=False,
        help="do not serve /__admin/* (404)",
    )  # fmt: skip
    serve.add_argument("--access-log", action="store_true", help="log every request")
    serve.add_argument(
        "--tls", action="store_const", const=True,
        help="serve https/wss with a local CA whose path is printed (docs/tls.md)",
    )  # fmt: skip
    serve.add_argument(
        "--tls-dir", metavar="DIR",
        help="keep the CA and certificate here (default: a temporary folder); reused on restart",
    )  # fmt: skip
    serve.add_argument(
        "--scenario", metavar="FILE",
        help="serve a live exchange driven by this scenario (a .toml file or a library name)",
    )  # fmt: skip

    keys = commands.add_parser("keys", help="print the demo accounts' API keys for a seed")
    _common(keys, "seed of the demo accounts (required unless a scenario is configured)")
    keys.add_argument("--json", action="store_true", help="as a JSON list")

    scenario = commands.add_parser("scenario", help="run scripted markets (docs/scenarios.md)")
    actions = scenario.add_subparsers(dest="action", required=True, metavar="ACTION")
    run = actions.add_parser("run", help="run a scenario to its end and check its expectations")
    run.add_argument("file", metavar="FILE", help="a scenario .toml file or a library name")
    run.add_argument("--target", metavar="URL",
                     help="run over the wire against this server (default: in-process)")
    run.add_argument("--seed", type=_seed,
                     help=f"seed of paths and actors (default: {SCENARIO_SEED_ENV} if set, else "
                          "the file's)")  # fmt: skip
    run.add_argument("--speed", type=_speed, metavar="X",
                     help="with --target: X times real time (default: a manual clock as fast as "
                          "it goes, a real clock at 1x)")  # fmt: skip
    run.add_argument("--reset", action="store_true",
                     help="with --target: POST /__admin/reset first (discards the server's orders "
                          "and the accounts opened since it started)")  # fmt: skip
    return parser


def _seed(text: str) -> int:
    if not text.strip().isdigit() or int(text) >= 1 << 64:
        raise argparse.ArgumentTypeError(f"a whole number from 0 to 2**64-1, got {text!r}")
    return int(text)


def _speed(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except ArithmeticError:
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        raise argparse.ArgumentTypeError(f"a number > 0 (e.g. 60), got {text!r}")
    return value


def _common(parser: argparse.ArgumentParser, seed_help: str) -> None:
    parser.add_argument("--seed", help=seed_help)
    parser.add_argument("--config", metavar="FILE.toml", help="settings file")


def _settings(args: argparse.Namespace) -> Settings:
    names = ("host", "port", "seed", "clock", "makers", "rate_limits", "admin", "tls", "tls_dir",
             "scenario")  # fmt: skip
    flags = {name: getattr(args, name, None) for name in names}
    return load(flags, os.environ, args.config)


def banner(info: Info, out: TextIO, tls: TlsFiles | None = None) -> None:
    """What a user needs to connect: URLs, keys, and a recipe per client library."""
    s, base = info.settings, info.rest_url
    onoff = {True: "on", False: "off"}
    out.write(
        f"kraken-futures-mock {__version__}  seed={info.seed}  clock={s.clock}  "
        f"makers={onoff[s.makers]}  rate-limits={s.rate_limits}  admin={onoff[s.admin]}\n"
        f"REST       {base}\n"
        f"WebSocket  {info.ws_url}\n"
    )
    if s.admin:
        out.write(f"Admin      {base}/__admin/state  (docs/admin-api.md)\n")
    if tls is not None:
        ca = tls.ca_file
        out.write(
            f"TLS CA     {ca}  ({'reused' if tls.reused_ca else 'new'}; "
            f"certificate for {', '.join(tls.names)})\n"
            f"  trust it:  export SSL_CERT_FILE={ca} REQUESTS_CA_BUNDLE={ca}  (docs/tls.md)\n"
        )
    accounts(info, out)
    if info.accounts:
        first = info.accounts[0]
        creds = f'key="{first.api_key}", secret="{first.api_secret}"'
        api = (
            f'"public": "{base}/derivatives/api/", "private": "{base}/derivatives/api/", '
            f'"charts": "{base}/api/charts/", "history": "{base}/api/history/"'
        )
        out.write(
            f"python-kraken-sdk ({first.name}):\n"
            f'  from kraken.futures import Trade; trade = Trade({creds}, url="{base}")\n'
        )
        if tls is not None:
            host = info.ws_url.split("://", 1)[1]
            out.write(
                "  from kraken.futures import FuturesWSClient; "
                f'ws = FuturesWSClient({creds}, url="{host}", callback=on_message)\n'
            )
        out.write(
            f"ccxt ({first.name}):\n"
            f'  import ccxt; ex = ccxt.krakenfutures({{"apiKey": "{first.api_key}", '
            f'"secret": "{first.api_secret}"}}); '
            f'ex.urls["api"] = {{**ex.urls["api"], {api}}}\n'
        )
    out.flush()


def accounts(info: Info, out: TextIO) -> None:
    out.write("Demo accounts:\n")
    for account in info.accounts:
        out.write(
            f"  {account.name} (account {account.account_id})\n"
            f"    API key:    {account.api_key}\n"
            f"    API secret: {account.api_secret}\n"
        )


def serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)
    app, info = build(settings) if settings.scenario is None else _scenario_app(settings)
    tls = None
    if settings.tls:
        try:
            tls = prepare(settings.tls_dir, settings.host)
        except TlsError as exc:
            raise ConfigError(str(exc)) from None
    with _tls_files_removed_at_exit(tls):
        banner(info, sys.stdout, tls)
        runtime.tune_gc()
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            workers=1,
            loop="asyncio",
            access_log=args.access_log,
            log_level="info",
            ws_max_size=WS_MAX_FRAME_BYTES,
            ssl_certfile=None if tls is None else str(tls.cert_file),
            ssl_keyfile=None if tls is None else str(tls.key_file),
        )
    return 0


@contextlib.contextmanager
def _tls_files_removed_at_exit(tls: TlsFiles | None) -> Iterator[None]:
    """Remove a temporary TLS folder however the server stops. uvicorn ends by re-raising the
    signal that stopped it with the handler it found, so that handler is where to clean up."""
    if tls is None or not tls.temporary:
        yield
        return

    def on_signal(signum: int, frame: FrameType | None) -> None:
        tls.cleanup()
        signal.signal(signum, previous[signum])
        signal.raise_signal(signum)

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, on_signal) for sig in _STOP_SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        tls.cleanup()


def _scenario_app(settings: Settings, quiet: bool = False) -> tuple[Any, Info]:
    """`serve --scenario`: the scenario's market, accounts and actors instead of the configured
    ones (scenarios.live); the banner lists the scenario's accounts. `quiet`: only the keys are
    wanted (`kraken-mock keys`), the scenario is stopped at once."""
    from scenarios import ScenarioError, load
    from scenarios.cli import duration_text, summary
    from scenarios.live import live_app

    assert settings.scenario is not None
    try:
        scenario = load(settings.scenario)
    except ScenarioError as exc:
        raise ConfigError(str(exc)) from None
    ignored = ignored_by_scenario(settings)
    if ignored:
        print(f"kraken-mock: warning: the scenario {settings.scenario} brings its own market, "
              f"accounts and actors; ignoring {', '.join(ignored)}", file=sys.stderr,
              flush=True)  # fmt: skip

    def report(result: Any) -> None:
        print("\n" + summary(result, "live") + "\n", flush=True)

    try:
        app, live = live_app(
            scenario, seed=settings.seed, clock=settings.clock, admin=settings.admin,
            rate_limits=settings.rate_limits == "kraken", on_finish=report,
        )  # fmt: skip
    except RuntimeError as exc:  # the scenario failed at its start (e.g. an account refused)
        raise ConfigError(f"{settings.scenario}: {exc}") from None
    if quiet:
        live.stop()
        return app, Info(live.seed, settings, tuple(live.accounts.values()))
    print(f"scenario {scenario.name!r} ({settings.scenario}): {len(scenario.accounts)} accounts, "
          f"{len(scenario.actors)} actors, runs for {duration_text(scenario.duration)} on the "
          f"{settings.clock} clock", flush=True)  # fmt: skip
    shown = replace(settings, makers=False, seed=live.seed)
    return app, Info(live.seed, shown, tuple(live.accounts.values()))


def ignored_by_scenario(settings: Settings) -> list[str]:
    """The explicitly set settings (flag, variable or file) a scenario replaces, each with
    where it was set, e.g. `makers (KRAKEN_MOCK_MAKERS)`; defaults are not listed."""
    out = []
    for name in SCENARIO_REPLACES:
        where = settings.sources.get(name)
        if where is not None and not (name == "makers" and not settings.makers):
            out.append(f"{name} ({where})")
    return out


def scenario_command(args: argparse.Namespace) -> int:
    from scenarios.cli import run

    seed = args.seed
    text = os.environ.get(SCENARIO_SEED_ENV, "")
    if seed is None and text.strip():
        try:
            seed = _seed(text)
        except argparse.ArgumentTypeError as exc:
            raise ConfigError(f"{SCENARIO_SEED_ENV}: {exc}") from None
    return run(args.file, target_url=args.target, seed=seed, speed=args.speed, reset=args.reset)


def keys(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.scenario is not None:  # KRAKEN_MOCK_SCENARIO: the keys `serve` will print
        _, info = _scenario_app(replace(settings, clock="manual"), quiet=True)
    elif settings.seed is None:
        raise ConfigError("give a seed (--seed N): without one the keys differ on every run")
    else:
        _, info = build(replace(settings, makers=False))  # makers draw no demo ids
    if args.json:
        payload: list[dict[str, Any]] = [a.as_json() for a in info.accounts]
        print(json.dumps(payload, indent=2))
    else:
        accounts(info, sys.stdout)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    commands = {"serve": serve, "keys": keys, "scenario": scenario_command}
    try:
        return commands[args.command](args)
    except ConfigError as exc:
        print(f"kraken-mock: error: {exc}", file=sys.stderr)
        return 2
