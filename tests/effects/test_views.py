"""Effect and job pages: the gallery, applying an effect through the form, the job page, history and deleting."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from billing.models import CreditTransaction
from billing.services import credits_charge, credits_refund
from effects.catalog import effect_render_preview
from effects.jobs.run import job_process
from effects.models import Category, Effect, Job, JobStage, JobStatus
from tests.support.factories import EffectFactory, JobFactory
from tests.support.images import image_bytes

pytestmark = pytest.mark.django_db


def test_gallery_lists_active_effects_by_category_with_their_cost(client):
    EffectFactory(name="Sepia Glow", category="Classic", credits=1)
    EffectFactory(name="Cartoonify", category="Artistic", credits=3)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Sepia Glow" in html and "Cartoonify" in html
    assert ">Classic</h2>" in html and ">Artistic</h2>" in html
    assert "3 credits" in html


def test_gallery_lists_sections_in_the_categories_order(client):
    EffectFactory(name="Sepia Glow", category="Classic", position=1)
    EffectFactory(name="Cartoonify", category="Artistic", position=2)
    Category.objects.filter(name="Classic").update(position=20)
    Category.objects.filter(name="Artistic").update(position=10)

    html = client.get(reverse("home")).content.decode()

    assert html.index(">Artistic</h2>") < html.index(">Classic</h2>")


def test_gallery_cards_show_the_previews_small_copies_with_srcset_and_lazy_loading(client):
    effect = EffectFactory(name="Sepia Glow", model_id="local:sepia")
    effect_render_preview(effect=effect)
    copies = Effect.objects.get(pk=effect.pk).preview_renditions

    html = client.get(reverse("home")).content.decode()

    image = re.search(r'<a class="card effect-card"[^>]*>.*?(<img[^>]*>)', html, re.S).group(1)
    storage = effect.preview.storage
    thumbnail, display = copies["thumbnail"], copies["display"]
    assert f'src="{escape(storage.url(thumbnail["name"]))}"' in image
    assert (
        f'srcset="{escape(storage.url(thumbnail["name"]))} {thumbnail["width"]}w, {escape(storage.url(display["name"]))} {display["width"]}w"'
        in image
    )
    assert 'sizes="' in image and 'loading="lazy"' in image
    assert f'width="{thumbnail["width"]}" height="{thumbnail["height"]}"' in image


def test_gallery_card_names_its_effect_once(client):
    effect = EffectFactory(name="Sepia Glow", model_id="local:sepia")
    effect_render_preview(effect=effect)

    html = client.get(reverse("home")).content.decode()

    card = re.search(r'<a class="card effect-card".*?</a>', html, re.S).group(0)
    assert 'alt=""' in card  # the image is decorative: the heading names the link
    assert card.count("Sepia Glow") == 1


def test_effect_page_shows_the_previews_display_copy_with_srcset(client):
    effect = EffectFactory(name="Sepia Glow", model_id="local:sepia")
    effect_render_preview(effect=effect)
    copies = Effect.objects.get(pk=effect.pk).preview_renditions

    html = client.get(reverse("effect_detail", args=[effect.slug])).content.decode()

    image = re.search(r'<img[^>]*alt="The same photo with the Sepia Glow effect"[^>]*>', html).group(0)
    storage = effect.preview.storage
    display = copies["display"]
    assert f'src="{escape(storage.url(display["name"]))}"' in image
    assert f"{escape(storage.url(copies['thumbnail']['name']))} {copies['thumbnail']['width']}w" in image
    assert f'width="{display["width"]}" height="{display["height"]}"' in image
    assert 'sizes="' in image and 'loading="lazy"' in image


def test_effect_page_shows_the_sample_photo_before_and_the_preview_after_with_alt_texts_and_credit(client):
    effect = EffectFactory(name="Sepia Glow", model_id="local:sepia")
    effect_render_preview(effect=effect, photo="china.jpg")
    source = Effect.objects.get(pk=effect.pk).preview_source

    html = client.get(reverse("effect_detail", args=[effect.slug])).content.decode()

    pair = re.search(r'<div class="before-after".*?</div>', html, re.S).group(0)
    before, after = re.findall(r"<img[^>]*>", pair)
    display = source["renditions"]["display"]
    assert f'src="{escape(effect.preview.storage.url(display["name"]))}"' in before
    assert f'width="{display["width"]}" height="{display["height"]}"' in before
    assert 'alt="A many-roofed Chinese tower on a wooded hill above a wide lake"' in before
    assert 'alt="The same photo with the Sepia Glow effect"' in after
    assert "<figcaption>Before</figcaption>" in pair and "<figcaption>After: Sepia Glow</figcaption>" in pair
    assert "Photo: danielbuechele on Flickr (CC BY 2.0)" in html
    assert 'href="https://creativecommons.org/licenses/by/2.0/" rel="license noopener"' in html


def test_effect_page_shows_an_uploaded_preview_alone_without_the_old_before(client):
    effect = EffectFactory(name="Sepia Glow", model_id="local:sepia")
    effect_render_preview(effect=effect, photo="china.jpg")
    effect.preview.save("preview.jpg", ContentFile(image_bytes("JPEG", (640, 480))))  # staff upload another

    html = client.get(reverse("effect_detail", args=[effect.slug])).content.decode()

    assert "before-after" not in html and "Chinese tower" not in html
    assert 'alt="Example of the Sepia Glow effect"' in html


def test_gallery_hides_inactive_effects(client):
    EffectFactory(name="Hidden Effect", is_active=False)

    response = client.get(reverse("home"))

    assert "Hidden Effect" not in response.content.decode()


def test_gallery_invites_visitors_to_sign_up(client):
    response = client.get(reverse("home"))

    assert reverse("account_signup") in response.content.decode()


def test_gallery_shows_the_balance_of_a_signed_in_user(client, user):
    client.force_login(user)

    response = client.get(reverse("home"))

    assert "<span data-credits>10</span> credits" in response.content.decode()


def test_effect_page_of_an_inactive_effect_is_404(client):
    effect = EffectFactory(is_active=False)

    response = client.get(reverse("effect_detail", args=[effect.slug]))

    assert response.status_code == 404


def test_effect_page_shows_the_apply_form_to_a_signed_in_user(client, user):
    effect = EffectFactory()
    client.force_login(user)

    response = client.get(reverse("effect_detail", args=[effect.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in html and 'name="image"' in html and 'name="image_url"' in html


def test_effect_page_shows_the_cost_against_the_balance_before_applying(client, user):
    effect = EffectFactory(credits=3)
    client.force_login(user)

    html = client.get(reverse("effect_detail", args=[effect.slug])).content.decode()

    assert "<strong>3 credits</strong> · you have 10</p>" in html
    assert '<button type="submit">Apply for 3 credits</button>' in html


def test_effect_page_with_too_few_credits_disables_apply_and_links_to_billing(client, user):
    effect = EffectFactory(credits=3)
    credits_charge(user=user, amount=9, reference="charge:earlier")  # 10 - 9 = 1 left
    client.force_login(user)

    html = client.get(reverse("effect_detail", args=[effect.slug])).content.decode()

    assert "<strong>3 credits</strong> · you have 1</p>" in html
    button = re.search(r"<button type=\"submit\"[^>]*>Apply for 3 credits</button>", html).group(0)
    assert "disabled" in button and 'aria-describedby="cost-line shortfall"' in button
    assert f'You need 2 more credits. <a href="{reverse("billing")}">Get credits</a>' in html


def test_effect_page_form_comes_before_the_example_picture(client, user):
    effect = EffectFactory(name="Sepia Glow", model_id="local:sepia")
    effect_render_preview(effect=effect)
    client.force_login(user)

    html = client.get(reverse("effect_detail", args=[effect.slug])).content.decode()

    assert html.index('<form method="post"') < html.index('alt="The same photo with the Sepia Glow effect"')


def test_effect_page_asks_visitors_to_sign_up_instead_of_showing_the_form(client):
    effect = EffectFactory()

    response = client.get(reverse("effect_detail", args=[effect.slug]))

    assert 'name="image"' not in response.content.decode()


def test_visitor_posting_the_apply_form_is_sent_to_log_in_and_nothing_is_created(client, jpeg_upload):
    effect = EffectFactory()

    response = client.post(reverse("effect_detail", args=[effect.slug]), {"image": jpeg_upload})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Job.objects.exists()


def test_applying_with_an_uploaded_photo_charges_and_redirects_to_the_job_page(
    client, user, jpeg_upload, media_storage
):
    effect = EffectFactory(credits=2)
    client.force_login(user)

    response = client.post(reverse("effect_detail", args=[effect.slug]), {"image": jpeg_upload})

    job = Job.objects.get(user=user)
    user.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("job_detail", args=[job.pk])
    assert (job.effect, job.status, user.credits) == (effect, "PENDING", 8)
    assert job.source.name


def test_applying_with_a_file_that_is_not_an_image_shows_an_error_and_charges_nothing(client, user):
    effect = EffectFactory()
    client.force_login(user)
    upload = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")

    response = client.post(reverse("effect_detail", args=[effect.slug]), {"image": upload})

    user.refresh_from_db()
    assert response.status_code == 400
    assert "not a JPEG, PNG or WEBP image" in response.content.decode()
    assert (user.credits, Job.objects.count()) == (10, 0)


def test_applying_with_a_truncated_image_shows_an_error(client, user):
    effect = EffectFactory()
    client.force_login(user)
    upload = SimpleUploadedFile(
        "photo.jpg", image_bytes("JPEG", (400, 300), color=(200, 80, 40))[:400], content_type="image/jpeg"
    )

    response = client.post(reverse("effect_detail", args=[effect.slug]), {"image": upload})

    assert response.status_code == 400
    assert "truncated or corrupt" in response.content.decode()


def test_applying_with_an_oversized_upload_answers_413(client, user, settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1000
    effect = EffectFactory()
    client.force_login(user)
    upload = SimpleUploadedFile(
        "photo.jpg", image_bytes("JPEG", (300, 300), color=(200, 80, 40)) + b"\0" * 2000, content_type="image/jpeg"
    )

    response = client.post(reverse("effect_detail", args=[effect.slug]), {"image": upload})

    assert response.status_code == 413
    assert "larger than" in response.content.decode()


def test_applying_with_neither_file_nor_url_asks_for_one(client, user):
    effect = EffectFactory()
    client.force_login(user)

    response = client.post(reverse("effect_detail", args=[effect.slug]), {})

    assert response.status_code == 400
    assert "Choose a photo to upload or paste an image URL." in response.content.decode()


def test_applying_with_neither_file_nor_url_points_both_inputs_to_the_error(client, user):
    effect = EffectFactory()
    client.force_login(user)

    response = client.post(reverse("effect_detail", args=[effect.slug]), {})

    html = response.content.decode()
    assert 'role="alert" id="apply-errors"' in html
    for name in ("image", "image_url"):
        field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in field
        assert re.search(r'aria-describedby="[^"]*\bapply-errors\b', field)


def test_applying_with_an_error_says_so_in_the_page_title(client, user):
    effect = EffectFactory(name="Sepia Glow")
    client.force_login(user)

    response = client.post(reverse("effect_detail", args=[effect.slug]), {})

    assert "<title>Error: Sepia Glow · PhotoMania</title>" in response.content.decode()


def test_effect_page_without_errors_has_a_plain_title_and_no_invalid_inputs(client, user):
    effect = EffectFactory(name="Sepia Glow")
    client.force_login(user)

    response = client.get(reverse("effect_detail", args=[effect.slug]))

    html = response.content.decode()
    assert "<title>Sepia Glow · PhotoMania</title>" in html
    assert "aria-invalid" not in html


def test_applying_with_both_file_and_url_is_refused(client, user, jpeg_upload):
    effect = EffectFactory()
    client.force_login(user)

    response = client.post(
        reverse("effect_detail", args=[effect.slug]), {"image": jpeg_upload, "image_url": "https://example.com/a.jpg"}
    )

    assert response.status_code == 400
    assert not Job.objects.exists()


def test_applying_with_a_url_to_a_private_address_is_refused(client, user):
    effect = EffectFactory()
    client.force_login(user)

    response = client.post(reverse("effect_detail", args=[effect.slug]), {"image_url": "http://127.0.0.1/photo.jpg"})

    user.refresh_from_db()
    assert response.status_code == 400
    assert 'aria-invalid="true" aria-describedby="image-url-errors"' in response.content.decode()
    assert user.credits == 10


def test_applying_with_too_few_credits_answers_402_with_a_link_to_billing(client, user, jpeg_upload):
    effect = EffectFactory(credits=11)
    client.force_login(user)

    response = client.post(reverse("effect_detail", args=[effect.slug]), {"image": jpeg_upload})

    html = response.content.decode()
    user.refresh_from_db()
    assert response.status_code == 402
    assert "Not enough credits" in html and reverse("billing") in html
    assert user.credits == 10
    assert not CreditTransaction.objects.filter(kind=CreditTransaction.Kind.EFFECT_CHARGE).exists()


def test_applying_too_often_answers_429_with_retry_after(client, user, settings, media_storage):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "apply": "1/min"},
    }
    effect = EffectFactory()
    client.force_login(user)
    url = reverse("effect_detail", args=[effect.slug])
    client.post(
        url, {"image": SimpleUploadedFile("a.jpg", image_bytes("JPEG", color=(200, 80, 40)), content_type="image/jpeg")}
    )

    response = client.post(
        url, {"image": SimpleUploadedFile("b.jpg", image_bytes("JPEG", color=(200, 80, 40)), content_type="image/jpeg")}
    )

    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "too quickly" in response.content.decode()
    assert Job.objects.count() == 1


def test_applying_without_a_csrf_token_is_forbidden(user, jpeg_upload):
    effect = EffectFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(reverse("effect_detail", args=[effect.slug]), {"image": jpeg_upload})

    assert response.status_code == 403
    assert not Job.objects.exists()


def _completed_job(user):
    job = JobFactory(user=user, status=JobStatus.COMPLETED)
    job.source.save("source.jpg", ContentFile(image_bytes("JPEG", color=(200, 80, 40))), save=False)
    job.result.save("result.jpg", ContentFile(image_bytes("JPEG", color=(10, 10, 10))), save=True)
    return job


def test_job_page_of_a_pending_job_polls_the_job_endpoint(client, user):
    job = JobFactory(user=user)
    client.force_login(user)

    response = client.get(reverse("job_detail", args=[job.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-job-poll-url="/api/jobs/{job.pk}"' in html
    assert 'http-equiv="refresh"' in html


def test_job_page_of_a_waiting_job_says_how_many_photos_are_ahead(client, user):
    JobFactory(queue="default", created_at=timezone.now() - timedelta(seconds=5))
    job = JobFactory(user=user, queue="default")
    client.force_login(user)

    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()

    assert "Waiting in the queue…" in html and "1 photo ahead of yours." in html
    assert '<li data-stage="queued" aria-current="step">Queued</li>' in html


def test_job_page_of_a_running_job_shows_its_stage_and_percentage(client, user):
    job = JobFactory(user=user, status=JobStatus.PROCESSING, stage=JobStage.PROCESSING, progress=57)
    client.force_login(user)

    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()

    assert "Applying the effect… 57%" in html
    assert 'max="100" value="57"' in html
    assert '<li data-stage="processing" aria-current="step">Processing</li>' in html


def test_job_page_of_a_completed_job_shows_before_after_and_download(client, user, media_storage):
    job = _completed_job(user)
    client.force_login(user)

    response = client.get(reverse("job_detail", args=[job.pk]))

    html = response.content.decode()
    assert "Before" in html and "After" in html
    assert f'download="photomania-{job.effect.slug}.jpg"' in html
    assert "data-job-poll-url" not in html


def test_job_page_shows_renditions_with_srcset_and_downloads_the_full_result(client, user, media_storage):
    job = JobFactory(user=user, effect=EffectFactory(model_id="local:grayscale"), status=JobStatus.PENDING)
    job.source.save("source.png", ContentFile(image_bytes("PNG", (1600, 1200))))
    job_process(job_id=job.pk)
    client.force_login(user)

    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()

    after = re.search(r"<img [^>]*data-result>", html)[0]
    assert f"/media/jobs/{job.pk}/result-display.jpg?" in after and 'width="1024" height="768"' in after
    assert re.search(r'srcset="[^"]*result-thumbnail\.jpg\S* 320w, [^"]*result-display\.jpg\S* 1024w"', after)
    assert 'loading="lazy"' in after and "sizes=" in after
    assert f"/media/jobs/{job.pk}/source-display.jpg?" in html
    download = re.search(r'<a class="button" href="([^"]+)" download', html)[1]
    assert download.startswith(f"/media/jobs/{job.pk}/result.jpg?")


def test_history_shows_the_results_thumbnail_rendition(client, user, media_storage):
    job = JobFactory(user=user, effect=EffectFactory(model_id="local:sepia"), status=JobStatus.PENDING)
    job.source.save("source.png", ContentFile(image_bytes("PNG", (1600, 1200))))
    job_process(job_id=job.pk)
    client.force_login(user)

    html = client.get(reverse("job_history")).content.decode()

    assert f'<img src="/media/jobs/{job.pk}/result-thumbnail.jpg?' in html


def test_job_page_of_a_failed_job_shows_the_reason_and_the_refund(client, user):
    job = JobFactory(user=user, status=JobStatus.FAILED, error_message="The image could not be decoded")
    credits_refund(user=user, amount=1, reference=f"refund:{job.pk}", job=job)
    client.force_login(user)

    response = client.get(reverse("job_detail", args=[job.pk]))

    html = response.content.decode()
    assert "The image could not be decoded" in html
    assert "Your 1 credit was refunded." in html


def test_job_page_of_a_goodwill_refunded_job_shows_the_result_and_the_refund(client, user, staff_user, media_storage):
    job = _completed_job(user)
    credits_refund(
        user=user, amount=1, reference=f"goodwill:{job.pk}", job=job, kind=CreditTransaction.Kind.GOODWILL_REFUND
    )
    client.force_login(user)

    html = client.get(reverse("job_detail", args=[job.pk])).content.decode()

    assert "1 credit refunded as a goodwill gesture." in html
    assert "Download result" in html
    assert "couldn’t apply the effect" not in html and "alert-error" not in html


def test_job_page_of_another_users_job_is_404(client, user, other_user):
    job = JobFactory(user=other_user)
    client.force_login(user)

    response = client.get(reverse("job_detail", args=[job.pk]))

    assert response.status_code == 404


def test_job_page_sends_visitors_to_log_in(client):
    job = JobFactory()

    response = client.get(reverse("job_detail", args=[job.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_history_lists_only_the_users_own_jobs(client, user, other_user):
    JobFactory(user=user, effect__name="Mine")
    JobFactory(user=other_user, effect__name="Theirs")
    client.force_login(user)

    response = client.get(reverse("job_history"))

    html = response.content.decode()
    assert "Mine" in html and "Theirs" not in html


def test_history_filters_by_status(client, user):
    JobFactory(user=user, effect__name="Finished one", status=JobStatus.COMPLETED)
    JobFactory(user=user, effect__name="Broken one", status=JobStatus.FAILED)
    client.force_login(user)

    response = client.get(reverse("job_history"), {"status": "FAILED"})

    html = response.content.decode()
    assert "Broken one" in html and "Finished one" not in html


def test_history_ignores_an_unknown_status_filter(client, user):
    JobFactory(user=user, effect__name="Finished one", status=JobStatus.COMPLETED)
    client.force_login(user)

    response = client.get(reverse("job_history"), {"status": "BOGUS"})

    assert "Finished one" in response.content.decode()


def test_history_is_paginated(client, user):
    for _ in range(13):
        JobFactory(user=user)
    client.force_login(user)

    first = client.get(reverse("job_history"))
    second = client.get(reverse("job_history"), {"page": 2})

    assert len(first.context["items"]) == 12
    assert len(second.context["items"]) == 1
    assert "Page 1 of 2" in first.content.decode()


def test_history_thumbnails_use_signed_media_urls(client, user, media_storage):
    _completed_job(user)
    client.force_login(user)

    response = client.get(reverse("job_history"))

    assert "/media/jobs/" in response.content.decode() and "sig=" in response.content.decode()


def test_history_query_count_does_not_grow_with_jobs(client, user, django_assert_max_num_queries):
    for _ in range(12):
        JobFactory(user=user)
    client.force_login(user)

    with django_assert_max_num_queries(8):
        client.get(reverse("job_history"))


def test_deleting_a_job_removes_it_and_its_files(client, user, media_storage, django_capture_on_commit_callbacks):
    job = _completed_job(user)
    client.force_login(user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("job_delete", args=[job.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("job_history")
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not (media_storage / job.result.name).exists()


def test_deleting_another_users_job_is_404_and_keeps_it(client, user, other_user):
    job = JobFactory(user=other_user)
    client.force_login(user)

    response = client.post(reverse("job_delete", args=[job.pk]))

    assert response.status_code == 404
    assert Job.objects.filter(pk=job.pk).exists()


def test_deleting_with_get_is_not_allowed(client, user):
    job = JobFactory(user=user)
    client.force_login(user)

    response = client.get(reverse("job_delete", args=[job.pk]))

    assert response.status_code == 405
    assert Job.objects.filter(pk=job.pk).exists()


def test_deleting_without_a_csrf_token_is_forbidden(user):
    job = JobFactory(user=user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(reverse("job_delete", args=[job.pk]))

    assert response.status_code == 403
    assert Job.objects.filter(pk=job.pk).exists()
