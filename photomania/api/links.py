"""Absolute URLs for stored files (local storage returns site-relative signed paths)."""

from django.conf import settings


def absolute_url(url: str, request=None) -> str:
    """Make a storage URL absolute: against the request's host if given, else SITE_URL."""
    if not url or not url.startswith("/"):
        return url
    if request is not None:
        return request.build_absolute_uri(url)
    return settings.SITE_URL + url
