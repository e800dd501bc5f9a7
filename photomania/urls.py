"""Root URLs: pages, allauth (pages + headless API), the REST API, admin, signed media."""

from django.contrib import admin
from django.urls import include, path

from effects.views import media

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("photomania.api.urls")),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("media/<path:name>", media, name="media"),
    path("", include("photomania.pages")),
]
