"""Load the demo catalog and demo accounts (idempotent: run it as often as you like)."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import User
from accounts.services import user_create
from effects.catalog import effect_render_preview, effects_set_active
from effects.models import Effect
from photomania.errors import ApplicationError

DEMO_EFFECTS = (
    # slug, name, category, credits, model_id, config, description
    ("grayscale", "Black & White", "Classic", 1, "local:grayscale", {"intensity": 1.0}, "Timeless monochrome."),
    ("sepia", "Sepia", "Classic", 1, "local:sepia", {"intensity": 0.9}, "Warm brown tones of old prints."),
    (
        "vintage",
        "Vintage",
        "Classic",
        1,
        "local:vintage",
        {"intensity": 0.8, "vignette": 0.5},
        "Faded film with a vignette.",
    ),
    (
        "cartoon",
        "Cartoon",
        "Artistic",
        2,
        "local:cartoon",
        {"edge_size": 7, "colors": 8},
        "Cel shading in the photo's own colours, inked outlines.",
    ),
    (
        "pencil-sketch",
        "Pencil Sketch",
        "Artistic",
        2,
        "local:pencil-sketch",
        {"color": False, "shade": 0.05},
        "Graphite lines and hatching on warm paper.",
    ),
    (
        "watercolor",
        "Watercolour",
        "Artistic",
        3,
        "local:watercolor",
        {"wash": 1.0, "edges": 1.0, "grain": 1.0},
        "Soft washes, darker pigment rims, paper grain.",
    ),
    (
        "oil-paint",
        "Oil Paint",
        "Artistic",
        3,
        "local:oil-paint",
        {"size": 7, "dyn_ratio": 1, "relief": 0.5},
        "Thick paint with visible brush strokes.",
    ),
    (
        "hdr",
        "HDR Boost",
        "Enhance",
        2,
        "local:hdr",
        {"sigma_s": 12, "sigma_r": 0.15},
        "Crisp detail and local contrast.",
    ),
    ("pixelate", "Pixel Art", "Fun", 1, "local:pixelate", {"block_size": 16}, "Chunky retro pixels."),
    (
        "portrait-blur",
        "Portrait Blur",
        "Enhance",
        2,
        "local:portrait-blur",
        {"radius": 12, "focus": 0.35},
        "Soft background, sharp subject.",
    ),
    ("posterize", "Pop Poster", "Fun", 1, "local:posterize", {"levels": 4}, "Flat bands of bold colour."),
    (
        "analog-film",
        "Analog Film",
        "Film",
        2,
        "local:analog-film",
        {"grain": 0.5, "halation": 0.5, "fade": 0.4, "warmth": 0.3},
        "Colour negative film: faded blacks, halation, grain.",
    ),
    (
        "duotone",
        "Duotone",
        "Fun",
        1,
        "local:duotone",
        {"palette": "ocean", "contrast": 0.3},
        "Your photo printed in two inks.",
    ),
    (
        "tilt-shift",
        "Miniature",
        "Film",
        2,
        "local:tilt-shift",
        {"position": 0.6, "width": 0.2, "blur": 8, "saturation": 1.4},
        "Tilt-shift: the world as a tiny model.",
    ),
    (
        "pop-art",
        "Pop Art",
        "Artistic",
        2,
        "local:pop-art",
        {"dot_size": 9, "saturation": 1.5},
        "Comic-print halftone dots in bold colour.",
    ),
    (
        "lomo",
        "Lomo",
        "Film",
        1,
        "local:lomo",
        {"intensity": 0.7, "vignette": 0.7},
        "Toy-camera colours, deep vignette.",
    ),
    (
        "light-leak",
        "Light Leak",
        "Film",
        1,
        "local:light-leak",
        {"position": "left", "strength": 0.8},
        "Warm light leaking in from the edge of the frame.",
    ),
    (
        "background-blur",
        "AI Background Blur",
        "Portrait",
        2,
        "local:background-blur",
        {"radius": 15, "feather": 3.0, "threshold": 0.5},
        "A segmentation model finds the person; the background goes soft.",
    ),
    (
        "background-gray",
        "AI Colour Pop",
        "Portrait",
        2,
        "local:background-gray",
        {"feather": 3.0, "threshold": 0.5},
        "The person in colour on a black-and-white background.",
    ),
    (
        "remove-background",
        "AI Remove Background",
        "Portrait",
        3,
        "local:remove-background",
        {},
        "The person cut out on a transparent background (PNG).",
    ),
    (
        "replace-background",
        "AI Studio Backdrop",
        "Portrait",
        3,
        "local:replace-background",
        {"backdrop": "gradient", "color": "#e9e4dc", "color2": "#8c8a86"},
        "The person in front of a soft studio backdrop.",
    ),
    (
        "blur-faces",
        "Blur Faces",
        "Privacy",
        1,
        "local:blur-faces",
        {},
        "Every face in the photo hidden under a heavy blur.",
    ),
    (
        "pixelate-faces",
        "Pixelate Faces",
        "Privacy",
        1,
        "local:pixelate-faces",
        {},
        "Every face in the photo hidden under a mosaic.",
    ),
    (
        "avatar",
        "AI Avatar",
        "Portrait",
        2,
        "local:avatar",
        {"backdrop": "gradient"},
        "A square head-and-shoulders profile picture, 1024 pixels.",
    ),
)

DEMO_EMAIL = "demo@photomania.local"
DEMO_PASSWORD = "photomania-demo"
ADMIN_EMAIL = "admin@photomania.local"
ADMIN_PASSWORD = "photomania-admin"


class Command(BaseCommand):
    help = "Create demo effects, a demo user and, in development (DEBUG) only, a staff user (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        for position, (slug, name, category, credits, model_id, config, description) in enumerate(DEMO_EFFECTS):
            Effect.objects.update_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "category": category,
                    "credits": credits,
                    "model_id": model_id,
                    "config": config,
                    "description": description,
                    "position": position * 10,
                    "is_active": True,
                },
            )
        # Gallery previews: each effect without one is rendered on the bundled sample photo.
        for effect in Effect.objects.filter(preview="", model_id__startswith="local:"):
            try:
                effect_render_preview(effect=effect)
            except ApplicationError as exc:
                # E.g. the segmentation model is not installed (no npm at setup): hide the
                # effect rather than sell one that can only fail; the next seed shows it again.
                effects_set_active(effects=Effect.objects.filter(pk=effect.pk), active=False)
                self.stdout.write(self.style.WARNING(f"{effect.slug} hidden: {exc.message}"))
        if not User.objects.filter(email=DEMO_EMAIL).exists():
            user_create(email=DEMO_EMAIL, password=DEMO_PASSWORD, name="Demo User")
        self.stdout.write(self.style.SUCCESS(f"{len(DEMO_EFFECTS)} demo effects ready."))
        self.stdout.write(f"Demo user:  {DEMO_EMAIL} / {DEMO_PASSWORD}")
        # A staff account with a published password is a development convenience only.
        if not settings.DEBUG:
            self.stdout.write(
                self.style.WARNING(
                    "Staff user not created: DEBUG is off (development only). "
                    "Create one with `manage.py createsuperuser`."
                )
            )
            return
        if not User.objects.filter(email=ADMIN_EMAIL).exists():
            user_create(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, name="Staff", is_staff=True, is_superuser=True)
        self.stdout.write(f"Staff user: {ADMIN_EMAIL} / {ADMIN_PASSWORD}  (admin at /admin/, development only)")
