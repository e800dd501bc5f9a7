"""Media storages whose URLs are signed and expire (there is no public media folder): local signed
files, and S3/R2 presigned URLs; both reuse a URL they signed a moment ago.

Signing costs about half a millisecond of CPU per URL here (boto3's presigner; or ``reverse`` plus
an HMAC locally), and a completed job's JSON carries up to six of them (source, result and their
renditions), read again at every poll. A signed URL stays valid for ``MEDIA_URL_EXPIRY``, so a
process hands out the one it signed for the same file until a twelfth of that has passed: every
URL given out still has at least eleven twelfths of its life left.
"""

import errno
import time
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from storages.backends.s3 import S3Storage

from core.cache import BoundedCache

# Signed URLs kept per process (the least recently used are dropped beyond this).
SIGNED_URLS_MAX = 4096


class _SignedUrls:
    """name -> (url, reuse until): a URL signed a moment ago, handed out again instead of re-signing."""

    def __init__(self):
        self._urls = BoundedCache(SIGNED_URLS_MAX)

    def get(self, name: str, sign, *, reuse_seconds: float) -> str:
        now = time.monotonic()
        hit = self._urls.get(name)
        if hit is not None and hit[1] > now:
            return hit[0]
        url = sign(name)
        self._urls.set(name, (url, now + reuse_seconds))
        return url


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

    Deleting a file removes its folder too once that is empty (a deleted job leaves no
    ``jobs/<id>/`` behind); never the storage's root, never a folder that still holds anything.
    """

    def __init__(self, *args, allow_overwrite: bool = True, **kwargs):
        super().__init__(*args, allow_overwrite=allow_overwrite, **kwargs)
        self._signed = _SignedUrls()

    def delete(self, name):
        super().delete(name)
        folder = Path(self.path(name)).parent
        root = Path(self.location).resolve()
        if folder.resolve() == root or root not in folder.resolve().parents:
            return
        try:
            folder.rmdir()  # refuses a folder that is not empty
        except FileNotFoundError:
            pass
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise

    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except FileNotFoundError:
            # A delete removed the (then empty) folder between its creation and the file's.
            return super()._save(name, content)

    def url(self, name):
        expires = int(time.time()) + settings.MEDIA_URL_EXPIRY
        # Round up so the same file yields the same URL for a minute (cache-friendly pages).
        expires -= expires % 60
        expires += 60
        # Keyed by the expiry too: within its minute the URL is exactly the one signing would give.
        return self._signed.get(f"{expires}:{name}", lambda _key: self._sign(name, expires), reuse_seconds=60)

    def _sign(self, name: str, expires: int) -> str:
        query = urlencode({"exp": expires, "sig": media_signature(name, expires)})
        return f"{reverse('media', kwargs={'name': name})}?{query}"


class ReusedUrlS3Storage(S3Storage):
    """S3/R2 storage whose presigned GET URL for a file is reused for a twelfth of its lifetime."""

    def __init__(self, **settings):
        super().__init__(**settings)
        self._signed = _SignedUrls()

    def url(self, name, parameters=None, expire=None, http_method=None):
        if parameters or expire is not None or http_method is not None or not self.querystring_auth:
            return super().url(name, parameters=parameters, expire=expire, http_method=http_method)
        return self._signed.get(name, super().url, reuse_seconds=self.querystring_expire / 12)
