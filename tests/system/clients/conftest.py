"""The generated clients (clients/) against a live server with a real Celery worker."""

import sys
from pathlib import Path

import httpx
import pytest

from tests.support.factories import EffectFactory
from tests.support.images import image_bytes

CLIENTS = Path(__file__).resolve().parents[3] / "clients"
# The generated Python client is a package in clients/python, imported from there.
sys.path.insert(0, str(CLIENTS / "python"))

PASSWORD = "a-long-Passphrase-42"


@pytest.fixture
def api_server(live_server, settings, celery_worker_pipeline, http_server):
    """A live PhotoMania with a worker, two effects, a photo to fetch and a small apply rate limit."""
    settings.ACCOUNT_EMAIL_VERIFICATION = "none"
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "apply": "12/min", "upload": "1000/hour"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    EffectFactory(
        slug="client-gray", name="Client Gray", model_id="local:grayscale", credits=1, config={"format": "png"}
    )
    EffectFactory(slug="client-pricey", name="Client Pricey", model_id="local:sepia", credits=1000)
    http_server.routes["/photo.jpg"] = (200, {"Content-Type": "image/jpeg"}, image_bytes("JPEG", (64, 48)))
    return {"url": live_server.url, "photo_url": http_server.url("/photo.jpg")}


def sign_up(base_url: str, email: str) -> str:
    """allauth's headless app sign-up; returns the session token REST clients send."""
    response = httpx.post(
        f"{base_url}/_allauth/app/v1/auth/signup", json={"email": email, "password": PASSWORD}, timeout=30
    )
    assert response.status_code == 200, response.text
    return response.json()["meta"]["session_token"]
