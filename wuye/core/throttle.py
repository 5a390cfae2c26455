"""Sign-in throttling: failed sign-ins are counted per account and per client address; beyond
WUYE_LOGIN_FAILURES_PER_ACCOUNT or WUYE_LOGIN_FAILURES_PER_ADDRESS within WUYE_LOGIN_WINDOW_MINUTES every sign-in is
refused — also with the right password — until the window that began with the first failure ends.

One mechanism for every door: `ThrottledModelBackend`, the AUTHENTICATION_BACKENDS, refuses inside `authenticate()`
(the console login, POST /api/v1/auth/token, the admin's login alike), and Django's `user_login_failed` signal counts
the failures. The console and the API ask `retry_after` to answer 429 with a clear message.

The counts live in Django's cache. The default cache (LocMem) is per process: each gunicorn worker counts on its
own, so with W workers an address gets up to W × the limit. Set CACHE_URL to a Redis server to share one count.
A per-account limit lets anyone lock an account for one window by guessing wrong; the window is short for that.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import ngettext

_PREFIX = "wuye:signin"


def client_address(request) -> str:
    """The client's IP address. Behind a trusted proxy (WUYE_BEHIND_PROXY) the last X-Forwarded-For entry, the one
    the proxy appended: earlier entries are whatever the client chose to send."""
    if request is None:
        return ""
    if settings.WUYE_BEHIND_PROXY:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if forwarded:
            return forwarded[-1][:64]
    return str(request.META.get("REMOTE_ADDR") or "")[:64]


def _counters(request, username) -> list[tuple[str, int]]:
    """(cache key, limit) per counter that applies; usernames are hashed (any characters, no names in the cache)."""
    counters = []
    if username:
        digest = hashlib.sha256(str(username).strip().lower().encode()).hexdigest()[:32]
        counters.append((f"{_PREFIX}:account:{digest}", settings.WUYE_LOGIN_FAILURES_PER_ACCOUNT))
    address = client_address(request)
    if address:
        counters.append((f"{_PREFIX}:address:{address}", settings.WUYE_LOGIN_FAILURES_PER_ADDRESS))
    return counters


def _window() -> int:
    return max(1, settings.WUYE_LOGIN_WINDOW_MINUTES) * 60


def retry_after(request, username) -> int:
    """Seconds until `username` may try again from this request's address; 0 when not locked."""
    counters = _counters(request, username)
    if not counters:
        return 0
    values = cache.get_many([key for key, _limit in counters] + [f"{key}:since" for key, _limit in counters])
    now, wait = time.time(), 0
    for key, limit in counters:
        if (values.get(key) or 0) >= limit:
            since = values.get(f"{key}:since") or now
            wait = max(wait, math.ceil(since + _window() - now), 1)
    return wait


def note_failure(request, username) -> None:
    """Count one failed sign-in against the account and the address (the window starts at the first failure)."""
    window, now = _window(), time.time()
    for key, _limit in _counters(request, username):
        cache.add(f"{key}:since", now, window)
        if cache.add(key, 1, window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr: this failure starts a new window
            cache.add(key, 1, window)


def note_success(request, username) -> None:
    """A successful sign-in forgives the account's earlier typos (the address keeps its count)."""
    account = [key for key, _limit in _counters(None, username)]
    cache.delete_many(account + [f"{key}:since" for key in account])


def locked_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("Too many failed sign-in attempts. Try again in %(minutes)d minute.",
                    "Too many failed sign-in attempts. Try again in %(minutes)d minutes.", minutes) % {
        "minutes": minutes}


class ThrottledModelBackend(ModelBackend):
    """Django's username-and-password backend that, while the account or the address is locked, ends
    `authenticate()` (PermissionDenied) before looking at the password: not even the right one signs in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if retry_after(request, username or kwargs.get(get_user_model().USERNAME_FIELD)):
            raise PermissionDenied
        return super().authenticate(request, username=username, password=password, **kwargs)


def count_failure(sender, credentials, request=None, **kwargs):
    """`user_login_failed` receiver (connected in CoreConfig.ready)."""
    note_failure(request, credentials.get("username"))
