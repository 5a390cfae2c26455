"""The work-order side of `make bench`, run in its own process with Django set up on the bench database.

    python -m bench.tickets prepare   # bench staff, catalogue, ~1,000,000 tickets and their open clocks (once)
    python -m bench.tickets sweep     # time wuye.sla.engine.sweep() with exactly BENCH_SWEEP_CLOCKS clocks due
    python -m bench.tickets cleanup   # delete the tickets the HTTP benchmark created (POST /api/v1/tickets)

`bench.run` starts these with its environment (bench.settings, the bench database). Progress goes to stderr; the
last line on stdout is one JSON object with the results.

The tickets are written with COPY, not through the services: a year of a 100,000-unit project (created_at spread
over the 365 days before the generation, statuses by age, about 1 % still open) with one SLA clock per open ticket
(the limit its stage runs: dispatch, arrival, completion, return visit, assignment, handling, reply), in the state
the sweep would have left it (warned, breached and escalated as far as its ladder reached at generation time).
Generation is idempotent: it adds only what is missing (an interrupted run resumes).
"""

from __future__ import annotations

import copy
import json
import os
import random
import statistics
import sys
import time
from datetime import datetime, timedelta

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Exists, OuterRef  # noqa: E402
from django.utils import timezone  # noqa: E402

from wuye.core.access import Role  # noqa: E402
from wuye.core.bulk import insert_rows  # noqa: E402
from wuye.core.models import Event, Notification  # noqa: E402
from wuye.demo.builders import DEMO_PASSWORD  # noqa: E402
from wuye.people.models import StaffProfile  # noqa: E402
from wuye.sla import engine as sla  # noqa: E402
from wuye.sla.models import Clock, ClockState, Policy  # noqa: E402
from wuye.tenancy.models import Project, Unit  # noqa: E402
from wuye.workorders.catalogue import install_default_catalogue  # noqa: E402
from wuye.workorders.models import OPEN_STATUSES, Category, Kind, Status, Ticket, Urgency  # noqa: E402

PROJECT_CODE = "bench"
API_USER = "bench_kefu"  # customer service of the bench project: the HTTP create and inbox figures act as them
DESK_USER = "bench_qiantai"  # the front desk that "received" the generated tickets
STAFF = (
    # username, name, role, supervisor
    (API_USER, "压测客服", Role.CUSTOMER_SERVICE, True),
    (DESK_USER, "压测前台", Role.CUSTOMER_SERVICE, False),
    ("bench_gongcheng", "压测工程", Role.ENGINEERING, True),
    ("bench_jingli", "压测经理", Role.PROJECT_MANAGER, False),
)
CHUNK = 50_000
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name) or default)


def bench_project() -> Project:
    project = Project.objects.filter(code=PROJECT_CODE).order_by("id").first()
    if project is None:
        raise SystemExit("bench: the bench project is missing (seed_demo --scale first)")
    return project


# -- set-up -------------------------------------------------------------------------------------------------------

def ensure_staff(project: Project) -> dict[str, object]:
    users = {}
    password = make_password(DEMO_PASSWORD)
    for username, name, role, supervisor in STAFF:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            user = get_user_model().objects.create(username=username, first_name=name, password=password,
                                                   email=f"{username}@bench.wuye.local")
            profile = StaffProfile.objects.create(user=user, company=project.company, role=role,
                                                  is_supervisor=supervisor)
            profile.projects.set([project])
        users[username] = user
    return users


def generated_tickets(project: Project, api_user) -> int:
    return Ticket.objects.filter(project=project).exclude(reporter=api_user).count()


class Generator:
    """Deterministic rows for ticket number `n` (0-based) of `total`, created over the year before `anchor`."""

    KINDS = ((Kind.REPAIR, 60), (Kind.COMPLAINT, 15), (Kind.INQUIRY, 13), (Kind.SUGGESTION, 6), (Kind.PRAISE, 6))
    REPAIR_FLOW = (Status.NEW, Status.DISPATCHED, Status.ACCEPTED, Status.ON_SITE, Status.COMPLETED,
                   Status.CONFIRMED, Status.VISITED, Status.CLOSED)
    COMPLAINT_FLOW = (Status.NEW, Status.ASSIGNED, Status.RESOLVED, Status.REPLIED, Status.VISITED, Status.CLOSED)
    FEEDBACK_FLOW = (Status.NEW, Status.REPLIED, Status.CLOSED)

    def __init__(self, project, anchor: datetime, total: int, units: list[int], categories, users):
        self.project, self.anchor, self.total, self.units = project, anchor, total, units
        self.repair_categories = [c for c in categories if c.kind == Kind.REPAIR and c.parent_id]
        self.complaint_categories = [c for c in categories if c.kind == Kind.COMPLAINT]
        self.desk, self.engineer = users[DESK_USER].pk, users["bench_gongcheng"].pk
        self.kinds = [k for k, weight in self.KINDS for _ in range(weight)]
        self.span = timedelta(days=365)

    def progress_for(self, rng: random.Random, flow: tuple, age: timedelta) -> str:
        """How far along its flow a ticket of this age has come (most old tickets closed, ~1 % left open)."""
        if age < 2 * HOUR:
            reach = rng.choice((0, 0, 1, 1, 2))
        elif age < DAY:
            reach = rng.randrange(0, len(flow))
        elif age < 3 * DAY:
            reach = len(flow) - 1 if rng.random() < 0.6 else rng.randrange(1, len(flow))
        elif age < 7 * DAY:
            reach = len(flow) - 1 if rng.random() < 0.9 else rng.randrange(1, len(flow))
        else:
            reach = len(flow) - 1 if rng.random() < 0.995 else rng.randrange(1, len(flow))
        return flow[min(reach, len(flow) - 1)]

    def row(self, n: int) -> dict:
        rng = random.Random(n * 7919 + 17)
        created = self.anchor - self.span + self.span * (n + rng.random()) / self.total
        age = self.anchor - created
        kind = self.kinds[n % len(self.kinds)] if rng.random() < 0.5 else rng.choice(self.kinds)
        row = {"project_id": self.project.pk, "kind": kind, "created_at": created, "updated_at": created,
               "first_receiver_id": self.desk, "reporter_id": self.desk, "version": 1,
               "channel": rng.choice(("phone", "phone", "front_desk", "portal", "email"))}
        category = None
        if kind == Kind.REPAIR:
            category = rng.choice(self.repair_categories)
            row["urgency"] = Urgency.EMERGENCY if rng.random() < 0.1 else Urgency.GENERAL
            row["responsible_role"] = Role.ENGINEERING
            row["description"] = f"{category.name}：住户来电报修"
            flow = self.REPAIR_FLOW
        elif kind == Kind.COMPLAINT:
            category = rng.choice(self.complaint_categories)
            row["urgency"] = rng.choice((Urgency.URGENT, Urgency.IMPORTANT, Urgency.GENERAL, Urgency.GENERAL))
            row["responsible_role"] = category.responsible_role or Role.CUSTOMER_SERVICE
            row["description"] = f"{category.name}：业主投诉"
            flow = self.COMPLAINT_FLOW
        else:
            row["responsible_role"] = Role.CUSTOMER_SERVICE
            row["description"] = {"inquiry": "物业费缴纳方式咨询", "suggestion": "建议增加充电桩",
                                  "praise": "表扬维修师傅"}[kind]
            flow = self.FEEDBACK_FLOW
        row["category_id"] = category.pk if category else None
        row["unit_id"] = rng.choice(self.units)
        status = self.progress_for(rng, flow, age)
        if age > 2 * HOUR and status != Status.CLOSED and rng.random() < 0.04:
            status = Status.CANCELLED
        if kind == Kind.REPAIR and status in (Status.ACCEPTED, Status.ON_SITE) and rng.random() < 0.15:
            row["paused_from"], status = status, Status.PAUSED
        row["status"] = status
        if kind == Kind.REPAIR and status not in (Status.NEW, Status.CANCELLED):
            row["assignee_id"] = self.engineer
        if status in (Status.CLOSED, Status.CANCELLED):
            row["closed_at"] = row["updated_at"] = min(created + timedelta(hours=rng.uniform(1, 60)), self.anchor)
        if status == Status.CANCELLED:
            row["cancel_reason"] = "重复登记"
        if status in (Status.VISITED, Status.CLOSED) and kind in (Kind.REPAIR, Kind.COMPLAINT):
            row["satisfaction"] = rng.choices((1, 2, 3, 4, 5), weights=(2, 4, 10, 30, 54))[0]
        return row

    # one open clock per open repair or complaint, at the stage its status says
    STAGE = {
        Status.NEW: ("{repair}.dispatch", "complaint.assign"), Status.DISPATCHED: ("{repair}.arrive", None),
        Status.ACCEPTED: ("{repair}.arrive", None), Status.ON_SITE: ("{repair}.complete", None),
        Status.PAUSED: ("{repair}.complete", None), Status.COMPLETED: ("repair.return_visit", None),
        Status.CONFIRMED: ("repair.return_visit", None), Status.ASSIGNED: (None, "{complaint}.handle"),
        Status.PENDING_APPROVAL: (None, "{complaint}.handle"), Status.RESOLVED: (None, "complaint.reply"),
        Status.REPLIED: (None, "complaint.return_visit"),
    }


def clock_for(ticket_id, kind, status, urgency, created, assignee_id, anchor, policies, rng) -> dict | None:
    if kind in (Kind.REPAIR, Kind.COMPLAINT):
        keys = Generator.STAGE.get(status) or (None, None)
        template = keys[0] if kind == Kind.REPAIR else keys[1]
    else:  # inquiries, suggestions, praise: a reply clock while new (when the standard has one)
        template = "feedback.reply" if status == Status.NEW else None
    if template is None:
        return None
    key = template.format(repair=f"repair.{urgency}", complaint=f"complaint.{urgency}")
    policy = policies.get(key)
    if policy is None:
        return None
    age = anchor - created
    started = created + min(age * rng.uniform(0.05, 0.6), rng.uniform(5, 600) * MINUTE)
    target = policy.target * (3 if policy.measure == "working" else 1)  # working time, roughly, in calendar time
    due, warn = started + target, started + target * policy.warn_percent / 100
    clock = {"subject_id": ticket_id, "policy_id": policy.pk, "key": key, "state": ClockState.RUNNING,
             "started_at": started, "due_at": due, "warn_at": warn, "escalation_level": 0, "version": 1,
             "assignee_id": assignee_id if key.startswith("repair.") and not key.endswith(".dispatch") else None}
    if status == Status.PAUSED:
        clock.update(state=ClockState.PAUSED, paused_at=started + (anchor - started) / 2,
                     remaining_at_pause=max(due - anchor, timedelta(0)), next_check_at=None)
        return clock
    # As the sweep would have left it by `anchor`: warned, breached, escalated through the rungs that came.
    if anchor < warn:
        clock["next_check_at"] = warn
        return clock
    clock["warned_at"] = warn
    if anchor < due:
        clock["next_check_at"] = due
        return clock
    clock["breached_at"] = due
    level, next_check = 0, None
    for rung in policy.escalation:
        moment = due + timedelta(minutes=rung.get("after_minutes", 0))
        if moment > anchor:
            next_check = moment
            break
        level += 1
    clock.update(escalation_level=level, next_check_at=next_check)
    return clock


def prepare() -> dict:
    if connection.vendor != "postgresql":
        raise SystemExit("bench: the ticket benchmarks need PostgreSQL")
    target = env_int("BENCH_TICKETS", 1_000_000)
    project = bench_project()
    install_default_catalogue(project)
    users = ensure_staff(project)
    cleaned = cleanup()["deleted_tickets"]
    present = generated_tickets(project, users[API_USER])
    result = {"tickets_target": target, "tickets_present": present, "generated": 0, "generation_seconds": None,
              "cleaned_up": cleaned}
    started = time.monotonic()
    if present < target:
        units = list(Unit.objects.filter(project=project).order_by("id").values_list("id", flat=True))
        categories = list(Category.objects.filter(project=project))
        anchor_row = Ticket.objects.filter(project=project, reporter=users[DESK_USER]).order_by("id").first()
        # Resuming: keep the year of the first generation so the rows line up with what is there.
        anchor = (anchor_row.created_at + timedelta(days=365)) if anchor_row is not None else timezone.now()
        generator = Generator(project, anchor, target, units, categories, users)
        log(f"generating {target - present:,} tickets in the bench project ({present:,} present), COPY in chunks of "
            f"{CHUNK:,}")
        for begin in range(present, target, CHUNK):
            end = min(begin + CHUNK, target)
            with transaction.atomic():
                insert_rows(Ticket, (generator.row(n) for n in range(begin, end)))
            elapsed = time.monotonic() - started
            log(f"  tickets {end:,}/{target:,} ({(end - present) / elapsed:,.0f}/s, {elapsed:.0f} s)")
        result["generated"] = target - present
        result["anchor"] = anchor.isoformat()
    with transaction.atomic():
        result["clocks_generated"] = generate_clocks(project, users)
    if result["generated"] or result["clocks_generated"]:
        with connection.cursor() as cursor:  # statistics for the later generators' joins (bench/kpis.py)
            cursor.execute(f"ANALYZE {Ticket._meta.db_table}, {Clock._meta.db_table}")
        result["generation_seconds"] = round(time.monotonic() - started, 1)
        log(f"generated {result['generated']:,} tickets and {result['clocks_generated']:,} clocks in "
            f"{result['generation_seconds']:.1f} s")
    result["tickets_present"] = generated_tickets(project, users[API_USER])
    result["open_tickets"] = Ticket.objects.filter(project=project, status__in=OPEN_STATUSES).count()
    result["open_clocks"] = Clock.objects.filter(project=project).open().count()
    result["api_user"] = API_USER
    result["project_id"] = project.pk
    sample = list(Unit.objects.filter(project=project).order_by("id").values_list("id", flat=True)[::100][:1000])
    result["units_sample"] = sample
    result["repair_categories"] = list(Category.objects.filter(
        project=project, kind=Kind.REPAIR, parent__isnull=False).order_by("id").values_list("id", flat=True))
    result["statements_per_create"] = statements_per_create(users[API_USER], sample[0], result["repair_categories"][0])
    return result


def statements_per_create(user, unit_id: int, category_id: int) -> int:
    """SQL statements of one POST /api/v1/tickets as the HTTP benchmark sends it, counted on the second of two
    (the first fills the process's caches, as a running server's have been), in this process with Django's test
    client and a token issued for the purpose (revoked after). BEGIN/COMMIT are not counted."""
    import json as json_module

    from django.conf import settings
    from django.db import connection as db
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wuye.core.tokens import issue_token, revoke_token

    token, raw = issue_token(user)
    client = Client(HTTP_HOST=settings.ALLOWED_HOSTS[0])
    body = json_module.dumps({"kind": "repair", "urgency": "general", "channel": "phone", "unit_id": unit_id,
                              "category_id": category_id, "description": "压测报修：语句计数",
                              "contact_name": "压测业主", "contact_phone": "13800138000"})
    try:
        for _ in range(2):
            with CaptureQueriesContext(db) as queries:
                answer = client.post("/api/v1/tickets", body, content_type="application/json",
                                     HTTP_AUTHORIZATION=f"Bearer {raw}")
            if answer.status_code != 201:
                raise SystemExit(f"bench: POST /api/v1/tickets answered {answer.status_code}: {answer.content[:300]!r}")
    finally:
        revoke_token(token)
    log(f"statements per ticket create: {len(queries)}")
    return len(queries)


def generate_clocks(project: Project, users) -> int:
    """A clock for each open ticket of the generated ones that has none yet (the one its stage runs)."""
    ticket_type = ContentType.objects.get_for_model(Ticket)
    standard = sla.standard_for(project)
    policies = {p.key: p for p in Policy.objects.filter(standard=standard)}
    # NOT EXISTS, an anti-join: `NOT IN (subquery)` over the ~3 million clocks the KPI generator adds does not fit
    # work_mem as a hash, and PostgreSQL then scans the subquery once per open ticket (a rerun hung for minutes).
    with_clock = Clock.objects.filter(subject_type=ticket_type, project=project, subject_id=OuterRef("pk"))
    open_tickets = (Ticket.objects.filter(project=project, reporter=users[DESK_USER], status__in=OPEN_STATUSES)
                    .filter(~Exists(with_clock)).order_by("id")
                    .values_list("id", "kind", "status", "urgency", "created_at", "assignee_id"))
    anchor = Ticket.objects.filter(project=project, reporter=users[DESK_USER]).order_by("-id").values_list(
        "created_at", flat=True).first()
    if anchor is None:
        return 0
    anchor += HOUR  # the generation's moment: just after its newest ticket
    rows = []
    for ticket_id, kind, status, urgency, created, assignee in open_tickets.iterator(chunk_size=5000):
        rng = random.Random(ticket_id)
        clock = clock_for(ticket_id, kind, status, urgency, created, assignee, anchor, policies, rng)
        if clock is not None:
            clock.update(subject_type_id=ticket_type.pk, project_id=project.pk)
            rows.append(clock)
    insert_rows(Clock, rows)
    return len(rows)


# -- the sweep ------------------------------------------------------------------------------------------------------

def settle_others(now: datetime, keep: list[int]) -> int:
    """Fast-forward every other clock due by `now`, as if the scheduler's sweep had kept up since the last run:
    warned, breached and escalated to the top of its ladder, nothing left to check. (A bench database sits unused
    between runs; without this, the clocks that came due meanwhile would be swept in the measurement.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE sla_clock c SET
                   warned_at = COALESCE(c.warned_at, c.warn_at),
                   breached_at = CASE WHEN c.due_at <= %(now)s THEN COALESCE(c.breached_at, c.due_at)
                                      ELSE c.breached_at END,
                   escalation_level = CASE WHEN c.due_at <= %(now)s THEN jsonb_array_length(p.escalation)
                                           ELSE c.escalation_level END,
                   next_check_at = CASE WHEN c.due_at > %(now)s THEN c.due_at END,
                   version = c.version + 1
               FROM sla_policy p
               WHERE p.id = c.policy_id AND c.next_check_at <= %(now)s AND NOT (c.id = ANY(%(keep)s))""",
            {"now": now, "keep": keep})
        return cursor.rowcount


def reset_due(clocks: list[Clock], now: datetime, engineer) -> None:
    """Make `clocks` due again: half at their warning point (warn), half just past the deadline (warn, breach,
    first escalation rung); the messages and events of the previous measurement are deleted."""
    clock_type, ticket_type = ContentType.objects.get_for_model(Clock), ContentType.objects.get_for_model(Ticket)
    ids = [c.pk for c in clocks]
    Notification.objects.filter(source_type=clock_type, source_id__in=ids).delete()
    Event.objects.filter(subject_type=ticket_type, subject_id__in=[c.subject_id for c in clocks],
                         verb="sla.overdue").delete()
    for index, clock in enumerate(clocks):
        overdue = index % 2 == 1
        clock.state = ClockState.RUNNING
        clock.started_at = now - 4 * HOUR
        clock.warn_at = now - (50 if overdue else 5) * MINUTE
        clock.due_at = now - 2 * MINUTE if overdue else now + 55 * MINUTE
        clock.warned_at = clock.breached_at = clock.paused_at = clock.remaining_at_pause = None
        clock.escalation_level = 0
        clock.next_check_at = clock.warn_at
        clock.assignee = engineer if clock.key.startswith("repair.") and index % 4 < 2 else None
        clock.version += 1
    Clock.objects.bulk_update(clocks, ["state", "started_at", "warn_at", "due_at", "warned_at", "breached_at",
                                       "paused_at", "remaining_at_pause", "escalation_level", "next_check_at",
                                       "assignee", "version"], batch_size=1000)


def _time_sweeps(chosen: list[Clock], engineer, repeats: int, label: str) -> dict:
    """Make exactly `chosen` due (every other clock settled), sweep, repeat; the median of the timed runs (the
    first is a warm-up: imports, content types, the connection)."""
    count, ids = len(chosen), [c.pk for c in chosen]
    runs = []
    for number in range(repeats + 1):
        now = timezone.now()
        with transaction.atomic():
            settled = settle_others(now, ids)
            reset_due(chosen, now, engineer)
        due = Clock.objects.due_for_check(now).count()
        if due != count:
            raise SystemExit(f"bench: {due} clocks due, {count} arranged")
        began = time.perf_counter()
        result = sla.sweep(now=now, limit=max(5000, count))  # every due clock in one call, as for 1,000
        seconds = time.perf_counter() - began
        written = Notification.objects.filter(source_type=ContentType.objects.get_for_model(Clock),
                                              source_id__in=ids).count()
        run = {"seconds": round(seconds, 4), "due": due, "warned": len(result.warned),
               "breached": len(result.breached), "escalated": len(result.escalated), "notifications": written,
               "settled_others": settled}
        log(f"  {label} {'warm-up' if number == 0 else f'{number}/{repeats}'}: {count} due → {seconds:.3f} s "
            f"({run['warned']} warned, {run['breached']} breached, {run['escalated']} escalated, "
            f"{written} messages)")
        if number:
            runs.append(run)
        chosen = list(Clock.objects.filter(pk__in=ids).order_by("id"))
    return {"seconds": round(statistics.median(r["seconds"] for r in runs), 4), "clocks": count, "runs": runs}


def measure_sweep() -> dict:
    """The sweep with BENCH_SWEEP_CLOCKS due (the desk's tickets' clocks), then with BENCH_SWEEP10K_CLOCKS due
    (10,000 on the full bench: running clocks of the project's tickets among the million's) → `sweep10k`."""
    count = env_int("BENCH_SWEEP_CLOCKS", 1000)
    repeats = env_int("BENCH_SWEEP_REPEATS", 3)
    project = bench_project()
    engineer = get_user_model().objects.get(username="bench_gongcheng")
    ticket_type = ContentType.objects.get_for_model(Ticket)
    running = Clock.objects.filter(project=project, subject_type=ticket_type, state=ClockState.RUNNING)
    chosen = list(running.filter(subject_id__in=Ticket.objects.filter(reporter__username=DESK_USER)
                                 .values("pk")).order_by("id")[:count])
    if len(chosen) < count:
        raise SystemExit(f"bench: only {len(chosen)} running clocks to sweep, {count} wanted")
    measured = _time_sweeps(chosen, engineer, repeats, "sla sweep")
    wide = env_int("BENCH_SWEEP10K_CLOCKS", 10_000)
    chosen = list(running.order_by("id")[:wide])
    # The million's tickets hold only some thousands of open clocks: the rest are decided clocks of tickets with no
    # open clock of that key (one per ticket and key), lent for the measurement and put back as they were.
    lent = list(Clock.objects.raw(
        """SELECT DISTINCT ON (c.subject_id, c.key) c.* FROM sla_clock c
           WHERE c.project_id = %s AND c.subject_type_id = %s AND c.state NOT IN ('running', 'paused')
             AND NOT EXISTS (SELECT 1 FROM sla_clock o WHERE o.subject_type_id = c.subject_type_id
                             AND o.subject_id = c.subject_id AND o.key = c.key AND o.state IN ('running', 'paused'))
           ORDER BY c.subject_id DESC, c.key, c.id DESC LIMIT %s""",
        [project.pk, ticket_type.pk, max(0, wide - len(chosen))]))
    chosen += lent
    lent = [copy.copy(clock) for clock in lent]  # as they were: reset_due changes the instances it is given
    if len(chosen) < wide:
        raise SystemExit(f"bench: only {len(chosen)} clocks to sweep, {wide} wanted (BENCH_SWEEP10K_CLOCKS)")
    try:
        measured["sweep10k"] = _time_sweeps(chosen, engineer, repeats, "sla sweep (10k)")
        measured["sweep10k"]["lent_decided_clocks"] = len(lent)
    finally:
        if lent:
            clock_type = ContentType.objects.get_for_model(Clock)
            Notification.objects.filter(source_type=clock_type, source_id__in=[c.pk for c in lent]).delete()
            Clock.objects.bulk_update(lent, [field.attname for field in Clock._meta.concrete_fields
                                             if not field.primary_key], batch_size=1000)
    return measured


# -- cleaning up after the HTTP benchmark ----------------------------------------------------------------------------

def cleanup() -> dict:
    """Delete the tickets POST /api/v1/tickets created as the API user, with their clocks, events and messages."""
    project = Project.objects.filter(code=PROJECT_CODE).order_by("id").first()
    api_user = get_user_model().objects.filter(username=API_USER).first()
    if project is None or api_user is None:
        return {"deleted_tickets": 0}
    ticket_type = ContentType.objects.get_for_model(Ticket)
    created = Ticket.objects.filter(project=project, reporter=api_user)
    ids = list(created.values_list("id", flat=True))
    if not ids:
        return {"deleted_tickets": 0}
    with transaction.atomic():
        Notification.objects.filter(source_type=ticket_type, source_id__in=ids).delete()
        Event.objects.filter(subject_type=ticket_type, subject_id__in=ids).delete()
        Clock.objects.filter(subject_type=ticket_type, subject_id__in=ids).delete()
        Ticket.objects.filter(pk__in=ids).delete()  # the ORM follows whatever else points at a ticket
    log(f"deleted the {len(ids):,} tickets the HTTP benchmark created (with their clocks, events and messages)")
    return {"deleted_tickets": len(ids)}


def main(argv: list[str]) -> int:
    commands = {"prepare": prepare, "sweep": measure_sweep, "cleanup": cleanup}
    if len(argv) != 2 or argv[1] not in commands:
        print(f"usage: python -m bench.tickets {{{'|'.join(commands)}}}", file=sys.stderr)
        return 2
    result = commands[argv[1]]()
    print(json.dumps(result, default=str), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
