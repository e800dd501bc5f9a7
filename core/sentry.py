"""Error reporting to Sentry, for the web server and the Celery worker and beat processes.

``sentry_init()`` is called once per process: by ``wsgi.py``/``asgi.py`` and by Celery's
``celeryd_init``/``beat_init`` signals (``celery_app.py``). Without ``SENTRY_DSN`` it does nothing
at all. Events carry no personal data: no user, no cookies, no request bodies (uploads, passwords),
the headers that carry our secrets are scrubbed, and
no query string or API key is sent.
"""

from __future__ import annotations

from django.conf import settings

# Request headers that carry credentials or signatures, beyond the SDK's own list.
SECRET_HEADERS = (
    "x-session-token",
    "x-api-key",
    "authorization",
    "stripe-signature",
    "photomania-signature",
    "webhook-signature",
)


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Sentry ``before_send``: no API key in an event's URL, query string or messages.

    A key in a query string is refused before any view runs, but the refusal itself may be
    reported: every query string is dropped, and anything that looks like a key is redacted.
    """
    from core.credentials import redact_api_keys

    request = event.get("request")
    if isinstance(request, dict):
        if request.get("query_string"):
            request["query_string"] = "[filtered]"
        if isinstance(request.get("url"), str):
            request["url"] = redact_api_keys(request["url"].split("?", 1)[0])
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in SECRET_HEADERS:
                    headers[name] = "[Filtered]"
    logentry = event.get("logentry")
    if isinstance(logentry, dict):
        for field in ("message", "formatted"):
            if isinstance(logentry.get(field), str):
                logentry[field] = redact_api_keys(logentry[field])
    for value in (event.get("exception") or {}).get("values") or []:
        if isinstance(value.get("value"), str):
            value["value"] = redact_api_keys(value["value"])
    return event


def sentry_init() -> bool:
    """Start the Sentry SDK with the Django and Celery integrations when SENTRY_DSN is set; True if it did."""
    if not settings.SENTRY_DSN:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        release=settings.SENTRY_RELEASE or None,
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
        # No personal data: send_default_pii stays at its default, False (sentry-sdk 2.75 warns when
        # it is passed at all, and its successor, data_collection, would switch the scrubber off).
        max_request_body_size="never",
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *SECRET_HEADERS]),
        before_send=scrub_event,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
    return True
