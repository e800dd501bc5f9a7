"""Shared bits of the API views, and the JSON 404 for unknown /api/ routes."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from core.errors import ApplicationError, ErrorCode
from core.throttles import DEFAULT_THROTTLES, throttles_check


class ApiView(APIView):
    """Base for our API views: authenticated by default, per-user/per-IP throttles, every throttle
    of a view counted in one Redis round trip."""

    throttle_classes = DEFAULT_THROTTLES

    def check_throttles(self, request):
        waits = throttles_check(self.get_throttles(), request, self)
        if waits:
            self.throttled(request, max((wait for wait in waits if wait is not None), default=None))


def not_found(message: str = "Not found") -> ApplicationError:
    return ApplicationError(ErrorCode.NOT_FOUND, message)


@extend_schema(exclude=True)
class ApiNotFoundView(ApiView):
    """Any path under /api/ that no route matched: a JSON 404 whatever the method."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def _not_found(self, request, *args, **kwargs):
        raise not_found("No API route matches this URL")

    # Every method answers 404 (never 405): the route itself does not exist.
    get = post = put = patch = delete = head = options = _not_found
