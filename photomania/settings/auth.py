"""Authentication: the email-login user, allauth (pages and headless API), sessions, email."""

from urllib.parse import urlsplit

from photomania.settings.core import DEBUG, DEVELOPMENT_DEFAULTS, INSTALLED_APPS, SITE_NAME, config_error, env

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sessions (browser cookies and allauth's X-Session-Token) are read from the cache, written through to the DB.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "account_login"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm"}
# Under both sign-up forms (page and app API): a taken address costs the same work as a new one.
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.signup.SignupFormBase"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_VERIFICATION = env.str(
    "ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEVELOPMENT_DEFAULTS else "mandatory"
)
if ACCOUNT_EMAIL_VERIFICATION not in {"none", "optional", "mandatory"}:
    raise config_error("ACCOUNT_EMAIL_VERIFICATION must be one of none, optional, mandatory")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# Subjects start with "[<site name>] " (allauth reads the Sites row, kept equal to SITE_NAME).
ACCOUNT_EMAIL_SUBJECT_PREFIX = None
ACCOUNT_RATE_LIMITS = {
    "login": env.str("RATE_LIMIT_LOGIN", default="30/m/ip"),
    "login_failed": env.str("RATE_LIMIT_LOGIN_FAILED", default="10/m/ip,5/5m/key"),
    "signup": env.str("RATE_LIMIT_SIGNUP", default="20/m/ip"),
}
# Reverse proxies in front of the app: the client address is taken this many hops from the
# right of X-Forwarded-For (allauth's rate limits, DRF's throttles).
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
HEADLESS_CLIENTS = ("app", "browser")
HEADLESS_ONLY = False
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_ADAPTER = "accounts.adapter.HeadlessAdapter"
HEADLESS_TOKEN_STRATEGY = "allauth.headless.tokens.strategies.sessions.SessionTokenStrategy"


# Social sign-in: Google, GitHub and one OpenID Connect server, each enabled by its credentials.
# The provider apps live in settings (no SocialApp rows). Signing an existing account in by its
# email address ("email authentication", then connecting the provider to that account) is set per
# provider: on for Google and GitHub, whose verified flags are their own checks of the address
# (Google's ``email_verified``, GitHub's verified emails); off for the OpenID Connect server unless
# OIDC_EMAIL_AUTHENTICATION says that server only marks addresses verified that it has checked.
# Only an address the provider marks verified is ever matched.
OIDC_PROVIDER_ID = "sso"
# allauth's OpenID Connect provider with a strict ``email_verified`` and checked app ID tokens.
OIDC_PROVIDER_CLASS = "accounts.openid_connect.OpenIDConnectProvider"


def social_providers_from_env() -> dict:
    """SOCIALACCOUNT_PROVIDERS for the providers whose variables are set; a half-set provider is refused."""
    providers = {}
    google = _client_credentials("GOOGLE")
    if google:
        providers["google"] = {
            "APP": {**google, "settings": {"email_authentication": True}},
            "OAUTH_PKCE_ENABLED": True,
        }
    github = _client_credentials("GITHUB")
    if github:
        providers["github"] = {
            "APP": {**github, "settings": {"email_authentication": True}},
        }
    oidc = _client_credentials("OIDC", also_required=("OIDC_SERVER_URL",))
    if oidc:
        server_url = env.str("OIDC_SERVER_URL").rstrip("/")
        scheme = urlsplit(server_url).scheme
        if scheme != "https" and not (DEVELOPMENT_DEFAULTS and scheme == "http"):
            raise config_error("OIDC_SERVER_URL must be an https:// URL (http:// only with DEBUG=True)")
        providers["openid_connect"] = {
            "provider_class": OIDC_PROVIDER_CLASS,
            "APP": {
                **oidc,
                "provider_id": OIDC_PROVIDER_ID,
                "name": env.str("OIDC_NAME", default="Single sign-on"),
                "settings": {
                    "server_url": server_url,
                    "oauth_pkce_enabled": True,
                    # On only for a server that checks every address it marks verified: with it, the
                    # server's word on an address signs into the PhotoMania account that has it.
                    "email_authentication": env.bool("OIDC_EMAIL_AUTHENTICATION", default=False),
                },
            },
        }
    return providers


def _client_credentials(prefix: str, also_required: tuple[str, ...] = ()) -> dict | None:
    """``{client_id, secret}`` when all of the provider's variables are set, None when none is."""
    names = (f"{prefix}_CLIENT_ID", f"{prefix}_CLIENT_SECRET", *also_required)
    values = {name: env.str(name, default="").strip() for name in names}
    if not any(values.values()):
        return None
    missing = [name for name, value in values.items() if not value]
    if missing:
        given = ", ".join(name for name, value in values.items() if value)
        raise config_error(f"{' and '.join(missing)} must be set with {given} (or unset them all)")
    return {"client_id": values[names[0]], "secret": values[names[1]]}


SOCIALACCOUNT_PROVIDERS = social_providers_from_env()
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
# New accounts are created at once from the provider's data; the sign-up form only appears
# when that is not possible (no address, or one that belongs to another account).
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # per provider, above
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
# The provider apps that are configured join INSTALLED_APPS here, beside their settings (the test
# suite starts with all three configured: tests/settings.py).
_SOCIAL_PROVIDER_APPS = {
    "google": "allauth.socialaccount.providers.google",
    "github": "allauth.socialaccount.providers.github",
    "openid_connect": "allauth.socialaccount.providers.openid_connect",
}
INSTALLED_APPS = [
    *INSTALLED_APPS,
    *(app for provider, app in _SOCIAL_PROVIDER_APPS.items() if provider in SOCIALACCOUNT_PROVIDERS),
]

# Multi-factor authentication (allauth.mfa): an authenticator app (TOTP) plus recovery codes.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "PhotoMania"
# The admin signs in through allauth's login (its rate limits and lockout apply); with this on,
# staff must have an authenticator app set up before any admin page opens.
ADMIN_REQUIRE_MFA = env.bool("ADMIN_REQUIRE_MFA", default=not DEBUG)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <no-reply@photomania.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
