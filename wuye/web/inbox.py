"""The message inbox's filter, shared by the console's and the portal's lists: which type is asked for, and the
tabs (all, then each type) with their unread counts."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wuye.core.models import Notification, NotificationKind

from .paging import paginate


def inbox_kind(request) -> str:
    """The type filter of a list (GET) or of "mark all read" (POST); anything unknown means all."""
    kind = request.POST.get("kind") or request.GET.get("kind") or ""
    return kind if kind in NotificationKind.values else ""


def inbox_url(url_name: str, kind: str = "") -> str:
    url = reverse(url_name)
    return f"{url}?{urlencode({'kind': kind})}" if kind else url


def inbox_tabs(user, kind: str, url_name: str, kinds=tuple(NotificationKind.values)) -> list[dict]:
    """All messages, then each of `kinds`, each with its unread count (one query)."""
    unread = dict(Notification.objects.inbox(user).unread().order_by().values_list("kind").annotate(n=Count("id")))
    tabs = [{"value": "", "label": _("All"), "unread": sum(unread.values())}]
    tabs += [{"value": value, "label": label, "unread": unread.get(value, 0)} for value, label in
             NotificationKind.choices if value in kinds]
    for tab in tabs:
        tab["url"], tab["current"] = inbox_url(url_name, tab["value"]), tab["value"] == kind
    return tabs


def inbox_context(request, url_name: str, *, kinds=tuple(NotificationKind.values), per_page: int = 20) -> dict:
    """What an inbox page shows: the page of messages of the chosen type, the tabs, and that type's unread count."""
    kind = inbox_kind(request)
    tabs = inbox_tabs(request.user, kind, url_name, kinds)
    page = paginate(request, Notification.objects.inbox(request.user, kind), per_page=per_page)
    return {"page": page, "kind": kind, "kinds": tabs,
            "kind_unread": next((tab["unread"] for tab in tabs if tab["current"]), 0)}
