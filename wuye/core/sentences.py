"""Events as sentences a person reads (issue 11): one place that turns each event kind (verb) into one line in the
active language — names instead of logins, times as "12-03 17:00" (Asia/Shanghai), durations as "提前 16 小时
（工作时间）", money as "¥440,932.92", enum codes through their choices — and never an internal code, id, MIME type,
byte count, lock version or ISO timestamp.

Apps register their verbs from their `ready()` / registry modules (the ground floor knows no process):

    from wuye.core.sentences import register_sentence
    register_sentence("ticket.pause", _("Paused: %(reason)s"), example={"reason": "等配件"})

A sentence is a lazy string formatted with the event's data (each value formatted by its key: money keys as
yuan, time keys as local minutes, enum keys through `register_terms`, `people=` keys as persons' names), or a
function `(event, fields) -> str` for sentences that choose their words. `details=` names the data keys shown
under the sentence as (label, value) pairs; every other key is kept on record but not printed. `example=` is
representative data (the event-sentence test renders every verb with it).

Readers:
- `prepare_events(events)` resolves the names (logins, user ids, subjects) of a list of events in one query per
  kind — call it once for a page of events; `event_sentence(event)` then costs no query.
- `timeline_steps(events)` folds the time-limit events of a step into that step (an SLA start or stop shows as
  a note inside the dispatch it belongs to, not as its own line) and returns `Step`s for templates.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .money import format_money

SentenceFn = Callable[["object", "Fields"], str]


@dataclass
class Sentence:
    verb: str
    text: object  # a (lazy) string with %(key)s placeholders, or a function (event, fields) -> str
    details: tuple[str, ...] = ()
    people: tuple[str, ...] = ()
    example: dict = field(default_factory=dict)
    label_only: bool = False  # named through the older `register_event_labels` only


SENTENCES: dict[str, Sentence] = {}
DETAIL_LABELS: dict[str, str] = {}
VALUE_LABELS: dict[str, dict] = {}  # data key → stored code → readable name (enum codes)
# (app_label, model) of a subject → function(ids) → {id: readable name} (one query for many subjects)
SUBJECT_NAMERS: dict[tuple[str, str], Callable[[list[int]], dict[int, str]]] = {}

MONEY_KEYS = {"amount", "total", "collected", "credit", "prepaid", "fee_pending", "rate", "amount_due"}
TIME_KEYS = {"due_at", "paid_at", "at", "promised_at"}
DATE_KEYS = {"due_on", "on", "issued_on", "starts_on", "ends_on", "effective_from", "week", "read_on",
             "promised_on"}
# Keys that are never printed whatever a registration says: ids, file types and sizes, lock versions.
NEVER_SHOWN = {"id", "type", "bytes", "version", "payment", "entry", "tariff", "bill", "repeat_of", "username",
               "reference", "prefix_id"}
ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def register_sentence(verb: str, text, *, details: Iterable[str] = (), people: Iterable[str] = (),
                      example: dict | None = None) -> None:
    """Say how events of `verb` read (see the module's docstring). Registering again replaces the sentence."""
    SENTENCES[verb] = Sentence(verb, text, tuple(details), tuple(people), dict(example or {}))


def register_label(verb: str, label) -> None:
    """The older way (`register_event_labels`): a label — or a function of the event — as the sentence, unless
    the verb already has a sentence of its own."""
    current = SENTENCES.get(verb)
    if current is None or current.label_only:
        SENTENCES[verb] = Sentence(verb, _Label(label), label_only=True)


class _Label:
    def __init__(self, label):
        self.label = label

    def __call__(self, event, fields) -> str:
        return str(self.label(event) if callable(self.label) else self.label)


def register_sentences(sentences: dict[str, object], **common) -> None:
    """Many verbs at once: {verb: text} or {verb: (text, {"details": ..., "example": ...})}."""
    for verb, spec in sentences.items():
        if isinstance(spec, tuple):
            text, options = spec
            register_sentence(verb, text, **{**common, **options})
        else:
            register_sentence(verb, spec, **common)


def register_terms(details: dict | None = None, values: dict[str, dict] | None = None) -> None:
    """Labels of detail keys, and readable names of the codes a key stores (its choices)."""
    DETAIL_LABELS.update(details or {})
    for key, names in (values or {}).items():
        VALUE_LABELS.setdefault(key, {}).update(names)


FORMATTERS: dict[str, Callable[[object], str]] = {}


def register_formatter(key: str, formatter: Callable[[object], str]) -> None:
    """How the values of one data key read, when neither money, time, date nor a code ("charges" lines)."""
    FORMATTERS[key] = formatter


PREPARERS: list[Callable[[list, NameBook], None]] = []


def register_preparer(preparer: Callable[[list, NameBook], None]) -> None:
    """`preparer(events, book)` adds what its sentences need for a list of events to `book.extra`, in batches."""
    if preparer not in PREPARERS:
        PREPARERS.append(preparer)


def register_subject_namer(app_label: str, model: str, namer: Callable[[list[int]], dict[int, str]]) -> None:
    """How subjects of a model are named in sentences ("账单 2026-10 物业费"): `namer(ids)` → {id: name}."""
    SUBJECT_NAMERS[(app_label, model)] = namer


# -- formatters: one place ----------------------------------------------------------------------------------------
def format_time(value) -> str:
    """A moment as "12-03 17:00" in local time (the year too when it is not this year); "—" when empty."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        local = timezone.localtime(value)
        today = timezone.localdate()
        return local.strftime("%m-%d %H:%M" if local.year == today.year else "%Y-%m-%d %H:%M")
    return str(value)


def format_date(value) -> str:
    """A day as "2026-12-03" (a date reads the same in both languages); "—" when empty."""
    if value in (None, ""):
        return "—"
    if isinstance(value, str):
        if ISO_MOMENT.match(value):
            return format_time(value)
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def format_minutes(minutes, *, days: bool = True) -> str:
    """A span as "2 小时 5 分" / "3 天 4 小时" / "45 分" (hours only when `days` is false: working hours)."""
    total = round(abs(float(minutes or 0)))
    days, rest = divmod(total, 24 * 60) if days else (0, total)
    hours, mins = divmod(rest, 60)
    if days:
        return (gettext("%(days)s d %(hours)s h") if hours else gettext("%(days)s d")) % {
            "days": days, "hours": hours}
    if hours:
        return (gettext("%(hours)s h %(minutes)s min") if mins else gettext("%(hours)s h")) % {
            "hours": hours, "minutes": mins}
    return gettext("%(minutes)s min") % {"minutes": mins}


def format_overrun(minutes, measure: str | None = None) -> str:
    """"提前 16 小时（工作时间）" or "超时 2 小时 5 分（自然时间）": the overrun of a stopped time limit."""
    minutes = float(minutes or 0)
    span = format_minutes(minutes, days=measure != "working")
    text = (gettext("%(span)s early") if minutes <= 0 else gettext("%(span)s late")) % {"span": span}
    if measure in ("working", "calendar"):
        text = gettext("%(text)s (%(measure)s)") % {
            "text": text, "measure": gettext("working time") if measure == "working" else gettext("calendar time")}
    return text


def term(key: str, value) -> str:
    """A stored code through its choices ("emergency" → "紧急"); "—" when empty."""
    if value in (None, ""):
        return "—"
    names = VALUE_LABELS.get(key)
    if names and isinstance(value, str | int) and value in names:
        return str(names[value])
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


MONEY_IN_TEXT = re.compile(r"(?<![\d¥.,])(-?\d+\.\d{2})(?![\d])")


def money_in_text(text: str) -> str:
    """"水龙头 × 1 = 120.00" → "水龙头 × 1 = ¥120.00" (charges stored as text by older code)."""
    return MONEY_IN_TEXT.sub(lambda m: format_money(m.group(1)), str(text))


# -- names, resolved in batches ----------------------------------------------------------------------------------
@dataclass
class NameBook:
    """Persons' names by login and by user id, and subjects' names, for a list of events."""

    by_login: dict[str, str] = field(default_factory=dict)
    by_id: dict[int, str] = field(default_factory=dict)
    subjects: dict[tuple[int, int], str] = field(default_factory=dict)  # (content type id, subject id) → name
    extra: dict = field(default_factory=dict)  # what a preparer found for its verbs (see `register_preparer`)

    def person(self, value) -> str:
        if value in (None, ""):
            return "—"
        if isinstance(value, bool):
            return str(value)
        if isinstance(value, int):
            return self.by_id.get(value) or gettext("a former user")
        text = str(value)
        if text in self.by_login:
            return self.by_login[text]
        return text if _looks_like_a_name(text) else gettext("a former user")


def _looks_like_a_name(text: str) -> bool:
    """A name stored by newer code (王强, Wang Qiang) rather than a login (gongcheng, kefu2)."""
    return not re.fullmatch(r"[a-z0-9_.@+-]+", text)


def person_name(user) -> str:
    if user is None:
        return str(_("System"))
    return user.get_full_name() or user.get_username()


def prepare_events(events: Iterable) -> list:
    """Resolve every name the sentences of `events` need — persons (logins and user ids in their data) in one
    query, subjects in one query per kind — and attach them; returns the events as a list. Their actors should
    be loaded with `select_related("actor")`."""
    events = list(events)
    logins, ids = set(), set()
    subjects: dict[int, set[int]] = {}
    for event in events:
        sentence = SENTENCES.get(event.verb)
        data = event.data or {}
        for key in sentence.people if sentence else ():
            values = data.get(key)
            for value in values if isinstance(values, list) else [values]:
                if isinstance(value, bool) or value in (None, ""):
                    continue
                (ids if isinstance(value, int) else logins).add(value)
        subjects.setdefault(event.subject_type_id, set()).add(event.subject_id)
    book = NameBook()
    if logins or ids:
        from django.db.models import Q

        User = get_user_model()
        field_name = User.USERNAME_FIELD
        for user in User.objects.filter(Q(**{f"{field_name}__in": logins}) | Q(pk__in=ids)).only(
                "id", field_name, "first_name", "last_name"):
            name = user.get_full_name() or gettext("a colleague")
            book.by_login[user.get_username()] = name
            book.by_id[user.pk] = name
    if SUBJECT_NAMERS and subjects:
        from django.contrib.contenttypes.models import ContentType

        for type_id, subject_ids in subjects.items():
            kind = ContentType.objects.get_for_id(type_id)  # cached by Django
            namer = SUBJECT_NAMERS.get((kind.app_label, kind.model))
            if namer is None:
                continue
            for subject_id, name in namer(sorted(subject_ids)).items():
                book.subjects[(type_id, subject_id)] = name
    for preparer in PREPARERS:
        preparer(events, book)
    for event in events:
        event.name_book = book
    return events


def _book(event) -> NameBook:
    book = getattr(event, "name_book", None)
    if book is None:
        prepare_events([event])
        book = event.name_book
    return book


# -- rendering -----------------------------------------------------------------------------------------------
class Fields(dict):
    """The event's data formatted for a person, by key; a key not in the data reads "—"."""

    def __init__(self, event, sentence: Sentence | None):
        super().__init__()
        self.event = event
        self.raw = dict(event.data or {})
        self.book = _book(event)
        self.people = set(sentence.people) if sentence else set()
        for key, value in self.raw.items():
            self[key] = self.format(key, value)
        self["actor"] = person_name(getattr(event, "actor", None))
        self["subject"] = self.subject_name()

    def __missing__(self, key):
        return "—"

    def subject_name(self) -> str:
        return self.book.subjects.get((self.event.subject_type_id, self.event.subject_id), "")

    def format(self, key: str, value) -> str:
        if isinstance(value, list):
            return "、".join(self.format(key, item) for item in value if item not in (None, "")) or "—"
        if key in self.people:
            return self.book.person(value)
        if key in FORMATTERS:
            return FORMATTERS[key](value)
        if key in MONEY_KEYS and not isinstance(value, bool):
            try:
                return format_money(value)
            except TypeError:
                return str(value)
        if key in TIME_KEYS:
            return format_time(value)
        if key in DATE_KEYS:
            return format_date(value)
        if isinstance(value, dict):
            return "；".join(f"{DETAIL_LABELS.get(k, k)} {self.format(k, v)}" for k, v in value.items())
        if isinstance(value, str) and ISO_MOMENT.match(value):
            return format_time(value)
        return term(key, value)


def describe_changes(fields: Fields, changes: dict | None) -> str:
    """{field: [before, after]} as "名称 物业服务费 → 物业费；单价 ¥2.50 → ¥2.80" (field names through the `field`
    terms, values formatted by their key like any data)."""
    parts = []
    for name, change in (changes or {}).items():
        before, after = ([*change, None, None][:2] if isinstance(change, list | tuple) else (None, change))
        label = VALUE_LABELS.get("field", {}).get(name) or DETAIL_LABELS.get(name) or name
        parts.append(f"{label} {_changed_value(fields, name, before)} → {_changed_value(fields, name, after)}")
    return "；".join(parts) or "—"


def _changed_value(fields: Fields, name: str, value) -> str:
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if value in (None, ""):
        return "—"
    return fields.format(name, value)


def imported(text: str, fields: Fields) -> str:
    """"… (from the Excel import)" when an import wrote the event."""
    if fields.raw.get("source") == "import":
        return gettext("%(text)s (Excel import)") % {"text": text}
    return text


def changed_sentence(label, *, named_by: tuple[str, ...] = ()):
    """A sentence for "a record changed" events whose data holds {field: [before, after]} (or a field's new value):
    "单元 1-101 已修改：面积 89.5 → 90.0（Excel 导入）". `named_by` keys name the record rather than a change."""
    def sentence(event, fields) -> str:
        changes = {key: value for key, value in fields.raw.items() if key not in ("source", *named_by)}
        name = next((fields[key] for key in named_by if fields.raw.get(key)), "") or fields["subject"]
        values = {"what": label, "name": name, "changes": describe_changes(fields, changes)}
        text = (gettext("%(what)s %(name)s: %(changes)s") if name else gettext("%(what)s: %(changes)s")) % values
        return imported(text, fields)
    return sentence


def _render(sentence: Sentence, event, fields: Fields) -> str:
    if callable(sentence.text):
        return str(sentence.text(event, fields))
    return str(sentence.text) % fields


def event_sentence(event) -> str:
    """The event as one readable line in the active language (its actor and time are shown beside it)."""
    sentence = SENTENCES.get(event.verb)
    if sentence is None:
        return _unknown(event)
    return _render(sentence, event, Fields(event, sentence))


def _unknown(event) -> str:
    """A verb nobody registered (a test fails for it): a neutral line, never the code itself."""
    return gettext("Recorded a change")


def event_details(event) -> list[tuple[str, str]]:
    """The (label, value) pairs a person needs under the sentence: the keys the verb's registration names."""
    sentence = SENTENCES.get(event.verb)
    if sentence is None:
        return []
    fields = Fields(event, sentence)
    pairs = []
    for key in sentence.details:
        value = fields.raw.get(key)
        if key in NEVER_SHOWN or value in (None, "", [], {}):
            continue
        pairs.append((str(DETAIL_LABELS.get(key, key)), fields[key]))
    return pairs


# -- timelines: steps with their time limits folded in ------------------------------------------------------
FOLDED_PREFIX = "sla."
FOLD_WINDOW = timedelta(seconds=5)
STANDALONE = {"sla.overdue"}  # the sweep's, not a step's: a line of its own (merged with its batch)


@dataclass
class Step:
    event: object
    sentence: str
    actor: str
    at: datetime
    details: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # the time limits this step started or stopped

    @property
    def when(self) -> str:
        return format_time(self.at)


def _same_step(a, b, window: timedelta = FOLD_WINDOW) -> bool:
    return (a.subject_type_id == b.subject_type_id and a.subject_id == b.subject_id
            and a.actor_id == b.actor_id and abs(a.created_at - b.created_at) <= window)


def _neighbours(ordered: list, index: int, window: timedelta):
    """Indexes of the events within `window` of ordered[index], nearest first on each side."""
    at = ordered[index].created_at
    for other in range(index + 1, len(ordered)):
        if ordered[other].created_at - at > window:
            break
        yield other
    for other in range(index - 1, -1, -1):
        if at - ordered[other].created_at > window:
            break
        yield other


def timeline_steps(events: Iterable, *, fold_window: timedelta = FOLD_WINDOW) -> list[Step]:
    """`events` as steps to show, in the order given (oldest or newest first): each time-limit event recorded
    with a step of the same subject by the same person in the same moment is a note of that step; time-limit
    events of the same kind recorded together (a sweep marking many bills overdue) are one line."""
    events = prepare_events(events)
    if not events:
        return []
    newest_first = len(events) > 1 and (events[0].created_at, events[0].pk or 0) > \
        (events[-1].created_at, events[-1].pk or 0)
    ordered = sorted(events, key=lambda e: (e.created_at, e.pk or 0))
    host_of: dict[int, int] = {}
    for index, event in enumerate(ordered):
        if not event.verb.startswith(FOLDED_PREFIX) or event.verb in STANDALONE:
            continue
        # The step nearest in time on the same subject by the same person; on a tie the later one (a process
        # records the limits it starts or stops before its own step; only a ticket's receipt comes first).
        best = None
        for other in _neighbours(ordered, index, fold_window):
            host = ordered[other]
            if host.verb.startswith(FOLDED_PREFIX) or not _same_step(host, event, fold_window):
                continue
            rank = (abs(host.created_at - event.created_at), 0 if other > index else 1)
            if best is None or rank < best[0]:
                best = (rank, other)
        if best is not None:
            host_of[index] = best[1]
    steps: dict[int, Step] = {}
    shown: list[Step] = []
    for index, event in enumerate(ordered):
        if index in host_of:
            continue
        step = Step(event, event_sentence(event), person_name(event.actor) if event.actor_id else
                    str(_("System")), event.created_at, event_details(event))
        steps[index] = step
        shown.append(step)
    for index, host in host_of.items():
        steps[host].notes.append(sla_note(ordered[index]))
    shown = _merge_alike(shown, fold_window)
    if newest_first:
        shown.reverse()
    return shown


def _merge_alike(steps: list[Step], window: timedelta) -> list[Step]:
    """Consecutive system steps of one verb and one time limit recorded together become one line ("3 张账单逾期
    未缴：2026-09 物业费、…")."""
    merged: list[Step] = []
    for step in steps:
        last = merged[-1] if merged else None
        event = step.event
        if (last is not None and event.verb == "sla.overdue" and last.event.verb == event.verb
                and event.actor_id is None and last.event.actor_id is None
                and (last.event.data or {}).get("key") == (event.data or {}).get("key")
                and abs(event.created_at - last.event.created_at) <= window):
            last.group = [*getattr(last, "group", [last.event]), event]
            last.sentence = _overdue_group_sentence(last.group)
            continue
        merged.append(step)
    return merged


def _overdue_group_sentence(events: list) -> str:
    names = [Fields(e, SENTENCES.get(e.verb))["subject"] for e in events]
    names = [name for name in dict.fromkeys(names) if name]
    limit = term("key", (events[0].data or {}).get("key"))
    if names:
        return gettext("%(limit)s overdue (%(count)s): %(names)s") % {
            "limit": limit, "count": len(events), "names": "、".join(names)}
    return gettext("%(limit)s overdue (%(count)s)") % {"limit": limit, "count": len(events)}


def sla_note(event) -> str:
    """A time-limit event as a note inside its step (the same words as its own line)."""
    return event_sentence(event)


# -- the admin site's events (core's own) -------------------------------------------------------------------
def _model_of(event):
    from django.contrib.contenttypes.models import ContentType

    try:
        return ContentType.objects.get_for_id(event.subject_type_id).model_class()
    except ContentType.DoesNotExist:
        return None


def _field_names(model, names) -> list[str]:
    shown = []
    for name in names or []:
        label = None
        if model is not None:
            try:
                label = model._meta.get_field(name).verbose_name
            except Exception:  # a field since removed: its label if some app named it
                label = None
        label = label or DETAIL_LABELS.get(name)
        if label:
            shown.append(str(label))
    return shown


def admin_changed(event, fields) -> str:
    names = _field_names(_model_of(event), fields.raw.get("fields"))
    rows = sum(sum(counts.values()) for counts in (fields.raw.get("inlines") or {}).values()
               if isinstance(counts, dict))
    parts = []
    if names:
        parts.append("、".join(names))
    if rows:
        parts.append(gettext("%(count)s related rows") % {"count": rows})
    if not parts:
        return gettext("Changed in the admin site")
    return gettext("Changed in the admin site: %(changes)s") % {"changes": "；".join(parts)}


def admin_deleted(event, fields) -> str:
    from django.apps import apps

    try:
        kind = apps.get_model(fields.raw.get("model") or "")._meta.verbose_name
    except (LookupError, ValueError):
        kind = gettext("record")
    return gettext("Deleted in the admin site: %(kind)s %(object)s") % {"kind": kind, "object": fields["object"]}
