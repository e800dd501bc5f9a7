"""Sign-in through a provider, run through allauth's real flows against the local OpenID Connect
provider (tests/fakes/oidc_server.py): pages, the headless browser redirect and the app ID-token flow."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from rest_framework.test import APIClient

from accounts.models import User
from billing.models import CreditTransaction
from photomania.settings.auth import social_providers_from_env
from tests.support.factories import UserFactory, totp_activate

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/oidc/sso/login/"
CALLBACK_URL = "http://testserver/accounts/oidc/sso/login/callback/"


def _through_provider(client, response):
    """The browser's part: follow our redirect to the provider and its redirect back to our callback."""
    assert response.status_code == 302, response.content
    at_provider = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302, at_provider.text
    callback = urlsplit(at_provider.headers["Location"])
    return client.get(f"{callback.path}?{callback.query}")


def _sign_in(client, path=LOGIN_URL):
    return _through_provider(client, client.post(path))


def _signed_in_user_id(client):
    return client.session.get(SESSION_KEY)


def _configure(settings, monkeypatch, **variables):
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    settings.SOCIALACCOUNT_PROVIDERS = social_providers_from_env()


@pytest.fixture
def trusted_oidc_server(oidc_server, settings, monkeypatch):
    """The local OpenID Connect server, trusted to sign existing accounts in by their verified
    address (``OIDC_EMAIL_AUTHENTICATION=true``)."""
    _configure(settings, monkeypatch, OIDC_EMAIL_AUTHENTICATION="true")
    return oidc_server


# The sign-in and sign-up pages


def _provider_forms(html: str) -> list[tuple[str, str, bool]]:
    """(form action, button text, has a CSRF token) of each provider form on the page."""
    forms = re.findall(r'<form method="post" action="([^"]+)">(.*?)</form>', html, flags=re.S)
    return [
        (action, re.search(r"<button[^>]*>([^<]+)</button>", body).group(1), "csrfmiddlewaretoken" in body)
        for action, body in forms
        if "provider-button" in body
    ]


@pytest.mark.parametrize("page", ["/accounts/login/", "/accounts/signup/"])
def test_pages_show_no_provider_buttons_when_none_is_configured(client, page):
    response = client.get(page)

    assert response.status_code == 200
    assert _provider_forms(response.content.decode()) == []
    assert "Continue with" not in response.content.decode()


@pytest.mark.parametrize("page", ["/accounts/login/", "/accounts/signup/"])
def test_pages_show_a_post_form_for_each_configured_provider(client, settings, monkeypatch, page):
    _configure(
        settings,
        monkeypatch,
        GOOGLE_CLIENT_ID="google-id",
        GOOGLE_CLIENT_SECRET="google-secret",
        OIDC_CLIENT_ID="photomania",
        OIDC_CLIENT_SECRET="oidc-secret",
        OIDC_SERVER_URL="https://id.example.com",
        OIDC_NAME="Acme SSO",
    )

    response = client.get(page)

    assert sorted(_provider_forms(response.content.decode())) == [
        ("/accounts/google/login/?process=login", "Continue with Google", True),
        ("/accounts/oidc/sso/login/?process=login", "Continue with Acme SSO", True),
    ]


# The browser flow


def test_first_sign_in_creates_an_account_with_the_provider_verified_email(client, oidc_server):
    _sign_in(client)

    user = User.objects.get(email="ada@example.com")
    assert user.name == "Ada Lovelace"
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified is True
    assert SocialAccount.objects.get(user=user).uid == "10001"


def test_first_sign_in_grants_the_sign_up_credits(client, oidc_server):
    _sign_in(client)

    user = User.objects.get(email="ada@example.com")
    assert user.credits == 10
    assert CreditTransaction.objects.filter(user=user, reference=f"signup:{user.pk}", amount=10).exists()


def test_first_sign_in_leaves_the_browser_signed_in(client, oidc_server):
    response = _sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _signed_in_user_id(client) == str(User.objects.get(email="ada@example.com").pk)


def test_second_sign_in_logs_into_the_same_account(client, oidc_server):
    _sign_in(client)
    first = User.objects.get(email="ada@example.com")
    client.logout()

    _sign_in(client)

    assert _signed_in_user_id(client) == str(first.pk)
    assert User.objects.count() == 1
    assert SocialAccount.objects.filter(user=first).count() == 1
    assert User.objects.get(pk=first.pk).credits == 10


def test_sign_in_follows_the_next_url(client, oidc_server):
    response = _sign_in(client, path=f"{LOGIN_URL}?next=/billing/")

    assert response["Location"] == "/billing/"


def test_the_authorization_request_names_our_client_and_callback_and_uses_pkce(client, oidc_server):
    _sign_in(client)

    authorization = oidc_server.authorizations[-1]
    assert authorization["client_id"] == oidc_server.client_id
    assert authorization["redirect_uri"] == CALLBACK_URL
    assert authorization["code_challenge_method"] == "S256"
    assert oidc_server.token_requests[-1]["code_verifier"]


def test_a_get_on_the_provider_login_url_does_not_leave_for_the_provider(client, oidc_server):
    # Only a POST (with its CSRF token) starts the flow: a link or an <img> cannot sign a visitor in.
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    assert oidc_server.authorizations == []


def test_a_refused_authorization_signs_nobody_in_and_says_so(client, oidc_server):
    oidc_server.deny = True

    response = _sign_in(client)
    page = client.get(response["Location"])

    assert _signed_in_user_id(client) is None
    assert not User.objects.exists()
    assert "Sign-in cancelled" in page.content.decode()


def test_a_callback_with_another_state_signs_nobody_in(client, oidc_server):
    start = client.post(LOGIN_URL)
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=5)
    code = parse_qs(urlsplit(at_provider.headers["Location"]).query)["code"][0]

    response = client.get(f"/accounts/oidc/sso/login/callback/?code={code}&state=made-up-state")

    assert response.status_code == 401
    assert "Sign-in failed" in response.content.decode()
    assert _signed_in_user_id(client) is None
    assert oidc_server.token_requests == []


# Email matching: signing an existing account in by the address the provider vouches for


def _account_of_the_victim():
    victim = UserFactory(email="ada@example.com")
    EmailAddress.objects.create(user=victim, email="ada@example.com", verified=True, primary=True)
    return victim


def test_an_oidc_server_does_not_sign_into_an_existing_account_by_its_email_unless_trusted(client, oidc_server):
    # Anyone who can register an address at the server, as verified or not, would get the account.
    existing = _account_of_the_victim()

    _sign_in(client)

    assert _signed_in_user_id(client) != str(existing.pk)
    assert not SocialAccount.objects.filter(user=existing).exists()


def test_a_verified_email_of_an_existing_account_signs_into_it_and_connects_the_provider(client, trusted_oidc_server):
    existing = _account_of_the_victim()

    _sign_in(client)

    assert _signed_in_user_id(client) == str(existing.pk)
    assert SocialAccount.objects.get(uid="10001").user == existing
    assert User.objects.count() == 1


class _Missing:
    """No email_verified claim at all (a stable name, so every test process collects the same ids)."""

    def __repr__(self) -> str:
        return "missing"


_MISSING = _Missing()
# What servers send for an address they have not verified: strings (AWS Cognito sends booleans as
# strings), numbers, or no claim at all. Only JSON true and the string "true" mean verified.
NOT_VERIFIED = [False, "false", "False", 0, "0", "", None, _MISSING]
VERIFIED = [True, "true", "TRUE"]


def _claims_with_email_verified(user: dict, value) -> dict:
    user = {key: claim for key, claim in user.items() if key != "email_verified"}
    return user if value is _MISSING else {**user, "email_verified": value}


@pytest.mark.parametrize("email_verified", NOT_VERIFIED, ids=repr)
def test_an_email_verified_claim_that_is_not_true_does_not_sign_into_the_account_with_that_address(
    client, trusted_oidc_server, email_verified
):
    victim = _account_of_the_victim()
    trusted_oidc_server.user = _claims_with_email_verified(trusted_oidc_server.user, email_verified)

    _sign_in(client)

    assert _signed_in_user_id(client) != str(victim.pk)
    assert not SocialAccount.objects.filter(user=victim).exists()
    assert User.objects.get(pk=victim.pk).has_usable_password()


@pytest.mark.parametrize("email_verified", NOT_VERIFIED, ids=repr)
def test_an_app_id_token_whose_email_verified_is_not_true_does_not_sign_into_the_account_with_that_address(
    trusted_oidc_server, email_verified
):
    victim = _account_of_the_victim()
    claims = _claims_with_email_verified(trusted_oidc_server.user, email_verified)

    response = _token_login(trusted_oidc_server.id_token(claims), trusted_oidc_server.client_id)

    # A pending sign-up (the address is taken), not a session of the account that has it.
    assert response.status_code == 401
    assert response.json()["meta"]["is_authenticated"] is False
    assert not SocialAccount.objects.filter(user=victim).exists()


@pytest.mark.parametrize("email_verified", NOT_VERIFIED, ids=repr)
def test_an_email_verified_claim_that_is_not_true_leaves_the_new_accounts_address_unverified(
    client, trusted_oidc_server, email_verified
):
    trusted_oidc_server.user = _claims_with_email_verified(trusted_oidc_server.user, email_verified)

    _sign_in(client)

    assert EmailAddress.objects.get(email="ada@example.com").verified is False


@pytest.mark.parametrize("email_verified", VERIFIED, ids=repr)
def test_an_email_verified_claim_of_true_in_any_spelling_signs_into_the_account_with_that_address(
    client, trusted_oidc_server, email_verified
):
    existing = _account_of_the_victim()
    trusted_oidc_server.user = _claims_with_email_verified(trusted_oidc_server.user, email_verified)

    _sign_in(client)

    assert _signed_in_user_id(client) == str(existing.pk)


@pytest.mark.parametrize("email_verified", VERIFIED, ids=repr)
def test_an_email_verified_claim_of_true_in_any_spelling_gives_the_new_account_a_verified_address(
    client, oidc_server, email_verified
):
    oidc_server.user = _claims_with_email_verified(oidc_server.user, email_verified)

    _sign_in(client)

    assert EmailAddress.objects.get(email="ada@example.com").verified is True


def test_a_verified_email_of_an_unconfirmed_account_signs_into_it_and_removes_its_password(client, trusted_oidc_server):
    # Whoever registered the address without confirming it must not keep a way into the account.
    squatted = UserFactory(email="ada@example.com")

    _sign_in(client)

    assert _signed_in_user_id(client) == str(squatted.pk)
    assert not User.objects.get(pk=squatted.pk).has_usable_password()


def test_an_unverified_email_is_not_linked_to_the_existing_account_that_has_it(client, trusted_oidc_server):
    existing = UserFactory(email="ada@example.com")
    trusted_oidc_server.user = {**trusted_oidc_server.user, "email_verified": False}

    _sign_in(client)

    assert _signed_in_user_id(client) != str(existing.pk)
    assert not SocialAccount.objects.filter(user=existing).exists()
    assert User.objects.count() == 1
    assert User.objects.get(pk=existing.pk).has_usable_password()


def test_the_sign_up_form_after_a_taken_address_creates_the_account_with_another_address(
    client, oidc_server, mailoutbox
):
    UserFactory(email="ada@example.com")
    oidc_server.user = {**oidc_server.user, "email_verified": False}
    form_url = _sign_in(client)["Location"]

    client.post(form_url, {"email": "ada.lovelace@example.com"})

    newcomer = User.objects.get(email="ada.lovelace@example.com")
    assert newcomer.credits == 10
    assert SocialAccount.objects.get(uid="10001").user == newcomer
    assert EmailAddress.objects.get(user=newcomer, primary=True).verified is False
    assert [m.to for m in mailoutbox] == [["ada.lovelace@example.com"]]


def test_a_verified_email_of_a_staff_account_does_not_sign_into_it(client, trusted_oidc_server):
    staff = UserFactory(email="ada@example.com", is_staff=True)
    EmailAddress.objects.create(user=staff, email="ada@example.com", verified=True, primary=True)

    _sign_in(client)

    assert _signed_in_user_id(client) != str(staff.pk)
    assert not SocialAccount.objects.filter(user=staff).exists()


def test_staff_with_a_connected_provider_still_need_their_second_factor(client, oidc_server):
    staff = UserFactory(email="ada@example.com", is_staff=True, is_superuser=True)
    totp_activate(user=staff)
    SocialAccount.objects.create(user=staff, provider="sso", uid="10001")

    response = _sign_in(client)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert _signed_in_user_id(client) is None


def test_sign_up_through_a_provider_from_a_referral_link_pays_the_referral_bonus(client, oidc_server):
    referrer = UserFactory(email="grace@example.com")
    client.get(f"/accounts/signup/?ref={referrer.referral_code}")

    _sign_in(client)

    newcomer = User.objects.get(email="ada@example.com")
    assert newcomer.referred_by == referrer
    assert newcomer.credits == 15
    assert User.objects.get(pk=referrer.pk).credits == 15


# The headless API (browser and app clients)


def test_headless_config_lists_the_configured_providers(client, oidc_server):
    response = client.get("/_allauth/browser/v1/config")

    providers = response.json()["data"]["socialaccount"]["providers"]
    assert [(p["id"], p["name"], p["client_id"]) for p in providers] == [("sso", "Acme SSO", oidc_server.client_id)]
    assert "flows" in providers[0] and "provider_redirect" in providers[0]["flows"]


def test_headless_redirect_flow_signs_the_browser_session_in(client, oidc_server):
    start = client.post(
        "/_allauth/browser/v1/auth/provider/redirect",
        {"provider": "sso", "process": "login", "callback_url": "/dashboard/"},
    )

    back = _through_provider(client, start)
    session = client.get("/_allauth/browser/v1/auth/session")

    assert back["Location"] == "/dashboard/"
    assert session.status_code == 200
    assert session.json()["data"]["user"]["email"] == "ada@example.com"


def test_headless_redirect_refuses_a_callback_url_on_another_site(client, oidc_server):
    response = client.post(
        "/_allauth/browser/v1/auth/provider/redirect",
        {"provider": "sso", "process": "login", "callback_url": "https://evil.example/steal"},
    )

    assert oidc_server.authorizations == []
    assert "evil.example" not in response.get("Location", "")


def _token_login(id_token, client_id):
    return APIClient().post(
        "/_allauth/app/v1/auth/provider/token",
        {"provider": "sso", "process": "login", "token": {"client_id": client_id, "id_token": id_token}},
        format="json",
    )


def test_headless_id_token_flow_returns_a_session_token_usable_on_the_api(oidc_server):
    id_token = oidc_server.id_token(oidc_server.user)

    login = _token_login(id_token, oidc_server.client_id)
    profile = APIClient().get("/api/user", HTTP_X_SESSION_TOKEN=login.json()["meta"]["session_token"])

    assert login.status_code == 200, login.content
    assert profile.status_code == 200
    assert profile.json()["data"]["email"] == "ada@example.com"
    assert profile.json()["data"]["credits"] == 10


def test_headless_id_token_for_another_client_is_refused(oidc_server):
    id_token = oidc_server.id_token(oidc_server.user, audience="someone-elses-app")

    response = _token_login(id_token, oidc_server.client_id)

    assert response.status_code == 400
    assert not User.objects.exists()


def test_headless_id_token_signed_by_another_key_is_refused(oidc_server):
    from tests.fakes.oidc_server import FakeOIDC

    impostor = FakeOIDC()
    impostor.kid = oidc_server.kid
    try:
        forged = impostor.id_token(oidc_server.user, iss=oidc_server.issuer)
    finally:
        impostor.close()

    response = _token_login(forged, oidc_server.client_id)

    assert response.status_code == 400
    assert not User.objects.exists()


def test_headless_id_token_cannot_be_replayed(oidc_server):
    id_token = oidc_server.id_token(oidc_server.user)
    _token_login(id_token, oidc_server.client_id)

    replay = _token_login(id_token, oidc_server.client_id)

    assert replay.status_code == 400


def _assert_invalid_token(response):
    """allauth's headless error for a refused token: 400 with the code on the ``token`` field."""
    assert response.status_code == 400, response.content
    assert response.json() == {
        "status": 400,
        "errors": [{"message": "Invalid token.", "code": "invalid_token", "param": "token"}],
    }


def test_headless_id_token_without_jti_cannot_be_replayed(oidc_server):
    id_token = oidc_server.id_token(oidc_server.user, without=("jti",))
    first = _token_login(id_token, oidc_server.client_id)

    replay = _token_login(id_token, oidc_server.client_id)

    assert first.status_code == 200, first.content
    _assert_invalid_token(replay)


def test_headless_id_token_without_exp_is_refused(oidc_server):
    id_token = oidc_server.id_token(oidc_server.user, without=("exp",))

    response = _token_login(id_token, oidc_server.client_id)

    _assert_invalid_token(response)
    assert not User.objects.exists()


@pytest.mark.parametrize("azp", [None, "someone-elses-app"])
def test_headless_id_token_for_several_audiences_is_refused_unless_issued_to_us(oidc_server, azp):
    overrides = {"azp": azp} if azp else {}
    id_token = oidc_server.id_token(
        oidc_server.user, audience=[oidc_server.client_id, "someone-elses-app"], **overrides
    )

    response = _token_login(id_token, oidc_server.client_id)

    _assert_invalid_token(response)
    assert not User.objects.exists()


def test_headless_id_token_for_several_audiences_issued_to_us_signs_in(oidc_server):
    id_token = oidc_server.id_token(
        oidc_server.user, audience=[oidc_server.client_id, "someone-elses-app"], azp=oidc_server.client_id
    )

    response = _token_login(id_token, oidc_server.client_id)

    assert response.status_code == 200, response.content
    assert response.json()["data"]["user"]["email"] == "ada@example.com"


def test_headless_id_token_issued_to_another_party_is_refused(oidc_server):
    id_token = oidc_server.id_token(oidc_server.user, azp="someone-elses-app")

    response = _token_login(id_token, oidc_server.client_id)

    _assert_invalid_token(response)


@pytest.mark.parametrize("algorithm", ["HS256", "none"])
@pytest.mark.parametrize("announced", [["RS256"], ["RS256", "HS256", "none"]], ids=["rs256", "hs256-announced"])
def test_headless_id_token_not_signed_with_the_servers_key_is_refused(oidc_server, algorithm, announced):
    # HS256 with the client secret: anyone holding the app's secret could mint tokens for any user.
    oidc_server.signing_algorithms = announced
    forged = oidc_server.id_token(oidc_server.user, algorithm=algorithm)

    response = _token_login(forged, oidc_server.client_id)

    _assert_invalid_token(response)
    assert not User.objects.exists()


def test_headless_id_token_without_a_key_id_is_refused(oidc_server):
    unnamed_key = oidc_server.id_token(oidc_server.user, headers={})

    response = _token_login(unnamed_key, oidc_server.client_id)

    _assert_invalid_token(response)


# Google and GitHub: buttons and the redirect to their authorize endpoints


@pytest.mark.parametrize(
    ("provider", "authorize_url"),
    [
        ("google", "https://accounts.google.com/o/oauth2/v2/auth"),
        ("github", "https://github.com/login/oauth/authorize"),
    ],
)
def test_provider_login_redirects_to_its_authorize_url_with_our_client_id_and_callback(
    client, settings, monkeypatch, provider, authorize_url
):
    prefix = provider.upper()
    _configure(settings, monkeypatch, **{f"{prefix}_CLIENT_ID": "our-client-id", f"{prefix}_CLIENT_SECRET": "s3cret"})

    response = client.post(f"/accounts/{provider}/login/")

    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert response.status_code == 302
    assert f"{location.scheme}://{location.netloc}{location.path}" == authorize_url
    assert query["client_id"] == ["our-client-id"]
    assert query["redirect_uri"] == [f"http://testserver/accounts/{provider}/login/callback/"]
    assert query["state"][0]
    assert ("code_challenge" in query) == (provider == "google")
    assert "s3cret" not in response["Location"]
