"""What every benchmark needs: the production-shaped environment, the bench database, gunicorn,
a Celery worker, wrk, and a table that prints each figure beside its same-run baseline.

Everything runs on loopback against the bench's own PostgreSQL database (``photomania_bench``)
and Redis db 9, so a run never touches the development or test data.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BENCH_DIR = ROOT / "var" / "bench"
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BENCH_DB = os.environ.get("BENCH_DB", "photomania_bench")
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
CORES = os.cpu_count() or 1
# The figure for this 2-core machine: 16 concurrent connections.
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
DURATION = int(os.environ.get("BENCH_DURATION", "10"))
WEB_WORKERS = int(os.environ.get("BENCH_WEB_WORKERS", "3"))  # the Procfile's WEB_CONCURRENCY default
WEB_WORKER_CLASS = os.environ.get("BENCH_WORKER_CLASS", "gthread")  # the Procfile's worker model
WEB_THREADS = int(os.environ.get("BENCH_WEB_THREADS", "16"))  # the Procfile's WEB_THREADS default
UNLIMITED = "1000000000/min"


def bench_env(**extra: str) -> dict[str, str]:
    """The production settings (DEBUG=False, JSON logs, compressed static) pointed at bench services."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PHOTOMANIA_TESTING"))}
    env.update(
        {
            # PhotoMania's settings with the bench's URL conf (the baseline views under /bench/).
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "False",
            "SECRET_KEY": "bench-only-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a3c5e7b9d1f3a",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "False",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{BENCH_DB}",
            "REDIS_URL": BENCH_REDIS,
            "CACHE_KEY_PREFIX": "bench",
            "PHOTOMANIA_BENCH_DIR": str(BENCH_DIR),
            "MEDIA_ROOT": str(BENCH_DIR / "media"),
            # Throttles still run (a cache round trip per request) but never refuse the load.
            "RATE_LIMIT_APPLY": UNLIMITED,
            "RATE_LIMIT_UPLOAD": UNLIMITED,
            "RATE_LIMIT_USER": UNLIMITED,
            "RATE_LIMIT_ANON": UNLIMITED,
            # The bench logs in dozens of users from one address within a minute.
            "RATE_LIMIT_LOGIN": "1000/m/ip",
            "IMAGE_FETCH_ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def django_setup() -> None:
    """Configure Django in this process with the bench environment (for seeding and checks)."""
    os.environ.pop("PHOTOMANIA_TESTING", None)  # `make bench` must measure production settings
    os.environ.update(bench_env())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def ensure_database() -> None:
    """Create the bench database if missing and migrate it."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=bench_env(), check=True
    )


def redis_flush() -> None:
    """Empty the bench's Redis db (queues, throttle counters, cache)."""
    import redis

    redis.Redis.from_url(BENCH_REDIS).flushdb()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(condition, *, timeout: float, interval: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def http(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


# --- Processes ---------------------------------------------------------------------------------


@dataclass
class Server:
    base: str
    process: subprocess.Popen


@contextlib.contextmanager
def gunicorn(*, workers: int = WEB_WORKERS, **env: str) -> Iterator[Server]:
    """gunicorn as the Procfile runs it (gthread workers, access log on), on a free loopback port."""
    port = free_port()
    log = open(BENCH_DIR / "gunicorn.log", "ab")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "photomania.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            WEB_WORKER_CLASS,
            # gunicorn turns a sync worker with threads > 1 into gthread: pass threads only for gthread.
            "--threads",
            str(WEB_THREADS if WEB_WORKER_CLASS == "gthread" else 1),
            "--access-logfile",
            str(BENCH_DIR / "access.log"),
            "--forwarded-allow-ips=127.0.0.1",
        ],
        cwd=ROOT,
        env=bench_env(**env),
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    server = Server(base=f"http://127.0.0.1:{port}", process=process)
    try:
        wait_until(lambda: _answers(server.base + "/api/health"), timeout=60, what="gunicorn")
        yield server
    finally:
        _stop(process)
        log.close()


def _answers(url: str) -> bool:
    try:
        return http("GET", url)[0] in (200, 503)
    except OSError:
        return False


def _stop(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, sig)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# glibc's malloc settings from the Procfile's worker line: image buffers up to 32 MB come from the
# heap (not a fresh mmap per buffer), and up to 256 MB free at the top of the heap is kept.
WORKER_MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "33554432", "MALLOC_TRIM_THRESHOLD_": "268435456"}


@contextlib.contextmanager
def celery_worker(*, concurrency: int = CORES, pool: str = "prefork", **env: str) -> Iterator[subprocess.Popen]:
    """A Celery worker as the Procfile runs it, on the bench Redis; yields once it answers a ping."""
    log = open(BENCH_DIR / "worker.log", "ab")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "celery_app",
            "worker",
            "-Q",
            "sweep,priority,default",
            "--concurrency",
            str(concurrency),
            "--pool",
            pool,
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"bench-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=bench_env(**{**WORKER_MALLOC_ENV, **env}),
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        from celery_app import app

        def _ready():
            replies = app.control.ping(timeout=0.5) or []
            return any(f"bench-{os.getpid()}@" in name for reply in replies for name in reply)

        wait_until(_ready, timeout=90, interval=0.2, what="the Celery worker")
        yield process
    finally:
        _stop(process)
        log.close()


# --- Load generation (wrk) -----------------------------------------------------------------

_WRK_LUA = """
local requests_list = %(requests)s
local counter = 0
request = function()
  counter = counter + 1
  local r = requests_list[(counter %% #requests_list) + 1]
  return wrk.format(r.method, r.path, r.headers, r.body)
end
local non2xx = 0
response = function(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p90_us": %%d, "p99_us": %%d, ' ..
    '"max_us": %%d, "connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def _lua_string(value: str | bytes) -> str:
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    return "".join(c if (c.isascii() and c.isalnum()) or c in " -_./:=,;{}[]@" else f"\\{ord(c):03d}" for c in value)


@dataclass
class Load:
    """One wrk run: throughput and latency percentiles as wrk measured them."""

    requests: int
    seconds: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    non_2xx: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


@dataclass
class WrkRequest:
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: bytes = b""


def ensure_wrk() -> str:
    """Debian's wrk; installed with apt-get when missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing it with apt-get", file=sys.stderr)
    subprocess.run(["apt-get", "update", "-qq"], check=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True)
    return shutil.which("wrk") or "wrk"


def wrk(
    base: str,
    requests: list[WrkRequest],
    *,
    duration: int = DURATION,
    connections: int = CONNECTIONS,
    threads: int = CORES,
) -> Load:
    """Run wrk against ``base`` cycling through ``requests``; parse the Lua summary."""
    entries = []
    for r in requests:
        headers = ", ".join(f'["{_lua_string(k)}"] = "{_lua_string(v)}"' for k, v in r.headers.items())
        body = f'"{_lua_string(r.body)}"' if r.body else "nil"
        entries.append(
            f'{{method = "{r.method}", path = "{_lua_string(r.path)}", headers = {{{headers}}}, body = {body}}}'
        )
    script = _WRK_LUA % {"requests": "{" + ", ".join(entries) + "}"}
    with tempfile.NamedTemporaryFile("w", encoding="ascii", suffix=".lua", delete=False, dir=BENCH_DIR) as handle:
        handle.write(script)
    try:
        out = subprocess.run(
            [
                ensure_wrk(),
                "-t",
                str(min(threads, connections)),
                "-c",
                str(connections),
                "-d",
                f"{duration}s",
                "--timeout",
                "10s",
                "-s",
                handle.name,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    line = next(line for line in out.splitlines() if line.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    non_2xx = _non_2xx(out)
    return Load(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        non_2xx=non_2xx,
    )


def _non_2xx(out: str) -> int:
    for line in out.splitlines():
        if "Non-2xx or 3xx responses:" in line:
            return int(line.split(":")[1])
    return 0


# --- Results -----------------------------------------------------------------------------------


def median(values) -> float:
    return statistics.median(values) if values else float("nan")


def p99(values) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    index = max(0, min(len(values) - 1, round(0.99 * (len(values) - 1))))
    return values[index]


@dataclass
class Row:
    """One line of a result table: ours beside the baseline, the ratio and the target's verdict."""

    what: str
    ours: str
    baseline: str
    ratio: str
    target: str
    met: bool | None
    note: str = ""


RESULTS: list[Row] = []


def report(title: str, rows: list[Row]) -> None:
    """Print a table and keep its rows for the summary (``python -m bench`` writes them to JSON)."""
    RESULTS.extend(rows)
    print(f"\n## {title}\n")
    headers = ("what", "ours", "baseline (same run)", "ratio", "target", "met")
    table = [headers] + [
        (r.what, r.ours, r.baseline, r.ratio, r.target, {True: "yes", False: "NO", None: "-"}[r.met]) for r in rows
    ]
    widths = [max(len(str(line[i])) for line in table) for i in range(len(headers))]
    for i, line in enumerate(table):
        print("| " + " | ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)) + " |")
        if i == 0:
            print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        if r.note:
            print(f"- {r.what}: {r.note}")
    sys.stdout.flush()


def fmt_load(load: Load) -> str:
    return f"{load.rps:,.0f} req/s, p50 {load.p50_ms:.1f} ms, p99 {load.p99_ms:.1f} ms"


def machine() -> dict:
    """The machine, as BENCHMARKS.md describes it."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = 0.0
    with contextlib.suppress(OSError, ValueError):
        mem_kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem_gb = mem_kb / 1024 / 1024
    return {
        "cpu": cpu,
        "cores": CORES,
        "memory_gb": round(mem_gb, 1),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg(),
    }
