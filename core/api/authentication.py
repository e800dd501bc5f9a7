"""How REST clients authenticate: allauth's headless ``X-Session-Token``, looked up cheaply.

allauth's own class asks the session store whether the token exists (a cache ``EXISTS``), then
builds the session again and loads it (a cache ``GET``), then reads the user. Here the session is
loaded once (one cache ``GET`` with ``SESSION_ENGINE = cached_db``; the database only when the
cache lost it), then the user row is read by primary key. The user is never cached: the row
carries the balance that apply checks, and reading it fresh is what makes a deactivation (Django's
``ModelBackend`` refuses inactive users) or a password change (the session's auth hash no longer
matches) take effect on the next request. Logging out deletes the session, so the next ``GET``
misses in the cache and in the database.

A view can have the user row read together with its own data in one query (a method
``token_user_loader``, as GET /api/jobs/{jobId} does); the row is then checked by
``session_user_with_row`` exactly as Django's ``get_user`` checks the row it reads.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user,
    get_user_model,
    load_backend,
)
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from django.utils.crypto import constant_time_compare


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
        # A view may read the user row together with its own data (``token_user_loader``); the
        # user is checked the same way either way.
        view = (getattr(request, "parser_context", None) or {}).get("view")
        loader = getattr(view, "token_user_loader", None)
        load = loader(request) if loader is not None else None
        if load is not None:
            user = session_user_with_row(session, load)
        else:
            # Django's own check: the backend named in the session, the user active, the auth hash
            # (which changes with the password) still matching.
            holder = HttpRequest()
            holder.session = session
            user = get_user(holder)
        if not user or user.is_anonymous:
            return None
        return user, session


def session_user_with_row(session, load: Callable[[object], object | None]):
    """The session's user as Django's ``get_user`` finds it, but read by ``load(user_id)`` (which
    may read more in the same query); None when the session no longer authenticates anyone.

    Only for sessions whose backend reads the user as ``ModelBackend`` does (by primary key, then
    ``user_can_authenticate``); for any other backend ``get_user`` itself runs, and ``load`` not.
    """
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except KeyError:
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    backend = load_backend(backend_path)
    if type(backend).get_user is not ModelBackend.get_user:
        holder = HttpRequest()
        holder.session = session
        user = get_user(holder)
        return None if user.is_anonymous else user
    user = load(user_id)
    if user is None or not backend.user_can_authenticate(user):
        return None
    session_hash = session.get(HASH_SESSION_KEY)
    session_auth_hash = user.get_session_auth_hash()
    if session_hash and constant_time_compare(session_hash, session_auth_hash):
        return user
    # As get_user: a hash made with a fallback secret is renewed, anything else ends the session.
    if session_hash and any(
        constant_time_compare(session_hash, fallback) for fallback in user.get_session_auth_fallback_hash()
    ):
        session.cycle_key()
        session[HASH_SESSION_KEY] = session_auth_hash
        return user
    session.flush()
    return None
