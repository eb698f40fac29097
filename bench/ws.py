"""WebSocket benchmark: order-to-feed latency and book fan-out, against `kraken-mock serve` running
in a subprocess on 127.0.0.1.

Run from the repository root:

    python bench/ws.py              # full run (10 s latency runs; about 1-2 min)
    python bench/ws.py --quick      # 3 s latency runs (about 45 s, most of it the fan-out)
    python bench/ws.py --json       # exactly one JSON object on stdout, the report on stderr
    python bench/ws.py --rate 300 --only 100          # one scenario at another order rate
    python bench/ws.py --only fanout --profile-server /tmp/server.prof   # cProfile the server

Workload. Orders arrive over REST (HTTP/1.1 keep-alive, 4 connections, every request signed
beforehand) on an open-loop schedule of a steady 1,000 orders/s (`--rate`): order i is due at
t0 + i ms, whether or not earlier answers are back (when all 4 connections are waiting for
answers the schedule slips; the report says by how much and what rate was really sent). All
orders are PF_XBTUSD limits at one price, sides alternating, from accounts taken in turn (never
the same account twice in a row): the first rests one lot, every later one (two lots) fills one
lot against the resting remainder of the previous order and rests the other. So every sendorder
rests and gets a `new_placed_order_by_user` delta on open_orders (its maker gets `full_fill`),
and the book stays one level deep (two book messages per order: one side empties, the other
fills).

Figures:
1. p99_ms_10_subscribers / p99_ms_100_subscribers: N websockets clients (N = 10, 100), each an
   account subscribed to its own open_orders (challenge signed); orders are spread over the N
   accounts in turn. A sample is one order: from the moment the engine accepted it to the moment
   its `new_placed_order_by_user` delta came out of `recv()` in the client. "Accepted" is stamped
   in the server process by an exchange listener registered before the WebSocket hub's, i.e.
   when `Exchange.submit` committed the order, just before the hub queues its messages (both
   sides read CLOCK_MONOTONIC, one clock for all processes on Linux). The server is the stock
   `kraken-mock serve --seed 1 --no-makers` (the CLI's own `main`) with only that listener
   added. The first second of orders is warm-up and not counted. The report adds the client's
   view (REST request written -> delta; REST round trip).
2. fanout_msgs_per_s_100: 100 websockets clients subscribed to `book` PF_XBTUSD while 3,000
   orders at the same rate change the book (10 accounts): book messages received by all
   clients together, divided by the time from the first order sent to the last message
   received. The offered load is 2 messages x 1,000 orders/s x 100 clients = 200,000
   messages/s; below that, the figure is what could be delivered. 3,000 orders make 6,000
   messages per client, under the hub's 10,000-message outbox, so no client is dropped.

The clients run in processes of their own (`multiprocessing`, spawn: one for the latency runs,
`--client-processes`, default 2, for the fan-out), apart from the order sender. They use
websockets' defaults (permessage-deflate on, as python-kraken-sdk; `--no-compression` turns it
off). Each scenario reports the CPU used by the server, the clients, the sender and the whole
machine, and warns when other processes took a noticeable share meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing as mp
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Pipe
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import websockets

SYMBOL = "PF_XBTUSD"
PRICE = "60000"
LOT = "0.0001"
RATE = 1_000  # orders per second
REST_CONNECTIONS = 4
WARM_UP_S = 1.0
SETTLE_S = 1.0  # after the last order of a latency run: time for the last deltas
FANOUT_ORDERS = 3_000
TARGETS = {"p99_ms_10_subscribers": 1.0, "p99_ms_100_subscribers": 5.0}  # at most
UNITS = {
    "p99_ms_10_subscribers": "ms",
    "p99_ms_100_subscribers": "ms",
    "fanout_msgs_per_s_100": "msgs/s",
}
Json = dict[str, Any]
PROFILE_SERVER: list[str] = []  # --profile-server: ["-m", "cProfile", "-o", FILE]


# -- the server: `kraken-mock serve` with an acceptance stamp per order ---------------------------
def serve_instrumented(port: int, stamps_path: str) -> None:
    """Run the CLI's `serve` with one extra exchange listener that stamps every placed order
    (CLOCK_MONOTONIC, ns); on SIGINT the stamps, and how long each full (generation 2) garbage
    collection stopped the server, are written to `stamps_path` as JSON."""
    import gc

    import mock_exchange.cli as cli
    import mock_exchange.config
    from mock_exchange.engine.events import Event, OrderPlaced

    stamps: dict[str, int] = {}
    real_build = mock_exchange.config.build
    full_gc_ms: list[float] = []  # generation-2 collections: the server stops for each
    gc_started = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        elif info["generation"] == 2:
            full_gc_ms.append((time.perf_counter() - gc_started[0]) * 1000)

    gc.callbacks.append(on_gc)

    def build(settings: Any) -> Any:
        app, info = real_build(settings)

        def on_events(events: Sequence[Event]) -> None:
            now = time.monotonic_ns()
            for event in events:
                if isinstance(event, OrderPlaced):
                    stamps.setdefault(event.order.order_id, now)

        app.state.mx.exchange.subscribe(on_events)  # before the hub, which attaches later
        return app, info

    setattr(cli, "build", build)  # noqa: B010 (the name `serve` calls)
    try:
        cli.main(["serve", "--port", str(port), "--seed", "1", "--no-makers"])
    except KeyboardInterrupt:  # uvicorn re-raises the SIGINT that stopped it
        pass
    finally:
        Path(stamps_path).write_text(json.dumps({"stamps": stamps, "full_gc_ms": full_gc_ms}))


class Server:
    def __init__(self) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}/ws/v1"
        fd, self.stamps_path = tempfile.mkstemp(prefix="kraken-mock-bench-", suffix=".json")
        os.close(fd)
        self.process = subprocess.Popen(
            [
                sys.executable,
                *PROFILE_SERVER,
                __file__,
                "--serve",
                str(self.port),
                self.stamps_path,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.base + "/__admin/health", timeout=1).status_code == 200:
                    break
            time.sleep(0.05)

    def cpu_s(self) -> float:
        """CPU seconds the server process has used (Linux /proc; 0.0 elsewhere)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def account(self) -> Json:
        body = {"balances": {"USD": 1_000_000}}
        out: Json = httpx.post(self.base + "/__admin/accounts", json=body, timeout=5).json()
        return out

    def stop(self) -> dict[str, int]:
        """Stop the server; the engine's acceptance stamps by order id."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        try:
            report = json.loads(Path(self.stamps_path).read_text() or "{}")
        finally:
            os.unlink(self.stamps_path)
        self.full_gc_ms: list[float] = report.get("full_gc_ms", [])
        stamps: dict[str, int] = report.get("stamps", {})
        return stamps


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# -- the orders ---------------------------------------------------------------------------------
def signed_requests(host: str, accounts: list[Json], count: int) -> list[bytes]:
    """`count` complete sendorder requests (see the module docstring), signed in advance."""
    from mock_exchange.protocol.auth import endpoint_path_for, sign_rest

    path = "/derivatives/api/v3/sendorder"
    signed_path = endpoint_path_for(path)
    out = []
    for i in range(count):
        acct = accounts[i % len(accounts)]
        size = LOT if i == 0 else str(2 * float(LOT))
        side = "buy" if i % 2 == 0 else "sell"
        body = urlencode({"orderType": "lmt", "symbol": SYMBOL, "side": side, "size": size,
                          "limitPrice": PRICE})  # fmt: skip
        nonce = str(i + 1)
        authent = sign_rest(acct["api_secret"], body, nonce, signed_path)
        head = (
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"APIKey: {acct['api_key']}\r\nNonce: {nonce}\r\nAuthent: {authent}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        out.append((head + body).encode())
    return out


@dataclass
class SendLog:
    sent_ns: list[int] = field(default_factory=list)
    answered_ns: list[int] = field(default_factory=list)
    order_ids: list[str | None] = field(default_factory=list)
    lag_ms_max: float = 0.0  # how late the schedule ran at worst (all REST connections busy)


async def send_orders(port: int, requests: list[bytes], rate: int) -> SendLog:
    """Send `requests` open-loop at `rate`/s over REST_CONNECTIONS keep-alive connections."""
    n = len(requests)
    log = SendLog([0] * n, [0] * n, [None] * n)
    free: asyncio.Queue[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = asyncio.Queue()
    writers = []
    for _ in range(REST_CONNECTIONS):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.transport.set_write_buffer_limits(0)
        writers.append(writer)
        free.put_nowait((reader, writer))
    pending: set[asyncio.Task[None]] = set()

    async def answer(i: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line[:15].lower() == b"content-length:":
                length = int(line[15:])
        body = await reader.readexactly(length)
        log.answered_ns[i] = time.monotonic_ns()
        free.put_nowait((reader, writer))
        status = json.loads(body).get("sendStatus", {})
        if status.get("status") == "placed":
            log.order_ids[i] = status.get("order_id")

    period = 1_000_000_000 // rate
    start = time.monotonic_ns()
    for i, request in enumerate(requests):
        due = start + i * period
        now = time.monotonic_ns()
        if due > now:
            await asyncio.sleep((due - now) / 1e9)
        reader, writer = await free.get()
        log.sent_ns[i] = now = time.monotonic_ns()
        log.lag_ms_max = max(log.lag_ms_max, (now - due) / 1e6)
        writer.write(request)
        task = asyncio.create_task(answer(i, reader, writer))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    for writer in writers:
        writer.close()
    return log


# -- the clients (in their own processes) ---------------------------------------------------------
def client_process(pipe: Pipe, url: str, specs: list[Json], compression: str | None) -> None:
    """Open one websockets client per spec ({"feed": "open_orders", "key", "secret"} or
    {"feed": "book"}), report ("ready",), record until "stop", then report the results."""
    asyncio.run(_clients(pipe, url, specs, compression))


async def _clients(pipe: Pipe, url: str, specs: list[Json], compression: str | None) -> None:
    from mock_exchange.protocol.auth import sign_challenge

    sockets = []
    for spec in specs:
        ws = await websockets.connect(url, max_queue=None, open_timeout=30, compression=compression)
        await ws.recv()  # info
        if spec["feed"] == "open_orders":
            await ws.send(json.dumps({"event": "challenge", "api_key": spec["key"]}))
            challenge = json.loads(await ws.recv())["message"]
            await ws.send(json.dumps({
                "event": "subscribe", "feed": "open_orders", "api_key": spec["key"],
                "original_challenge": challenge,
                "signed_challenge": sign_challenge(spec["secret"], challenge),
            }))  # fmt: skip
            snapshot = "open_orders_snapshot"
        else:
            await ws.send(json.dumps({"event": "subscribe", "feed": "book",
                                      "product_ids": [SYMBOL]}))  # fmt: skip
            snapshot = "book_snapshot"
        while True:
            message = json.loads(await ws.recv())
            if message.get("feed") == snapshot:
                spec["first_seq"] = message.get("seq")
                break
            if message.get("event") in ("alert", "error"):
                raise RuntimeError(f"subscribe failed: {message}")
        sockets.append(ws)

    arrivals: dict[str, int] = {}
    counts = [0] * len(sockets)
    last_text: list[str | None] = [None] * len(sockets)
    last_ns = [0] * len(sockets)
    closes: list[str] = []

    async def consume(k: int, ws: Any) -> None:
        clock = time.monotonic_ns
        try:
            while True:
                text = await ws.recv()
                now = clock()
                counts[k] += 1
                last_ns[k] = now
                if '"new_placed_order_by_user"' in text:
                    arrivals[json.loads(text)["order"]["order_id"]] = now
                else:
                    last_text[k] = text
        except websockets.ConnectionClosed as exc:
            closes.append(
                f"{exc.rcvd.code if exc.rcvd else None} {exc.rcvd.reason if exc.rcvd else ''}"
            )

    tasks = [asyncio.create_task(consume(k, ws)) for k, ws in enumerate(sockets)]
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    loop.add_reader(pipe.fileno(), stop.set)
    pipe.send(("ready",))
    cpu0, wall0 = time.process_time(), time.monotonic()
    await stop.wait()
    cpu = (time.process_time() - cpu0) / (time.monotonic() - wall0)  # in cores
    loop.remove_reader(pipe.fileno())
    pipe.recv()
    for task in tasks:
        task.cancel()
    last_seq = []
    for text in last_text:
        seq = json.loads(text).get("seq") if text else None
        last_seq.append(seq)
    pipe.send(("done", {
        "arrivals": arrivals, "counts": counts, "last_ns": last_ns, "closes": closes,
        "first_seq": [s.get("first_seq") for s in specs], "last_seq": last_seq, "cpu": cpu,
    }))  # fmt: skip
    for ws in sockets:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(), 2)


class Clients:
    """Client processes holding `specs` between them."""

    def __init__(
        self, url: str, specs: list[Json], processes: int, compression: str | None
    ) -> None:
        ctx = mp.get_context("spawn")
        self.procs = []
        self.pipes = []
        for part in range(processes):
            mine = specs[part::processes]
            if not mine:
                continue
            ours, theirs = ctx.Pipe()
            proc = ctx.Process(
                target=client_process, args=(theirs, url, mine, compression), daemon=True
            )
            proc.start()
            self.procs.append(proc)
            self.pipes.append(ours)
        for pipe in self.pipes:
            if not pipe.poll(120):
                raise RuntimeError("a client process did not get ready")
            assert pipe.recv() == ("ready",)

    def results(self) -> list[Json]:
        for pipe in self.pipes:
            pipe.send("stop")
        out = []
        for pipe in self.pipes:
            if not pipe.poll(60):
                raise RuntimeError("a client process did not report")
            out.append(pipe.recv()[1])
        for proc in self.procs:
            proc.join(10)
            if proc.is_alive():
                proc.kill()
        return out


# -- the scenarios --------------------------------------------------------------------------------
def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


@dataclass
class Run:
    """What one scenario measured, besides its figure."""

    orders: int = 0
    sent_rate: float = 0.0  # orders/s actually sent
    lag_ms_max: float = 0.0
    refused: int = 0
    missing: int = 0  # placed orders whose delta never arrived
    closes: list[str] = field(default_factory=list)
    server_cpu: float = 0.0  # share of one core while orders were sent
    client_cpu: float = 0.0  # the websockets clients' processes together
    sender_cpu: float = 0.0  # this process (the REST sender)
    machine_cpu: float = 0.0  # all processes on the machine, in cores
    stats: dict[str, float] = field(default_factory=dict)
    full_gc_ms: list[float] = field(default_factory=list)  # the server's full collections


def _sender(server: Server, accounts: list[Json], seconds: float, rate: int) -> tuple[SendLog, Run]:
    count = max(2, int(seconds * rate))
    requests = signed_requests(f"127.0.0.1:{server.port}", accounts, count)
    cpu0, own0, busy0, t0 = server.cpu_s(), time.process_time(), _busy_s(), time.monotonic()
    log = asyncio.run(send_orders(server.port, requests, rate))
    wall = time.monotonic() - t0
    run = Run(orders=count, lag_ms_max=log.lag_ms_max)
    run.server_cpu = (server.cpu_s() - cpu0) / wall
    run.sender_cpu = (time.process_time() - own0) / wall
    run.machine_cpu = (_busy_s() - busy0) / wall
    run.sent_rate = (count - 1) / ((log.sent_ns[-1] - log.sent_ns[0]) / 1e9)
    run.refused = sum(1 for oid in log.order_ids if oid is None)
    return log, run


def latency_run(subscribers: int, seconds: float, rate: int, compression: str | None) -> Run:
    """N clients on their own accounts' open_orders; orders spread over the N accounts."""
    server = Server()
    try:
        accounts = [server.account() for _ in range(subscribers)]
        specs = [{"feed": "open_orders", "key": a["api_key"], "secret": a["api_secret"]}
                 for a in accounts]  # fmt: skip
        clients = Clients(server.ws_url, specs, 1, compression)
        log, run = _sender(server, accounts, seconds, rate)
        time.sleep(SETTLE_S)
        results = clients.results()
    finally:
        stamps = server.stop()
    run.full_gc_ms = server.full_gc_ms
    arrivals: dict[str, int] = {}
    for part in results:
        arrivals.update(part["arrivals"])
        run.closes += part["closes"]
    run.client_cpu = sum(part["cpu"] for part in results)
    accepted, end_to_end, rest = [], [], []
    for i in range(int(WARM_UP_S * rate), run.orders):
        oid = log.order_ids[i]
        if oid is None:
            continue
        arrival = arrivals.get(oid)
        if arrival is None or oid not in stamps:
            run.missing += 1
            continue
        accepted.append((arrival - stamps[oid]) / 1e6)
        end_to_end.append((arrival - log.sent_ns[i]) / 1e6)
        rest.append((log.answered_ns[i] - log.sent_ns[i]) / 1e6)
    run.stats = {
        "samples": len(accepted),
        "p50": _pct(accepted, 0.50),
        "p99": _pct(accepted, 0.99),
        "p999": _pct(accepted, 0.999),
        "max": max(accepted, default=float("nan")),
        "e2e_p50": _pct(end_to_end, 0.50),
        "e2e_p99": _pct(end_to_end, 0.99),
        "rest_p50": _pct(rest, 0.50),
        "rest_p99": _pct(rest, 0.99),
    }
    return run


def fanout_run(
    subscribers: int, seconds: float, rate: int, processes: int, compression: str | None
) -> Run:
    """N clients on `book` PF_XBTUSD; orders from 10 accounts change the book."""
    server = Server()
    try:
        accounts = [server.account() for _ in range(10)]
        specs = [{"feed": "book"} for _ in range(subscribers)]
        clients = Clients(server.ws_url, specs, processes, compression)
        start = time.monotonic_ns()
        log, run = _sender(server, accounts, seconds, rate)
        drained = _wait_quiet(server)
        results = clients.results()
    finally:
        server.stop()
    run.full_gc_ms = server.full_gc_ms
    counts = [c for part in results for c in part["counts"]]
    last = max(ns for part in results for ns in part["last_ns"])
    first_seq = [s for part in results for s in part["first_seq"]]
    last_seq = [s for part in results for s in part["last_seq"]]
    produced = [b - a for a, b in zip(first_seq, last_seq, strict=True) if a is not None and b]
    run.closes = [c for part in results for c in part["closes"]]
    run.client_cpu = sum(part["cpu"] for part in results)
    run.missing = sum(max(produced, default=0) - c for c in counts)
    deliver_s = (last - start) / 1e9
    run.stats = {
        "rate": sum(counts) / deliver_s,
        "messages": sum(counts),
        "per_client_min": min(counts),
        "per_client_max": max(counts),
        "produced": max(produced, default=0),
        "send_s": (log.sent_ns[-1] - start) / 1e9,
        "deliver_s": deliver_s,
        "drained": drained,
        "offered": 2.0 * rate * subscribers,
    }
    return run


def _busy_s() -> float:
    """CPU seconds all processes on the machine have used (Linux /proc/stat; 0.0 elsewhere)."""
    try:
        ticks = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, ticks[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _wait_quiet(server: Server, limit_s: float = 120.0) -> bool:
    """Wait until the server stops burning CPU (its outboxes are written out)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        before = server.cpu_s()
        time.sleep(0.25)
        if server.cpu_s() - before < 0.05:  # under 20% of a core: only the ticker is left
            return True
    return False


# -- reporting ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--seconds", type=float, help="length of each latency run")
    parser.add_argument("--rate", type=int, default=RATE, help="orders per second")
    parser.add_argument("--client-processes", type=int, default=2, help="for the fan-out")
    parser.add_argument("--no-compression", action="store_true",
                        help="clients do not offer permessage-deflate")  # fmt: skip
    parser.add_argument("--profile-server", metavar="FILE", help="cProfile the servers into FILE")
    parser.add_argument("--only", choices=("10", "100", "fanout"), action="append")
    parser.add_argument("--serve", nargs=2, metavar=("PORT", "STAMPS"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve_instrumented(int(args.serve[0]), args.serve[1])
        return 0
    if args.profile_server:
        PROFILE_SERVER[:] = ["-m", "cProfile", "-o", args.profile_server]
    only = set(args.only or ("10", "100", "fanout"))
    out = sys.stderr if args.json else sys.stdout

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    started = time.perf_counter()
    seconds = args.seconds or (3.0 if args.quick else 10.0)
    compression = None if args.no_compression else "deflate"
    say(
        f"ws bench: {args.rate:,} orders/s, {seconds:g} s per latency run"
        + (", quick" if args.quick else "")
        + f", permessage-deflate {'off' if compression is None else 'on'}, "
        f"{os.cpu_count()} CPUs"
    )
    figures: dict[str, float] = {}
    for n in (10, 100):
        if str(n) not in only:
            continue
        run = latency_run(n, seconds, args.rate, compression)
        d = run.stats
        figures[f"p99_ms_{n}_subscribers"] = d["p99"]
        say(
            f"  open_orders, {n:>3} subscribers: accepted -> delta p50 {d['p50']:.3f} ms, "
            f"p99 {d['p99']:.3f} ms, p99.9 {d['p999']:.3f} ms, max {d['max']:.3f} ms "
            f"({d['samples']:,} orders)"
        )
        _describe(say, run)
        say(
            f"      client view: REST sent -> delta p50 {d['e2e_p50']:.3f} / p99 "
            f"{d['e2e_p99']:.3f} ms; REST round trip p50 {d['rest_p50']:.3f} / p99 "
            f"{d['rest_p99']:.3f} ms"
        )
    if "fanout" in only:
        run = fanout_run(
            100, FANOUT_ORDERS / args.rate, args.rate, args.client_processes, compression
        )
        d = run.stats
        figures["fanout_msgs_per_s_100"] = d["rate"]
        _report_fanout(say, run)
    _report_targets(say, figures)
    say(f"bench time {time.perf_counter() - started:.1f} s")
    if args.json:
        rows = [{"name": n, "value": round(v, 3), "unit": UNITS[n]} for n, v in figures.items()]
        print(json.dumps({"figures": rows}))
    return 0


def _report_fanout(say: Any, run: Run) -> None:
    d = run.stats
    say(
        f"  book fan-out, 100 subscribers: {d['rate']:,.0f} msgs/s delivered "
        f"({d['messages']:,} messages in {d['deliver_s']:.1f} s; offered {d['offered']:,.0f}/s)"
    )
    _describe(say, run)
    say(
        f"      per client {d['per_client_min']:,}..{d['per_client_max']:,} messages of "
        f"{d['produced']:,} produced; orders sent in {d['send_s']:.1f} s"
    )


def _report_targets(say: Any, figures: dict[str, float]) -> None:
    say("against the targets (ratio >= 1 meets it):")
    for name, target in TARGETS.items():
        if name in figures:
            value = figures[name]
            say(f"  {name:<24} {value:>10.3f} ms      target <= {target:g} ms  "
                f"ratio {target / value:6.3f}")  # fmt: skip
    if "fanout_msgs_per_s_100" in figures:
        fan = figures["fanout_msgs_per_s_100"]
        say(f"  fanout_msgs_per_s_100    {fan:>10,.0f} msgs/s  no target")


def _describe(say: Any, run: Run) -> None:
    say(
        f"      sent {run.orders:,} orders at {run.sent_rate:,.0f}/s (schedule late by "
        f"{run.lag_ms_max:,.0f} ms at worst)"
    )
    say(
        f"      CPU, in cores: server {run.server_cpu:.2f}, clients {run.client_cpu:.2f}, "
        f"sender {run.sender_cpu:.2f}, whole machine {run.machine_cpu:.2f} of {os.cpu_count()}"
    )
    others = run.machine_cpu - run.server_cpu - run.client_cpu - run.sender_cpu
    if others > 0.25:
        say(f"      !! other processes used {others:.2f} cores meanwhile: figures are disturbed")
    if run.full_gc_ms:
        say(
            f"      server: {len(run.full_gc_ms)} full GC collection(s) over its life, longest "
            f"{max(run.full_gc_ms):.0f} ms, {sum(run.full_gc_ms):.0f} ms in all"
        )
    if run.missing or run.refused or run.closes:
        say(f"      !! not delivered {run.missing}, refused {run.refused}, closes {run.closes}")


if __name__ == "__main__":
    sys.exit(main())
