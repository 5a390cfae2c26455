"""Records a person can read (issue 11): every event kind recorded anywhere in wuye/ has a sentence, and each reads
as Chinese prose — no raw codes, dotted verbs, ISO timestamps, MIME types, Latin slugs, demo logins or unformatted
money — with the example its registration carries and with the real events of a demo company. A time limit shows
inside the step that started or stopped it, and a page of events resolves its names in a fixed number of queries.
"""

from __future__ import annotations

import ast
import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver
from django.utils import timezone, translation

from wuye.core import sentences
from wuye.core.models import Event
from wuye.core.money import format_money
from wuye.core.sentences import MONEY_KEYS, SENTENCES, event_details, event_sentence, prepare_events, timeline_steps
from wuye.demo.builders import LOGINS

WUYE = Path(__file__).resolve().parents[2]
LOGIN_NAMES = [username for username, _what in LOGINS]

ISO_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
DOTTED = re.compile(r"\b[a-z_]+\.[a-z_]+\b")  # billing.payment, ticket.dispatch
SLUG = re.compile(r"\b[a-z]+(?:[-_][a-z0-9]+)+\b")  # paid-service, per_m2_month
LATIN_WORD = re.compile(r"\b[a-z]{3,}\b")  # an untranslated code (cash, owner, reopened) in a Chinese line
LOGIN = re.compile(r"\b(" + "|".join(map(re.escape, LOGIN_NAMES)) + r")\b")
BARE_MONEY = re.compile(r"(?<![¥,\d.])\d{4,}\.\d{2}(?!\d)")  # 440932.92, not ¥440,932.92
CJK = re.compile(r"[\u4e00-\u9fff]")


def _ensure_registered():
    """Some faces register when their module loads (the URLconf imports them): load it, as a request would."""
    get_resolver().url_patterns  # noqa: B018


def recorded_verbs() -> dict[str, str]:
    """Every verb passed to record_event / compose_event in wuye/ (not tests), read from the source: constants,
    `a if c else b`, module constants, and the few built from a name (each listed here with what it expands to)."""
    from wuye.workorders.catalogue import _save  # noqa: F401  (the catalogue's kinds below are its callers')
    from wuye.workorders.services import HANDLERS

    dynamic = {
        "f'ticket.{action}'": [f"ticket.{action}" for action in HANDLERS],
        "f\"catalogue.{kind}_{('created' if created else 'changed')}\"": [
            f"catalogue.{kind}_{what}" for kind in ("category", "price_item", "warranty_term")
            for what in ("created", "changed")],
    }
    found: dict[str, str] = {}
    unknown = []
    for path in WUYE.rglob("*.py"):
        if {"tests", "migrations"} & set(path.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                pairs = []
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        pairs.append((target, node.value))
                    elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        pairs += list(zip(target.elts, node.value.elts, strict=False))
                for target, value in pairs:
                    if isinstance(target, ast.Name) and isinstance(value, ast.Constant) \
                            and isinstance(value.value, str):
                        constants.setdefault(target.id, []).append(value.value)

        def verbs(node, constants=constants):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                return [node.value]
            if isinstance(node, ast.IfExp):
                body, orelse = verbs(node.body), verbs(node.orelse)
                return None if body is None or orelse is None else body + orelse
            if isinstance(node, ast.Name) and node.id in constants:
                return [v for v in constants[node.id] if "." in v]
            return dynamic.get(ast.unparse(node))

        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or len(node.args) < 2:
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in ("record_event", "compose_event"):
                continue
            found_verbs = verbs(node.args[1])
            if not found_verbs:
                unknown.append(f"{path.relative_to(WUYE)}:{node.lineno} {ast.unparse(node.args[1])}")
            for verb in found_verbs or ():
                found.setdefault(verb, f"{path.relative_to(WUYE)}:{node.lineno}")
    # A verb in a variable passed on (the admin's `verb`, the people import's `verb`) comes from the constants
    # above; anything else must be listed in `dynamic` so the test knows what it records.
    unknown = [line for line in unknown if not line.endswith((" verb",))]
    assert not unknown, f"verbs this test cannot read; add them to `dynamic`: {unknown}"
    return found


def problems_in(text: str, example: dict | None = None) -> list[str]:
    found = []
    for name, pattern in (("ISO time", ISO_TIME), ("dotted code", DOTTED), ("slug", SLUG), ("login", LOGIN),
                          ("bare money", BARE_MONEY), ("Latin word", LATIN_WORD)):
        match = pattern.search(text)
        if match:
            found.append(f"{name} {match.group(0)!r}")
    if "image/" in text:
        found.append("MIME type")
    for key, value in (example or {}).items():
        bare = re.compile(rf"(?<![\d,.¥]){re.escape(str(value))}(?!\d)")
        shown = text.replace(format_money(value), "") if key in MONEY_KEYS and isinstance(value, str) else ""
        if value and bare.search(shown):
            found.append(f"money {value} not as yuan")
    return found


def _event(verb, data, *, subject, actor=None, at=None):
    event = Event(verb=verb, data=data, actor=actor, subject_type=ContentType.objects.get_for_model(subject),
                  subject_id=subject.pk, created_at=at or timezone.now())
    return event


def test_every_recorded_verb_has_a_sentence_of_its_own():
    _ensure_registered()
    missing = {verb: where for verb, where in recorded_verbs().items()
               if verb not in SENTENCES or SENTENCES[verb].label_only}
    assert not missing, ("These verbs are recorded but have no sentence (wuye.core.sentences.register_sentence, "
                         f"with an example): {missing}")


@pytest.mark.django_db
def test_every_registered_sentence_reads_as_chinese_prose(world):
    _ensure_registered()
    actor = world.user("gongcheng")
    bad = {}
    with translation.override("zh-hans"):
        for verb, sentence in sorted(SENTENCES.items()):
            event = _event(verb, sentence.example, subject=world.project1, actor=actor)
            prepare_events([event])
            text = event_sentence(event)
            details = " ".join(f"{label} {value}" for label, value in event_details(event))
            problems = problems_in(f"{text} {details}", sentence.example)
            if not CJK.search(text):
                problems.append("not in Chinese (is its translation in the PO fragment?)")
            if problems:
                bad[verb] = (text, details, problems)
    assert not bad, "\n".join(f"{verb}: {text} | {details} → {problems}"
                              for verb, (text, details, problems) in bad.items())


def test_the_formatters_read_as_people_write():
    with translation.override("zh-hans"):
        assert sentences.format_time("2026-12-03T17:00+08:00").endswith("12-03 17:00")
        assert sentences.format_time("2026-12-03T09:00:00+00:00").endswith("12-03 17:00")  # Asia/Shanghai
        assert sentences.format_overrun(-960, "working") == "提前 16 小时（工作时间）"
        assert sentences.format_overrun(125.4, "calendar").startswith("超时 2 小时 5 分")
        assert sentences.format_overrun(125.4, "calendar").endswith("（自然时间）")
        assert sentences.format_overrun(3000, "calendar").startswith("超时 2 天")
        assert sentences.format_overrun(3000, "working") == "超时 50 小时（工作时间）"  # working hours stay hours


@pytest.mark.django_db
def test_a_time_limit_shows_inside_the_step_that_started_or_stopped_it(world):
    from wuye.people.access import actor_for
    from wuye.workorders.services import ActionInput, perform

    # Fixed moments (the test once read the wall clock: received and dispatched in the same instant, the "early"
    # note depended on how many milliseconds lay between them): received 10:00, dispatched 10:02 of a 5-minute limit.
    received = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(received, tick=False):
        ticket = world.ticket(world.project1, urgency="emergency")
    kefu, gongcheng = actor_for(world.user("kefu")), world.user("gongcheng")
    with time_machine.travel(received + timedelta(minutes=2), tick=False):
        perform(kefu, ticket, "dispatch", ActionInput(assignee=gongcheng))
    with translation.override("zh-hans"):
        steps = timeline_steps(Event.objects.for_subject(ticket).select_related("actor"))
    verbs = [step.event.verb for step in steps]
    assert not [verb for verb in verbs if verb.startswith("sla.")], verbs  # no time limit on a line of its own
    created, dispatched = steps
    assert any("前" in note for note in created.notes)  # the dispatch limit started on receipt: "…，12-03 17:00 前"
    assert any("按时完成" in note and "提前" in note for note in dispatched.notes), dispatched.notes
    assert len([note for note in dispatched.notes if note.endswith("前")]) == 2  # on site and done limits started
    name = gongcheng.get_full_name()
    assert name and name in dispatched.sentence and "gongcheng" not in dispatched.sentence


@pytest.mark.django_db
def test_bills_falling_overdue_together_read_as_one_line_naming_them(world):
    from wuye.billing.dunning import PAYMENT_DEADLINE
    from wuye.billing.models import Bill
    from wuye.tenancy.models import Unit

    unit = Unit.objects.filter(project=world.project1).first()
    bills = [world.bill(unit, period=timezone.localdate().replace(day=1, month=month)) for month in (9, 10, 11)]
    at = timezone.now()
    events = [_event("sla.overdue", {"key": PAYMENT_DEADLINE}, subject=bill, at=at) for bill in bills]
    for index, event in enumerate(events):
        event.pk = index + 1
    with translation.override("zh-hans"):
        steps = timeline_steps(events)
    assert len(steps) == 1
    line = steps[0].sentence
    assert "billing." not in line and "3" in line
    for bill in Bill.objects.filter(pk__in=[b.pk for b in bills]).select_related("item"):
        assert f"{bill.period:%Y-%m} {bill.item.name}" in line


@pytest.mark.django_db
def test_a_page_of_events_resolves_names_in_a_fixed_number_of_queries(world):
    from wuye.people.access import actor_for
    from wuye.workorders.services import ActionInput, perform

    kefu = actor_for(world.user("kefu"))
    engineers = [world.user("gongcheng"), world.user("admin")]

    def events_of(count):
        tickets = [world.ticket(world.project1) for _ in range(count)]
        for ticket in tickets:
            perform(kefu, ticket, "dispatch", ActionInput(assignee=engineers[0]))
        return list(Event.objects.filter(subject_id__in=[t.pk for t in tickets],
                                         subject_type=ContentType.objects.get_for_model(tickets[0]))
                    .select_related("actor"))

    def queries(events):
        for event in events:
            event.__dict__.pop("name_book", None)
        with CaptureQueriesContext(connection) as captured:
            for step in timeline_steps(events):
                str(step.sentence), list(step.notes)
        return len(captured)

    few, many = events_of(1), events_of(10)
    assert len(many) > 40
    assert queries(many) == queries(few) <= 4


@pytest.mark.django_db
def test_the_events_of_a_played_demo_read_as_chinese_prose(world):
    """Real events: the demo's tickets played through the services, then months of fees, payments and arrears."""
    from wuye.demo.billing import build_demo_billing
    from wuye.demo.tickets import build_demo_tickets

    build_demo_tickets(world.company, count=40)
    build_demo_billing(world.company)
    _ensure_registered()
    events = list(Event.objects.select_related("actor").order_by("created_at", "id"))
    unknown = sorted({event.verb for event in events} - set(SENTENCES))
    assert not unknown, unknown
    bad = []
    with translation.override("zh-hans"):
        for step in timeline_steps(events):
            text = " ".join([step.sentence, *step.notes, *(f"{label} {value}" for label, value in step.details)])
            problems = problems_in(text)
            if problems:
                bad.append(f"{step.event.verb}: {text} → {problems}")
    assert not bad, "\n".join(bad[:30])


def test_an_unregistered_verb_never_shows_its_code():
    event = Event(verb="something.new", data={"flag": True}, subject_type_id=1, subject_id=1,
                  created_at=timezone.now() - timedelta(minutes=1))
    event.name_book = sentences.NameBook()
    assert "something" not in event_sentence(event)


@pytest.mark.django_db
def test_older_events_that_stored_logins_show_names(world):
    user = get_user_model().objects.get(username="gongcheng")
    event = _event("ticket.reassign", {"from": "gongcheng", "to": "admin", "reason": "请假"},
                   subject=world.project1)
    with translation.override("zh-hans"):
        text = event_sentence(prepare_events([event])[0])
    assert user.get_full_name() in text and "gongcheng" not in text


@pytest.mark.django_db
def test_an_accounts_timeline_names_its_overdue_bills_once_not_a_clock_code_per_bill(world, login):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.urls import reverse

    from wuye.sla.engine import sweep
    from wuye.tenancy.models import Unit

    unit = Unit.objects.filter(project=world.project1).first()
    for month in (8, 9, 10):
        world.bill(unit, period=timezone.localdate().replace(year=2026, month=month, day=1))
    sweep(now=datetime(2026, 12, 20, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")))  # past the first rung (30 days)
    client = login("caiwu")
    client.cookies["django_language"] = "zh-hans"
    html = client.get(reverse("billing:unit_account", args=[unit.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    timeline = html[html.index('class="timeline"'):]
    assert "billing." not in timeline and "时限计时" not in timeline
    assert timeline.count("缴费期限已过") == 1  # one line for the bills that fell overdue together …
    for month in ("2026-08", "2026-09", "2026-10"):
        assert month in timeline  # … naming each bill by its period and item
