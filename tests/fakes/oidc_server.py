"""A local OpenID Connect provider over real HTTP: the parts a relying party uses.

Discovery (``/.well-known/openid-configuration``), the authorization endpoint (``/authorize``:
the authorization-code flow, answered at once for the user the test has "signed in" at the
provider), the token endpoint (``/token``: client authentication by ``client_secret_post`` or
``client_secret_basic``, one use per code, the PKCE ``code_verifier`` checked against the
``S256`` challenge), the signing keys (``/jwks``) and ``/userinfo`` (Bearer access token).
ID tokens are real RS256 JWTs signed with a key made per server, carrying ``nonce`` when the
authorization request sent one; ``id_token()`` also makes the tokens a client app holds, and the
malformed or forged ones an attacker sends (claims dropped or replaced, several audiences, HS256
signed with the client secret, ``none``). Tests steer it through attributes: ``user`` (the claims
of the person signed in at the provider: ``sub``, ``email``, ``email_verified`` — any JSON value,
as some servers send ``"true"``/``"false"`` strings — ``name``; drop a key to leave it out),
``signing_algorithms`` (the discovery document's ``id_token_signing_alg_values_supported``),
``deny`` (the person refuses: ``error=access_denied``), ``redirect_uris`` (registered
callbacks; others are refused like a real provider does), and read ``authorizations`` (the
query of each authorization request) and ``token_requests``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "photomania-test-client"
CLIENT_SECRET = "oidc-test-client-secret-of-32-bytes+"


class FakeOIDC:
    def __init__(self, *, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET):
        self.client_id = client_id
        self.client_secret = client_secret
        self.user: dict = {"sub": "10001", "email": "ada@example.com", "email_verified": True, "name": "Ada Lovelace"}
        self.deny = False
        self.redirect_uris: set[str] | None = None
        self.signing_algorithms: list[str] = ["RS256"]
        self.authorizations: list[dict] = []
        self.token_requests: list[dict] = []
        self._codes: dict[str, dict] = {}
        self._access_tokens: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def _json(self, status: int, payload: dict, headers: dict | None = None):
                self._send(status, json.dumps(payload).encode(), "application/json", headers)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    self._json(200, fake.discovery())
                elif url.path == "/jwks":
                    self._json(200, fake.jwks())
                elif url.path == "/authorize":
                    self._authorize(query)
                elif url.path == "/userinfo":
                    self._userinfo()
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self):
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if url.path == "/token":
                    self._token(form)
                else:
                    self._json(404, {"error": "not_found"})

            def _authorize(self, query: dict):
                fake.authorizations.append(query)
                redirect_uri = query.get("redirect_uri", "")
                if query.get("client_id") != fake.client_id:
                    # A real provider shows an error page and never redirects to an unknown client.
                    self._send(400, b"unknown client_id", "text/plain")
                    return
                if not redirect_uri or (fake.redirect_uris is not None and redirect_uri not in fake.redirect_uris):
                    self._send(400, b"redirect_uri is not registered for this client", "text/plain")
                    return
                back = {"state": query["state"]} if "state" in query else {}
                if fake.deny:
                    back["error"] = "access_denied"
                elif query.get("response_type") != "code":
                    back["error"] = "unsupported_response_type"
                elif "openid" not in query.get("scope", "").split():
                    back["error"] = "invalid_scope"
                else:
                    code = secrets.token_urlsafe(24)
                    with fake._lock:
                        fake._codes[code] = {
                            "redirect_uri": redirect_uri,
                            "nonce": query.get("nonce"),
                            "code_challenge": query.get("code_challenge"),
                            "code_challenge_method": query.get("code_challenge_method", "plain"),
                            "user": dict(fake.user),
                        }
                    back["code"] = code
                separator = "&" if "?" in redirect_uri else "?"
                self._send(302, b"", "text/plain", {"Location": f"{redirect_uri}{separator}{urlencode(back)}"})

            def _client_authenticated(self, form: dict) -> bool:
                header = self.headers.get("Authorization", "")
                if header.startswith("Basic "):
                    client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
                else:
                    client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
                return client_id == fake.client_id and secrets.compare_digest(secret, fake.client_secret)

            def _token(self, form: dict):
                fake.token_requests.append(form)
                if not self._client_authenticated(form):
                    self._json(401, {"error": "invalid_client"}, {"WWW-Authenticate": 'Basic realm="token"'})
                    return
                if form.get("grant_type") != "authorization_code":
                    self._json(400, {"error": "unsupported_grant_type"})
                    return
                with fake._lock:
                    grant = fake._codes.pop(form.get("code", ""), None)  # a code works once
                if grant is None or grant["redirect_uri"] != form.get("redirect_uri"):
                    self._json(400, {"error": "invalid_grant"})
                    return
                if grant["code_challenge"] and not _pkce_matches(grant, form.get("code_verifier")):
                    self._json(400, {"error": "invalid_grant", "error_description": "PKCE verification failed"})
                    return
                access_token = secrets.token_urlsafe(32)
                with fake._lock:
                    fake._access_tokens[access_token] = grant["user"]
                self._json(
                    200,
                    {
                        "access_token": access_token,
                        "token_type": "Bearer",
                        "expires_in": 3600,
                        "scope": "openid profile email",
                        "id_token": fake.id_token(grant["user"], nonce=grant["nonce"]),
                    },
                )

            def _userinfo(self):
                header = self.headers.get("Authorization", "")
                user = fake._access_tokens.get(header[7:]) if header.startswith("Bearer ") else None
                if user is None:
                    self._json(401, {"error": "invalid_token"}, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
                    return
                self._json(200, user)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.issuer = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": self.signing_algorithms,
            "scopes_supported": ["openid", "profile", "email"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "email", "email_verified", "name"],
        }

    def jwks(self) -> dict:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def id_token(
        self,
        user: dict,
        *,
        nonce: str | None = None,
        audience: str | list[str] | None = None,
        algorithm: str = "RS256",
        without: tuple[str, ...] = (),
        headers: dict | None = None,
        **overrides,
    ) -> str:
        """An ID token for ``user`` as this provider issues it: RS256 with the server's key, ``overrides``
        replace claims, ``without`` leaves claims out. ``algorithm="HS256"`` signs with the client
        secret instead (what a client that holds the secret can forge), ``"none"`` does not sign;
        ``headers`` replace the JOSE header's ``{"kid": <the server's key id>}``."""
        now = int(time.time())
        claims = {
            **user,
            "iss": self.issuer,
            "aud": audience or self.client_id,
            "iat": now,
            "exp": now + 300,
            "jti": secrets.token_hex(16),
        }
        if nonce:
            claims["nonce"] = nonce
        claims.update(overrides)
        for name in without:
            claims.pop(name, None)
        if algorithm.startswith("HS"):
            key = self.client_secret
        elif algorithm == "none":
            key = None
        else:
            key = self._key
        return jwt.encode(claims, key, algorithm=algorithm, headers={"kid": self.kid} if headers is None else headers)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _pkce_matches(grant: dict, verifier: str | None) -> bool:
    if not verifier:
        return False
    if grant["code_challenge_method"] == "S256":
        digest = hashlib.sha256(verifier.encode()).digest()
        computed = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    else:
        computed = verifier
    return secrets.compare_digest(computed, grant["code_challenge"])
