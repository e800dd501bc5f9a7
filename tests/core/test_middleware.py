"""Security headers on every response; a CSP without inline code on pages; request ids echoed;
every request's latency observed under its URL pattern."""

import uuid

import pytest

from tests.support.metrics import METRICS_TOKEN, label_values, sample_value, scrape

REQUESTS = "photomania_http_request_duration_seconds_count"


def test_pages_carry_a_csp_without_inline_scripts(client, db):
    response = client.get("/")

    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("style-src")[0]
    assert "frame-ancestors 'none'" in csp


def test_responses_forbid_sniffing_framing_and_cross_origin_openers(client, db):
    response = client.get("/")

    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]


def test_a_sane_incoming_request_id_is_echoed_and_a_bad_one_replaced(client, db):
    kept = client.get("/", headers={"X-Request-ID": "abc123def456"})
    replaced = client.get("/", headers={"X-Request-ID": "<script>"})

    assert kept["X-Request-ID"] == "abc123def456"
    assert replaced["X-Request-ID"] != "<script>"
    assert len(replaced["X-Request-ID"]) == 32


def test_every_api_response_carries_a_request_id(anon_client, db):
    response = anon_client.get("/api/effects", HTTP_X_REQUEST_ID="client-chosen-id-123")

    assert response["X-Request-ID"] == "client-chosen-id-123"


def test_deeply_nested_json_on_allauths_api_returns_400(client, db):
    body = b"[" * 100_000 + b"]" * 100_000

    response = client.generic("POST", "/_allauth/app/v1/auth/login", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Malformed JSON body: nested too deeply."


def test_number_with_100000_digits_on_allauth_login_returns_400(client, db):
    body = b'{"email": "a@b.example", "password": ' + b"9" * 100_000 + b"}"

    response = client.generic("POST", "/_allauth/browser/v1/auth/login", data=body, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == "Malformed JSON body: a number is too long."


def test_ordinary_json_on_allauths_api_still_reaches_allauth(client, db):
    response = client.post(
        "/_allauth/app/v1/auth/login",
        data={"email": "nobody@example.com", "password": "wrong-password"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["param"] in {"email", "password"}


@pytest.fixture
def metrics_token(settings):
    settings.HEALTH_TOKEN = METRICS_TOKEN


def test_requests_for_two_jobs_are_counted_under_one_route_label(client, user, metrics_token):
    client.force_login(user)
    first, second = uuid.uuid4(), uuid.uuid4()
    before = sample_value(scrape(client), REQUESTS, route="/api/jobs/<str:jobId>", method="GET", status="4xx")

    client.get(f"/api/jobs/{first}")
    client.get(f"/api/jobs/{second}")

    samples = scrape(client)
    after = sample_value(samples, REQUESTS, route="/api/jobs/<str:jobId>", method="GET", status="4xx")
    assert after - before == 2
    routes = label_values(samples, REQUESTS, "route")
    assert not any(str(first) in route or str(second) in route for route in routes)


def test_a_path_no_pattern_matches_is_labelled_unmatched(client, db, metrics_token):
    before = sample_value(scrape(client), REQUESTS, route="<unmatched>", method="GET", status="4xx")

    client.get(f"/no-such-page/{uuid.uuid4()}")

    samples = scrape(client)
    assert sample_value(samples, REQUESTS, route="<unmatched>", method="GET", status="4xx") - before == 1
    assert not any("no-such-page" in route for route in label_values(samples, REQUESTS, "route"))


def test_a_method_outside_http_s_usual_set_is_counted_as_other(client, db, metrics_token):
    before = sample_value(scrape(client), REQUESTS, route="/api/health", method="other", status="4xx")

    client.generic("BREW", "/api/health")

    samples = scrape(client)
    assert sample_value(samples, REQUESTS, route="/api/health", method="other", status="4xx") - before == 1
    assert "BREW" not in label_values(samples, REQUESTS, "method")


@pytest.mark.urls("tests.photomania.urls_failing")
def test_a_server_error_is_counted_in_the_5xx_class(db, metrics_token):
    from django.test import Client

    client = Client(raise_request_exception=False)
    before = sample_value(scrape(client), REQUESTS, route="/boom/", method="GET", status="5xx")

    client.get("/boom/")

    assert sample_value(scrape(client), REQUESTS, route="/boom/", method="GET", status="5xx") - before == 1


def test_sign_in_forms_may_reach_a_development_oidc_server_on_plain_http(client, settings, monkeypatch, db):
    from photomania.settings.auth import social_providers_from_env

    monkeypatch.setenv("OIDC_CLIENT_ID", "photomania")
    monkeypatch.setenv("OIDC_CLIENT_SECRET", "oidc-secret")
    monkeypatch.setenv("OIDC_SERVER_URL", "http://127.0.0.1:9999")
    settings.SOCIALACCOUNT_PROVIDERS = social_providers_from_env()

    csp = client.get("/accounts/login/")["Content-Security-Policy"]

    assert "form-action 'self' https: http://127.0.0.1:9999" in csp


def test_form_action_allows_no_plain_http_origin_without_such_a_server(client, db):
    csp = client.get("/accounts/login/")["Content-Security-Policy"]

    assert "form-action 'self' https:;" in csp + ";"
    assert "http://" not in csp


def test_in_development_an_unknown_page_gets_our_styled_404_under_the_pages_csp(client, settings, db):
    settings.DEBUG = True

    response = client.get("/no-such-page/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "We couldn’t find that page" in html and "/static/css/site.css" in html
    assert "<style" not in html and " style=" not in html  # nothing the CSP would block
    assert "Development mode (DEBUG): No URL pattern matches /no-such-page/." in html
    assert "style-src 'self';" in response["Content-Security-Policy"]


def test_in_development_a_view_raising_404_gets_our_styled_404_with_the_reason(client, settings, db):
    settings.DEBUG = True

    response = client.get("/effects/no-such-effect/")

    html = response.content.decode()
    assert response.status_code == 404
    assert "We couldn’t find that page" in html and "<style" not in html
    assert 'data-testid="debug-reason"' in html


def test_in_development_a_missing_page_without_its_slash_still_redirects(client, settings, db):
    settings.DEBUG = True

    response = client.get("/billing")

    assert response.status_code == 301 and response["Location"] == "/billing/"


def test_in_development_unknown_api_paths_keep_the_json_envelope(client, settings, db):
    settings.DEBUG = True

    response = client.get("/api/no-such-thing")

    assert response.status_code == 404 and response.json()["error"]["code"] == "NOT_FOUND"


def test_in_production_the_404_page_names_no_reason(client, settings, db):
    settings.DEBUG = False

    html = client.get("/no-such-page/").content.decode()

    assert "We couldn’t find that page" in html and "Development mode" not in html


@pytest.mark.urls("tests.photomania.urls_failing")
def test_in_development_the_traceback_page_may_use_its_inline_styles(settings, db):
    from django.test import Client

    settings.DEBUG = True
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert "style-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]


@pytest.mark.urls("tests.photomania.urls_failing")
def test_in_production_a_server_error_page_keeps_the_strict_csp(settings, db):
    from django.test import Client

    settings.DEBUG = False
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500 and "unsafe-inline" not in response["Content-Security-Policy"]
