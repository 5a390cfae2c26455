"""The workbench (工作台): the console's landing page, built from what each module registers.

The kit knows no process: an app adds its **cards** (a count that links to the list behind it), its **to-dos**
(the actor's own open work with a deadline) and its **feed** (which events its roles act on) from its registry
module, called from `AppConfig.ready()`:

    from wuye.web.workbench import Card, Todo, register_cards, register_feed, register_todos

    def my_cards(actor, now):                      # one or two queries for all of them, please
        n = scoped(Inspection.objects.due(now), actor).count()
        return [Card("inspections.due", _("Inspections due"), n, url=reverse("quality:inspections") + "?due=1")]

    register_cards("quality", my_cards, roles={Role.QUALITY, Role.PROJECT_MANAGER}, order=40)
    register_todos("quality", lambda actor, now: [Todo(_("Inspection"), "3号楼 消防通道", due_at, url)])
    register_feed("quality", lambda actor: Q(verb__startswith="inspection."), roles={Role.QUALITY})

Rules a module keeps:
* **One filter, one home.** A card's count is computed by the same query function as the list its `url` opens
  (the list's own filter values in the query string); the workbench test follows every link and compares.
* `roles` are `wuye.core.access.Role` values; None means every staff role. A superuser counts as company
  administration. A provider may still return no card for an actor (a permission it lacks).
* Providers get the actor and one `now`, so every count on the page is taken at the same moment.
* To-dos are the actor's own: assigned to them or to their department, or waiting for their decision. `due_at`
  is an SLA deadline (`wuye.sla`) or None (no limit: listed after the dated ones).
* A feed condition is a Q over `wuye.core.models.Event` (already limited to the actor's projects); the feed shows
  the events matching any condition registered for the actor's role. A role without any condition sees every
  event of its projects (the project manager, administration, quality).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Q

from wuye.core.access import Role


@dataclass(frozen=True)
class Card:
    """A figure on the workbench: `count` of something, the list behind it at `url` (None: no list to open). A
    card of money alone (`count` None, `amount` set) or a bare link (both None) is allowed."""

    key: str
    label: str
    count: int | None
    url: str | None = None
    amount: Decimal | None = None  # money that goes with the count (yuan), shown as ¥1,234.56
    tone: str = ""  # "", "amber" (at risk, waiting) or "red" (overdue) — only when `count` is not zero
    hint: str = ""  # a short line under the label
    group: str = ""  # cards of one group sit together under this heading
    figure: str = ""  # a figure that is not a count ("92.5%", "2/5"), shown in the count's place


@dataclass(frozen=True)
class Todo:
    """One item of the actor's to-do list: `title` of the thing, `what` kind of step it is, by when."""

    what: str
    title: str
    due_at: datetime | None
    url: str
    detail: str = ""


@dataclass(frozen=True)
class _Entry:
    key: str
    provider: Callable
    roles: frozenset[str] | None
    order: int


CARDS: dict[str, _Entry] = {}
TODOS: dict[str, _Entry] = {}
FEEDS: dict[str, _Entry] = {}


def _roles(roles) -> frozenset[str] | None:
    return None if roles is None else frozenset(str(role) for role in roles)


def register_cards(key: str, provider: Callable[[object, datetime], list[Card]], *, roles=None,
                   order: int = 100) -> None:
    """`provider(actor, now)` returns the module's cards for that actor; registering `key` again replaces it."""
    CARDS[key] = _Entry(key, provider, _roles(roles), order)


def register_todos(key: str, provider: Callable[[object, datetime], list[Todo]], *, roles=None) -> None:
    """`provider(actor, now)` returns the actor's open work of the module (nearest deadlines first is enough:
    the workbench merges and orders all of them)."""
    TODOS[key] = _Entry(key, provider, _roles(roles), 0)


def register_feed(key: str, condition: Callable[[object], Q], *, roles) -> None:
    """`condition(actor)` is a Q over events that the given roles act on."""
    FEEDS[key] = _Entry(key, condition, _roles(roles), 0)


def role_of(actor) -> str | None:
    if actor.role:
        return str(actor.role)
    return Role.COMPANY_ADMIN.value if actor.is_superuser else None


def _for(entries: dict[str, _Entry], actor) -> list[_Entry]:
    role = role_of(actor)
    return sorted((e for e in entries.values() if e.roles is None or role in e.roles), key=lambda e: (e.order, e.key))


def cards_for(actor, now: datetime) -> list[Card]:
    return [card for entry in _for(CARDS, actor) for card in entry.provider(actor, now)]


TODO_LIMIT = 15


def todos_for(actor, now: datetime, limit: int = TODO_LIMIT) -> tuple[list[Todo], int]:
    """The actor's to-dos, nearest deadline first (undated ones last), at most `limit`, and how many there are."""
    items = [todo for entry in _for(TODOS, actor) for todo in entry.provider(actor, now)]
    items.sort(key=lambda t: (t.due_at is None, t.due_at or now))
    return items[:limit], len(items)


def feed_condition(actor) -> Q | None:
    """The events the actor's role acts on, as one Q; None: every event of the actor's projects."""
    conditions = [entry.provider(actor) for entry in _for(FEEDS, actor) if entry.roles is not None]
    return reduce(or_, conditions) if conditions else None
