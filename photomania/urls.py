"""Root URLs: pages, allauth (pages + headless API), the REST API, admin, signed media."""

from allauth.headless.constants import Client
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
    # Staff set up their first authenticator app only after redeeming an invitation (both the
    # page and allauth's headless endpoint, mounted here before allauth's own).
    path("accounts/staff-invitation/<str:token>/", account_views.staff_invitation, name="staff_invitation"),
    path("accounts/2fa/totp/activate/", account_views.mfa_activate_totp),
    path(
        "_allauth/browser/v1/account/authenticators/totp",
        account_views.ManageTOTPView.as_api_view(client=Client.BROWSER),
    ),
    path("_allauth/app/v1/account/authenticators/totp", account_views.ManageTOTPView.as_api_view(client=Client.APP)),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("stripe/", include("djstripe.urls", namespace="djstripe")),
    path("media/<path:name>", media, name="media"),
    # Prometheus scrapes (staff or the HEALTH_TOKEN, like the deep health check).
    path("metrics", metrics, name="metrics"),
    path("", include("photomania.pages")),
]
