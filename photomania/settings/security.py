"""Security: headers, HTTPS, cookies, CSRF origins, the proxy in front of the app."""

from photomania.settings.auth import TRUSTED_PROXY_COUNT
from photomania.settings.core import DEVELOPMENT_DEFAULTS, SITE_URL, env

CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[SITE_URL])
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Messages live in the session, never in a cookie: a message can hold a secret shown once (an API
# key made in admin), and a signed cookie is readable by anyone who holds it.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# X-Forwarded-Proto is trusted only when a proxy that sets it is declared: otherwise any client
# could claim HTTPS.
if env.bool("SECURE_PROXY_SSL_HEADER", default=TRUSTED_PROXY_COUNT > 0):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if not DEVELOPMENT_DEFAULTS:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_REDIRECT_EXEMPT = [r"^api/health$"]
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
