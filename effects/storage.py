"""Local media storage whose URLs are signed and expire (there is no public media folder)."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

_SALT = "photomania.media"


def media_signature(name: str, expires: int) -> str:
    return signing.Signer(salt=_SALT).signature(f"{name}:{expires}")


def media_signature_valid(name: str, expires: int, signature: str) -> bool:
    """True if the signature matches and has not expired."""
    if expires < int(time.time()):
        return False
    return signing.constant_time_compare(media_signature(name, expires), signature)


class SignedFileSystemStorage(FileSystemStorage):
    """FileSystemStorage whose ``url()`` is a Django-signed link valid for MEDIA_URL_EXPIRY seconds.

    Saving to an existing name overwrites it: a job's result lives at one fixed key, so a
    duplicate delivery replaces the file instead of leaving a second copy.
    """

    def __init__(self, *args, allow_overwrite: bool = True, **kwargs):
        super().__init__(*args, allow_overwrite=allow_overwrite, **kwargs)

    def url(self, name):
        expires = int(time.time()) + settings.MEDIA_URL_EXPIRY
        # Round up so the same file yields the same URL for a minute (cache-friendly pages).
        expires -= expires % 60
        expires += 60
        query = urlencode({"exp": expires, "sig": media_signature(name, expires)})
        return f"{reverse('media', kwargs={'name': name})}?{query}"
