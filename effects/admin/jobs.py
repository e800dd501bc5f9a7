"""Staff look after jobs here: retry, fail and refund in-flight ones, refund completed ones as goodwill."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from accounts.audit import client_ip
from core.errors import AlreadyRefunded, ApplicationError
from effects.admin.effects import admin_thumbnail
from effects.admin.job_page import job_credits, job_durations, job_pictures, job_stage_label, job_title
from effects.jobs.refunds import job_goodwill_refund
from effects.jobs.transitions import job_fail, job_retry
from effects.models import IdempotencyKey, Job, JobErrorCode, JobStatus


class FailJobsForm(forms.Form):
    message = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown to the user on the job page. Their credits are refunded.",
    )


class GoodwillRefundForm(forms.Form):
    note = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why (kept in the ledger and the audit log; not shown to the user). The user sees "
        "“N credits refunded as a goodwill gesture” on the job, which stays completed with its result.",
    )


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "result_thumbnail",
        "user",
        "effect",
        "status",
        "credits_charged",
        "attempts",
        "created_at",
        "completed_at",
    )
    list_filter = ("status", "effect", "created_at")
    search_fields = ("id", "user__email", "effect__slug", "provider_prediction_id")
    list_select_related = ("user", "effect")
    date_hierarchy = "created_at"
    readonly_fields = [
        "source_thumbnail",
        "result_thumbnail",
        "user_link",
        "effect_link",
        "stage_label",
        "durations",
        *[f.name for f in Job._meta.fields],
    ]
    actions = ["retry", "fail_and_refund", "goodwill_refund"]
    change_form_template = "admin/effects/job/change_form.html"

    def get_fieldsets(self, request, obj=None):
        """The job page: what ran for whom, when, and why it failed (if it did); before and after and
        the job's credits are drawn by the template around these."""
        fieldsets = [
            (
                None,
                {
                    "fields": [
                        "user_link",
                        "effect_link",
                        "status",
                        "stage_label",
                        "progress",
                        "credits_charged",
                        "attempts",
                        "queue",
                        "provider_prediction_id",
                        "source_url",
                        "id",
                    ]
                },
            ),
            ("Timings", {"fields": ["created_at", "enqueued_at", "started_at", "completed_at", "durations"]}),
        ]
        if obj is not None and (obj.status == JobStatus.FAILED or obj.error_code):
            fieldsets.insert(1, ("Error", {"fields": ["error_code", "error_message"]}))
        return fieldsets

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "effect")

    @admin.display(description="User")
    def user_link(self, obj: Job):
        return format_html('<a href="{}">{}</a>', reverse("admin:accounts_user_change", args=[obj.user_id]), obj.user)

    @admin.display(description="Effect")
    def effect_link(self, obj: Job):
        url = reverse("admin:effects_effect_change", args=[obj.effect_id])
        return format_html('<a href="{}">{}</a> <code>{}</code>', url, obj.effect.name, obj.effect.slug)

    @admin.display(description="Stage")
    def stage_label(self, obj: Job):
        return job_stage_label(obj)

    @admin.display(description="Durations")
    def durations(self, obj: Job):
        return format_html(
            '<dl class="pm-durations">{}</dl>',
            format_html_join("", "<dt>{}</dt><dd>{}</dd>", job_durations(obj)),
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        if job is not None and self.has_view_permission(request, job):
            can_view_ledger = request.user.has_perm("billing.view_credittransaction")
            extra_context = {
                **(extra_context or {}),
                "title": job_title(job),
                "subtitle": None,  # Django's would be str(job), "<effect id>:<uuid> (STATUS)"
                "pictures": job_pictures(job),
                "credits": job_credits(job, can_view_ledger=can_view_ledger),
                "can_goodwill_refund": self.has_refund_permission(request),
                "job_is_completed": job.status == JobStatus.COMPLETED,
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/goodwill-refund/",
                self.admin_site.admin_view(self.goodwill_refund_view),
                name="effects_job_goodwill_refund",
            ),
            *super().get_urls(),
        ]

    def goodwill_refund_view(self, request, object_id):
        """The job page's "Goodwill refund" button: confirm with a note, then refund as the list action does."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_refund_permission(request):
            raise PermissionDenied
        job = self.get_object(request, object_id)
        if job is None:
            raise Http404
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        page = reverse("admin:effects_job_change", args=[job.pk])
        form = GoodwillRefundForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._refund_as_goodwill(request, [job], note=form.cleaned_data["note"])
            return redirect(page)
        return render(
            request,
            "admin/effects/job/goodwill_refund.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "jobs": [job],
                "title": "Refund credits as a goodwill gesture",
                "opts": self.opts,
                "job_page": page,
            },
            status=400 if form.errors else 200,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="Source")
    def source_thumbnail(self, obj: Job):
        return admin_thumbnail(obj.source, "Source photo") if obj.source else (obj.source_url or "—")

    @admin.display(description="Result")
    def result_thumbnail(self, obj: Job):
        # The small copy when there is one: the full result is megabytes for a 64 px cell.
        thumbnail = (obj.renditions or {}).get("result", {}).get("thumbnail")
        if thumbnail:
            url = obj.result.storage.url(thumbnail["name"])
            return format_html('<img src="{}" alt="Result" class="pm-thumb" loading="lazy">', url)
        return admin_thumbnail(obj.result, "Result")

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("effects.retry_job")

    def has_refund_permission(self, request) -> bool:
        return request.user.has_perm("effects.refund_job")

    @admin.action(description="Retry selected jobs (re-run, no new charge)", permissions=["retry"])
    def retry(self, request, queryset):
        done = 0
        for job in queryset.select_related("user", "effect"):
            if job.status == JobStatus.COMPLETED:
                self.message_user(request, f"Job {job.pk} is completed; not retried.", messages.WARNING)
                continue
            try:
                job_retry(job=job, actor=request.user, ip=client_ip(request))
            except ApplicationError as exc:
                self.message_user(request, f"Job {job.pk}: {exc.message}", messages.WARNING)
                continue
            done += 1
        if done:
            self.message_user(request, f"Queued {done} job(s) again.", messages.SUCCESS)

    @admin.action(description="Fail selected in-flight jobs and refund their credits", permissions=["refund"])
    def fail_and_refund(self, request, queryset):
        if "apply" in request.POST:
            form = FailJobsForm(request.POST)
            if form.is_valid():
                done = 0
                for job in queryset.select_related("user", "effect"):
                    failed = job_fail(
                        job=job,
                        code=JobErrorCode.ADMIN_FAILED,
                        message=form.cleaned_data["message"],
                        actor=request.user,
                        ip=client_ip(request),
                    )
                    if failed:
                        done += 1
                    elif job.status == JobStatus.COMPLETED:
                        self.message_user(
                            request,
                            f"Job {job.pk} is completed; not failed (a goodwill refund gives its credits back).",
                            messages.WARNING,
                        )
                self.message_user(request, f"Failed and refunded {done} job(s).", messages.SUCCESS)
                return redirect(request.get_full_path())
        else:
            form = FailJobsForm()
        return render(
            request,
            "admin/effects/job/fail_and_refund.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "jobs": queryset.select_related("user", "effect"),
                "title": "Fail and refund jobs",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.opts,
            },
        )

    @admin.action(description="Refund credits (goodwill) of selected completed jobs", permissions=["refund"])
    def goodwill_refund(self, request, queryset):
        """Confirm with a note, then refund each completed job once; it stays completed with its result."""
        jobs = queryset.select_related("user", "effect")
        if "apply" in request.POST:
            form = GoodwillRefundForm(request.POST)
            if form.is_valid():
                self._refund_as_goodwill(request, jobs, note=form.cleaned_data["note"])
                return redirect(request.get_full_path())
        else:
            form = GoodwillRefundForm()
        return render(
            request,
            "admin/effects/job/goodwill_refund.html",
            {
                **self.admin_site.each_context(request),
                "form": form,
                "jobs": jobs,
                "title": "Refund credits as a goodwill gesture",
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.opts,
            },
            status=400 if form.errors else 200,
        )

    def _refund_as_goodwill(self, request, jobs, *, note: str) -> None:
        """Refund each job once as goodwill and say, per job, refunded / already refunded / not eligible."""
        refunded = []
        for job in jobs:
            try:
                row, created = job_goodwill_refund(job=job, actor=request.user, note=note, ip=client_ip(request))
            except AlreadyRefunded:
                self.message_user(
                    request, f"Job {job.pk}: already refunded (when it failed); not refunded again.", messages.WARNING
                )
            except ApplicationError as exc:
                self.message_user(
                    request, f"Job {job.pk}: {exc.message}; not eligible, not refunded.", messages.WARNING
                )
            else:
                if created:
                    refunded.append(row.amount)
                    self.message_user(request, f"Job {job.pk}: refunded {row.amount} credit(s).", messages.SUCCESS)
                else:
                    self.message_user(
                        request,
                        f"Job {job.pk}: already refunded as a goodwill gesture ({row.amount} credit(s)); "
                        "not refunded again.",
                        messages.WARNING,
                    )
        if refunded:
            self.message_user(
                request,
                f"Refunded {sum(refunded)} credit(s) on {len(refunded)} job(s) as a goodwill gesture.",
                messages.SUCCESS,
            )
        else:
            self.message_user(request, "No credits were refunded.", messages.WARNING)


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ("key", "user", "response_status", "job", "created_at")
    search_fields = ("key", "user__email")
    list_select_related = ("user",)

    def has_change_permission(self, request, obj=None):
        return False
