"""The site's URLs plus views that fail the way real bugs do, for tests of the error pages and the API envelope."""

from django.http import Http404
from django.urls import include, path
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView


class ExplodingView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        raise RuntimeError("secret-internal-detail: password=hunter2")


def plain_exploding_view(request):
    raise RuntimeError("secret-internal-detail")


def plain_missing_view(request):
    raise Http404("secret-internal-detail")


urlpatterns = [
    path("api/explode", ExplodingView.as_view()),
    path("api/plain-explode", plain_exploding_view),
    path("api/plain-missing", plain_missing_view),
    path("boom/", plain_exploding_view),
    path("", include("photomania.urls")),
]
