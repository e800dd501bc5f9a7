"""Staff look after jobs here: retry, fail and refund in-flight ones, refund completed ones as goodwill."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.utils.html import format_html

from accounts.audit import client_ip
from core.errors import AlreadyRefunded, ApplicationError
from effects.admin.effects import admin_thumbnail
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
    readonly_fields = ["source_thumbnail", "result_thumbnail", *[f.name for f in Job._meta.fields]]
    actions = ["retry", "fail_and_refund", "goodwill_refund"]

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
                refunded = []
                for job in jobs:
                    try:
                        row, created = job_goodwill_refund(
                            job=job, actor=request.user, note=form.cleaned_data["note"], ip=client_ip(request)
                        )
                    except AlreadyRefunded:
                        self.message_user(
                            request,
                            f"Job {job.pk}: already refunded (when it failed); not refunded again.",
                            messages.WARNING,
                        )
                    except ApplicationError as exc:
                        self.message_user(
                            request, f"Job {job.pk}: {exc.message}; not eligible, not refunded.", messages.WARNING
                        )
                    else:
                        if created:
                            refunded.append(row.amount)
                            self.message_user(
                                request, f"Job {job.pk}: refunded {row.amount} credit(s).", messages.SUCCESS
                            )
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


@admin.register(IdempotencyKey)
class IdempotencyKeyAdmin(admin.ModelAdmin):
    list_display = ("key", "user", "response_status", "job", "created_at")
    search_fields = ("key", "user__email")
    list_select_related = ("user",)

    def has_change_permission(self, request, obj=None):
        return False
