"""image_fetch: SSRF-safe download of a user's image URL, validated as an image."""

import pytest

from effects.ingestion import image_fetch
from photomania.errors import ApplicationError, ErrorCode
from tests.fixtures_pipeline import image_bytes


def test_fetch_returns_validated_image(http_server):
    http_server.routes["/a.png"] = (200, {"Content-Type": "image/png"}, image_bytes("PNG"))

    image = image_fetch(http_server.url("/a.png"))

    assert (image.format, image.width, image.height) == ("PNG", 64, 48)


def test_fetch_follows_up_to_three_redirects(http_server):
    http_server.routes["/a.jpg"] = (200, {}, image_bytes("JPEG"))
    http_server.routes["/r1"] = (302, {"Location": "/r2"}, b"")
    http_server.routes["/r2"] = (302, {"Location": "/r3"}, b"")
    http_server.routes["/r3"] = (301, {"Location": http_server.url("/a.jpg")}, b"")

    assert image_fetch(http_server.url("/r1")).format == "JPEG"


def test_fetch_refuses_a_fourth_redirect(http_server):
    http_server.routes["/a.jpg"] = (200, {}, image_bytes("JPEG"))
    for i in range(1, 5):
        http_server.routes[f"/r{i}"] = (302, {"Location": f"/r{i + 1}"}, b"")
    http_server.routes["/r5"] = (302, {"Location": "/a.jpg"}, b"")

    with pytest.raises(ApplicationError, match="redirected more than 3"):
        image_fetch(http_server.url("/r1"))


def test_fetch_refuses_redirect_to_a_private_address(http_server):
    # The first hop is allow-listed; the redirect goes to a loopback name that is not.
    http_server.routes["/a.jpg"] = (200, {}, image_bytes("JPEG"))
    http_server.routes["/evil"] = (302, {"Location": http_server.url("/a.jpg", host="localhost")}, b"")

    with pytest.raises(ApplicationError, match="private or reserved"):
        image_fetch(http_server.url("/evil"))


def test_fetch_refuses_body_over_the_byte_cap(http_server, settings):
    settings.IMAGE_MAX_UPLOAD_BYTES = 1024
    http_server.routes["/big"] = (200, {}, b"x" * 5000)

    with pytest.raises(ApplicationError) as exc:
        image_fetch(http_server.url("/big"))

    assert exc.value.code == ErrorCode.PAYLOAD_TOO_LARGE


def test_fetch_refuses_content_that_is_not_an_image(http_server):
    http_server.routes["/page"] = (200, {"Content-Type": "image/png"}, b"<svg xmlns='http://www.w3.org/2000/svg'/>")

    with pytest.raises(ApplicationError, match="not a JPEG, PNG or WEBP"):
        image_fetch(http_server.url("/page"))


def test_fetch_reports_http_errors(http_server):
    with pytest.raises(ApplicationError, match="HTTP 404"):
        image_fetch(http_server.url("/missing"))


def test_fetch_refuses_metadata_address_without_connecting():
    with pytest.raises(ApplicationError) as exc:
        image_fetch("http://169.254.169.254/latest/meta-data/")

    assert exc.value.code == ErrorCode.INVALID_INPUT
