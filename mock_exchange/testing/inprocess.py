"""The in-process exchange of the `kraken_exchange` fixture: an app built from settings (or a
scenario), served by uvicorn in a background thread on a socket bound to a free 127.0.0.1 port.

Invariants:
- the listening socket is bound (port 0: the OS picks) before the app is built, so the port is
  never raced for between parallel tests or xdist workers, and the settings name the real port;
- the server has started (lifespan included) before the test runs, and is stopped and its
  thread joined after it, even when the test fails;
- settings come only from the test's marker, never from KRAKEN_MOCK_* variables, so a test's
  exchange is the same on every machine; defaults: manual clock at 2026-01-01T00:00Z, seed 1,
  no makers, the whole instrument catalogue, the two demo accounts.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import uvicorn
from starlette.applications import Starlette

from ..config import ConfigError, Settings, build, load

START_TIMEOUT_S = 15.0
DEFAULT_SEED = 1
#: uvicorn's limit on an inbound WebSocket frame, as `kraken-mock serve` sets it.
WS_MAX_FRAME_BYTES = 65_536
#: Settings a test may choose with @pytest.mark.kraken_exchange(...) (as in the TOML file).
MARKER_SETTINGS = (
    "seed", "clock", "makers", "maker_interval_ms", "rate_limits", "start", "symbols",
    "prices", "instruments", "accounts",
)  # fmt: skip
DEFAULTS: Mapping[str, Any] = {"clock": "manual", "makers": False, "seed": DEFAULT_SEED}


class MarkerError(ValueError):
    """Settings in a kraken_exchange marker that cannot be used."""


def settings_for(options: Mapping[str, Any], port: int) -> Settings:
    """Checked settings: the plugin's defaults, then the marker's `options`, on 127.0.0.1:port."""
    unknown = sorted(set(options) - set(MARKER_SETTINGS))
    if unknown:
        raise MarkerError(
            f"unknown setting(s) {', '.join(unknown)} (accepted: {', '.join(MARKER_SETTINGS)})"
        )
    try:
        settings = load({**DEFAULTS, **options}, env={}, config_file=None)
    except ConfigError as exc:
        # load() prefixes "--<flag>: " as the source; the message itself names the setting
        message = str(exc)
        if message.startswith("--"):
            message = message.partition(": ")[2] or message
        raise MarkerError(message) from None
    return replace(settings, host="127.0.0.1", port=port)


def bound_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def built(options: Mapping[str, Any], port: int) -> tuple[Starlette, int, dict[str, Any]]:
    """The app for the marker's options, its seed and its default accounts (name -> keys)."""
    try:
        app, info = build(settings_for(options, port))
    except ConfigError as exc:
        raise MarkerError(str(exc)) from None
    return app, info.seed, {a.name: a.as_json() for a in info.accounts}


@contextlib.contextmanager
def serving(app: Starlette, sock: socket.socket) -> Iterator[str]:
    """Serve `app` on `sock` in a thread; yield `http://127.0.0.1:<port>` once it has started."""
    port: int = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="on",
                            ws_max_size=WS_MAX_FRAME_BYTES)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                              name=f"kraken-exchange:{port}", daemon=True)  # fmt: skip
    thread.start()
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the in-process exchange did not start on port {port}")
            time.sleep(0.005)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_S)
        sock.close()
