"""Everything under /api/: each app's API routes, then a JSON 404 for unknown paths."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from core.api.views import ApiNotFoundView
from photomania.health import HealthView

urlpatterns = [
    path("health", HealthView.as_view(), name="api-health"),
    path("schema", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI and ReDoc from our static files; the split view serves Swagger's start-up script
    # as a file, so the docs' CSP needs no inline script.
    path("docs", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include("effects.api_urls")),
    path("", include("accounts.api_urls")),
    path("", include("billing.api_urls")),
    # Keep last: unknown /api/ paths get the JSON envelope, never an HTML page.
    re_path(r"^.*$", ApiNotFoundView.as_view(), name="api-not-found"),
]
