"""POST /api/effects/apply with exact charging against a bare view doing one INSERT + one
conditional UPDATE in a transaction, and against the peer (the same endpoint written the ordinary
DRF way, charging through the same ledger: bench/peer_urls.py); then a burst past the users'
balances: 0 overspends."""

from __future__ import annotations

import json

from bench import data
from bench.harness import Row, WrkRequest, fmt_load, gunicorn, report, wrk

USERS = 16  # one per connection: contention on a user row is the overspend test's business
OVERSPEND_USERS = 4
OVERSPEND_CREDITS = 25
UPLOAD_SIZE = (640, 480)  # a phone photo resized by the client before upload


def _ours_json(tokens, effect_slug: str, image_url: str, path: str = "/api/effects/apply") -> list[WrkRequest]:
    body = json.dumps({"effectId": effect_slug, "imageUrl": image_url}).encode()
    return [WrkRequest("POST", path, {"X-Session-Token": t, "Content-Type": "application/json"}, body) for t in tokens]


def _ours_upload(tokens, effect_slug: str, image: bytes, path: str = "/api/effects/apply") -> list[WrkRequest]:
    body, content_type = data.multipart({"effectId": effect_slug}, {"image": ("photo.jpg", "image/jpeg", image)})
    return [WrkRequest("POST", path, {"X-Session-Token": t, "Content-Type": content_type}, body) for t in tokens]


def _bare(users, effect_id: int) -> list[WrkRequest]:
    body = json.dumps({"effectId": "x", "imageUrl": "http://127.0.0.1/photo.jpg"}).encode()
    return [
        WrkRequest(
            "POST", f"/bench/bare/charge?user={u.pk}&effect={effect_id}", {"Content-Type": "application/json"}, body
        )
        for u in users
    ]


def _charges_match_jobs(users) -> list[str]:
    from billing.models import CreditTransaction
    from effects.models import Job

    problems = []
    for user in users:
        jobs = Job.objects.filter(user=user).count()
        charges = CreditTransaction.objects.filter(user=user, kind=CreditTransaction.Kind.EFFECT_CHARGE).count()
        if jobs != charges:
            problems.append(f"{user.email}: {jobs} jobs but {charges} charges")
    return problems


def run() -> list[Row]:
    from accounts.models import User
    from effects.models import Job

    data.reset()
    [effect] = data.effects_create(1)
    users = data.users_create(USERS, credits=1_000_000, prefix="apply")
    bare_users = data.users_create(USERS, credits=1_000_000, prefix="bare")
    peer_users = data.users_create(USERS, credits=1_000_000, prefix="peer")
    poor = data.users_create(OVERSPEND_USERS, credits=OVERSPEND_CREDITS, prefix="poor")
    image = data.photo_jpeg(*UPLOAD_SIZE)

    with gunicorn() as server:
        tokens = [data.session_token(server.base, u.email) for u in users]
        peer_tokens = [data.session_token(server.base, u.email) for u in peer_users]
        poor_tokens = [data.session_token(server.base, u.email) for u in poor]
        image_url = "http://127.0.0.1/photo.jpg"  # checked at apply (allow-listed host); no worker runs here
        ours_json = _ours_json(tokens, effect.slug, image_url)
        ours_upload = _ours_upload(tokens, effect.slug, image)
        peer_json = _ours_json(peer_tokens, effect.slug, image_url, path="/bench/peer/effects/apply")
        peer_upload = _ours_upload(peer_tokens, effect.slug, image, path="/bench/peer/effects/apply")
        bare = _bare(bare_users, effect.pk)
        for requests in (ours_json, ours_upload, peer_json, peer_upload, bare):
            wrk(server.base, requests, duration=3)
        base = wrk(server.base, bare)
        peer_json_load = wrk(server.base, peer_json)
        json_load = wrk(server.base, ours_json)
        peer_upload_load = wrk(server.base, peer_upload)
        upload_load = wrk(server.base, ours_upload)
        burst = wrk(server.base, _ours_json(poor_tokens, effect.slug, image_url), duration=5)

    checked = users + peer_users + poor
    problems = data.ledger_consistent(checked) + _charges_match_jobs(checked)
    poor_jobs = Job.objects.filter(user__in=poor).count()
    poor_balances = sorted(User.objects.filter(pk__in=[u.pk for u in poor]).values_list("credits", flat=True))
    overspent = poor_jobs - OVERSPEND_USERS * OVERSPEND_CREDITS
    rows = []
    for what, load, peer, floor in (
        ("POST /api/effects/apply (JSON imageUrl)", json_load, peer_json_load, 0.5),
        (
            f"POST /api/effects/apply (upload, {UPLOAD_SIZE[0]}x{UPLOAD_SIZE[1]} JPEG)",
            upload_load,
            peer_upload_load,
            0.4,
        ),
    ):
        ratio = load.rps / base.rps if base.rps else 0.0
        peer_ratio = load.rps / peer.rps if peer.rps else 0.0
        rows.append(
            Row(
                what,
                fmt_load(load),
                f"bare {fmt_load(base)}; peer {fmt_load(peer)}",
                f"{ratio:.2f} of bare, {peer_ratio:.2f}x peer",
                f">= {floor} of bare; 0 overspends",
                ratio >= floor and load.non_2xx == 0 and load.errors == 0 and not problems and overspent <= 0,
                note=f"{load.requests} applies, {load.non_2xx} non-2xx, {load.errors} socket errors"
                f" (peer {peer.requests} applies, {peer.non_2xx} non-2xx, {peer.errors} socket errors)",
            )
        )
    rows.append(
        Row(
            f"overspend burst: {OVERSPEND_USERS} users x {OVERSPEND_CREDITS} credits, 16 connections, 5 s",
            f"{burst.requests} applies -> {poor_jobs} jobs, balances {poor_balances}",
            f"{OVERSPEND_USERS * OVERSPEND_CREDITS} credits available",
            "-",
            "0 overspends; balance == sum(ledger); jobs == charges",
            overspent == 0 and not problems and poor_balances == [0] * OVERSPEND_USERS,
            note="; ".join(problems) or "ledger consistent for every bench user",
        )
    )
    report("Applying an effect (charge + job + enqueue) vs one INSERT + one conditional UPDATE", rows)
    return rows
