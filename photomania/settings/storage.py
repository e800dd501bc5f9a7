"""Storage: static files (WhiteNoise) and media (signed local files, or S3/R2 when S3_BUCKET is set)."""

from pathlib import Path

from photomania.settings.core import BASE_DIR, DEVELOPMENT_DEFAULTS, VAR_DIR, env

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Development and tests serve static files straight from the finders (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEVELOPMENT_DEFAULTS
WHITENOISE_AUTOREFRESH = DEVELOPMENT_DEFAULTS

MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
# No public media URL: files are served through signed, expiring URLs only.
MEDIA_URL = "/media/"
MEDIA_URL_EXPIRY = env.int("MEDIA_URL_EXPIRY", default=3600)

S3_BUCKET = env.str("S3_BUCKET", default="")
if S3_BUCKET:
    _media_storage = {
        "BACKEND": "effects.storage.ReusedUrlS3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env.str("S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("S3_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("S3_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("S3_REGION", default="auto"),
            "signature_version": "s3v4",
            "addressing_style": env.str("S3_ADDRESSING_STYLE", default="path"),
            "querystring_auth": True,
            "querystring_expire": MEDIA_URL_EXPIRY,
            "default_acl": None,
            "file_overwrite": True,
            "location": env.str("S3_PREFIX", default=""),
        },
    }
else:
    _media_storage = {
        "BACKEND": "effects.storage.SignedFileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT)},
    }
STORAGES = {
    "default": _media_storage,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEVELOPMENT_DEFAULTS
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
