"""Render every local effect on the sample photos: one contact sheet per photo and docs/effects.md.

``python manage.py render_gallery`` (or ``make gallery``). The effects come from the local
engine's table, so a new effect appears without touching this command. An effect that finds no
person in a photo gets a "no person" tile instead of a result. Figures from the last
``python -m bench engines`` run (``var/bench/engines.json``) are added to the page when present.
"""

from __future__ import annotations

import io
import json
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from PIL import Image, ImageDraw, ImageFont

from effects.engines import EngineFailure
from effects.engines.local import EFFECTS, LocalEngine

PHOTOS_DIR = Path(settings.BASE_DIR) / "effects" / "samples" / "photos"
PHOTOS = ("astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png")
PORTRAIT = "astronaut.png"  # the per-effect thumbnails in docs/effects.md
TILE = 300
LABEL = 40
COLUMNS = 5
THUMB = 160
NO_SUBJECT = "NO_SUBJECT"


def _font(size: int) -> ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def _placeholder(text: str, size: tuple[int, int]) -> Image.Image:
    tile = Image.new("RGB", size, (236, 236, 236))
    draw = ImageDraw.Draw(tile)
    draw.text((size[0] // 2, size[1] // 2), text, fill=(90, 90, 90), font=_font(20), anchor="mm")
    return tile


def _flatten(image: Image.Image) -> Image.Image:
    """RGB for a sheet: a cut-out (alpha) is shown over a checkerboard, as image editors do."""
    if image.mode != "RGBA":
        return image.convert("RGB")
    board = Image.new("RGB", image.size, (255, 255, 255))
    draw = ImageDraw.Draw(board)
    cell = max(8, image.width // 32)
    for top in range(0, image.height, cell):
        for left in range((top // cell) % 2 * cell, image.width, 2 * cell):
            draw.rectangle((left, top, left + cell - 1, top + cell - 1), fill=(214, 214, 214))
    board.paste(image, mask=image.getchannel("A"))
    return board


def _contact_sheet(title: str, tiles: list[tuple[str, str, Image.Image]]) -> Image.Image:
    rows = -(-len(tiles) // COLUMNS)
    header = 44
    first = tiles[0][2]
    height = min(TILE, round(TILE * first.height / first.width) + 8)  # landscape photos: shorter rows
    sheet = Image.new("RGB", (COLUMNS * TILE, header + rows * (height + LABEL)), "white")
    draw = ImageDraw.Draw(sheet)
    draw.text((12, header // 2), title, fill=(20, 20, 20), font=_font(22), anchor="lm")
    for index, (name, note, image) in enumerate(tiles):
        x, y = (index % COLUMNS) * TILE, header + (index // COLUMNS) * (height + LABEL)
        thumb = _flatten(image)
        thumb.thumbnail((TILE - 8, height - 8), Image.Resampling.LANCZOS)
        sheet.paste(thumb, (x + (TILE - thumb.width) // 2, y + (height - thumb.height) // 2))
        draw.text((x + TILE // 2, y + height + 4), name, fill=(20, 20, 20), font=_font(16), anchor="mt")
        draw.text((x + TILE // 2, y + height + 22), note, fill=(110, 110, 110), font=_font(13), anchor="mt")
    return sheet


def _measured_when(figures: dict) -> list[str]:
    """When the 12 MP figures were measured and how busy the (shared) machine was, if recorded."""
    runs = [figure for slug, figure in figures.items() if not slug.startswith("_") and "measured_at" in figure]
    if not runs:
        return []
    dates = sorted({figure["measured_at"] for figure in runs})
    loads = [figure["load_average"] for figure in runs]
    when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
    return [f"Measured {when}, load average {min(loads):.1f}–{max(loads):.1f}."]


def _demo_credits() -> dict[str, int]:
    """Cost of each local effect in the demo catalog (slug -> credits)."""
    from effects.catalog import LOCAL_CATALOG, catalog_read

    credits: dict[str, int] = {}
    for entry in catalog_read(path=LOCAL_CATALOG)["effects"]:
        engine, _, model = entry["model_id"].partition(":")
        if engine == "local":
            credits.setdefault(model, entry["credits"])
    return credits


class Command(BaseCommand):
    help = "Render every local effect on the sample photos into docs/effects/ and docs/effects.md."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs"), help="docs folder")
        parser.add_argument("--photos", nargs="+", choices=PHOTOS, default=list(PHOTOS), help="sample photos to use")
        parser.add_argument(
            "--bench",
            default=str(Path(settings.BASE_DIR) / "var" / "bench" / "engines.json"),
            help="per-effect figures written by `python -m bench engines` (used when the file exists)",
        )

    def handle(self, *args, out, photos, bench, **options):
        docs = Path(out)
        sheets_dir, thumbs_dir = docs / "effects", docs / "effects" / "thumbs"
        thumbs_dir.mkdir(parents=True, exist_ok=True)
        engine = LocalEngine()
        times: dict[str, list[float]] = {slug: [] for slug in EFFECTS}
        refused: dict[str, list[str]] = {slug: [] for slug in EFFECTS}
        for photo in photos:
            data = (PHOTOS_DIR / photo).read_bytes()
            original = Image.open(io.BytesIO(data))
            tiles = [("original", f"{original.width}x{original.height}", original)]
            for slug in EFFECTS:
                started = time.process_time()
                try:
                    # Cut-outs keep their alpha (PNG); everything else as JPEG, as customers get it.
                    fmt = "png" if "format" in EFFECTS[slug].output_params else "jpeg"
                    result = engine.apply(slug, {"format": fmt, "quality": 92}, data, max_side=2048)
                except EngineFailure as exc:
                    if exc.code != NO_SUBJECT:
                        raise
                    refused[slug].append(photo)
                    tiles.append((slug, "refused, refunded", _placeholder("no person", original.size)))
                    continue
                elapsed = time.process_time() - started  # CPU time: steadier on a shared machine
                times[slug].append(elapsed)
                image = Image.open(io.BytesIO(result.data))
                image.load()
                tiles.append((slug, f"{elapsed * 1000:,.0f} ms", image))
                if photo == (PORTRAIT if PORTRAIT in photos else photos[0]):
                    thumb = _flatten(image)
                    thumb.thumbnail((THUMB, THUMB), Image.Resampling.LANCZOS)
                    thumb.save(thumbs_dir / f"{slug}.jpg", quality=85, optimize=True)
            sheet = _contact_sheet(f"{photo}: every local effect, default settings", tiles)
            path = sheets_dir / f"{Path(photo).stem}.jpg"
            sheet.save(path, quality=76, optimize=True, progressive=True)
            self.stdout.write(f"wrote {path} ({path.stat().st_size // 1024} KB)")
        bench_path = Path(bench)
        figures = json.loads(bench_path.read_text()) if bench_path.exists() else {}
        page = docs / "effects.md"
        page.write_text(self._page(photos, times, refused, _demo_credits(), figures))
        self.stdout.write(self.style.SUCCESS(f"wrote {page}"))

    def _page(self, photos, times, refused, credits, figures) -> str:
        lines = [
            "# Effects gallery",
            "",
            "Every built-in (local) effect with its default settings, rendered by `make gallery`",
            "(`python manage.py render_gallery`) on the sample photos in `effects/samples/photos/`.",
            "This page and the images under `docs/effects/` are generated: edit the command, not the page.",
            "",
            "## Contact sheets",
            "",
        ]
        for photo in photos:
            stem = Path(photo).stem
            lines.append(f"- [{photo}](effects/{stem}.jpg)")
        lines += [
            "",
            "## Effects",
            "",
            "Thumbnails on the astronaut portrait. *Cost*: credits in the demo catalog (`seed_demo`).",
            "*Sample time*: median CPU time of the engine (decode, effect, JPEG encode) on the sample photos",
            "(up to 741 px).",
        ]
        header = "| | effect | what it does | cost | sample time |"
        rule = "|---|---|---|---|---|"
        if figures:
            lines += [
                f"*12 MP*: `python -m bench engines` on a {figures.get('_image', '12-megapixel photo')},",
                f"downscaled to the worker's `IMAGE_MAX_SIDE` ({figures.get('_max_side', 2048)} px), the whole",
                "engine call (decode, effect, encode): median CPU time of a fresh process pinned to one core,",
                "that time over the naive pipeline's (full decode, Lanczos resize, the same effect, encode)",
                "and the process's peak RSS; see BENCHMARKS.md.",
            ]
            lines += _measured_when(figures)
            header += " 12 MP: median | vs naive | peak RSS |"
            rule += "---|---|---|"
        lines += ["", header, rule]
        for slug, spec in EFFECTS.items():
            median = f"{statistics.median(times[slug]) * 1000:,.0f} ms" if times[slug] else "—"
            what = spec.description
            if refused[slug]:
                what += f" (no person: refused on {', '.join(refused[slug])})"
            cost = str(credits[slug]) if slug in credits else "—"
            row = f"| ![{slug}](effects/thumbs/{slug}.jpg) | `{slug}` | {what} | {cost} | {median} |"
            if figures:
                figure = figures.get(slug)
                if figure:
                    ratio = (
                        f"{figure['median_ms'] / figure['bare_median_ms']:.2f}" if "bare_median_ms" in figure else "—"
                    )
                    row += f" {figure['median_ms']:,.0f} ms | {ratio} | {figure['peak_rss_mb']:.0f} MB |"
                else:
                    row += " — | — | — |"
            lines.append(row)
        lines += [
            "",
            "## The photos",
            "",
            "Copied from scikit-image 0.26.0 (`skimage/data/`), not a run-time dependency:",
            "",
            "- `astronaut.png`: Eileen Collins, NASA; no known copyright restrictions, public domain.",
            "- `coffee.png`: courtesy of Pikolo Espresso Bar; CC0 by the photographer, Rachel Michetti.",
            "- `chelsea.png`: Chelsea the cat; CC0 by the photographer, Stefan van der Walt.",
            "- `rocket.jpg`: DSCOVR on Falcon 9, SpaceX; released into the public domain by SpaceX.",
            "- `motorcycle_left.png`: Middlebury 2014 stereo dataset (D. Scharstein et al., Middlebury",
            "  College), down-sampled by scikit-image.",
            "",
        ]
        return "\n".join(lines)
