"""How REST clients authenticate: allauth's headless ``X-Session-Token``, looked up cheaply.

allauth's own class asks the session store whether the token exists (a cache ``EXISTS``), then
builds the session again and loads it (a cache ``GET``), then reads the user. Here the session is
loaded once (one cache ``GET`` with ``SESSION_ENGINE = cached_db``; the database only when the
cache lost it), then the user row is read by primary key. The user is never cached: the row
carries the balance that apply checks, and reading it fresh is what makes a deactivation (Django's
``ModelBackend`` refuses inactive users) or a password change (the session's auth hash no longer
matches) take effect on the next request. Logging out deletes the session, so the next ``GET``
misses in the cache and in the database.
"""

from __future__ import annotations

from importlib import import_module

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user
from django.http import HttpRequest


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """``X-Session-Token`` (allauth headless app clients): one session load, then the user by id.

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
        # Django's own check: the backend named in the session, the user active, the auth hash
        # (which changes with the password) still matching.
        user = get_user(holder)
        if not user or user.is_anonymous:
            return None
        return user, session
