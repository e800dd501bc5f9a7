"""Root URLs: pages, allauth (pages + headless API), the REST API, admin, signed media."""

from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views
from effects.views import media
from photomania.admin import admin_login
from photomania.monitoring import metrics

urlpatterns = [
    # The admin signs in through allauth's login (before admin.site.urls, which has its own form).
    path("admin/login/", admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
    path("api/", include("photomania.api_urls")),
    # Sign-up wraps allauth's to keep ?ref= in the session.
    path("accounts/signup/", account_views.signup, name="account_signup"),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("stripe/", include("djstripe.urls", namespace="djstripe")),
    path("media/<path:name>", media, name="media"),
    # Prometheus scrapes (staff or the HEALTH_TOKEN, like the deep health check).
    path("metrics", metrics, name="metrics"),
    path("", include("photomania.pages")),
]
