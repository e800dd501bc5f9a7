"""Everything under /api/: each app's API routes, then a JSON 404 for unknown paths."""

from django.urls import include, path

urlpatterns = [
    path("", include("effects.api_urls")),
    path("", include("accounts.api_urls")),
    path("", include("billing.api_urls")),
]
