"""The site's pages: friendly error pages with the site layout (no internals leak), no inline code."""

import pytest
from django.test import Client


@pytest.mark.django_db
def test_unknown_page_gets_the_friendly_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert "We couldn’t find that page" in response.content.decode()


@pytest.mark.django_db
def test_a_crash_gets_the_friendly_500_without_internals(settings):
    settings.ROOT_URLCONF = "tests.photomania.urls_failing"
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html
    assert "secret-internal-detail" not in html and "Traceback" not in html


@pytest.mark.django_db
def test_a_csrf_failure_gets_the_friendly_403(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post("/billing/checkout/", {"plan": "PRO"})

    assert response.status_code == 403
    assert "This form has expired" in response.content.decode()


@pytest.mark.django_db
def test_pages_have_no_inline_scripts_styles_or_handlers_for_the_csp_to_block(client):
    response = client.get("/")

    html = response.content.decode()
    assert "<script>" not in html and "style=" not in html and " on" + "click=" not in html
