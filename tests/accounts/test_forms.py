"""The login and sign-up pages: errors are tied to the fields they concern, and the title says so."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _input(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)


def test_wrong_password_marks_both_fields_invalid_and_points_them_to_the_error(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "not-the-password"})

    html = response.content.decode()
    assert 'role="alert" id="form-errors"' in html
    for name in ("login", "password"):
        field = _input(html, name)
        assert 'aria-invalid="true"' in field
        assert re.search(r'aria-describedby="[^"]*\bform-errors\b', field)


def test_login_page_shown_again_with_an_error_says_so_in_its_title(client, user):
    response = client.post(reverse("account_login"), {"login": user.email, "password": "not-the-password"})

    assert "<title>Error: Log in · PhotoMania</title>" in response.content.decode()


def test_login_page_without_errors_has_a_plain_title_and_no_invalid_fields(client):
    response = client.get(reverse("account_login"))

    html = response.content.decode()
    assert "<title>Log in · PhotoMania</title>" in html
    assert "aria-invalid" not in html


def test_signup_with_an_invalid_email_ties_the_error_to_the_email_field(client):
    response = client.post(reverse("account_signup"), {"email": "nope", "password1": "x", "password2": "x"})

    html = response.content.decode()
    field = _input(html, "email")
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_email_error"' in field
    assert 'id="id_email_error"' in html
    assert "<title>Error: Sign up · PhotoMania</title>" in html
