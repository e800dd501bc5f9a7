"""Remove the metadata phones and editors write into photos, without touching a pixel.

EXIF (GPS position, camera make, model and serial, timestamps), XMP, IPTC, comments and PNG text
chunks are dropped by rewriting the file's container, so a JPEG is never re-encoded. What keeps
the picture looking the same stays: the colour profile (ICC) and, when it is not the default, the
EXIF orientation, rewritten as an EXIF block holding that one tag and nothing else.

Pure bytes in, bytes out: no Django, so it is used by ingestion and tested alone.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

ORIENTATION_TAG = 0x0112

# JPEG markers kept before the scan: JFIF (APP0), the ICC profile (APP2 "ICC_PROFILE"), Adobe's
# colour transform (APP14, needed to decode CMYK/YCCK right) and everything that is not an APPn
# or a comment (tables, frame header, restart interval).
_JPEG_APP0, _JPEG_APP2, _JPEG_APP14, _JPEG_COM = 0xE0, 0xE2, 0xEE, 0xFE
_JPEG_SOS, _JPEG_EOI = 0xDA, 0xD9

# PNG chunks kept: the critical ones and those that say how to show the pixels (colour, gamma,
# transparency, physical size, animation). Text, EXIF, the modification time and any unknown
# ancillary chunk go.
_PNG_KEPT = {
    b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"iCCP", b"sRGB", b"gAMA", b"cHRM", b"sBIT",
    b"pHYs", b"bKGD", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# WebP (RIFF) chunks kept; EXIF and XMP go, and VP8X's flags for them are cleared.
_WEBP_KEPT = {b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}
_VP8X_EXIF_FLAG, _VP8X_XMP_FLAG = 0x08, 0x04


class MetadataError(ValueError):
    """The container could not be parsed (the caller's decoder would refuse it too)."""


def image_orientation(data: bytes) -> int:
    """The EXIF orientation (1-8) the image asks to be shown with; 1 when it names none."""
    try:
        with Image.open(io.BytesIO(data)) as img:
            value = img.getexif().get(ORIENTATION_TAG, 1)
    except Exception:
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def orientation_exif(orientation: int) -> bytes:
    """A TIFF-structured EXIF block (no "Exif" prefix) holding only the orientation tag."""
    entry = struct.pack(">HHIH2x", ORIENTATION_TAG, 3, 1, orientation)  # SHORT, one value
    return b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1) + entry + struct.pack(">I", 0)


def metadata_strip(data: bytes, image_format: str) -> bytes:
    """``data`` without EXIF, XMP, IPTC, comments or text chunks; ICC and orientation kept.

    ``image_format`` is Pillow's name: JPEG, PNG or WEBP.
    """
    orientation = image_orientation(data)
    if image_format == "JPEG":
        return _jpeg_strip(data, orientation)
    if image_format == "PNG":
        return _png_strip(data, orientation)
    if image_format == "WEBP":
        return _webp_strip(data, orientation)
    raise MetadataError(f"unsupported format {image_format}")


def _jpeg_strip(data: bytes, orientation: int) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise MetadataError("not a JPEG")
    kept = [b"\xff\xd8"]
    if orientation != 1:
        exif = b"Exif\x00\x00" + orientation_exif(orientation)
        kept.append(b"\xff\xe1" + struct.pack(">H", len(exif) + 2) + exif)
    position = 2
    while position < len(data):
        if data[position] != 0xFF:
            raise MetadataError("JPEG marker expected")
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (_JPEG_SOS, _JPEG_EOI):
            # The scan and everything after it (more scans of a progressive JPEG) are pixels.
            kept.append(data[position:])
            return b"".join(kept)
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            kept.append(data[position : position + 2])
            position += 2
            continue
        if position + 4 > len(data):
            raise MetadataError("truncated JPEG segment")
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        segment = data[position : position + 2 + length]
        if len(segment) < 2 + length:
            raise MetadataError("truncated JPEG segment")
        payload = segment[4:]
        is_app = 0xE0 <= marker <= 0xEF
        keep = (not is_app and marker != _JPEG_COM) or (
            (marker == _JPEG_APP0 and payload.startswith((b"JFIF\x00", b"JFXX\x00")))
            or (marker == _JPEG_APP2 and payload.startswith(b"ICC_PROFILE\x00"))
            or (marker == _JPEG_APP14 and payload.startswith(b"Adobe"))
        )
        if keep:
            kept.append(segment)
        position += 2 + length
    raise MetadataError("JPEG without a scan")


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)


def _png_strip(data: bytes, orientation: int) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise MetadataError("not a PNG")
    out = [_PNG_SIGNATURE]
    position = len(_PNG_SIGNATURE)
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 12 + length
        if end > len(data):
            raise MetadataError("truncated PNG chunk")
        if kind in _PNG_KEPT:
            out.append(data[position:end])
        if kind == b"IHDR" and orientation != 1:
            out.append(_png_chunk(b"eXIf", orientation_exif(orientation)))
        position = end
        if kind == b"IEND":
            return b"".join(out)
    raise MetadataError("PNG without an end")


def _webp_strip(data: bytes, orientation: int) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise MetadataError("not a WebP")
    chunks = []
    position = 12
    while position + 8 <= len(data):
        kind = data[position : position + 4]
        (length,) = struct.unpack("<I", data[position + 4 : position + 8])
        end = position + 8 + length + (length & 1)
        if position + 8 + length > len(data):
            raise MetadataError("truncated WebP chunk")
        if kind in _WEBP_KEPT:
            chunks.append([kind, bytearray(data[position + 8 : position + 8 + length])])
        position = end
    has_vp8x = bool(chunks) and chunks[0][0] == b"VP8X"
    if orientation != 1 and has_vp8x:
        chunks.append([b"EXIF", bytearray(orientation_exif(orientation))])
    if has_vp8x:
        flags = chunks[0][1][0] & ~(_VP8X_EXIF_FLAG | _VP8X_XMP_FLAG)
        if orientation != 1:
            flags |= _VP8X_EXIF_FLAG
        chunks[0][1][0] = flags
    body = b"".join(
        kind + struct.pack("<I", len(payload)) + bytes(payload) + (b"\x00" if len(payload) & 1 else b"")
        for kind, payload in chunks
    )
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body
