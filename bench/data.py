"""Bench data: a catalog, users with balances (through the ledger), photo-like JPEGs, tokens.

Everything here runs in the bench process after ``harness.django_setup()``, against the bench
database only.
"""

from __future__ import annotations

import io
import json

import numpy as np
from PIL import Image

from bench.harness import http

PASSWORD = "bench-password-7f3a9c1e"


def photo_jpeg(width: int, height: int, *, seed: int = 7, quality: int = 90) -> bytes:
    """A photo-like JPEG: smooth gradients, soft shapes, edges and sensor-like noise (compresses like a photo)."""
    rng = np.random.default_rng(seed)
    ys = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    xs = np.linspace(0, 1, width, dtype=np.float32)[None, :]
    image = np.empty((height, width, 3), dtype=np.float32)
    image[..., 0] = 80 + 120 * xs + 30 * np.sin(ys * 9)
    image[..., 1] = 60 + 100 * ys + 25 * np.cos(xs * 7)
    image[..., 2] = 140 - 60 * xs * ys + 20 * np.sin((xs + ys) * 13)
    for _ in range(24):
        cx, cy = rng.uniform(0, 1, 2)
        radius = rng.uniform(0.03, 0.18)
        colour = rng.uniform(0, 255, 3)
        mask = ((xs - cx) ** 2 + (ys - cy) ** 2) < radius**2
        image[mask] = image[mask] * 0.3 + colour * 0.7
    image += rng.normal(0, 6, image.shape).astype(np.float32)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(image, 0, 255).astype(np.uint8), "RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def real_photo_jpeg(width: int = 4000, height: int = 3000, *, seed: int = 7, quality: int = 92) -> bytes:
    """A real photo at camera size: the astronaut portrait from the sample photos, upscaled and
    cropped to ``width`` x ``height`` (12 MP by default) with sensor-like noise, so the file decodes
    and compresses like a camera JPEG and the person effects find a person."""
    from pathlib import Path

    source = Image.open(Path(__file__).resolve().parents[1] / "effects" / "samples" / "photos" / "astronaut.png")
    side = max(width, height)
    big = source.convert("RGB").resize((side, side), Image.Resampling.LANCZOS)
    big = big.crop(((side - width) // 2, 0, (side - width) // 2 + width, height))  # keep the face
    pixels = np.asarray(big).astype(np.int16)
    noise = np.random.default_rng(seed).normal(0, 3, pixels.shape[:2]).astype(np.int16)[..., None]
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8), "RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def reset() -> None:
    """Empty the tables the benchmarks fill (the bench database is the bench's own)."""
    from accounts.models import User
    from effects.models import Effect, IdempotencyKey, Job

    IdempotencyKey.objects.all().delete()
    Job.objects.all().delete()
    Effect.objects.all().delete()
    User.objects.filter(email__endswith="@bench.local").delete()


def effects_create(count: int, *, model_id: str = "local:grayscale", prefix: str = "bench") -> list:
    """``count`` active effects in catalog order."""
    from effects.catalog import category_get_or_create
    from effects.models import Effect

    categories = [category_get_or_create(name=name) for name in ("Classic", "Artistic", "Portrait")]
    return Effect.objects.bulk_create(
        Effect(
            name=f"Bench effect {i:03d}",
            slug=f"{prefix}-{i:03d}",
            description="A benchmark effect with a description of realistic length for the catalog page.",
            credits=1,
            category=categories[i % 3],
            model_id=model_id,
            config={},
            position=i,
        )
        for i in range(count)
    )


def users_create(count: int, *, credits: int, prefix: str = "bench") -> list:
    """Verified users with ``credits`` credits each, granted through the ledger."""
    from allauth.account.models import EmailAddress

    from accounts.services import user_create
    from billing.models import CreditTransaction
    from billing.services import credits_set

    users = []
    for i in range(count):
        user = user_create(email=f"{prefix}{i}@bench.local", password=PASSWORD)
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        credits_set(
            user=user, quota=credits, reference=f"bench-grant:{user.pk}", kind=CreditTransaction.Kind.ADMIN_ADJUSTMENT
        )
        user.refresh_from_db(fields=["credits"])
        users.append(user)
    return users


def session_token(base: str, email: str) -> str:
    """Log in through allauth's headless app API, as a mobile client does."""
    status, body = http(
        "POST",
        base + "/_allauth/app/v1/auth/login",
        body=json.dumps({"email": email, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    if status != 200:
        raise RuntimeError(f"bench login failed ({status}): {body[:300]!r}")
    return json.loads(body)["meta"]["session_token"]


def ledger_consistent(users) -> list[str]:
    """Problems with the credit invariants for ``users`` (empty when balance == sum(ledger), none negative)."""
    from django.db.models import Sum

    from accounts.models import User
    from billing.models import CreditTransaction

    problems = []
    for user in User.objects.filter(pk__in=[u.pk for u in users]):
        total = CreditTransaction.objects.filter(user=user).aggregate(total=Sum("amount"))["total"] or 0
        if total != user.credits:
            problems.append(f"{user.email}: balance {user.credits} != ledger sum {total}")
        if user.credits < 0:
            problems.append(f"{user.email}: negative balance {user.credits}")
    return problems


def multipart(fields: dict[str, str], files: dict[str, tuple[str, str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body and its content type."""
    boundary = "----photomaniabench7f3a9c1e"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    for name, (filename, content_type, data) in files.items():
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def hostile_png(mode: str, side: int = 7071) -> bytes:
    """A ~100-200 KB PNG that decodes to 50 MP: ``I;16`` (16-bit grey) or ``RGBA``."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new(mode, (side, side), 0).save(buffer, "PNG", compress_level=9)
    return buffer.getvalue()
