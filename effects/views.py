"""Server-rendered effect pages, and the signed media view for local storage."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from effects.storage import media_signature_valid


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
