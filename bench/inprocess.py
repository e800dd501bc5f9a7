"""CPU time per request of one API path, run in this process through Django's WSGIHandler (no
gunicorn, no wrk): ``python -m bench.inprocess PATH [PATH ...]`` with ``{job}`` in a path standing
for a bench job of the bench user. Production settings, bench database and Redis, a real session
token in ``X-Session-Token``.

On a shared machine, start one process per path at the same time (``&``) so they share the same
contention, and compare their figures: CPU time per request is what a CPU-bound server's
throughput follows. ``--profile`` adds a pyinstrument profile of the last path.
"""

from __future__ import annotations

import argparse
import io
import logging
import sys
import time

from bench import harness


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


def _data():
    """The bench user, 50 effects and a job, created once and reused by later runs."""
    from accounts.models import User
    from bench import data
    from effects.models import Effect, Job

    user = User.objects.filter(email="inprocess0@bench.local").first()
    if user is None:
        [user] = data.users_create(1, credits=100, prefix="inprocess")
    missing = 50 - Effect.objects.filter(is_active=True).count()
    if missing > 0:
        data.effects_create(missing, prefix=f"inprocess-{time.time_ns()}")
    job = Job.objects.filter(user=user).first()
    if job is None:
        effect = Effect.objects.filter(is_active=True).first()
        job = Job.objects.create(user=user, effect=effect, source_url="https://example.com/photo.jpg")
    return user, job


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inprocess", description=__doc__)
    parser.add_argument("paths", nargs="+")
    parser.add_argument("-n", type=int, default=600, help="requests per round (3 rounds, best kept)")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    harness.django_setup()
    harness.ensure_database()
    logging.disable(logging.WARNING)
    from django.core.handlers.wsgi import WSGIHandler

    user, job = _data()
    handler = WSGIHandler()
    headers = {"HTTP_X_SESSION_TOKEN": _token(user)}

    def get(path: str) -> int:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            **headers,
        }
        status = []
        body = handler(environ, lambda line, _headers, _exc=None: status.append(int(line.split()[0])))
        b"".join(body)
        body.close()
        return status[0]

    for template in args.paths:
        path = template.format(job=job.pk)
        for _ in range(200):  # warm-up: imports, connections, caches
            assert get(path) == 200, f"{path} answered {get(path)}"
        rounds = []
        for _ in range(3):
            started = time.process_time()
            for _ in range(args.n):
                get(path)
            rounds.append((time.process_time() - started) / args.n * 1000)
        print(
            f"{template}: {min(rounds):.3f} ms CPU per request (best of 3 x {args.n}: {[round(r, 3) for r in rounds]})"
        )
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        for _ in range(args.n):
            get(path)
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
