"""Real servers for client tests: uvicorn on a free 127.0.0.1 port in a background thread
(`running_server`), or the `serve` command as a subprocess (`ServeProcess`).

`with running_server(app) as base:` yields `http://127.0.0.1:<port>`; the server is started
(lifespan included) before the body runs and is shut down, and its thread joined, after it.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import uvicorn

START_TIMEOUT_S = 15.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(app: Any) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn:{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn did not start on port {port}")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(START_TIMEOUT_S)


class ServeProcess:
    """`python -m mock_exchange serve --port <free> <args>` as a real process, its output kept.

    `out`/`err` collect the process's lines as they come; `wait_healthy` polls the admin health
    route (`verify`: an SSL context for a TLS server); `stop` sends SIGTERM and waits.
    """

    def __init__(
        self,
        *args: str,
        scheme: str = "http",
        start_timeout_s: float = 30.0,
        port: int | None = None,
    ) -> None:
        self.port = port or free_port()
        self.base = f"{scheme}://127.0.0.1:{self.port}"
        self.start_timeout_s = start_timeout_s
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mock_exchange", "serve", "--port", str(self.port), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.out: list[str] = []
        self.err: list[str] = []
        for stream, sink in ((self.process.stdout, self.out), (self.process.stderr, self.err)):
            threading.Thread(target=_drain, args=(stream, sink), daemon=True).start()

    def wait_healthy(self, verify: ssl.SSLContext | bool = True) -> None:
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "".join(self.err)
            try:
                answer = httpx.get(self.base + "/__admin/health", verify=verify, timeout=1)
                if answer.json() == {"status": "ok"}:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError("the server did not become healthy:\n" + "".join(self.err))

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def _drain(stream: Any, sink: list[str]) -> None:
    for line in stream:
        sink.append(line)
