"""Security headers on every response; a CSP without inline code on pages; request ids echoed."""


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
