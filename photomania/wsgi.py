"""WSGI entry point (gunicorn photomania.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

from core.sentry import sentry_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "photomania.settings")

# Before Django loads, so the SDK sees the whole request cycle (a no-op without SENTRY_DSN).
sentry_init()
application = get_wsgi_application()
