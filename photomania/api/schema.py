"""OpenAPI (drf-spectacular) that matches what the API really sends: the envelope and its errors.

Every 2xx body is documented as ``{"success": true, "data": <payload>}`` (lists as the
paginator's ``{"success", "data", "meta"}``), and every operation lists the error statuses it
can answer with the ``{"success": false, "error": {...}}`` body. REST clients authenticate with
allauth's ``X-Session-Token`` header (drf-spectacular's contrib extension describes it).
"""

import copy

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

from photomania.errors import ErrorCode

ERROR_COMPONENT = "ErrorResponse"

_ERROR_SCHEMA = {
    "type": "object",
    "required": ["success", "error"],
    "properties": {
        "success": {"type": "boolean", "enum": [False]},
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": [code.value for code in ErrorCode]},
                "message": {"type": "string"},
                "details": {
                    "type": "object",
                    "additionalProperties": {"type": "array", "items": {"type": "string"}},
                    "description": "Field (camelCase) -> messages",
                },
            },
        },
    },
}

_ERROR_DESCRIPTIONS = {
    "400": "VALIDATION_ERROR (details: field -> messages) or INVALID_INPUT",
    "401": "UNAUTHORIZED (no credentials) or INVALID_TOKEN",
    "402": "INSUFFICIENT_CREDITS",
    "403": "FORBIDDEN (e.g. a session-cookie request without a CSRF token)",
    "404": "NOT_FOUND",
    "413": "PAYLOAD_TOO_LARGE",
    "415": "INVALID_INPUT: unsupported content type",
    "422": "IDEMPOTENCY_CONFLICT: the Idempotency-Key was used with another body",
    "429": "RATE_LIMITED (see Retry-After)",
    "500": "INTERNAL_ERROR (details.requestId identifies the logged error)",
    "503": "SERVICE_UNAVAILABLE (see Retry-After)",
}


class EnvelopeAutoSchema(AutoSchema):
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
        for content in response.get("content", {}).values():
            schema = content.get("schema")
            if schema is not None and not self._is_envelope(schema):
                content["schema"] = {
                    "type": "object",
                    "required": ["success", "data"],
                    "properties": {"success": {"type": "boolean", "enum": [True]}, "data": schema},
                }
        return response

    def _error_statuses(self) -> list[str]:
        statuses = ["400", "401", "403", "404", "413", "429", "500", "503"]
        if self.method in ("POST", "PUT", "PATCH"):
            statuses.append("415")
        statuses += getattr(self.view, "documented_error_statuses", [])
        return sorted(set(statuses))

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        component = ResolvedComponent(
            name=ERROR_COMPONENT, type=ResolvedComponent.SCHEMA, schema=_ERROR_SCHEMA, object=ERROR_COMPONENT
        )
        self.registry.register_on_missing(component)
        for status in self._error_statuses():
            existing = responses.get(status, {})
            responses[status] = {
                **existing,
                "description": existing.get("description") or _ERROR_DESCRIPTIONS.get(status, "Error"),
                "content": {"application/json": {"schema": component.ref}},
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
    "effects_apply": {
        "GetJob": {"operationId": "jobs_retrieve", "parameters": {"job_id": "$response.body#/data/jobId"}},
        "DeleteJob": {"operationId": "jobs_destroy", "parameters": {"job_id": "$response.body#/data/jobId"}},
        "DeleteSavedEffect": {
            "operationId": "effects_saved_destroy",
            "parameters": {"ref": "$response.body#/data/jobId"},
        },
    },
    "jobs_list": {
        "GetJob": {"operationId": "jobs_retrieve", "parameters": {"job_id": "$response.body#/data/0/id"}},
    },
    "jobs_retrieve": {
        "DeleteJob": {"operationId": "jobs_destroy", "parameters": {"job_id": "$request.path.job_id"}},
    },
    "jobs_destroy": {
        "GetJob": {"operationId": "jobs_retrieve", "parameters": {"job_id": "$request.path.job_id"}},
    },
    "effects_saved_destroy": {
        "GetJob": {"operationId": "jobs_retrieve", "parameters": {"job_id": "$request.path.ref"}},
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
