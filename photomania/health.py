"""GET /api/health: a cheap liveness answer for anyone; the deep check for staff or a HEALTH_TOKEN.

Anyone (load balancers, uptime monitors) gets ``{"status": "ok"}`` from a process that answers,
with no database, cache, broker or storage call. A staff session or ``Authorization: Bearer
<HEALTH_TOKEN>`` gets the deep check: database, cache, broker, a storage write + delete, and the
job pipeline (jobs waiting longer than PIPELINE_MAX_WAIT while no worker consumes); 200 or 503.
The deep report is computed at most once per HEALTH_CACHE_SECONDS per process. It never says why a
check failed (that goes to the log), so it leaks no hosts, versions or credentials.
"""

import logging
import os
import threading
import time
import uuid

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from core.api.exceptions import error_body
from core.api.schema import envelope_example
from core.api.views import ApiView
from core.errors import ErrorCode
from effects.jobs.monitoring import pipeline_status
from photomania.monitoring import may_see_monitoring

logger = logging.getLogger("photomania.health")

OK = "ok"
DOWN = "unavailable"
_TIMEOUT = 2


def check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _redis_ping(url: str) -> None:
    client = redis.Redis.from_url(url, socket_connect_timeout=_TIMEOUT, socket_timeout=_TIMEOUT)
    try:
        if not client.ping():
            raise ConnectionError("no PONG")
    finally:
        client.close()


def check_cache() -> None:
    location = settings.CACHES["default"].get("LOCATION", "")
    if settings.CACHES["default"]["BACKEND"].endswith("RedisCache"):
        _redis_ping(location if isinstance(location, str) else location[0])
        return
    key = f"health:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    if cache.get(key) != "1":
        raise ConnectionError("cache did not keep a value")
    cache.delete(key)


def check_broker() -> None:
    url = settings.CELERY_BROKER_URL
    if url.startswith(("redis://", "rediss://")):
        _redis_ping(url)
        return
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        if not (os.path.isdir(folder) and os.access(folder, os.W_OK)):
            raise ConnectionError("broker folder is not writable")
        return
    raise ConnectionError("unsupported broker scheme")


def check_storage() -> None:
    # A write + delete proves credentials and permissions, not only reachability.
    name = default_storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(name)


def check_pipeline() -> dict:
    status = pipeline_status()
    if status.stalled:
        logger.error("pipeline stalled: %s", status.as_dict())
        raise PipelineStalled(status.as_dict())
    return status.as_dict()


class PipelineStalled(Exception):
    pass


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
    "pipeline": check_pipeline,
}


def health_report() -> tuple[dict[str, str], dict | None]:
    """Run every check: ({name: "ok" | "unavailable"}, the pipeline's figures or None).

    A failure is logged and reported as "unavailable".
    """
    report: dict[str, str] = {}
    pipeline = None
    for name, check in CHECKS.items():
        try:
            result = check()
            report[name] = OK
            if name == "pipeline":
                pipeline = result
        except PipelineStalled as exc:
            report[name] = DOWN
            pipeline = exc.args[0]
        except Exception:
            logger.warning("health check %s failed", name, exc_info=True)
            report[name] = DOWN
    return report, pipeline


_cached: tuple[float, tuple[dict[str, str], dict | None]] | None = None
_cache_lock = threading.Lock()


def health_report_cached() -> tuple[dict[str, str], dict | None]:
    """The deep report, computed at most once per HEALTH_CACHE_SECONDS in this process."""
    global _cached
    with _cache_lock:
        if _cached is not None and time.monotonic() - _cached[0] < settings.HEALTH_CACHE_SECONDS:
            return _cached[1]
        report = health_report()
        _cached = (time.monotonic(), report)
        return report


def health_cache_clear() -> None:
    global _cached
    with _cache_lock:
        _cached = None


_HealthData = inline_serializer(
    "Health",
    fields={
        "status": serializers.ChoiceField(choices=[OK]),
        "checks": serializers.DictField(
            child=serializers.ChoiceField(choices=[OK, DOWN]),
            required=False,
            help_text="Deep check only (staff or HEALTH_TOKEN)",
        ),
        "pipeline": serializers.DictField(required=False, help_text="Deep check only: the job pipeline's figures"),
    },
)


class HealthView(ApiView):
    api_key_scope = "read"
    # A staff member's browser session unlocks the deep check; nobody is refused the liveness answer.
    authentication_classes = [SessionAuthentication]
    permission_classes = [AllowAny]
    # Load balancers and monitors poll it; it must answer whatever the traffic.
    throttle_classes: list = []

    @extend_schema(
        operation_id="health",
        summary="Check the service's dependencies",
        description=(
            "Database, cache, broker and storage, each ok or unavailable: 200 when all are ok, else 503 "
            "with the same report in `error.details`. Public; not throttled."
        ),
        tags=["health"],
        examples=[
            envelope_example(
                "Healthy",
                {"status": "ok", "checks": {"database": "ok", "cache": "ok", "broker": "ok", "storage": "ok"}},
            )
        ],
        responses={200: _HealthData, 503: OpenApiResponse(description="A dependency is unavailable")},
    )
    def get(self, request):
        if not may_see_monitoring(request):
            return Response({"status": OK}, headers={"Cache-Control": "no-store"})
        report, pipeline = health_report_cached()
        if all(value == OK for value in report.values()):
            return Response(
                {"status": OK, "checks": report, "pipeline": pipeline}, headers={"Cache-Control": "no-store"}
            )
        details = dict(report)
        body = error_body(ErrorCode.SERVICE_UNAVAILABLE, "A dependency is unavailable", details)
        return Response(body, status=503, headers={"Retry-After": "5", "Cache-Control": "no-store"})
