"""Shared bits of the API views, and the JSON 404 for unknown /api/ routes."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from core.api.renderers import EnvelopeJSONRenderer
from core.credentials import required_scope
from core.errors import ApplicationError, ErrorCode
from core.throttles import DEFAULT_THROTTLES, rate_limit_state, throttles_check


class ApiView(APIView):
    """Base for our API views: authenticated by default, per-user/per-IP (per-key) throttles, every
    throttle of a view counted in one Redis round trip, its state in ``X-RateLimit-*`` headers.

    ``api_key_scope`` ("read", "apply" or "account", or a dict of method -> scope) is what a request
    made with an API key needs (see ``core.credentials.required_scope`` for the default); session
    and session-token requests have every scope.
    """

    throttle_classes = DEFAULT_THROTTLES

    def initial(self, request, *args, **kwargs):
        # DRF's order, except that throttles count before permissions: a refused (401/403) request
        # is counted too, so every answer can carry the X-RateLimit-* headers.
        self.format_kwarg = self.get_format_suffix(**kwargs)
        request.accepted_renderer, request.accepted_media_type = self.perform_content_negotiation(request)
        request.version, request.versioning_scheme = self.determine_version(request, *args, **kwargs)
        self.perform_authentication(request)
        self.check_throttles(request)
        self.check_permissions(request)

    def check_throttles(self, request):
        waits = throttles_check(self.get_throttles(), request, self)
        if waits:
            self.throttled(request, max((wait for wait in waits if wait is not None), default=None))

    def check_permissions(self, request):
        super().check_permissions(request)
        scopes = getattr(request.auth, "api_key_scopes", None)
        if scopes is not None:
            needed = required_scope(self, request.method)
            if needed not in scopes:
                raise ApplicationError(ErrorCode.FORBIDDEN, f"This API key does not have the {needed!r} scope")

    def finalize_response(self, request, response, *args, **kwargs):
        renderer = getattr(request, "accepted_renderer", None)
        if response.status_code >= 400 and renderer is not None and not isinstance(renderer, EnvelopeJSONRenderer):
            # An error is always the JSON envelope, even for a request that asked for CSV.
            request.accepted_renderer, request.accepted_media_type = EnvelopeJSONRenderer(), "application/json"
        response = super().finalize_response(request, response, *args, **kwargs)
        state = rate_limit_state(request)
        if state is not None:
            for name, value in state.headers().items():
                response[name] = value
        return response


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
