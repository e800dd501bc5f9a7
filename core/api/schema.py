"""OpenAPI (drf-spectacular) that matches what the API really sends: the envelope and its errors.

Every 2xx body is documented as ``{"success": true, "data": <payload>}`` (lists as the
paginator's ``{"success", "data", "meta"}``), and every operation lists the error statuses it
can answer with the ``{"success": false, "error": {...}}`` body. REST clients authenticate with
allauth's ``X-Session-Token`` header (drf-spectacular's contrib extension describes it).
"""

import copy

from drf_spectacular.contrib.django_allauth import XSessionTokenAuthenticationScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from drf_spectacular.utils import OpenApiExample
from rest_framework.permissions import AllowAny

from core.errors import ErrorCode

ERROR_COMPONENT = "ErrorResponse"


def _error_schema(description: str, details: dict | None = None) -> dict:
    error = {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "string", "enum": [code.value for code in ErrorCode]},
            "message": {"type": "string", "description": "For people; do not parse it"},
        },
    }
    if details is not None:
        error["properties"]["details"] = details
    return {
        "type": "object",
        "description": description,
        "required": ["success", "error"],
        "properties": {"success": {"type": "boolean", "enum": [False]}, "error": error},
    }


# One component per shape of ``error.details``: each status answers with one of them.
ERROR_COMPONENTS = {
    ERROR_COMPONENT: _error_schema("An error without details."),
    "ValidationErrorResponse": _error_schema(
        "VALIDATION_ERROR or INVALID_INPUT; a VALIDATION_ERROR lists messages per field.",
        {
            "type": "object",
            "description": 'Field (camelCase, nested fields joined by ".") -> messages',
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
    ),
    "InsufficientCreditsErrorResponse": _error_schema(
        "INSUFFICIENT_CREDITS: the operation costs more credits than the balance holds.",
        {
            "type": "object",
            "required": ["needed", "available"],
            "properties": {
                "needed": {"type": "integer", "description": "Credits the operation costs"},
                "available": {"type": "integer", "description": "The caller's balance"},
            },
        },
    ),
    "InternalErrorResponse": _error_schema(
        "INTERNAL_ERROR: logged on our side under the request id.",
        {
            "type": "object",
            "required": ["requestId"],
            "properties": {"requestId": {"type": "string", "description": "Quote it when reporting the error"}},
        },
    ),
    "ServiceUnavailableErrorResponse": _error_schema(
        "SERVICE_UNAVAILABLE: retry after Retry-After seconds. The health check lists each dependency.",
        {
            "type": "object",
            "description": "Dependency -> ok or unavailable (health check only)",
            "additionalProperties": {"type": "string", "enum": ["ok", "unavailable"]},
        },
    ),
}

# Status -> (description, error component, response headers beyond X-Request-ID).
ERROR_STATUSES = {
    "400": ("VALIDATION_ERROR (details: field -> messages) or INVALID_INPUT", "ValidationErrorResponse", []),
    "401": ("UNAUTHORIZED (no credentials), INVALID_TOKEN or INVALID_API_KEY", ERROR_COMPONENT, []),
    "402": ("INSUFFICIENT_CREDITS (details: needed, available)", "InsufficientCreditsErrorResponse", []),
    "403": (
        "FORBIDDEN (e.g. a session-cookie request without a CSRF token, or an API key without the scope)",
        ERROR_COMPONENT,
        [],
    ),
    "404": ("NOT_FOUND", ERROR_COMPONENT, []),
    "405": ("METHOD_NOT_ALLOWED: this path does not answer this method", ERROR_COMPONENT, []),
    "409": ("ALREADY_EXISTS: e.g. already subscribed to a plan", ERROR_COMPONENT, []),
    "413": ("PAYLOAD_TOO_LARGE", ERROR_COMPONENT, []),
    "415": ("UNSUPPORTED_MEDIA_TYPE: the body is not in a content type this operation accepts", ERROR_COMPONENT, []),
    "422": ("IDEMPOTENCY_CONFLICT: the Idempotency-Key was used with another body", ERROR_COMPONENT, []),
    "429": ("RATE_LIMITED: retry after Retry-After seconds", ERROR_COMPONENT, ["Retry-After"]),
    "500": ("INTERNAL_ERROR (details: requestId)", "InternalErrorResponse", []),
    "503": ("SERVICE_UNAVAILABLE: retry after Retry-After seconds", "ServiceUnavailableErrorResponse", ["Retry-After"]),
}

RESPONSE_HEADERS = {
    "X-Request-ID": {
        "description": "This request's id (yours if you sent a sane X-Request-ID); error 500 bodies repeat it",
        "schema": {"type": "string"},
    },
    "Retry-After": {"description": "Seconds to wait before retrying", "schema": {"type": "integer", "minimum": 1}},
    "X-RateLimit-Limit": {
        "description": "Requests allowed in the current window of this route's tightest rate limit",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Remaining": {
        "description": "Requests left in that window (the limit with the fewest left)",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-RateLimit-Reset": {
        "description": "Seconds until that window ends and its count starts again",
        "schema": {"type": "integer", "minimum": 1},
    },
    "Idempotent-Replayed": {
        "description": "true when this answer is the stored one for a repeated Idempotency-Key",
        "schema": {"type": "string", "enum": ["true"]},
    },
    "X-Credits-Charged": {
        "description": "Credits this request charged (0 on an Idempotency-Key replay: nothing was charged again)",
        "schema": {"type": "integer", "minimum": 0},
    },
    "X-Credits-Remaining": {
        "description": "The balance right after the charge, read in the same transaction (on a replay: the "
        "balance when the replay was answered)",
        "schema": {"type": "integer", "minimum": 0},
    },
    "Preference-Applied": {
        "description": "wait=N when the answer waited for the job to finish (RFC 7240)",
        "schema": {"type": "string", "example": "wait=30"},
    },
}

_CHARGED = ["Idempotent-Replayed", "X-Credits-Charged", "X-Credits-Remaining"]
# Operation -> status -> the success headers it sends (beyond X-Request-ID).
SUCCESS_HEADERS = {
    "effects_apply": {"200": [*_CHARGED, "Preference-Applied"], "202": _CHARGED},
    "effects_apply_batch": {"202": _CHARGED},
}


# Every operation's answers carry these (when the route has a rate limit, which every
# authenticated route has).
RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


def _header_ref(name: str) -> dict:
    return {"$ref": f"#/components/headers/{name}"}


def envelope_example(name: str, data, summary: str = "", status: int | None = None) -> OpenApiExample:
    """A 2xx example as the client receives it, inside the success envelope (``status``: when not 200)."""
    return OpenApiExample(
        name,
        summary=summary or name,
        value={"success": True, "data": data},
        response_only=True,
        status_codes=[str(status)] if status else None,
    )


class EnvelopeAutoSchema(AutoSchema):
    def get_operation(self, *args, **kwargs):
        operation = super().get_operation(*args, **kwargs)
        if operation is not None and self._is_public():
            # Nothing to authenticate: ``security: []`` says so, and Swagger UI shows no lock.
            operation["security"] = []
        return operation

    def _is_public(self) -> bool:
        """Whether the method needs no credentials at all (every permission of the view is AllowAny for it)."""
        permissions = self.view.get_permissions()
        return bool(permissions) and all(isinstance(permission, AllowAny) for permission in permissions)

    def _get_request_body(self, direction="request"):
        # drf-spectacular documents bodies only for POST/PUT/PATCH; a view whose DELETE takes a JSON
        # body (a confirmation) says so with ``delete_has_body = True``.
        if self.method == "DELETE" and getattr(self.view, "delete_has_body", False):
            self.method = "POST"
            try:
                return super()._get_request_body(direction)
            finally:
                self.method = "DELETE"
        return super()._get_request_body(direction)

    def get_description(self) -> str:
        # Only the view's own docstring: not the one it inherits from a base class.
        method = getattr(self.view, getattr(self.view, "action", self.method.lower()), None)
        return (getattr(method, "__doc__", None) or self.view.__class__.__dict__.get("__doc__") or "").strip()

    def _is_envelope(self, schema: dict) -> bool:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            component = self.registry._components.get((name, ResolvedComponent.SCHEMA))
            schema = (component.schema if component else None) or {}
        return "success" in schema.get("properties", {})

    def _get_response_for_code(self, serializer, status_code, media_types=None, direction="response"):
        response = super()._get_response_for_code(serializer, status_code, media_types, direction)
        if not str(status_code).startswith("2"):
            return response
        for media_type, content in response.get("content", {}).items():
            if "json" not in media_type:
                continue  # a download (CSV) is not wrapped
            schema = content.get("schema")
            if schema is not None and not self._is_envelope(schema):
                content["schema"] = {
                    "type": "object",
                    "required": ["success", "data"],
                    "properties": {"success": {"type": "boolean", "enum": [True]}, "data": schema},
                }
        return response

    def _error_statuses(self) -> list[str]:
        statuses = ["400", "401", "403", "404", "405", "413", "429", "500", "503"]
        has_body = self.method in ("POST", "PUT", "PATCH") or (
            self.method == "DELETE" and getattr(self.view, "delete_has_body", False)
        )
        if has_body and self.get_request_serializer() is not None:
            statuses.append("415")
        statuses += getattr(self.view, "documented_error_statuses", [])
        return sorted(set(statuses))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for name, schema in ERROR_COMPONENTS.items():
            # A copy: the enum postprocessing hook rewrites component schemas in place.
            component = ResolvedComponent(
                name=name, type=ResolvedComponent.SCHEMA, schema=copy.deepcopy(schema), object=name
            )
            self.registry.register_on_missing(component)
        for status in self._error_statuses():
            description, name, headers = ERROR_STATUSES[status]
            existing = responses.get(status, {})
            responses[status] = {
                **existing,
                "description": existing.get("description") or description,
                "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
                "headers": {header: _header_ref(header) for header in headers},
            }
        return responses


# OpenAPI links, so clients (and schemathesis' stateful tests) can chain calls: the job an apply
# creates is the one to read and delete; a catalog entry is the effect to show or apply.
# Keyed by operationId; each operation's success response carries them.
_LINKS: dict[str, dict[str, dict]] = {
    "effects_list": {
        "GetEffect": {"operationId": "effects_retrieve", "parameters": {"ref": "$response.body#/data/0/slug"}},
        "ApplyEffect": {"operationId": "effects_apply", "requestBody": {"effectId": "$response.body#/data/0/slug"}},
    },
    "effects_retrieve": {
        "ApplyEffect": {"operationId": "effects_apply", "requestBody": {"effectId": "$response.body#/data/slug"}},
    },
    "effects_apply_batch": {
        "GetFirstJob": {"operationId": "jobs_retrieve", "parameters": {"jobId": "$response.body#/data/jobs/0/jobId"}},
    },
    "effects_apply": {
        "GetJob": {"operationId": "jobs_retrieve", "parameters": {"jobId": "$response.body#/data/jobId"}},
        "DeleteJob": {"operationId": "jobs_destroy", "parameters": {"jobId": "$response.body#/data/jobId"}},
        "DeleteSavedEffect": {
            "operationId": "effects_saved_destroy",
            "parameters": {"ref": "$response.body#/data/jobId"},
        },
    },
    "jobs_list": {
        "GetJob": {"operationId": "jobs_retrieve", "parameters": {"jobId": "$response.body#/data/0/id"}},
    },
    "jobs_retrieve": {
        "DeleteJob": {"operationId": "jobs_destroy", "parameters": {"jobId": "$request.path.jobId"}},
    },
    "jobs_destroy": {
        "GetJob": {"operationId": "jobs_retrieve", "parameters": {"jobId": "$request.path.jobId"}},
    },
    "effects_saved_destroy": {
        "GetJob": {"operationId": "jobs_retrieve", "parameters": {"jobId": "$request.path.ref"}},
    },
}


def add_links(result: dict, generator, request, public: bool) -> dict:
    """drf-spectacular postprocessing hook: attach ``_LINKS`` to each operation's 2xx response."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            links = _LINKS.get(operation.get("operationId"))
            if not links:
                continue
            success = [code for code in operation["responses"] if code.startswith("2")]
            for code in success:
                operation["responses"][code]["links"] = copy.deepcopy(links)
    return result


SESSION_TOKEN_DESCRIPTION = """\
A session token from allauth's headless **app** API (its own OpenAPI spec: `/_allauth/openapi.html`,
`/_allauth/openapi.json`):

1. `POST /_allauth/app/v1/auth/signup` with `{"email", "password"}`, or
   `POST /_allauth/app/v1/auth/login` with `{"email", "password"}`;
2. read `meta.session_token` from the answer (200, or 401 while an email still has to be verified);
3. send it as `X-Session-Token: <token>` on every PhotoMania API request;
4. sign out with `DELETE /_allauth/app/v1/auth/session`.

A missing token is 401 UNAUTHORIZED; an expired or unknown one is 401 INVALID_TOKEN."""

# The job JSON a finished job POSTs to the apply's callbackUrl (see effects.jobs.callbacks).
_JOB_CALLBACK = {
    "jobFinished": {
        "{$request.body#/callbackUrl}": {
            "post": {
                "summary": "A job finished (sent to your callbackUrl)",
                "description": (
                    "When the job reaches COMPLETED, FAILED or CANCELLED, PhotoMania POSTs the job JSON "
                    "(the `data` of GET /api/jobs/{jobId}, without the envelope) to the apply's callbackUrl. "
                    "Verify `PhotoMania-Signature` before trusting the body: it is `t=<unix time>,v1=<hex>` "
                    "where v1 = HMAC-SHA256(your callback secret, `<t>.<raw body>`) "
                    "(GET /api/user/callback-secret); reject old timestamps. Answer 2xx; other answers are "
                    "retried with backoff."
                ),
                "operationId": "job_finished_callback",
                "parameters": [
                    {
                        "name": "PhotoMania-Signature",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "example": "t=1767225600,v1=5f2b...e9"},
                        "description": "t=<unix time>,v1=<hex HMAC-SHA256 of `<t>.<raw body>`>",
                    },
                    {
                        "name": "PhotoMania-Event",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "enum": ["job.completed", "job.failed", "job.cancelled"]},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Job"}}},
                },
                "responses": {"2XX": {"description": "Received; anything else is retried"}},
            }
        }
    }
}


def _inline_nullable_refs(result: dict) -> None:
    """``allOf: [$ref] + nullable`` is not strict OpenAPI 3.0: copy the object in, nullable."""
    schemas = result["components"]["schemas"]
    inlined = set()
    for component in schemas.values():
        for name, prop in component.get("properties", {}).items():
            refs = prop.get("allOf", [])
            if prop.get("nullable") and len(refs) == 1 and "$ref" in refs[0]:
                target = refs[0]["$ref"].rsplit("/", 1)[-1]
                extra = {k: v for k, v in prop.items() if k != "allOf"}
                component["properties"][name] = {**copy.deepcopy(schemas[target]), **extra}
                inlined.add(target)
    text = repr(result)
    for target in inlined:
        if f"#/components/schemas/{target}'" not in text:
            del schemas[target]


def document_api(result: dict, generator, request, public: bool) -> dict:
    """drf-spectacular postprocessing hook: response headers, strict nullables, the callback, auth docs."""
    components = result.setdefault("components", {})
    components["headers"] = copy.deepcopy(RESPONSE_HEADERS)
    _inline_nullable_refs(result)
    schemes = components.get("securitySchemes", {})
    if "XSessionTokenAuth" in schemes:
        schemes["XSessionTokenAuth"]["description"] = SESSION_TOKEN_DESCRIPTION
    if "cookieAuth" in schemes:
        schemes["cookieAuth"]["description"] = (
            "The browser session of the PhotoMania site (unsafe methods also need the CSRF token)."
        )
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            for response in operation["responses"].values():
                headers = response.setdefault("headers", {})
                headers["X-Request-ID"] = _header_ref("X-Request-ID")
                for name in RATE_LIMIT_HEADERS:
                    headers[name] = _header_ref(name)
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "status" and parameter["in"] == "query":
                    parameter["schema"] = {"$ref": "#/components/schemas/JobStatusEnum"}
            if operation.get("operationId") in ("effects_apply", "effects_apply_batch"):
                operation["callbacks"] = copy.deepcopy(_JOB_CALLBACK)
            for status, headers in SUCCESS_HEADERS.get(operation.get("operationId"), {}).items():
                for header in headers:
                    operation["responses"][status]["headers"][header] = _header_ref(header)
    return result


class SessionTokenAuthenticationScheme(XSessionTokenAuthenticationScheme):
    """Our ``X-Session-Token`` class is documented exactly as allauth's (same scheme name)."""

    target_class = "core.api.authentication.SessionTokenAuthentication"


API_KEY_DESCRIPTION = """\
A developer API key, made on the account page or with `POST /api/keys` (signed in): send it as
`X-Api-Key: <key>` (or `Authorization: Api-Key <key>`), never in a URL (a key in the query string is
refused). A key reads `pmk_<8 characters>.<32 characters>` and is shown once, when made. It has
scopes (`read`, `apply`, `account`); an operation it lacks the scope for answers 403 FORBIDDEN. A
wrong, revoked or expired key, or one whose account is deactivated, answers 401 INVALID_API_KEY;
many wrong keys from one address answer 429. API keys cannot manage API keys."""


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """The accounts app's API-key class (named by path: the shared base imports no app)."""

    target_class = "accounts.key_auth.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Api-Key", "description": API_KEY_DESCRIPTION}
