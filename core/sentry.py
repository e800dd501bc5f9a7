"""Error reporting to Sentry, for the web server and the Celery worker and beat processes.

``sentry_init()`` is called once per process: by ``wsgi.py``/``asgi.py`` and by Celery's
``celeryd_init``/``beat_init`` signals (``celery_app.py``). Without ``SENTRY_DSN`` it does nothing
at all. Events carry no personal data: no user, no cookies, no request bodies (uploads, passwords),
and the headers that carry our secrets are scrubbed.
"""

from __future__ import annotations

from django.conf import settings

# Request headers that carry credentials or signatures, beyond the SDK's own list.
SECRET_HEADERS = ("x-session-token", "stripe-signature", "photomania-signature", "webhook-signature")


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
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
    return True
