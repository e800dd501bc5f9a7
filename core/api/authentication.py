"""How REST clients authenticate: allauth's headless ``X-Session-Token``, with the session loaded once.

allauth's class asks the session store whether the token exists (a cache ``EXISTS``), then builds
the session again and loads it (a cache ``GET``), then has Django read the user. Here the session
is loaded once (one cache ``GET`` with ``SESSION_ENGINE = cached_db``; the database only when the
cache lost it) and Django's own ``get_user`` reads and checks the user: the backend named in the
session, ``is_active`` (``ModelBackend`` refuses inactive users) and the session's auth hash,
which a password change invalidates. The user is never cached, so each of these, and a logout
(which deletes the session), ends the token on the next request.
"""

from __future__ import annotations

from importlib import import_module

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user
from django.http import HttpRequest


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """``X-Session-Token`` (allauth headless app clients): one session load, then Django's ``get_user``.

    A token that matches no live session authenticates nobody (``None``), as allauth's class does:
    the exception handler then answers 401 INVALID_TOKEN because a token was sent.
    """

    def authenticate(self, request):
        token = self.get_session_token(request)
        if not token:
            return None
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=token)
        # Loads the session (cache, then database); a missing, expired or malformed key clears it.
        if session.get(SESSION_KEY) is None or not session.session_key:
            return None
        holder = HttpRequest()
        holder.session = session
        user = get_user(holder)
        if user.is_anonymous:
            return None
        return user, session
