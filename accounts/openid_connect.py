"""The OpenID Connect provider (allauth's, set in ``SOCIALACCOUNT_PROVIDERS["openid_connect"]["provider_class"]``),
stricter where a provider's data decides who is signed in:

- ``email_verified`` counts only when it is JSON ``true`` or the string ``"true"`` (any case): some
  servers send booleans as strings, and ``"false"`` is a true value in Python.
- An ID token handed to the app sign-in endpoint (``POST /_allauth/app/v1/auth/provider/token``) is
  accepted only when signed with one of the server's asymmetric algorithms, with an ``exp``, with
  ``azp`` naming this client when it has several audiences (or any ``azp``), and only once.
"""

import hashlib
import time

import jwt
import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import (
    OpenIDConnectProvider as AllauthOpenIDConnectProvider,
)
from django.core.cache import cache

# Signatures by the server's private key only: an HMAC secret is shared with clients and "none" is no signature.
ASYMMETRIC_ALGORITHMS = frozenset(
    {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
)
DEFAULT_ALGORITHMS = frozenset({"RS256"})  # the algorithm every OpenID Connect server must support
USED_ID_TOKEN_KEY = "oidc:used-id-token:{}"


def email_verified_claim(value: object) -> bool:
    """Whether an ``email_verified`` claim says verified: only ``true`` or ``"true"`` (any case) does."""
    if isinstance(value, str):
        return value.lower() == "true"
    return value is True


def _claims(data: dict) -> dict:
    # The claims allauth's provider reads its fields from: userinfo when it was fetched, else the ID token.
    return data.get("userinfo") or data.get("id_token") or data


class OpenIDConnectProvider(AllauthOpenIDConnectProvider):
    # allauth finds the provider's URLs and templates by package.
    package = "allauth.socialaccount.providers.openid_connect"

    def extract_email_addresses(self, data):
        addresses = super().extract_email_addresses(data)
        verified = email_verified_claim(_claims(data).get("email_verified"))
        for address in addresses:
            address.verified = verified
        return addresses

    def verify_token(self, request, token):
        id_token = token.get("id_token")
        if not id_token:
            raise get_adapter().validation_error("invalid_token")
        try:
            claims = self._verified_id_token_claims(request, id_token)
        # A malformed token (no kid, a key of another type, claims of the wrong type) is an invalid token too.
        except (OAuth2Error, jwt.PyJWTError, requests.RequestException, KeyError, TypeError, ValueError) as e:
            raise get_adapter().validation_error("invalid_token") from e
        return self.sociallogin_from_response(request, claims)

    def _verified_id_token_claims(self, request, id_token: str) -> dict:
        openid_config = self.get_oauth2_adapter(request).openid_config
        # allauth verifies with the algorithm the token names; only the server's own may be named.
        algorithm = jwt.get_unverified_header(id_token).get("alg")
        if algorithm not in self._id_token_algorithms(openid_config):
            raise OAuth2Error(f"ID token signed with {algorithm!r}, not an algorithm of the server")
        claims = jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=openid_config["jwks_uri"],
            issuer=openid_config["issuer"],
            audience=[self.app.client_id],
            lookup_kid=jwtkit.lookup_kid_jwk,
        )
        if not isinstance(claims.get("exp"), int | float):
            raise OAuth2Error("ID token without an expiry")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if (len(audiences) > 1 or "azp" in claims) and claims.get("azp") != self.app.client_id:
            raise OAuth2Error("ID token issued to another party")
        _use_once(id_token, expires_at=claims["exp"])
        return claims

    def _id_token_algorithms(self, openid_config: dict) -> frozenset[str]:
        announced = openid_config.get("id_token_signing_alg_values_supported") or []
        return ASYMMETRIC_ALGORITHMS.intersection(announced) or DEFAULT_ALGORITHMS


def _use_once(id_token: str, *, expires_at: float) -> None:
    """Refuse an ID token seen before; it is remembered until it expires (allauth also does so by ``jti``)."""
    key = USED_ID_TOKEN_KEY.format(hashlib.sha256(id_token.encode()).hexdigest())
    if not cache.add(key, True, timeout=max(1, int(expires_at - time.time()) + 1)):
        raise OAuth2Error("ID token already used")
