"""Bare Django views the benchmarks compare against, mounted under /bench/ by the bench's own URL
conf (bench/urls.py, used only by bench/settings.py). They run behind the same middleware and the same
gunicorn as the API, so a ratio isolates what our views, serializers and services cost.
The peer baseline (the same endpoints written the ordinary DRF way) is under /bench/peer/
(bench/peer_urls.py).
"""

import json
import os
import uuid
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.http import HttpResponse, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from accounts.models import User
from effects.models import Job

_BODIES: dict[str, bytes] = {}


def _body(name: str) -> bytes:
    # Precomputed once per process from the file the bench wrote (the API's own response bytes).
    if name not in _BODIES:
        _BODIES[name] = (Path(os.environ["PHOTOMANIA_BENCH_DIR"]) / f"{name}.json").read_bytes()
    return _BODIES[name]


def precomputed(request, name: str):
    """Return the stored bytes of an API response: the floor for any read endpoint."""
    return HttpResponse(_body(name), content_type="application/json")


@csrf_exempt
def charge(request):
    """One INSERT + one conditional UPDATE in a transaction: the floor for a charged apply."""
    user_id = int(request.GET["user"])
    effect_id = int(request.GET["effect"])
    json.loads(request.body or b"{}")
    job_id = uuid.uuid4()
    with transaction.atomic():
        charged = User.objects.filter(pk=user_id, credits__gte=1).update(credits=F("credits") - 1)
        if charged != 1:
            return JsonResponse({"success": False, "error": {"code": "INSUFFICIENT_CREDITS"}}, status=402)
        Job(id=job_id, user_id=user_id, effect_id=effect_id, credits_charged=1).save(force_insert=True)
    return JsonResponse({"success": True, "data": {"jobId": str(job_id), "status": "PENDING"}})


urlpatterns = [
    path("peer/", include("bench.peer_urls")),
    path("bare/charge", charge),
    path("bare/<slug:name>", precomputed),
]
