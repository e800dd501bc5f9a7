"""Image ingestion: validate uploads by content, fetch image URLs SSRF-safely.

Everything here raises ApplicationError (INVALID_INPUT / PAYLOAD_TOO_LARGE) with a message a
user can act on; nothing is charged before an image has passed these checks.
"""

from __future__ import annotations

import io
import ipaddress
import socket
import struct
import time
import warnings
import zlib
from dataclasses import dataclass, replace
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from PIL import Image, PngImagePlugin, UnidentifiedImageError
from requests.adapters import HTTPAdapter

from core.errors import ApplicationError, ErrorCode
from effects.metadata import MetadataError, metadata_strip

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
    return ApplicationError(ErrorCode.INVALID_INPUT, message)


def image_validate_bytes(
    data: bytes, *, decode: bool = True, max_bytes: int | None = None, max_pixels: int | None = None
) -> ValidatedImage:
    """Check size, format (by content) and dimensions from the header, then (unless ``decode`` is
    False) that the image data is intact, without ever holding the full-size pixels in memory.

    ``max_bytes`` / ``max_pixels`` replace the upload limits (IMAGE_MAX_UPLOAD_BYTES,
    IMAGE_MAX_PIXELS) for images that are not uploads, such as a provider's declared output.

    The engine decodes the image in the worker under the same format and pixel limits, so a
    request never pays for (or can be made to allocate) a full decode.
    """
    max_bytes = settings.IMAGE_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    max_pixels = settings.IMAGE_MAX_PIXELS if max_pixels is None else max_pixels
    if not data:
        raise _invalid("The image is empty")
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    try:
        if decode and data.startswith(_PNG_SIGNATURE):
            _check_png_text(data)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as img:
                fmt = img.format
                width, height = img.size
                if width * height > max_pixels:
                    raise _invalid(f"The image is too large ({width}x{height} pixels)")
                if decode:
                    _check_data(img, data)
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


# A JPEG decoded at 1/8 scale (DCT scaling) still reads every entropy-coded block.
_JPEG_CHECK_SCALE = 8


def _check_data(img: Image.Image, data: bytes) -> None:
    """Prove the data is intact at a bounded memory cost.

    JPEG: decode at 1/8 scale (``draft``): the whole stream is read, 1/64 of the pixels are kept.
    PNG: ``verify`` checks every chunk's CRC and the end marker without inflating the pixels.
    WEBP: the header only (its decoder has no reduced-scale mode); the worker's decode is bounded.
    """
    if img.format == "JPEG":
        width, height = img.size
        img.draft(img.mode, (max(1, width // _JPEG_CHECK_SCALE), max(1, height // _JPEG_CHECK_SCALE)))
        img.load()
    elif img.format == "PNG":
        img.verify()


# Text chunks (tEXt/zTXt/iTXt) a PNG may carry, in number and in bytes once inflated. Camera and
# editor metadata (an XMP packet, a few comments) fits easily; thousands of chunks that each inflate
# to just under Pillow's per-chunk limit would otherwise cost seconds of CPU per upload.
PNG_TEXT_MAX_CHUNKS = 256
PNG_TEXT_MAX_BYTES = 4 * 1024 * 1024

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _check_png_text(data: bytes) -> None:
    """Refuse a PNG whose text chunks are too many, or inflate past Pillow's per-chunk limit or past
    ``PNG_TEXT_MAX_BYTES`` in all (a zTXt/iTXt bomb, or thousands of small ones).

    Walks the chunk headers, skipping every other chunk's body, and inflates each compressed text
    at most one byte past what is left of the budget: the work stops at the first chunk over a cap.
    Runs before Pillow parses the file (which inflates the text chunks ahead of the pixel data).
    """
    view = memoryview(data)
    position = len(_PNG_SIGNATURE)
    chunks = 0
    budget = PNG_TEXT_MAX_BYTES
    while position + 8 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, position)
        start = position + 8
        position = start + length + 4  # the body, then its CRC (checked by ``verify``)
        if kind == b"IEND":
            return
        if kind not in (b"tEXt", b"zTXt", b"iTXt"):
            continue
        chunks += 1
        if chunks > PNG_TEXT_MAX_CHUNKS:
            raise _invalid(f"The image has more than {PNG_TEXT_MAX_CHUNKS} text chunks")
        body = bytes(view[start : start + length])
        text, compressed = _png_text_parts(kind, body)
        if compressed:
            limit = min(PngImagePlugin.MAX_TEXT_CHUNK, budget) + 1
            try:
                inflated = len(zlib.decompressobj().decompress(text, limit))
            except zlib.error:
                raise ValueError("corrupt text chunk") from None
            if inflated > PngImagePlugin.MAX_TEXT_CHUNK:
                raise ValueError("text chunk too large")
        else:
            inflated = len(text)
        budget -= inflated
        if budget < 0:
            raise _invalid(f"The image's text chunks add up to more than {PNG_TEXT_MAX_BYTES // (1024 * 1024)} MB")


def _png_text_parts(kind: bytes, body: bytes) -> tuple[bytes, bool]:
    """The text (or compressed text) of a text chunk's body, and whether it is compressed."""
    if kind == b"tEXt":
        return body.partition(b"\0")[2], False
    if kind == b"zTXt":
        return body.partition(b"\0")[2][1:], True
    # iTXt: keyword\0, compression flag, method, language\0, translated keyword\0, text
    rest = body.partition(b"\0")[2]
    return rest[2:].split(b"\0", 2)[-1], rest[:1] == b"\x01"


def image_without_metadata(image: ValidatedImage) -> ValidatedImage:
    """The image with its EXIF, XMP, IPTC, comments and text chunks removed (no pixel re-encoded).

    Every image from outside (an upload, a fetched URL, a provider's output) passes here before it
    is stored or sent on, so a GPS position or a camera serial never leaves the upload step.
    """
    try:
        return replace(image, data=metadata_strip(image.data, image.format))
    except MetadataError:
        raise _invalid("The image is truncated or corrupt") from None


def image_from_upload(upload) -> ValidatedImage:
    """Read an UploadedFile (refusing oversize before reading it), validate its content and strip its metadata."""
    if upload.size is not None and upload.size > settings.IMAGE_MAX_UPLOAD_BYTES:
        raise ApplicationError(
            ErrorCode.PAYLOAD_TOO_LARGE,
            f"The image is larger than {settings.IMAGE_MAX_UPLOAD_BYTES // (1024 * 1024)} MB",
        )
    upload.seek(0)
    return image_without_metadata(image_validate_bytes(upload.read(settings.IMAGE_MAX_UPLOAD_BYTES + 1)))


# --- Remote images (SSRF-safe) ---------------------------------------------------------------

# Addresses the guard refuses beyond what ``ipaddress`` already flags (private, loopback, ...).
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),
    ipaddress.ip_address("fd00:ec2::254"),
}


def _address_refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True when ``ip`` must never be contacted: anything not on the public internet."""
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:a.b.c.d (mapped) and 64:ff9b::/96 / ::a.b.c.d forms reach the IPv4 address.
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in ipaddress.ip_network("64:ff9b::/96"):
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and _address_refused(embedded):
            return True
        if ip.teredo:
            return True
    return (
        ip in _METADATA_ADDRESSES
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_multicast
        or ip.is_reserved
        or not ip.is_global
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT)
    )


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError):
        raise _invalid(f"The image URL's host {host!r} could not be resolved") from None
    addresses = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        address = sockaddr[0].split("%", 1)[0]  # drop an IPv6 zone id
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise _invalid(f"The image URL's host {host!r} could not be resolved")
    return addresses


@dataclass(frozen=True)
class CheckedURL:
    """A URL whose host resolved only to public addresses; ``address`` is the one to connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


def image_url_resolve(url: str, *, user=None, request=None) -> CheckedURL:
    """Check an image URL (scheme, host, every resolved address) and return the IP to pin.

    ``user`` (whose job or request gave the URL) and ``request`` go into the audit row of a refusal.
    """
    if not isinstance(url, str) or not url.strip():
        raise _invalid("The image URL is empty")
    url = url.strip()
    if len(url) > 2048:
        raise _invalid("The image URL is too long")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _invalid("The image URL is not a valid URL") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _invalid("The image URL must start with http:// or https://")
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        raise _invalid("The image URL has no host")
    if parts.username or parts.password:
        raise _invalid("The image URL must not contain credentials")
    port = port or (443 if scheme == "https" else 80)
    addresses = _resolve(host, port)
    if host in {h.lower() for h in settings.IMAGE_FETCH_ALLOWED_HOSTS}:
        return CheckedURL(url=url, scheme=scheme, host=host, port=port, address=addresses[0])
    for address in addresses:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            raise _invalid(f"The image URL's host {host!r} resolved to an invalid address") from None
        if _address_refused(ip):
            # Refuse when any address is private: a later lookup could pick that one.
            _audit_ssrf_refusal(url=url, host=host, address=address, user=user, request=request)
            raise _invalid("The image URL points to a private or reserved network address, which is not allowed")
    return CheckedURL(url=url, scheme=scheme, host=host, port=port, address=addresses[0])


def _audit_ssrf_refusal(*, url: str, host: str, address: str, user=None, request=None) -> None:
    from accounts.audit import audit_record
    from accounts.models import AuditEvent

    if user is None and request is not None and getattr(request.user, "is_authenticated", False):
        user = request.user
    audit_record(
        event=AuditEvent.Event.SSRF_REFUSED, user=user, request=request, url=url[:500], host=host, address=address
    )


def image_url_check(url: str, *, user=None, request=None) -> str:
    """Refuse non-http(s) URLs and hosts resolving to non-public addresses; return the URL.

    A refusal is audited with the ``user`` who asked (default: the request's signed-in user).
    """
    return image_url_resolve(url, user=user, request=request).url


class _PinnedAdapter(HTTPAdapter):
    """Connect to the address the guard checked (not a second DNS answer), keeping TLS on the host name."""

    def __init__(self, checked: CheckedURL):
        self._checked = checked
        super().__init__(max_retries=0)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host_params["host"] = self._checked.address
        if host_params["scheme"] == "https":
            pool_kwargs["server_hostname"] = self._checked.host
            pool_kwargs["assert_hostname"] = self._checked.host
        return host_params, pool_kwargs


@dataclass(frozen=True)
class SafeResponse:
    status: int
    headers: dict
    body: bytes
    url: str


def safe_http_request(
    method: str,
    url: str,
    *,
    max_bytes: int,
    timeout: float,
    max_redirects: int = 0,
    headers: dict | None = None,
    data: bytes | None = None,
    user=None,
) -> SafeResponse:
    """One HTTP exchange with an untrusted URL: every hop checked and pinned, capped in bytes and time.

    Raises ApplicationError(INVALID_INPUT) for refused URLs and ``requests.RequestException``
    (or TimeoutError) for network failures, so callers can tell the two apart.
    """
    deadline = time.monotonic() + timeout
    hops = 0
    while True:
        checked = image_url_resolve(url, user=user)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline exceeded")
        with requests.Session() as session:
            session.trust_env = False  # no proxies or netrc from the environment
            session.mount(f"{checked.scheme}://", _PinnedAdapter(checked))
            default_port = 443 if checked.scheme == "https" else 80
            host_header = checked.host if checked.port == default_port else f"{checked.host}:{checked.port}"
            if ":" in checked.host:
                host_header = f"[{checked.host}]" + ("" if checked.port == default_port else f":{checked.port}")
            response = session.request(
                method,
                url,
                headers={"User-Agent": "PhotoMania/1.0", **(headers or {}), "Host": host_header},
                data=data,
                allow_redirects=False,
                stream=True,
                timeout=(min(remaining, 5.0), remaining),
            )
            with response:
                if response.is_redirect:
                    hops += 1
                    if hops > max_redirects:
                        raise _invalid(f"The URL redirected more than {max_redirects} times")
                    location = response.headers.get("Location", "")
                    url = urljoin(url, location)
                    if response.status_code in (301, 302, 303) and method != "HEAD":
                        method, data = "GET", None
                    continue
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise _too_large(max_bytes)
                body = bytearray()
                for chunk in response.iter_content(64 * 1024):
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise _too_large(max_bytes)
                    if time.monotonic() > deadline:
                        raise TimeoutError("deadline exceeded")
                return SafeResponse(
                    status=response.status_code, headers=dict(response.headers), body=bytes(body), url=url
                )


def _too_large(max_bytes: int) -> ApplicationError:
    limit = f"{max_bytes // (1024 * 1024)} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes} bytes"
    return ApplicationError(ErrorCode.PAYLOAD_TOO_LARGE, f"The image is larger than {limit}")


def image_fetch(url: str, *, max_bytes: int | None = None, max_pixels: int | None = None, user=None) -> ValidatedImage:
    """Download an image URL SSRF-safely (checked + pinned hops, byte cap, deadline), validate it and strip
    its metadata.

    The caps are the upload limits unless ``max_bytes`` / ``max_pixels`` say otherwise (a provider's
    output may be larger than what users may upload: an upscale of the largest input). ``user``, whose
    job the image is for, is named in the audit row of a refused URL.
    """
    max_bytes = settings.IMAGE_MAX_UPLOAD_BYTES if max_bytes is None else max_bytes
    try:
        response = safe_http_request(
            "GET",
            url,
            max_bytes=max_bytes,
            timeout=settings.IMAGE_FETCH_TIMEOUT,
            max_redirects=settings.IMAGE_FETCH_MAX_REDIRECTS,
            headers={"Accept": "image/jpeg, image/png, image/webp"},
            user=user,
        )
    except (requests.RequestException, TimeoutError, OSError) as exc:
        raise ApplicationError(
            ErrorCode.INVALID_INPUT, f"The image URL could not be fetched ({type(exc).__name__})"
        ) from None
    if response.status != 200:
        raise _invalid(f"The image URL answered HTTP {response.status}")
    return image_without_metadata(image_validate_bytes(response.body, max_bytes=max_bytes, max_pixels=max_pixels))
