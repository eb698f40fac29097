"""REST benchmark: signed `sendorder` throughput and latency over real sockets.

Run from the repository root:

    python bench/rest.py            # full run (about 2 minutes)
    python bench/rest.py --quick    # short run (about 25 s)
    python bench/rest.py --json     # exactly one JSON object on stdout, progress on stderr
    python bench/rest.py --quick --profile   # cProfile of the target server (figures void)

Two servers run side by side in the same invocation, each in its own subprocess with the same
uvicorn settings as `kraken-mock serve` (one worker, `loop="asyncio"`, uvicorn's default HTTP
implementation; access log off), on 127.0.0.1:

- target: `create_app()` (manual clock, no makers) serving Kraken's real
  `POST /derivatives/api/v3/sendorder`: read, decode, Authent check over the raw bytes, nonce
  check, `Exchange.submit` (matching, margin, fees, positions), history, feeds, JSON encoding;
- baseline: a minimal Starlette app whose one route reads the body, checks the same signature
  with `mock_exchange.protocol.auth.verify_rest` and returns a fixed JSON.

The load generator (this process, asyncio + uvloop when installed) holds 50 keep-alive
HTTP/1.1 connections written on raw asyncio streams (no HTTP client library, to leave the CPU to
the servers). It shares the machine's cores with the server under test: nothing is pinned.
Every request is signed like python-kraken-sdk does it (form body, 18-digit `Nonce`, Authent =
HMAC-SHA512 over SHA256(body + nonce + "/api/v3/sendorder")).

Workload: each connection owns a buyer account and a seller account (100 funded accounts,
opened with POST /__admin/accounts) and alternates `lmt buy 0.001 @ 60000` (buyer key) and
`lmt sell 0.001 @ 60000` (seller key), carrying on from where it stopped in the previous run.
Buys and sells cross, and no connection slot is ever more than one order ahead on one side, so
at most 50 orders ever rest: the book stays bounded (its size is printed at the end). Buyers
never sell and sellers never buy, so there is no self-trade.
Nonces increase strictly per key. Every answer is checked (`"status":"placed"` from the target,
`"result":"success"` from the baseline); any other answer fails the run.

Figures:
1. sendorder_per_s, baseline_per_s: closed loop, 50 connections each sending its next order as
   soon as the previous answer arrived; completed requests per second over the timed window
   (after a warm-up), median of the rounds; the two servers are measured alternately;
2. ratio_vs_baseline = sendorder_per_s / baseline_per_s (target >= 0.75);
3. p99_ms_at_1000_per_s: open loop against the target: order i is due at t0 + i/1000 s
   whatever happened before; a due order goes out on the next free connection, and its latency
   runs from the moment it was due (so queueing behind a slow answer counts, no coordinated
   omission) to the last byte of its answer. Printed for context: the baseline at 1,000/s and,
   in a full run, the target at 500/s (below its capacity on a 2-core machine).

Each server also reports, at exit, its garbage-collector pauses and how many objects the
collector tracks: full collections over a large heap are what the tail latency is made of.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CONNECTIONS = 50
SYMBOL = "PF_XBTUSD"
PRICE = 60000
SIZE = "0.001"
RATE = 1_000  # orders per second in the latency run
CONTEXT_RATE = 500  # a second, lighter open-loop run against the target (printed, full run only)
PATH = "/derivatives/api/v3/sendorder"
SIGNED_PATH = "/api/v3/sendorder"  # the path with /derivatives removed, as Kraken signs it
RATIO_TARGET = 0.75
START_TIMEOUT_S = 20.0
UNITS = {
    "sendorder_per_s": "orders/s",
    "baseline_per_s": "requests/s",
    "ratio_vs_baseline": "ratio",
    "p99_ms_at_1000_per_s": "ms",
}
BASELINE_ANSWER = (
    b'{"result":"success","serverTime":"2026-01-01T00:00:00.000Z","sendStatus":{"status":"placed"}}'
)
BASELINE_KEYS_ENV = "KRAKEN_MOCK_BENCH_KEYS"  # {api key: secret} for the baseline server
PROFILE_ENV = "KRAKEN_MOCK_BENCH_PROFILE"  # the target server writes cProfile stats there
REPORT_ENV = "KRAKEN_MOCK_BENCH_REPORT"  # each server writes its GC pauses there at exit


# -- the servers (run in child processes) ---------------------------------------------------------
def baseline_app(keys: dict[str, str]) -> Any:
    """One route: read the body, verify Authent exactly as the real server does, fixed answer."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    from mock_exchange.protocol.auth import verify_rest

    refused = (
        b'{"result":"error","serverTime":"2026-01-01T00:00:00.000Z","error":"authenticationError"}'
    )

    async def sendorder(request: Request) -> Response:
        body = await request.body()
        headers = request.headers
        secret = keys.get(headers.get("apikey", ""))
        ok = secret is not None and verify_rest(
            secret,
            headers.get("authent", ""),
            request.scope.get("query_string", b""),
            body,
            headers.get("nonce") or "",
            request.url.path,
        )
        return Response(BASELINE_ANSWER if ok else refused, media_type="application/json")

    return Starlette(routes=[Route(PATH, sendorder, methods=["POST"])])


def serve(kind: str, port: int) -> None:
    """Child process: one server until SIGTERM, then its GC and profile reports."""
    import cProfile
    import gc
    import signal

    import uvicorn

    if kind == "target":
        from mock_exchange import runtime
        from mock_exchange.server.app import create_app

        app = create_app()
        runtime.tune_gc()  # as `kraken-mock serve` does after start-up
    else:
        app = baseline_app(json.loads(os.environ[BASELINE_KEYS_ENV]))
    # uvicorn re-raises the SIGTERM that stopped it: let that return, to write the reports
    signal.signal(signal.SIGTERM, lambda signum, frame: None)
    pauses: dict[int, list[float]] = {0: [], 1: [], 2: []}
    started = [0.0]

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses[info["generation"]].append((time.perf_counter() - started[0]) * 1000)

    gc.callbacks.append(on_gc)
    profile_path = os.environ.get(PROFILE_ENV)
    profiler = cProfile.Profile() if profile_path else None
    if profiler is not None:
        profiler.enable()
    # the settings of `kraken-mock serve` (mock_exchange/cli.py), minus the access log
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=port,
        workers=1,
        loop="asyncio",
        access_log=False,
        log_level="warning",
    )
    if profiler is not None and profile_path:
        profiler.disable()
        profiler.dump_stats(profile_path)
    gc.callbacks.remove(on_gc)
    report = os.environ.get(REPORT_ENV)
    if report:
        tracked = len(gc.get_objects())
        Path(report).write_text(json.dumps({"gc_pauses_ms": pauses, "tracked": tracked}))


def gc_summary(path: Path) -> str:
    """What a server's garbage collector cost it, from the report it wrote at exit."""
    try:
        report = json.loads(path.read_text())
        pauses, tracked = report["gc_pauses_ms"], report["tracked"]
    except (OSError, ValueError, KeyError):
        return "no GC report"
    young = pauses["0"] + pauses["1"]
    old = sorted(pauses["2"])
    text = (
        f"{tracked:,} objects tracked at exit; "
        f"{len(young):,} young collections ({sum(young):,.0f} ms in all)"
    )
    if old:
        text += (
            f"; {len(old)} full (generation 2) collections, longest {old[-1]:.0f} ms, "
            f"{sum(old):,.0f} ms in all"
        )
    return text


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    keys: list[tuple[str, bytes]] = field(default_factory=list)  # (api key, decoded secret)
    #: per connection slot, whether its next order is a buy; kept across runs, so that over the
    #: whole invocation each slot has at most one order more on one side than on the other
    buying: list[bool] = field(default_factory=lambda: [True] * CONNECTIONS)

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(kind: str, env_extra: dict[str, str] | None = None) -> Server:
    """`kind` in a child process on a free port, once it accepts connections."""
    port = _free_port()
    env = {**os.environ, **(env_extra or {})}
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--serve", kind, "--port", str(port)],
        env=env,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"{kind} server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{kind} server did not start on port {port}") from None
            time.sleep(0.05)
    return Server(kind, port, process)


@contextlib.contextmanager
def servers(
    baseline_keys: dict[str, str], workdir: Path, profile: bool
) -> Iterator[tuple[Server, Server]]:
    """Both servers; each writes `<name>.gc.json` (and the target `target.prof`) to `workdir`."""
    env = {REPORT_ENV: str(workdir / "target.gc.json")}
    if profile:
        env[PROFILE_ENV] = str(workdir / "target.prof")
    target = start_server("target", env)
    try:
        baseline = start_server(
            "baseline",
            {
                BASELINE_KEYS_ENV: json.dumps(baseline_keys),
                REPORT_ENV: str(workdir / "baseline.gc.json"),
            },
        )
        try:
            yield target, baseline
        finally:
            _stop(baseline)
    finally:
        _stop(target)


def _stop(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


# -- the load generator ---------------------------------------------------------------------------
class Signer:
    """Builds complete HTTP/1.1 requests signed the python-kraken-sdk way."""

    def __init__(self, port: int) -> None:
        self.host = f"127.0.0.1:{port}"
        # 18 digits, like python-kraken-sdk; a later run starts above every earlier nonce
        self.nonce = int(time.time() * 100_000_000)

    def request(self, key: str, secret: bytes, side: str) -> bytes:
        self.nonce += 1
        nonce = str(self.nonce)
        body = f"orderType=lmt&side={side}&size={SIZE}&symbol={SYMBOL}&limitPrice={PRICE}"
        digest = hashlib.sha256((body + nonce + SIGNED_PATH).encode()).digest()
        authent = base64.b64encode(hmac.new(secret, digest, hashlib.sha512).digest()).decode()
        return (
            f"POST {PATH} HTTP/1.1\r\nHost: {self.host}\r\n"
            "User-Agent: btschwertfeger/python-kraken-sdk\r\n"
            "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n"
            f"APIKey: {key}\r\nAuthent: {authent}\r\nNonce: {nonce}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
        ).encode()


class Connection:
    """One keep-alive connection; a buyer and a seller key; alternates buy and sell."""

    def __init__(
        self,
        signer: Signer,
        buyer: tuple[str, bytes],
        seller: tuple[str, bytes],
        expect: bytes,
        buying: bool,
    ) -> None:
        self.signer, self.buyer, self.seller, self.expect = signer, buyer, seller, expect
        self.buying = buying
        self.errors: list[bytes] = []
        self.reader: asyncio.StreamReader
        self.writer: asyncio.StreamWriter

    async def open(self, port: int) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", port)

    async def close(self) -> None:
        self.writer.close()
        with contextlib.suppress(OSError):
            await self.writer.wait_closed()

    async def send_order(self) -> bool:
        key, secret = self.buyer if self.buying else self.seller
        self.writer.write(self.signer.request(key, secret, "buy" if self.buying else "sell"))
        self.buying = not self.buying
        head = await self.reader.readuntil(b"\r\n\r\n")
        at = head.lower().find(b"content-length:")
        if at < 0:
            raise RuntimeError(f"answer without Content-Length: {head!r}")
        length = int(head[at + 15 : head.index(b"\r\n", at)])
        body = await self.reader.readexactly(length)
        ok = head.startswith(b"HTTP/1.1 200") and self.expect in body
        if not ok and len(self.errors) < 5:
            self.errors.append(head.split(b"\r\n", 1)[0] + b" " + body[:300])
        return ok


async def _connections(server: Server, expect: bytes) -> list[Connection]:
    signer = Signer(server.port)
    keys = server.keys
    conns = [
        Connection(signer, keys[2 * i], keys[2 * i + 1], expect, server.buying[i])
        for i in range(CONNECTIONS)
    ]
    await asyncio.gather(*(c.open(server.port) for c in conns))
    return conns


async def _close(server: Server, conns: list[Connection]) -> None:
    server.buying = [c.buying for c in conns]
    await asyncio.gather(*(c.close() for c in conns))


@dataclass
class Throughput:
    rate: float
    requests: int
    failed: int
    server_cpu: float  # share of one core
    loadgen_cpu: float


async def closed_loop(server: Server, expect: bytes, warmup: float, seconds: float) -> Throughput:
    conns = await _connections(server, expect)
    clock = time.perf_counter  # uvloop's loop.time() only has millisecond resolution
    begin = clock()
    start, end = begin + warmup, begin + warmup + seconds
    counted = [0, 0]  # ok, failed within the window
    marks: dict[str, float] = {}

    async def worker(conn: Connection) -> None:
        while True:
            ok = await conn.send_order()
            now = clock()
            if now >= end:
                return
            if now >= start:
                if "cpu" not in marks:
                    marks["cpu"], marks["own"] = server.cpu_seconds(), time.process_time()
                counted[0 if ok else 1] += 1

    await asyncio.gather(*(worker(c) for c in conns))
    cpu, own = server.cpu_seconds() - marks["cpu"], time.process_time() - marks["own"]
    await _close(server, conns)
    _raise_on_errors(server, conns)
    done = counted[0] + counted[1]
    return Throughput(done / seconds, done, counted[1], cpu / seconds, own / seconds)


@dataclass
class Latency:
    p50_ms: float
    p99_ms: float
    max_ms: float
    lag_p99_ms: float  # how late the load generator itself put due orders on the wire
    sent: int
    achieved_per_s: float


async def open_loop(
    server: Server, expect: bytes, warmup: float, seconds: float, rate: int = RATE
) -> Latency:
    """Orders due at a steady `rate`; latency from when each was due to its answer's last byte."""
    conns = await _connections(server, expect)
    clock = time.perf_counter
    due: asyncio.Queue[int | None] = asyncio.Queue()
    total = int((warmup + seconds) * rate)
    first_timed = int(warmup * rate)
    latencies: list[float] = []
    lags: list[float] = []
    last_answer = [0.0]
    t0 = clock() + 0.05

    async def pacer() -> None:
        for i in range(total):
            delay = t0 + i / rate - clock()
            if delay > 0.0005:
                await asyncio.sleep(delay)
            due.put_nowait(i)
        for _ in conns:
            due.put_nowait(None)

    async def worker(conn: Connection) -> None:
        while (i := await due.get()) is not None:
            when = t0 + i / rate
            sent = clock()
            await conn.send_order()
            now = last_answer[0] = clock()
            if i >= first_timed:
                latencies.append(now - when)
                lags.append(sent - when)

    await asyncio.gather(pacer(), *(worker(c) for c in conns))
    await _close(server, conns)
    _raise_on_errors(server, conns)
    latencies.sort()
    lags.sort()
    timed = len(latencies)
    p99 = min(timed - 1, int(timed * 0.99))
    span = last_answer[0] - (t0 + first_timed / rate)
    return Latency(
        latencies[timed // 2] * 1000,
        latencies[p99] * 1000,
        latencies[-1] * 1000,
        lags[p99] * 1000,
        timed,
        timed / span,
    )


def _raise_on_errors(server: Server, conns: list[Connection]) -> None:
    errors = [e for c in conns for e in c.errors]
    if errors:
        shown = "\n  ".join(e.decode(errors="replace") for e in errors[:5])
        raise RuntimeError(f"{server.name}: unexpected answers, the run is invalid:\n  {shown}")


# -- set-up and reporting -------------------------------------------------------------------------
def open_accounts(server: Server) -> None:
    """2 funded accounts per connection on the target, through the admin API."""
    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{server.port}") as client:
        for i in range(2 * CONNECTIONS):
            response = client.post(
                "/__admin/accounts",
                json={"name": f"bench-{i}", "balances": {"USD": 10_000_000}},
            )
            response.raise_for_status()
            out = response.json()
            server.keys.append((out["api_key"], base64.b64decode(out["api_secret"])))


def book_depth(server: Server) -> tuple[int, float]:
    """(price levels, contracts) resting on PF_XBTUSD after the runs."""
    import httpx

    url = f"http://127.0.0.1:{server.port}/derivatives/api/v3/orderbook?symbol={SYMBOL}"
    book = httpx.get(url).json()["orderBook"]
    levels = book["bids"] + book["asks"]
    return len(levels), sum(qty for _, qty in levels)


def machine() -> str:
    model = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import starlette
    import uvicorn

    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:
        loop = "asyncio"
    return (
        f"{os.cpu_count()} cores ({model}), load average {_load()}, "
        f"Python {sys.version.split()[0]}, "
        f"uvicorn {uvicorn.__version__}, starlette {starlette.__version__}, "
        f"load generator on {loop}"
    )


def _load() -> str:
    """The 1-minute load average: other work on the machine skews every figure."""
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a short run (about 25 s)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="cProfile the target server (its figures are then meaningless)",
    )
    parser.add_argument("--serve", choices=("target", "baseline"), help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.port)
        return 0
    out = sys.stderr if args.json else sys.stdout

    def say(text: str) -> None:
        print(text, file=out, flush=True)

    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    rounds, warmup, window = (1, 1.0, 4.0) if args.quick else (3, 1.0, 8.0)
    lat_warmup, lat_seconds = (1.0, 5.0) if args.quick else (2.0, 20.0)
    began = time.perf_counter()
    say(f"REST bench: {CONNECTIONS} connections; {machine()}" + (", quick" if args.quick else ""))
    baseline_keys = {
        base64.b64encode(secrets.token_bytes(27)).decode(): base64.b64encode(
            secrets.token_bytes(64)
        ).decode()
        for _ in range(2 * CONNECTIONS)
    }
    figures: dict[str, float] = {}
    workdir = Path(tempfile.mkdtemp(prefix="rest-bench-"))
    with servers(baseline_keys, workdir, args.profile) as (target, baseline):
        open_accounts(target)
        baseline.keys = [(k, base64.b64decode(s)) for k, s in baseline_keys.items()]
        expect = {"target": b'"status":"placed"', "baseline": b'"result":"success"'}
        runs: dict[str, list[Throughput]] = {"target": [], "baseline": []}
        for r in range(rounds):
            for server in (baseline, target):
                result = asyncio.run(closed_loop(server, expect[server.name], warmup, window))
                runs[server.name].append(result)
                say(
                    f"  round {r + 1} {server.name:<8} {result.rate:>9,.0f} req/s  "
                    f"({result.requests:,} in {window:.0f} s; server CPU "
                    f"{result.server_cpu:.0%} of a core, load generator {result.loadgen_cpu:.0%})"
                )
        figures["sendorder_per_s"] = statistics.median(t.rate for t in runs["target"])
        figures["baseline_per_s"] = statistics.median(t.rate for t in runs["baseline"])
        figures["ratio_vs_baseline"] = figures["sendorder_per_s"] / figures["baseline_per_s"]
        latency: dict[tuple[str, int], Latency] = {}
        plan = [(target, RATE), (baseline, RATE)]
        if not args.quick:
            plan.append((target, CONTEXT_RATE))
        for server, rate in plan:
            lat = latency[server.name, rate] = asyncio.run(
                open_loop(server, expect[server.name], lat_warmup, lat_seconds, rate)
            )
            say(
                f"  {server.name:<8} at {rate:,}/s open loop: p50 {lat.p50_ms:.2f} ms, "
                f"p99 {lat.p99_ms:.2f} ms, max {lat.max_ms:.2f} ms; {lat.sent:,} timed orders, "
                f"achieved {lat.achieved_per_s:,.0f}/s; load generator send lag p99 "
                f"{lat.lag_p99_ms:.2f} ms"
            )
        figures["p99_ms_at_1000_per_s"] = latency["target", RATE].p99_ms
        levels, contracts = book_depth(target)
        say(f"  target book after the runs: {levels} price level(s), {contracts:g} XBT resting")
    for name in ("target", "baseline"):
        say(f"  {name} server GC over its life: {gc_summary(workdir / f'{name}.gc.json')}")
    if args.profile:
        import pstats

        stats = pstats.Stats(str(workdir / "target.prof"), stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        stats.print_callees(r"\(sendorder\)|\(submit\)|\(_publish\)")
    shutil.rmtree(workdir, ignore_errors=True)
    say("figures:")
    say(f"  sendorder_per_s       {figures['sendorder_per_s']:>10,.0f} orders/s")
    say(f"  baseline_per_s        {figures['baseline_per_s']:>10,.0f} requests/s")
    met = "met" if figures["ratio_vs_baseline"] >= RATIO_TARGET else "NOT met"
    say(
        f"  ratio_vs_baseline     {figures['ratio_vs_baseline']:>10.3f}        "
        f"target >= {RATIO_TARGET} ({met})"
    )
    say(f"  p99_ms_at_1000_per_s  {figures['p99_ms_at_1000_per_s']:>10.2f} ms")
    say(f"bench time {time.perf_counter() - began:.1f} s, load average at the end {_load()}")
    if args.json:
        rows = [
            {
                "name": name,
                "value": round(value, 3 if name == "ratio_vs_baseline" else 2),
                "unit": UNITS[name],
            }
            for name, value in figures.items()
        ]
        print(json.dumps({"figures": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
