"""Ending a user's console sessions at once (a leaver is deactivated, an administrator resets a password).

Django's database sessions store the user id inside the encoded session data, so finding one user's sessions
would mean decoding every row. Instead each sign-in notes its session key against the user (`UserSession`, a
receiver of `user_logged_in` — framework glue, connected in CoreConfig.ready); ending them is then one indexed
delete. The index row goes with its session (it cascades from `Session`), so logout, key rotation at sign-in and
`clearsessions` keep it clean. Sessions opened before the index existed are not listed, but they die anyway:
Django's session check refuses an inactive user and any session whose password hash is out of date.
"""

from __future__ import annotations

from django.contrib.sessions.models import Session

from .models import UserSession


def remember_session(sender, request, user, **kwargs) -> None:
    """`user_logged_in` receiver: note the new session's key against the user."""
    session = getattr(request, "session", None)
    if session is None or not hasattr(session, "save"):
        return
    if session.session_key is None:  # login() flushed a previous user's session: the new key is made on save
        session.save()
    UserSession.objects.update_or_create(session_id=session.session_key, defaults={"user": user})


def end_sessions(user) -> int:
    """Delete every console session of `user` (their next request is signed out); returns how many ended."""
    _total, by_model = Session.objects.filter(owner__user=user).delete()
    return by_model.get(Session._meta.label, 0)
