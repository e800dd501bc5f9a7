"""CPU time per request of one API path, run in this process through Django's WSGIHandler (no
gunicorn, no wrk): ``python -m bench.inprocess SPEC [SPEC ...]``.

A SPEC is a path, a GET unless prefixed by a body kind:

- ``/api/effects``, ``/api/jobs/{job}``: GET (``{job}`` stands for a bench job of the bench user);
- ``json:/api/effects/apply``: POST ``{"effectId", "imageUrl"}`` as JSON (the apply benchmark's body);
- ``upload:/api/effects/apply``: POST the apply benchmark's 640x480 JPEG as multipart;
- ``{user}`` and ``{effect}`` stand for the bench user's and an effect's ids, for the bare charge
  view: ``json:/bench/bare/charge?user={user}&effect={effect}``.

Production settings, bench database and Redis, a real session token in ``X-Session-Token`` (or,
with ``--api-key``, a developer API key of the same user in ``X-Api-Key``). Each
process uses its own bench user (one per set of SPECs), so processes running side by side never
wait on each other's row locks. The jobs an apply run creates (and their stored uploads) are
deleted when it ends. The bare views' stored response bytes are written here when missing.

On a shared machine, start one process per path at the same time (``&``) so they share the same
contention, and compare their figures: CPU time per request is what a CPU-bound server's
throughput follows. ``--profile`` adds a pyinstrument profile of the last SPEC.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
import shutil
import sys
import time
from dataclasses import dataclass

from bench import harness

USER_CREDITS = 1_000_000
IMAGE_URL = "http://127.0.0.1/photo.jpg"  # an allow-listed host in the bench settings; nothing fetches it


def _token(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def _api_key(user) -> str:
    """A fresh API key (every scope) of the bench user; the user's earlier bench keys are deleted."""
    from accounts.api_keys import api_key_create
    from accounts.models import ApiKey

    ApiKey.objects.filter(user=user).delete()
    _row, key = api_key_create(user=user, name="bench")
    return key


def _data(tag: str):
    """This process's bench user (with credits to spend), 50 effects and a job, reused by later runs."""
    from accounts.models import User
    from bench import data
    from billing.models import CreditTransaction
    from billing.services import credits_top_up
    from effects.models import Effect, Job

    prefix = f"inprocess-{tag}-"
    user = User.objects.filter(email=f"{prefix}0@bench.local").first()
    if user is None:
        [user] = data.users_create(1, credits=USER_CREDITS, prefix=prefix)
    elif user.credits < USER_CREDITS // 2:
        credits_top_up(
            user=user,
            quota=USER_CREDITS,
            reference=f"bench-top-up:{user.pk}:{time.time_ns()}",
            kind=CreditTransaction.Kind.ADMIN_ADJUSTMENT,
        )
        user.refresh_from_db()
    missing = 50 - Effect.objects.filter(is_active=True).count()
    if missing > 0:
        data.effects_create(missing, prefix=f"inprocess-{time.time_ns()}")
    effect = Effect.objects.filter(is_active=True).order_by("position", "pk").first()
    job = Job.objects.filter(user=user).order_by("created_at").first()
    if job is None:
        job = Job.objects.create(user=user, effect=effect, source_url="https://example.com/photo.jpg")
    return user, effect, job


@dataclass(frozen=True)
class Spec:
    text: str
    method: str
    path: str
    query: str
    content_type: str
    body: bytes


def _spec(text: str, *, user, effect, job) -> Spec:
    from bench import apply, data

    kind, _, template = text.partition(":") if text.startswith(("json:", "upload:")) else ("", "", text)
    target = template.format(job=job.pk, user=user.pk, effect=effect.pk)
    path, _, query = target.partition("?")
    if kind == "json":
        body = json.dumps({"effectId": effect.slug, "imageUrl": IMAGE_URL}).encode()
        return Spec(text, "POST", path, query, "application/json", body)
    if kind == "upload":
        image = data.photo_jpeg(*apply.UPLOAD_SIZE)
        body, content_type = data.multipart({"effectId": effect.slug}, {"image": ("photo.jpg", "image/jpeg", image)})
        return Spec(text, "POST", path, query, content_type, body)
    return Spec(text, "GET", path, query, "", b"")


def _bare_bodies_ensure(get, job) -> None:
    """The bytes the bare views return (``api_reads`` writes them in a wrk run): ours, stored once."""
    harness.BENCH_DIR.mkdir(parents=True, exist_ok=True)
    for name, path in (("effects", "/api/effects"), ("job", f"/api/jobs/{job.pk}")):
        target = harness.BENCH_DIR / f"{name}.json"
        if target.exists():
            continue
        status, body = get(Spec(path, "GET", path, "", "", b""))
        assert status == 200, f"{path} answered {status}"
        partial = target.with_suffix(f".{os.getpid()}")
        partial.write_bytes(body)
        partial.replace(target)


def _applied_jobs_delete(user, keep) -> None:
    """Delete the jobs an apply run created, and their stored uploads."""
    from django.conf import settings

    from effects.models import Job

    ids = list(Job.objects.filter(user=user).exclude(pk=keep.pk).values_list("pk", flat=True))
    Job.objects.filter(pk__in=ids).delete()
    for pk in ids:
        shutil.rmtree(os.path.join(settings.MEDIA_ROOT, "jobs", str(pk)), ignore_errors=True)


def _trace(get, spec: Spec) -> None:
    """Print the SQL statements and the Redis round trips (a pipeline is one) of one request."""
    from django.db import connection
    from redis.connection import AbstractConnection

    statements: list[str] = []
    round_trips: list[str] = []

    def sql(execute, statement, params, many, context):
        statements.append(" ".join(statement.split())[:160])
        return execute(statement, params, many, context)

    original = AbstractConnection.send_packed_command

    def send(self, command, check_health=True):
        first = command[0] if isinstance(command, list | tuple) else command
        words = bytes(first).split(b"\r\n")
        round_trips.append(" ".join(w.decode(errors="replace") for w in words[2:7:2]))
        return original(self, command, check_health)

    AbstractConnection.send_packed_command = send
    try:
        with connection.execute_wrapper(sql):
            get(spec)
    finally:
        AbstractConnection.send_packed_command = original
    print(f"  {len(statements)} SQL statements:")
    for statement in statements:
        print(f"    {statement}")
    print(f"  {len(round_trips)} Redis round trips:")
    for command in round_trips:
        print(f"    {command}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.inprocess", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("specs", nargs="+", metavar="SPEC")
    parser.add_argument("-n", type=int, default=600, help="requests per round (3 rounds, best kept)")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--api-key", action="store_true", help="authenticate with X-Api-Key, not X-Session-Token")
    parser.add_argument(
        "--trace", action="store_true", help="list the SQL statements and Redis round trips of one request per SPEC"
    )
    args = parser.parse_args(argv)

    harness.django_setup()
    harness.ensure_database()
    logging.disable(logging.WARNING)
    from django.core.handlers.wsgi import WSGIHandler

    tag = hashlib.sha256("\n".join([*args.specs, "api-key" if args.api_key else ""]).encode()).hexdigest()[:8]
    user, effect, job = _data(tag)
    handler = WSGIHandler()
    headers = {"HTTP_X_API_KEY": _api_key(user)} if args.api_key else {"HTTP_X_SESSION_TOKEN": _token(user)}

    def get(spec: Spec) -> tuple[int, bytes]:
        environ = {
            "REQUEST_METHOD": spec.method,
            "PATH_INFO": spec.path,
            "QUERY_STRING": spec.query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(spec.body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            **headers,
        }
        if spec.body:
            environ["CONTENT_TYPE"] = spec.content_type
            environ["CONTENT_LENGTH"] = str(len(spec.body))
        status = []
        response = handler(environ, lambda line, _headers, _exc=None: status.append(int(line.split()[0])))
        body = b"".join(response)
        response.close()
        return status[0], body

    _bare_bodies_ensure(get, job)
    specs = [_spec(text, user=user, effect=effect, job=job) for text in args.specs]
    try:
        for spec in specs:
            for _ in range(200):  # warm-up: imports, connections, caches
                status, body = get(spec)
                assert status == 200, f"{spec.text} answered {status}: {body[:300]!r}"
            rounds = []
            wall = float("inf")
            for _ in range(3):
                started, started_wall = time.process_time(), time.perf_counter()
                for _ in range(args.n):
                    get(spec)
                rounds.append((time.process_time() - started) / args.n * 1000)
                wall = min(wall, (time.perf_counter() - started_wall) / args.n)
            print(
                f"{spec.text}: {min(rounds):.3f} ms CPU per request"
                f" (best of 3 x {args.n}: {[round(r, 3) for r in rounds]}), {wall * 1000:.2f} ms wall",
                flush=True,
            )
            if args.trace:
                _trace(get, spec)
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
            profiler.start()
            for _ in range(args.n):
                get(specs[-1])
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False))
    finally:
        if any(spec.method == "POST" for spec in specs):
            _applied_jobs_delete(user, keep=job)
    return 0


if __name__ == "__main__":
    sys.exit(main())
