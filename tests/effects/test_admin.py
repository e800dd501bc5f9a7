"""Staff curation in admin: bulk actions, duplicate, render preview, try it, job actions, dashboard."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from billing.models import CreditTransaction
from billing.services import credits_charge, credits_refund
from effects.catalog import category_get_or_create
from effects.jobs.run import job_process
from effects.models import Category, Effect, Job, JobStatus
from tests.support.factories import EffectFactory, JobFactory, UserFactory, staff_force_login, totp_activate
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, staff_user):
    staff_force_login(client, staff_user)
    return client


def _action(client, model: str, action: str, ids, **extra):
    return client.post(
        reverse(f"admin:effects_{model}_changelist"), {"action": action, "_selected_action": list(ids), **extra}
    )


def test_effect_list_shows_preview_thumbnails_without_inline_styles(staff_client, media_storage):
    effect = EffectFactory()
    staff_client.post(reverse("admin:effects_effect_render_preview", args=[effect.pk]))

    response = staff_client.get(reverse("admin:effects_effect_changelist"))

    html = response.content.decode()
    assert 'class="pm-thumb"' in html
    assert "style=" not in html.split('id="result_list"')[1].split("</table>")[0]


def test_effect_list_editable_inputs_are_named_after_their_effect(staff_client):
    effect = EffectFactory(name="Sepia Glow")

    html = staff_client.get(reverse("admin:effects_effect_changelist")).content.decode()

    row = re.search(rf'<tr>(?:(?!</tr>).)*value="{effect.pk}"(?:(?!</tr>).)*</tr>', html, re.S).group(0)
    assert re.search(r'<input type="checkbox" name="form-0-is_active"[^>]*aria-label="Sepia Glow: active"', row)
    assert '<button type="button" class="pm-move" data-move="up" aria-label="Move Sepia Glow up">' in row
    assert '<button type="button" class="pm-move" data-move="down" aria-label="Move Sepia Glow down">' in row


def test_effect_list_saves_its_editable_cells(staff_client):
    effect = EffectFactory(is_active=True, position=5)

    response = staff_client.post(
        reverse("admin:effects_effect_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(effect.pk),
            "_save": "Save",
        },
    )

    effect.refresh_from_db()
    assert response.status_code == 302
    assert effect.is_active is False


def test_effect_list_shows_the_previews_thumbnail_copy_not_the_full_preview(staff_client, media_storage):
    effect = EffectFactory(name="Sepia Glow", model_id="local:sepia")
    staff_client.post(reverse("admin:effects_effect_render_preview", args=[effect.pk]))
    effect.refresh_from_db()

    html = staff_client.get(reverse("admin:effects_effect_changelist")).content.decode()

    thumbnail = effect.preview_renditions["thumbnail"]
    image = re.search(r'<img[^>]*class="pm-thumb"[^>]*>', html).group(0)
    assert f'src="{escape(effect.preview.storage.url(thumbnail["name"]))}"' in image
    assert effect.preview.name not in image
    assert 'srcset="' in image and 'sizes="64px"' in image and 'loading="lazy"' in image
    assert f'width="{thumbnail["width"]}" height="{thumbnail["height"]}"' in image


def test_uploading_a_preview_in_the_change_form_stores_its_small_copies(staff_client, media_storage):
    effect = EffectFactory(name="Sepia Glow", slug="sepia-glow", model_id="local:sepia", config={})
    upload = SimpleUploadedFile("preview.jpg", image_bytes("JPEG", (640, 480)), content_type="image/jpeg")

    response = staff_client.post(
        reverse("admin:effects_effect_change", args=[effect.pk]),
        {
            "name": effect.name,
            "slug": effect.slug,
            "description": "",
            "preview": upload,
            "credits": "1",
            "category": "Classic",
            "model_id": "local:sepia",
            "config": "{}",
            "is_active": "on",
            "position": "0",
        },
    )

    effect.refresh_from_db()
    assert response.status_code == 302
    copies = effect.preview_renditions
    assert (copies["thumbnail"]["width"], copies["thumbnail"]["height"]) == (320, 240)
    assert (copies["display"]["width"], copies["display"]["height"]) == (640, 480)


def test_effect_form_refuses_a_category_that_is_not_in_the_list(staff_client):
    effect = EffectFactory(slug="sepia-glow", category="Classic")

    response = staff_client.post(
        reverse("admin:effects_effect_change", args=[effect.pk]), _effect_form(category="Clasic")
    )

    effect.refresh_from_db()
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert effect.category.name == "Classic"
    assert not Category.objects.filter(name="Clasic").exists()


def test_effect_form_shows_the_effects_category_chosen(staff_client):
    effect = EffectFactory(category="Artistic")
    EffectFactory(category="Classic")

    html = staff_client.get(reverse("admin:effects_effect_change", args=[effect.pk])).content.decode()

    assert '<option value="Artistic" selected>Artistic</option>' in html


def test_category_list_shows_how_many_effects_each_has(staff_client):
    EffectFactory(category="Artistic")
    EffectFactory(category="Artistic")

    html = staff_client.get(reverse("admin:effects_category_changelist")).content.decode()

    assert re.search(r">Artistic<.*?<td class=\"field-effect_count\">2</td>", html, re.S)


def test_effect_list_filters_by_category(staff_client):
    EffectFactory(name="In Artistic", category="Artistic")
    EffectFactory(name="In Classic", category="Classic")

    response = staff_client.get(reverse("admin:effects_effect_changelist"), {"category": "Artistic"})

    html = response.content.decode()
    assert "In Artistic" in html and "In Classic" not in html


def test_bulk_deactivate_hides_effects(staff_client):
    effects = [EffectFactory(), EffectFactory()]

    _action(staff_client, "effect", "deactivate", [e.pk for e in effects])

    assert not Effect.objects.filter(is_active=True).exists()


def test_bulk_activate_shows_effects(staff_client):
    effects = [
        EffectFactory(is_active=False, preview="previews/a.jpg"),
        EffectFactory(is_active=False, preview="b.jpg"),
    ]

    _action(staff_client, "effect", "activate", [e.pk for e in effects])

    assert Effect.objects.filter(is_active=True).count() == 2


def test_bulk_activate_refuses_effects_without_a_preview_and_names_them(staff_client):
    ready = EffectFactory(is_active=False, preview="previews/ready.jpg")
    bare = EffectFactory(name="Bare Effect", is_active=False)

    response = _action(staff_client, "effect", "activate", [ready.pk, bare.pk])

    ready.refresh_from_db()
    bare.refresh_from_db()
    texts = [str(m) for m in response.wsgi_request._messages]
    assert (ready.is_active, bare.is_active) == (True, False)
    assert any(text.startswith("Not activated, as they have no preview yet: Bare Effect.") for text in texts)
    assert "Activated 1 effect(s)." in texts


def _effect_form(**overrides) -> dict:
    return {
        "name": "Sepia Glow",
        "slug": "sepia-glow",
        "description": "",
        "credits": "1",
        "category": "Classic",
        "model_id": "local:sepia",
        "config": "{}",
        "position": "0",
        **overrides,
    }


@pytest.fixture
def classic():
    return category_get_or_create(name="Classic")


def test_new_effect_form_starts_hidden(staff_client):
    html = staff_client.get(reverse("admin:effects_effect_add")).content.decode()

    checkbox = re.search(r'<input type="checkbox" name="is_active"[^>]*>', html).group(0)
    assert "checked" not in checkbox


def test_new_effect_saved_with_the_form_as_offered_stays_hidden(staff_client, classic):
    response = staff_client.post(reverse("admin:effects_effect_add"), _effect_form())

    assert response.status_code == 302
    assert Effect.objects.get(slug="sepia-glow").is_active is False


def test_new_effect_shown_without_a_preview_is_refused(staff_client, classic):
    response = staff_client.post(reverse("admin:effects_effect_add"), _effect_form(is_active="on"))

    assert response.status_code == 200
    assert "An effect needs a preview before it is shown in the gallery" in response.content.decode()
    assert not Effect.objects.filter(slug="sepia-glow").exists()


def test_new_effect_with_an_uploaded_preview_may_be_shown_at_once(staff_client, media_storage, classic):
    upload = SimpleUploadedFile("preview.jpg", image_bytes("JPEG", (64, 48)), content_type="image/jpeg")

    response = staff_client.post(reverse("admin:effects_effect_add"), _effect_form(is_active="on", preview=upload))

    assert response.status_code == 302
    assert Effect.objects.get(slug="sepia-glow").is_active is True


def test_ticking_active_in_the_change_form_without_a_preview_is_refused(staff_client):
    effect = EffectFactory(slug="sepia-glow", is_active=False)

    response = staff_client.post(reverse("admin:effects_effect_change", args=[effect.pk]), _effect_form(is_active="on"))

    effect.refresh_from_db()
    assert response.status_code == 200
    assert "An effect needs a preview before it is shown in the gallery" in response.content.decode()
    assert effect.is_active is False


def test_clearing_the_preview_of_a_shown_effect_is_refused(staff_client, media_storage):
    effect = EffectFactory(slug="sepia-glow", is_active=True, preview="previews/shown.jpg")

    response = staff_client.post(
        reverse("admin:effects_effect_change", args=[effect.pk]),
        _effect_form(is_active="on", **{"preview-clear": "on"}),
    )

    effect.refresh_from_db()
    assert response.status_code == 200
    assert effect.preview.name == "previews/shown.jpg"


def test_ticking_active_in_the_effect_list_without_a_preview_is_refused(staff_client):
    effect = EffectFactory(is_active=False, position=5)

    response = staff_client.post(
        reverse("admin:effects_effect_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(effect.pk),
            "form-0-is_active": "on",
            "_save": "Save",
        },
    )

    effect.refresh_from_db()
    assert response.status_code == 200
    assert effect.is_active is False


def test_duplicate_creates_an_inactive_copy_with_a_unique_slug(staff_client):
    effect = EffectFactory(slug="sepia", config={"intensity": 0.5})

    _action(staff_client, "effect", "duplicate", [effect.pk])
    _action(staff_client, "effect", "duplicate", [effect.pk])

    copies = list(Effect.objects.exclude(pk=effect.pk).order_by("slug").values_list("slug", "is_active", "config"))
    assert copies == [("sepia-copy", False, {"intensity": 0.5}), ("sepia-copy-2", False, {"intensity": 0.5})]


def test_config_editor_shows_the_engines_error(staff_client):
    effect = EffectFactory()

    response = staff_client.post(
        reverse("admin:effects_effect_change", args=[effect.pk]),
        {
            "name": effect.name,
            "slug": effect.slug,
            "credits": 1,
            "category": "X",
            "model_id": "nosuchengine:thing",
            "config": "{}",
            "position": 0,
        },
    )

    assert response.status_code == 200
    assert "unknown engine" in response.content.decode()


def test_change_form_offers_render_preview_and_try_it(staff_client):
    effect = EffectFactory()

    response = staff_client.get(reverse("admin:effects_effect_change", args=[effect.pk]))

    html = response.content.decode()
    assert reverse("admin:effects_effect_render_preview", args=[effect.pk]) in html
    assert reverse("admin:effects_effect_try", args=[effect.pk]) in html


def test_render_preview_sets_the_preview_image(staff_client, media_storage):
    effect = EffectFactory()

    response = staff_client.post(reverse("admin:effects_effect_render_preview", args=[effect.pk]))

    effect.refresh_from_db()
    assert response.status_code == 302
    assert effect.preview.name.startswith("previews/")
    assert (media_storage / effect.preview.name).exists()


def test_render_preview_action_sets_previews_of_selected_effects(staff_client, media_storage):
    effects = [EffectFactory(), EffectFactory()]

    _action(staff_client, "effect", "render_preview", [e.pk for e in effects])

    assert all(Effect.objects.get(pk=e.pk).preview for e in effects)


def test_render_preview_with_get_is_not_allowed(staff_client):
    effect = EffectFactory()

    response = staff_client.get(reverse("admin:effects_effect_render_preview", args=[effect.pk]))

    assert response.status_code == 405


def test_render_preview_needs_staff(client, user):
    effect = EffectFactory()
    client.force_login(user)

    response = client.post(reverse("admin:effects_effect_render_preview", args=[effect.pk]))

    effect.refresh_from_db()
    assert response.status_code == 302
    assert not effect.preview


def test_render_preview_without_a_csrf_token_is_forbidden(staff_user):
    effect = EffectFactory()
    client = Client(enforce_csrf_checks=True)
    staff_force_login(client, staff_user)

    response = client.post(reverse("admin:effects_effect_render_preview", args=[effect.pk]))

    assert response.status_code == 403


def test_try_it_shows_the_result_and_charges_nobody(staff_client, staff_user):
    effect = EffectFactory()
    upload = SimpleUploadedFile("p.jpg", image_bytes("JPEG", color=(200, 80, 40)), content_type="image/jpeg")
    before = staff_user.credits

    response = staff_client.post(reverse("admin:effects_effect_try", args=[effect.pk]), {"image": upload})

    staff_user.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="try-result"' in html and "data:image/" in html
    assert staff_user.credits == before
    assert not Job.objects.exists()


def test_try_it_with_a_bad_file_shows_the_error(staff_client):
    effect = EffectFactory()
    upload = SimpleUploadedFile("p.jpg", b"not an image", content_type="image/jpeg")

    response = staff_client.post(reverse("admin:effects_effect_try", args=[effect.pk]), {"image": upload})

    assert response.status_code == 400
    assert "not a JPEG, PNG or WEBP image" in response.content.decode()


def test_try_it_for_an_unknown_effect_is_404(staff_client):
    response = staff_client.get(reverse("admin:effects_effect_try", args=[999999]))

    assert response.status_code == 404


def test_job_detail_shows_thumbnails_read_only(staff_client):
    job = JobFactory()

    response = staff_client.get(reverse("admin:effects_job_change", args=[job.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Before and after" in html and "No result" in html
    assert 'name="status"' not in html


def test_job_list_shows_the_results_small_rendition_not_the_full_result(staff_client, media_storage):
    job = JobFactory(effect=EffectFactory(model_id="local:grayscale"), status=JobStatus.PENDING)
    job.source.save("source.png", ContentFile(image_bytes("PNG", (800, 600))))
    job_process(job_id=job.pk)

    html = staff_client.get(reverse("admin:effects_job_changelist")).content.decode()

    assert f'<img src="/media/jobs/{job.pk}/result-thumbnail.jpg?' in html
    assert f"/media/jobs/{job.pk}/result.jpg" not in html


def test_job_list_filters_by_status(staff_client):
    failed = JobFactory(status=JobStatus.FAILED)
    JobFactory(status=JobStatus.COMPLETED)

    response = staff_client.get(reverse("admin:effects_job_changelist"), {"status__exact": "FAILED"})

    assert list(response.context["cl"].result_list) == [failed]


def test_fail_and_refund_asks_for_a_message_first(staff_client):
    job = JobFactory()

    response = _action(staff_client, "job", "fail_and_refund", [job.pk])

    job.refresh_from_db()
    assert response.status_code == 200
    assert job.status == JobStatus.PENDING


def test_fail_and_refund_fails_the_job_and_refunds_through_the_ledger(staff_client):
    job = JobFactory(credits_charged=1)
    credits_charge(user=job.user, amount=1, reference=f"charge:{job.pk}", job=job)

    response = _action(staff_client, "job", "fail_and_refund", [job.pk], apply="1", message="Stuck; sorry")

    job.refresh_from_db()
    job.user.refresh_from_db()
    assert response.status_code == 302
    assert (job.status, job.error_message, job.user.credits) == (JobStatus.FAILED, "Stuck; sorry", 10)
    assert CreditTransaction.objects.filter(reference=f"refund:{job.pk}").exists()


def _completed_charged_job(credits: int = 2) -> Job:
    job = JobFactory(status=JobStatus.COMPLETED, credits_charged=credits)
    credits_charge(user=job.user, amount=credits, reference=f"charge:{job.pk}", job=job)
    return job


def test_goodwill_refund_asks_for_a_note_first(staff_client):
    job = _completed_charged_job()

    response = _action(staff_client, "job", "goodwill_refund", [job.pk])

    assert response.status_code == 200
    assert "Refund as goodwill" in response.content.decode()
    assert not CreditTransaction.objects.filter(reference=f"goodwill:{job.pk}").exists()


def test_goodwill_refund_refunds_a_completed_job_and_records_the_staff_member(staff_client, staff_user):
    job = _completed_charged_job(credits=2)

    response = _action(staff_client, "job", "goodwill_refund", [job.pk], apply="1", note="Slow queue today")

    job.refresh_from_db()
    job.user.refresh_from_db()
    row = CreditTransaction.objects.get(reference=f"goodwill:{job.pk}")
    assert response.status_code == 302
    assert (job.status, job.user.credits) == (JobStatus.COMPLETED, 10)
    assert (row.amount, row.created_by, row.note) == (2, staff_user, "Slow queue today")


def test_goodwill_refund_skips_jobs_that_are_not_completed_and_says_why(staff_client):
    done = _completed_charged_job()
    failed = JobFactory(status=JobStatus.FAILED)

    response = _action(staff_client, "job", "goodwill_refund", [done.pk, failed.pk], apply="1", note="sorry")

    texts = [str(m) for m in response.wsgi_request._messages]
    assert any(f"Job {failed.pk}: Only completed jobs" in text for text in texts)
    assert any("Refunded 2 credit(s) on 1 job(s)" in text for text in texts)
    assert not CreditTransaction.objects.filter(reference=f"goodwill:{failed.pk}").exists()


def test_goodwill_refund_repeated_reports_already_refunded_not_a_new_refund(staff_client):
    job = _completed_charged_job(credits=3)
    _action(staff_client, "job", "goodwill_refund", [job.pk], apply="1", note="Slow queue today")
    staff_client.get(reverse("admin:effects_job_changelist"))  # the first refund's messages are read

    response = _action(staff_client, "job", "goodwill_refund", [job.pk], apply="1", note="Slow queue today")

    texts = [str(m) for m in response.wsgi_request._messages]
    assert f"Job {job.pk}: already refunded as a goodwill gesture (3 credit(s)); not refunded again." in texts
    assert "No credits were refunded." in texts
    assert not any(text.startswith("Refunded") for text in texts)
    assert CreditTransaction.objects.filter(reference=f"goodwill:{job.pk}").count() == 1


def test_goodwill_refund_reports_each_jobs_outcome(staff_client):
    fresh = _completed_charged_job(credits=2)
    repeat = _completed_charged_job(credits=4)
    _action(staff_client, "job", "goodwill_refund", [repeat.pk], apply="1", note="first")
    staff_client.get(reverse("admin:effects_job_changelist"))  # the first refund's messages are read
    pending = JobFactory(status=JobStatus.PENDING)
    failed_then_refunded = _completed_charged_job(credits=1)
    # Refunded when it failed, then re-run free of charge to completion: nothing more to give back.
    credits_refund(
        user=failed_then_refunded.user,
        amount=1,
        reference=f"refund:{failed_then_refunded.pk}",
        job=failed_then_refunded,
    )

    response = _action(
        staff_client,
        "job",
        "goodwill_refund",
        [fresh.pk, repeat.pk, pending.pk, failed_then_refunded.pk],
        apply="1",
        note="sorry",
    )

    texts = [str(m) for m in response.wsgi_request._messages]
    assert f"Job {fresh.pk}: refunded 2 credit(s)." in texts
    assert f"Job {repeat.pk}: already refunded as a goodwill gesture (4 credit(s)); not refunded again." in texts
    assert (
        f"Job {pending.pk}: Only completed jobs get a goodwill refund (this one is pending); not eligible, not refunded."
        in texts
    )
    assert f"Job {failed_then_refunded.pk}: already refunded (when it failed); not refunded again." in texts
    assert "Refunded 2 credit(s) on 1 job(s) as a goodwill gesture." in texts


def test_goodwill_refund_is_not_offered_to_staff_who_cannot_write_the_ledger(client):
    viewer = UserFactory(is_staff=True)
    totp_activate(user=viewer)
    viewer.user_permissions.add(Permission.objects.get(codename="view_job"))
    job = _completed_charged_job()
    staff_force_login(client, viewer)

    listing = client.get(reverse("admin:effects_job_changelist"))
    response = _action(client, "job", "goodwill_refund", [job.pk], apply="1", note="sneaky")

    assert 'value="goodwill_refund"' not in listing.content.decode()
    # Django ignores an action the user is not offered: with none offered, the POST just lists.
    assert response.status_code == 200
    assert not CreditTransaction.objects.filter(reference=f"goodwill:{job.pk}").exists()


def test_goodwill_refund_is_refused_to_non_staff(client, user):
    job = _completed_charged_job()
    client.force_login(user)

    response = _action(client, "job", "goodwill_refund", [job.pk], apply="1", note="me")

    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not CreditTransaction.objects.filter(reference=f"goodwill:{job.pk}").exists()


def test_retry_puts_a_failed_job_back_in_the_queue(staff_client, django_capture_on_commit_callbacks):
    job = JobFactory(
        status=JobStatus.FAILED, error_code="X", error_message="boom", source_url="https://93.184.215.14/a.jpg"
    )

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _action(staff_client, "job", "retry", [job.pk])

    job.refresh_from_db()
    assert (job.status, job.error_message) == (JobStatus.PENDING, "")
    assert callbacks


def test_retry_leaves_completed_jobs_alone(staff_client):
    job = JobFactory(status=JobStatus.COMPLETED)

    _action(staff_client, "job", "retry", [job.pk])

    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED


def test_effect_admin_rejects_a_config_that_is_not_an_object(client, staff_user):
    effect = EffectFactory()
    staff_force_login(client, staff_user)

    response = client.post(
        reverse("admin:effects_effect_change", args=[effect.pk]),
        {
            "name": effect.name,
            "slug": effect.slug,
            "credits": 1,
            "category": "X",
            "model_id": "local:grayscale",
            "config": "[1, 2]",
            "position": 0,
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert "config must be a JSON object" in response.content.decode()


def test_effect_list_says_why_provider_effects_are_inactive_without_a_token(staff_client, settings):
    settings.REPLICATE_API_TOKEN = ""
    EffectFactory(slug="ghibli", model_id="replicate:black-forest-labs/flux-kontext-pro")

    page = staff_client.get(reverse("admin:effects_effect_changelist")).content.decode()

    assert "Inactive: REPLICATE_API_TOKEN is not set" in page
    assert "Provider (AI) effects are inactive: REPLICATE_API_TOKEN is not set" in page


def test_staff_create_an_ai_effect_by_choosing_a_model_and_writing_a_prompt(staff_client):
    category_get_or_create(name="AI Studio")

    response = staff_client.post(
        reverse("admin:effects_effect_add_provider"),
        {
            "name": "Claymation",
            "slug": "claymation",
            "category": "AI Studio",
            "credits": 6,
            "model": "flux-kontext-pro",
            "prompt": "Turn this photo into a claymation scene",
        },
    )

    effect = Effect.objects.get(slug="claymation")
    assert response.status_code == 302
    assert effect.model_id == "replicate:black-forest-labs/flux-kontext-pro" and not effect.is_active
    assert effect.config["input"]["prompt"] == "Turn this photo into a claymation scene"


def test_try_it_on_a_provider_effect_shows_the_predictions_result(staff_client, replicate_server):
    effect = EffectFactory(model_id="replicate:acme/restore")
    upload = SimpleUploadedFile("p.jpg", image_bytes("JPEG"), content_type="image/jpeg")

    response = staff_client.post(reverse("admin:effects_effect_try", args=[effect.pk]), {"image": upload})

    assert response.status_code == 200
    assert 'id="try-result"' in response.content.decode()
    assert len(replicate_server.created) == 1


def test_retry_of_a_failed_upload_whose_photo_is_gone_says_so(staff_client):
    job = JobFactory(status=JobStatus.FAILED, error_code="X", error_message="boom")

    response = _action(staff_client, "job", "retry", [job.pk])

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "no longer stored" in staff_client.get(response["Location"]).content.decode()
