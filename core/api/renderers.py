"""Renders every /api/ response in the PhotoMania API's envelope."""

from rest_framework.renderers import JSONRenderer


class EnvelopeJSONRenderer(JSONRenderer):
    """Wraps successful payloads as {"success": true, "data": ...}; errors arrive already wrapped."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code == 204:
            return b""
        if isinstance(data, dict) and "success" in data and ("data" in data or "error" in data):
            payload = data
        elif response is not None and response.status_code >= 400:
            payload = {"success": False, "error": {"code": "INTERNAL_ERROR", "message": "Request failed"}}
        else:
            payload = {"success": True, "data": data}
        return super().render(payload, accepted_media_type, renderer_context)
