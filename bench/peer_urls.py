"""The peer baseline: the benchmarked endpoints written the ordinary DRF way, mounted under
/bench/peer/ by the bench's URL conf (through bench/baseline_urls.py).

This is how a typical team would write them: generic views and viewsets, ModelSerializers, DRF's
own throttles, the ORM without tuning (no ``select_related``, no ``.values()``), the same
authentication classes, renderer and pagination (the project's REST_FRAMEWORK defaults). It is a
working implementation, not a broken one: apply validates the image with DRF's ``ImageField``,
checks the URL with the same SSRF guard and charges through the ledger (``job_create``), so every
peer job is charged exactly once and the bench's ledger checks hold for it too.

A ratio ours/peer measures what our tuning buys over that ordinary code; ours/bare what our whole
view costs over returning bytes.
"""

from __future__ import annotations

from django.urls import include, path
from rest_framework import generics, mixins, serializers, viewsets
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle

from effects.ingestion import ValidatedImage, image_url_check
from effects.jobs.create import job_create
from effects.models import Effect, Job, JobStatus

# DRF's throttles keep a list of request timestamps per client for the rate's whole window. The
# bench raises every rate so nothing is refused; with a one-second window the list holds about
# one second of requests (a few hundred entries at bench load), the size a production rate such
# as 600/min keeps, instead of growing for a minute.
PEER_RATE = "1000000000/s"


class PeerUserThrottle(UserRateThrottle):
    rate = PEER_RATE


class PeerAnonThrottle(AnonRateThrottle):
    rate = PEER_RATE


class PeerApplyThrottle(ScopedRateThrottle):
    def get_rate(self):
        return PEER_RATE


PEER_THROTTLES = [PeerUserThrottle, PeerAnonThrottle]


# --- Serializers -------------------------------------------------------------------------------


class PeerEffectSerializer(serializers.ModelSerializer):
    previewUrl = serializers.ImageField(source="preview", read_only=True)
    previewRenditions = serializers.SerializerMethodField()

    class Meta:
        model = Effect
        fields = ["id", "name", "slug", "description", "previewUrl", "previewRenditions", "credits", "category"]

    def get_previewRenditions(self, effect):
        if not effect.preview or not effect.preview_renditions:
            return None
        storage = effect.preview.storage
        request = self.context["request"]
        return {
            name: {
                "url": request.build_absolute_uri(storage.url(r["name"])),
                "width": r["width"],
                "height": r["height"],
            }
            for name, r in effect.preview_renditions.items()
        }


class PeerJobEffectSerializer(serializers.ModelSerializer):
    class Meta:
        model = Effect
        fields = ["id", "slug", "name"]


class PeerJobSerializer(serializers.ModelSerializer):
    effect = PeerJobEffectSerializer(read_only=True)
    sourceUrl = serializers.SerializerMethodField()
    resultUrl = serializers.FileField(source="result", read_only=True)
    renditions = serializers.JSONField(read_only=True)
    queuePosition = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    creditsCharged = serializers.IntegerField(source="credits_charged", read_only=True)
    createdAt = serializers.DateTimeField(source="created_at", read_only=True)
    startedAt = serializers.DateTimeField(source="started_at", read_only=True)
    completedAt = serializers.DateTimeField(source="completed_at", read_only=True)

    class Meta:
        model = Job
        fields = [
            "id",
            "status",
            "stage",
            "progress",
            "queuePosition",
            "effect",
            "sourceUrl",
            "resultUrl",
            "renditions",
            "error",
            "creditsCharged",
            "createdAt",
            "startedAt",
            "completedAt",
        ]

    def get_sourceUrl(self, job):
        if job.source:
            return self.context["request"].build_absolute_uri(job.source.url)
        return job.source_url or None

    def get_queuePosition(self, job):
        if job.status != JobStatus.PENDING:
            return None
        return Job.objects.filter(status=JobStatus.PENDING, queue=job.queue, created_at__lt=job.created_at).count() + 1

    def get_error(self, job):
        return {"code": job.error_code, "message": job.error_message} if job.error_code else None


class PeerApplySerializer(serializers.Serializer):
    effectId = serializers.SlugRelatedField(slug_field="slug", queryset=Effect.objects.filter(is_active=True))
    imageUrl = serializers.URLField(max_length=2048, required=False)
    image = serializers.ImageField(required=False)

    def validate_imageUrl(self, value):
        return image_url_check(value)

    def validate(self, attrs):
        if bool(attrs.get("imageUrl")) == bool(attrs.get("image")):
            raise serializers.ValidationError("Give exactly one of imageUrl or image.")
        return attrs

    def create(self, validated_data):
        source = None
        upload = validated_data.get("image")
        if upload is not None:
            upload.seek(0)
            source = ValidatedImage(
                data=upload.read(), format=upload.image.format, width=upload.image.width, height=upload.image.height
            )
        return job_create(
            user=self.context["request"].user,
            effect=validated_data["effectId"],
            source=source,
            image_url=validated_data.get("imageUrl", ""),
        )


# --- Views -------------------------------------------------------------------------------------


class PeerEffectViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Effect.objects.filter(is_active=True).order_by("position", "name")
    serializer_class = PeerEffectSerializer
    permission_classes = [AllowAny]
    throttle_classes = PEER_THROTTLES


class PeerJobViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = PeerJobSerializer
    permission_classes = [IsAuthenticated]
    throttle_classes = PEER_THROTTLES

    def get_queryset(self):
        return Job.objects.filter(user=self.request.user).order_by("-created_at")


class PeerApplyView(generics.CreateAPIView):
    serializer_class = PeerApplySerializer
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser, MultiPartParser]
    throttle_classes = [*PEER_THROTTLES, PeerApplyThrottle]
    throttle_scope = "apply"

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = serializer.save()
        return Response({"jobId": str(job.pk), "status": job.status})


router = SimpleRouter(trailing_slash=False)
router.register("effects", PeerEffectViewSet, basename="peer-effect")
router.register("jobs", PeerJobViewSet, basename="peer-job")

urlpatterns = [
    path("effects/apply", PeerApplyView.as_view()),
    path("", include(router.urls)),
]
