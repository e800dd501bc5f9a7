"""Server-rendered effect pages (gallery, apply, job, history), and the signed media view.

Pages call the same services as the API: ingestion validates the photo, ``job_create``
charges and enqueues, ``job_delete`` removes a job with its files.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ApplicationError, ErrorCode, InsufficientCredits
from core.http_status import http_status_for
from core.throttles import ApplyThrottle, UploadThrottle
from effects.ingestion import image_from_upload, image_url_check
from effects.jobs.create import job_affordable_check, job_create
from effects.jobs.delete import job_delete
from effects.jobs.payloads import job_queue_position, job_refund
from effects.jobs.retention import job_result_expired, job_result_expires_at
from effects.models import Effect, Job, JobStage, JobStatus
from effects.selectors.catalog import (
    effect_get_active,
    effect_list_active,
    effect_preview_picture,
    effect_preview_source_picture,
    rendition_picture,
)
from effects.selectors.jobs import (
    job_get_for_user,
    job_list_for_user,
)
from effects.storage import media_signature_valid

HISTORY_PAGE_SIZE = 12
# The steps a running job's page lists, in order (``done`` shows the result instead).
JOB_PAGE_STAGES = [
    (JobStage.QUEUED, "Queued"),
    (JobStage.FETCHING, "Loading"),
    (JobStage.PROCESSING, "Processing"),
    (JobStage.STORING, "Saving"),
]


@require_GET
def media(request, name: str):
    """Serve a stored file only for a valid, unexpired signature (local storage only)."""
    try:
        expires = int(request.GET.get("exp", ""))
    except ValueError:
        raise Http404 from None
    if ".." in name.split("/") or not media_signature_valid(name, expires, request.GET.get("sig", "")):
        raise Http404
    if not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"))
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _throttle(request, throttle_class) -> None:
    """The API's per-user throttles (same cache keys, so pages and the API share the budget)."""
    throttle = throttle_class()
    if not throttle.allow_request(request, None):
        wait = throttle.wait()
        seconds = int(wait) + 1 if wait else 60
        raise ApplicationError(
            ErrorCode.RATE_LIMITED,
            f"You are applying effects too quickly. Please try again in {seconds} seconds.",
            details={"retryAfter": [str(seconds)]},
        )


# The code of the form-wide error about the photo (none, or both a file and a URL): it concerns both inputs.
SOURCE_CHOICE = "source_choice"


class ApplyForm(forms.Form):
    image = forms.FileField(
        required=False,
        label="Upload a photo",
        help_text="JPEG, PNG or WEBP.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_url = forms.URLField(
        required=False,
        label="…or paste an image URL",
        max_length=2048,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/photo.jpg", "inputmode": "url"}),
    )

    def clean(self):
        cleaned = super().clean()
        has_file, has_url = bool(cleaned.get("image")), bool(cleaned.get("image_url"))
        if not self.errors and has_file == has_url:
            raise forms.ValidationError(
                "Choose a photo to upload or paste an image URL."
                if not has_file
                else "Give a file or a URL, not both.",
                code=SOURCE_CHOICE,
            )
        return cleaned


def gallery(request):
    """Home: active effects grouped by category, with preview and cost."""
    effects = list(effect_list_active())
    # Sections in the categories' order (staff set it), effects in theirs within each.
    by_category: dict = {}
    for effect in effects:
        by_category.setdefault(effect.category, []).append(
            {"effect": effect, "preview": effect_preview_picture(effect=effect)}
        )
    ordered = sorted(by_category, key=lambda category: (category.position, category.name))
    categories = [(category.name, by_category[category]) for category in ordered]
    return render(request, "effects/gallery.html", {"categories": categories, "effect_count": len(effects)})


@require_http_methods(["GET", "POST"])
def effect_detail(request, slug: str):
    """One effect: what it does, its example (the sample photo before and after), and (signed in) a form
    to apply it to a photo."""
    effect = effect_get_active(ref=slug)
    if effect is None:
        raise Http404
    status = 200
    insufficient = None
    retry_after = None
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.path)
        form = ApplyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                job = _apply(request, effect, form.cleaned_data)
            except InsufficientCredits as exc:
                status = http_status_for(exc.code)
                insufficient = {"needed": effect.credits, "available": request.user.credits}
            except ApplicationError as exc:
                status = http_status_for(exc.code)
                field = "image" if form.cleaned_data.get("image") else "image_url"
                if exc.code == ErrorCode.RATE_LIMITED:
                    field = None
                    retry_after = exc.details["retryAfter"][0]
                form.add_error(field, exc.message)
            else:
                messages.success(request, f"“{effect.name}” is being applied to your photo.")
                return redirect("job_detail", job_id=job.pk)
        else:
            status = 400
        request.user.refresh_from_db(fields=["credits"])
    else:
        form = ApplyForm()
    balance = request.user.credits if request.user.is_authenticated else 0
    response = render(
        request,
        "effects/effect_detail.html",
        {
            "effect": effect,
            "preview": effect_preview_picture(effect=effect),
            "before": effect_preview_source_picture(effect=effect),
            "form": form,
            "insufficient": insufficient,
            "source_error": form.is_bound and form.has_error(NON_FIELD_ERRORS, SOURCE_CHOICE),
            "max_upload_mb": settings.IMAGE_MAX_UPLOAD_BYTES // (1024 * 1024),
            "max_upload_bytes": settings.IMAGE_MAX_UPLOAD_BYTES,
            # The cost against the balance before the press: too few credits disable the button.
            "affordable": balance >= effect.credits,
            "shortfall": max(effect.credits - balance, 0),
        },
        status=status,
    )
    if retry_after:
        response["Retry-After"] = retry_after
    return response


def _apply(request, effect: Effect, data: dict) -> Job:
    _throttle(request, ApplyThrottle)
    job_affordable_check(user=request.user, effect=effect)
    if data.get("image"):
        _throttle(request, UploadThrottle)
        source = image_from_upload(data["image"])
        return job_create(user=request.user, effect=effect, source=source)
    url = image_url_check(data["image_url"], request=request)
    return job_create(user=request.user, effect=effect, image_url=url)


@login_required
@require_GET
def job_detail(request, job_id):
    """A job's live status while it runs, then before/after and download, or the failure."""
    job = job_get_for_user(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    refund = job_refund(job) if job.is_terminal else None
    expired = job_result_expired(job)
    return render(
        request,
        "effects/job_detail.html",
        {
            "job": job,
            "source_url": _source_url(job),
            "before": _picture(job, "source"),
            "after": None if expired else _picture(job, "result"),
            "result_url": job.result.url if job.result and not expired else "",
            "expired_on": job_result_expires_at(job) if expired else None,
            "download_name": f"photomania-{job.effect.slug}.{job.result.name.rsplit('.', 1)[-1]}" if job.result else "",
            "poll_url": f"/api/jobs/{job.pk}",
            "queue_position": job_queue_position(job),
            "stages": JOB_PAGE_STAGES,
            "refund": refund,
            "refunded": refund["credits"] if refund and job.status == JobStatus.FAILED else None,
        },
    )


def _picture(job: Job, kind: str) -> dict | None:
    """src/srcset/width/height of a job's ``result`` or ``source`` renditions for an <img>, or None."""
    return rendition_picture((job.renditions or {}).get(kind), Job._meta.get_field("result").storage)


def _source_url(job: Job) -> str:
    if job.source:
        return job.source.url
    return job.source_url


@login_required
@require_GET
def job_history(request):
    """The user's jobs, newest first, with thumbnails, a status filter and pagination."""
    status = request.GET.get("status", "")
    if status not in JobStatus.values:
        status = ""
    jobs = job_list_for_user(user=request.user, status=status or None)
    page = Paginator(jobs, HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    items = []
    for job in page.object_list:
        expired = job_result_expired(job)
        picture = (None if expired else _picture(job, "result")) or _picture(job, "source")
        if picture:
            thumb = picture["thumbnail"]
        else:
            thumb = job.result.url if job.result and not expired else (job.source.url if job.source else "")
        items.append({"job": job, "thumb": thumb, "expired_on": job_result_expires_at(job) if expired else None})
    return render(
        request,
        "effects/job_history.html",
        {"page": page, "items": items, "status": status, "statuses": JobStatus.choices},
    )


@login_required
@require_POST
def job_delete_view(request, job_id):
    """Delete one of the user's jobs with its stored files (POST + CSRF)."""
    job = job_get_for_user(user=request.user, job_id=job_id)
    if job is None:
        raise Http404
    name = job.effect.name
    job_delete(job=job)
    messages.success(request, f"Deleted your “{name}” photo.")
    return redirect("job_history")
