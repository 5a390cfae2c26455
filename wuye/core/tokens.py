"""API tokens: issued for a username and password, listed and revoked by their owner, all revoked when the password
changes. Each issue and revocation records an event about the user."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .events import compose_event, record_event, record_events
from .models import ApiToken
from .sentences import register_sentences
from .templatetags.timeline import register_event_labels

# Last use is written at most this often per token: not a write on every API request.
LAST_USED_RESOLUTION = timedelta(minutes=1)

register_sentences({
    "auth.token_issued": (_("API token issued"), {"example": {"prefix": "wy_3fa9"}}),
    "auth.token_revoked": (_("API token ended: %(reason)s"), {"example": {"prefix": "wy_3fa9",
                                                                         "reason": "password_changed"}}),
})
register_event_labels(
    details={"prefix": _("token starting with")},
    values={"reason": {"revoked": _("revoked by its owner"), "password_changed": _("password changed"),
                       "admin": _("revoked by an administrator"), "signed_out": _("signed out")}},
)


def _token_data(token: ApiToken, **extra) -> dict:
    # The prefix names the token to its owner (as the token list shows it); the row's id would mean nothing.
    return {"prefix": token.prefix, **extra}


@transaction.atomic
def issue_token(user) -> tuple[ApiToken, str]:
    """A new bearer token for `user` (already authenticated); returns the row and the raw token, shown once."""
    token, raw = ApiToken.issue(user)
    record_event(user, "auth.token_issued", actor=user,
                 data=_token_data(token))  # its expiry is on the token list; an ISO time reads badly on a timeline
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, actor=None, reason: str = "revoked") -> None:
    """End one token now (its owner signs it out, or revokes one they no longer use)."""
    record_event(token.user, "auth.token_revoked", actor=actor, data=_token_data(token, reason=reason))
    ApiToken.objects.filter(pk=token.pk).delete()


@transaction.atomic
def revoke_all_tokens(user, *, actor=None, reason: str) -> int:
    """End every token of `user` (their password changed: whoever held a token must sign in again)."""
    tokens = list(ApiToken.objects.filter(user=user))
    record_events([compose_event(user, "auth.token_revoked", actor=actor, data=_token_data(token, reason=reason))
                   for token in tokens])
    ApiToken.objects.filter(pk__in=[token.pk for token in tokens]).delete()
    return len(tokens)


def lookup(raw: str) -> ApiToken | None:
    """The active token for a raw bearer token, with its user and the user's staff profile or resident record read
    in the same query: the request's actor (people.access.actor_for) is then built without reading them again."""
    return ApiToken.objects.by_raw(raw, related=("user__staff_profile", "user__resident"))


def note_use(token: ApiToken) -> None:
    """Remember when the token was last used (to the minute: at most one UPDATE a minute per token)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now


def password_changed(sender, instance, created, **kwargs):
    """post_save of the user model (connected in CoreConfig.ready): `set_password` followed by a save ends every API
    token. Other sessions end by themselves: Django ties each session to the password hash."""
    if not created and getattr(instance, "_password", None) is not None:
        revoke_all_tokens(instance, reason="password_changed")
