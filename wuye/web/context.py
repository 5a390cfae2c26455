"""Navigation of the staff console and tiles of the owner portal, built from small registries.

Later apps add their pages from their AppConfig.ready():

    from wuye.web.context import NavItem, register_nav
    register_nav(NavItem("tickets", _("Work orders"), "tickets:list", permission="tickets.view", icon="wrench",
                         order=30))

An item whose `key` is already registered replaces it, so an app takes over its "coming soon" placeholder.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url_name: str | None = None  # None: a "coming soon" placeholder
    permission: str | None = None  # shown only to actors with this permission; None: every staff member
    icon: str = "dot"  # a name known to the `icon` template tag
    order: int = 100
    url_names: tuple[str, ...] = ()  # further url names that mark the item current (its detail pages)
    current: bool = False  # set on the copy handed to the template for the page being shown

    @property
    def coming_soon(self) -> bool:
        return self.url_name is None

    def url(self) -> str:
        if self.url_name is None:
            return reverse("web:console_soon", args=[self.key])
        return reverse(self.url_name)


@dataclass(frozen=True)
class Tile:
    """A service tile on the owner portal's home page."""

    key: str
    label: str
    url_name: str | None = None
    icon: str = "dot"
    order: int = 100

    @property
    def coming_soon(self) -> bool:
        return self.url_name is None

    def url(self) -> str:
        if self.url_name is None:
            return reverse("web:h5_soon", args=[self.key])
        return reverse(self.url_name)


CONSOLE_NAV: dict[str, NavItem] = {}
H5_TILES: dict[str, Tile] = {}


def register_nav(item: NavItem) -> None:
    CONSOLE_NAV[item.key] = item


def register_tile(tile: Tile) -> None:
    H5_TILES[tile.key] = tile


for _item in (
    NavItem("dashboard", _("Dashboard"), "web:console", icon="home", order=10),
    NavItem("projects", _("Projects"), "web:projects", permission="tenancy.view_places", icon="layers", order=20),
    NavItem("units", _("Units"), "web:units", permission="tenancy.view_places", icon="grid", order=21,
            url_names=("web:unit_detail",)),
    NavItem("residents", _("Owner records"), "web:residents", permission="people.view_residents", icon="users",
            order=22, url_names=("web:resident_detail",)),
    NavItem("tickets", _("Work orders"), icon="wrench", order=30),
    NavItem("billing", _("Billing"), icon="yen", order=40),
    NavItem("facilities", _("Facilities"), icon="cog", order=50),
    NavItem("quality", _("Quality"), icon="check", order=60),
    NavItem("notifications", _("Notifications"), "web:notifications", icon="bell", order=90),
    NavItem("calendar", _("Holiday schedule"), "web:statutory_calendar", permission="core.manage_calendar",
            icon="clock", order=95),
    NavItem("staff", _("Staff"), "web:staff", permission="people.manage_staff", icon="user", order=96,
            url_names=("web:staff_new", "web:staff_detail", "web:staff_action")),
):
    register_nav(_item)

for _tile in (
    Tile("repair", _("Repairs"), icon="wrench", order=10),
    Tile("complaint", _("Complaint"), icon="chat", order=20),
    Tile("payment", _("Pay fees"), icon="yen", order=30),
    Tile("notices", _("Messages"), "web:h5_notifications", icon="bell", order=40),
):
    register_tile(_tile)


def console_nav(actor, current_url_name: str | None) -> list[NavItem]:
    """The items `actor` may see, in order, each with `current` set when it is the page being shown."""
    items = []
    for item in sorted(CONSOLE_NAV.values(), key=lambda i: (i.order, i.key)):
        if item.permission and not actor.may(item.permission):
            continue
        current = current_url_name is not None and (
            current_url_name == item.url_name
            or current_url_name in item.url_names
            or (item.coming_soon and current_url_name == f"web:console_soon:{item.key}")
        )
        items.append(replace(item, current=current))
    return items


def _current_url_name(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is None or not match.url_name:
        return None
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    if match.url_name in {"console_soon", "h5_soon"}:
        name += f":{match.kwargs.get('key', '')}"
    return name


def _unread_count(user) -> int:
    from wuye.core.models import Notification

    return Notification.objects.inbox(user).unread().count()


def _staff_summary(actor):
    """Department and project scope for the top bar (two small queries, run only when a template asks)."""
    from wuye.core.access import scoped
    from wuye.people.models import StaffProfile
    from wuye.tenancy.models import Project

    profile = StaffProfile.objects.filter(user=actor.user).first()
    if actor.is_superuser or actor.project_ids is None:
        scope = _("All projects")
    else:
        names = list(scoped(Project.objects.all(), actor).values_list("name", flat=True)[:4])
        scope = "、".join(names) if names else _("No project")
    department = profile.department if profile else (_("System administrator") if actor.is_superuser else "")
    return {"department": department, "scope": scope}


def _unconfirmed_years(actor) -> list[int]:
    """Years whose holiday schedule awaits import (from 1 November, next year): shown to whoever may import it."""
    from wuye.core.calendar import unconfirmed_years

    return unconfirmed_years() if actor.may("core.manage_calendar") else []


def _silent_jobs(actor) -> list:
    """The background-job engine silent for longer than WUYE_HEARTBEAT_SILENCE: shown to the administration."""
    from wuye.core.scheduling import silent_engines

    return silent_engines() if actor.may("core.watch_jobs") else []


def navigation(request):
    """Context for every page: the actor, console navigation, owner tiles and lazily counted unread messages."""
    actor = getattr(request, "actor", None)
    user = getattr(request, "user", None)
    if actor is None or user is None or not user.is_authenticated:
        return {}
    current = _current_url_name(request)
    context = {
        "actor": actor,
        "unread_count": SimpleLazyObject(lambda: _unread_count(user)),
    }
    if actor.is_staff_member:
        context["nav_items"] = SimpleLazyObject(lambda: console_nav(actor, current))
        context["staff_summary"] = SimpleLazyObject(lambda: _staff_summary(actor))
        context["calendar_warning"] = SimpleLazyObject(lambda: _unconfirmed_years(actor))
        context["jobs_warning"] = SimpleLazyObject(lambda: _silent_jobs(actor))
    elif actor.is_owner:
        context["h5_tiles"] = sorted(H5_TILES.values(), key=lambda t: (t.order, t.key))
    return context
