"""GET /api/health: database, cache, broker and storage, each "ok" or "unavailable"; 200 or 503.

Public and unthrottled (load balancers poll it); it never says why a check failed (that goes
to the log), so it leaks no hosts, versions or credentials.
"""

import logging
import os
import uuid

import redis
from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from photomania.api.exceptions import error_body
from photomania.api.schema import envelope_example
from photomania.api.views import ApiView
from photomania.errors import ErrorCode

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


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


def health_report() -> dict[str, str]:
    """Run every check; a failure is logged and reported as "unavailable"."""
    report = {}
    for name, check in CHECKS.items():
        try:
            check()
            report[name] = OK
        except Exception:
            logger.warning("health check %s failed", name, exc_info=True)
            report[name] = DOWN
    return report


_HealthData = inline_serializer(
    "Health",
    fields={
        "status": serializers.ChoiceField(choices=[OK]),
        "checks": serializers.DictField(child=serializers.ChoiceField(choices=[OK, DOWN])),
    },
)


class HealthView(ApiView):
    authentication_classes: list = []
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
        report = health_report()
        if all(value == OK for value in report.values()):
            return Response({"status": OK, "checks": report})
        details = dict(report)
        body = error_body(ErrorCode.SERVICE_UNAVAILABLE, "A dependency is unavailable", details)
        return Response(body, status=503, headers={"Retry-After": "5", "Cache-Control": "no-store"})
