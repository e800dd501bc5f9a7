"""Image ingestion: validate uploads by content, fetch image URLs SSRF-safely.

Everything here raises ApplicationError (INVALID_INPUT / PAYLOAD_TOO_LARGE) with a message a
user can act on; nothing is charged before an image has passed these checks.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from photomania.api.errors import ApplicationError, ErrorCode

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class ValidatedImage:
    """Bytes that decoded fully as an allowed image format."""

    data: bytes
    format: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.format]


def _invalid(message: str) -> ApplicationError:
    return ApplicationError(ErrorCode.INVALID_INPUT, message, status=400)


def image_validate_bytes(data: bytes) -> ValidatedImage:
    """Check size, format (by content), dimensions and that the whole image decodes."""
    if not data:
        raise _invalid("The image is empty")
    if len(data) > settings.IMAGE_MAX_UPLOAD_BYTES:
        raise ApplicationError(
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"The image is larger than {settings.IMAGE_MAX_UPLOAD_BYTES // (1024 * 1024)} MB",
            status=413,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as img:
                fmt = img.format
                width, height = img.size
                if width * height > settings.IMAGE_MAX_PIXELS:
                    raise _invalid(f"The image is too large ({width}x{height} pixels)")
                img.load()
    except ApplicationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _invalid("The image has too many pixels") from None
    except UnidentifiedImageError:
        raise _invalid("The file is not a JPEG, PNG or WEBP image") from None
    except (OSError, SyntaxError, ValueError, EOFError):
        raise _invalid("The image is truncated or corrupt") from None
    if fmt not in ALLOWED_FORMATS:
        raise _invalid("The file is not a JPEG, PNG or WEBP image")
    return ValidatedImage(data=data, format=fmt, width=width, height=height)


def image_from_upload(upload) -> ValidatedImage:
    """Read an UploadedFile (refusing oversize before reading it) and validate its content."""
    if upload.size is not None and upload.size > settings.IMAGE_MAX_UPLOAD_BYTES:
        raise ApplicationError(
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"The image is larger than {settings.IMAGE_MAX_UPLOAD_BYTES // (1024 * 1024)} MB",
            status=413,
        )
    upload.seek(0)
    return image_validate_bytes(upload.read(settings.IMAGE_MAX_UPLOAD_BYTES + 1))
