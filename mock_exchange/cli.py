"""`kraken-mock`: the command line (also `python -m mock_exchange`).

    kraken-mock serve [--host H] [--port P] [--seed N] [--clock real|manual] [--no-makers]
                      [--rate-limits off|kraken] [--config FILE.toml] [--no-admin] [--access-log]
                      [--tls] [--tls-dir DIR]
    kraken-mock keys  [--seed N] [--config FILE.toml] [--json]

`serve` builds the app (`mock_exchange.config.build`), prints where it listens and the demo
accounts' keys with one-line recipes for python-kraken-sdk and ccxt, then runs uvicorn with one
worker and one event loop (the exchange lives in that loop; a second worker would be a second,
unrelated exchange). With `--tls` it first makes a local CA and a server certificate
(`mock_exchange.tls`, trustme imported only then), serves https/wss and prints the CA's path.
Flags override KRAKEN_MOCK_* variables, which override the TOML file.
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
from types import FrameType
from typing import Any, TextIO

from . import __version__
from .config import ConfigError, Info, Settings, build, load
from .tls import TlsError, TlsFiles, prepare

#: uvicorn's limit on an inbound WebSocket message; the hub enforces the same 64 KiB (1009).
WS_MAX_FRAME_BYTES = 65_536
_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


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
    _common(serve)
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

    keys = commands.add_parser("keys", help="print the demo accounts' API keys for a seed")
    _common(keys)
    keys.add_argument("--json", action="store_true", help="as a JSON list")
    return parser


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", help="seed for ids, keys and makers (default: random)")
    parser.add_argument("--config", metavar="FILE.toml", help="settings file")


def _settings(args: argparse.Namespace) -> Settings:
    names = ("host", "port", "seed", "clock", "makers", "rate_limits", "admin", "tls", "tls_dir")
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
    app, info = build(settings)
    tls = None
    if settings.tls:
        try:
            tls = prepare(settings.tls_dir, settings.host)
        except TlsError as exc:
            raise ConfigError(str(exc)) from None
    with _tls_files_removed_at_exit(tls):
        banner(info, sys.stdout, tls)
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


def keys(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if settings.seed is None:
        raise ConfigError("give a seed (--seed N): without one the keys differ on every run")
    _, info = build(replace(settings, makers=False))  # makers draw no demo ids
    if args.json:
        payload: list[dict[str, Any]] = [a.as_json() for a in info.accounts]
        print(json.dumps(payload, indent=2))
    else:
        accounts(info, sys.stdout)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return serve(args) if args.command == "serve" else keys(args)
    except ConfigError as exc:
        print(f"kraken-mock: error: {exc}", file=sys.stderr)
        return 2
