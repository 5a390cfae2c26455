"""`POST /bench/floor/tickets`: the floor of the ticket create (issue 16) — what a create must do at the least.

It checks the bearer token as the API does (the same token table, the same hash, active and unexpired, its user
active), then writes the rows a create writes — the ticket, its first SLA clock, its two events — in one
transaction with hand-written INSERTs (`connection.cursor()`), and answers 201 with the ticket's id and deadline.
No scope, validation, policy lookup or serialisation: the policy and content type are read once per process.
Bench only (bench.urls); the body is the create's (`unit_id`, `description`, `contact_phone`, ...)."""

import json
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from wuye.core.models import Event, _hash_token
from wuye.sla.models import Clock, Policy
from wuye.workorders.models import Ticket

_PROCESS: dict = {}


def _policy(project_id: int) -> tuple[int, str, timedelta, int]:
    if project_id not in _PROCESS:  # the create's policy for the bench's general repair, read once per process
        _PROCESS[project_id] = Policy.objects.filter(key="repair.general.dispatch", standard__code="spec-default") \
            .values_list("id", "key", "target", "warn_percent").first()
    return _PROCESS[project_id]


@csrf_exempt
def floor_ticket(request):
    header = request.headers.get("Authorization", "")
    if request.method != "POST" or not header.startswith("Bearer "):
        return JsonResponse({"detail": "unauthorized"}, status=401)
    now = timezone.now()
    payload = json.loads(request.body)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT u.id FROM core_apitoken t JOIN auth_user u ON u.id = t.user_id"
                       " WHERE t.key_hash = %s AND (t.expires_at IS NULL OR t.expires_at > %s) AND u.is_active",
                       [_hash_token(header[7:]), now])
        row = cursor.fetchone()
        if row is None:
            return JsonResponse({"detail": "unauthorized"}, status=401)
        user_id = row[0]
        cursor.execute("SELECT project_id FROM tenancy_unit WHERE id = %s", [payload["unit_id"]])
        project_id = cursor.fetchone()[0]
        policy_id, key, target, warn_percent = _policy(project_id)
        type_id = _ticket_type()
        due_at, warn_at = now + target, now + target * warn_percent / 100
        ticket = _insert(cursor, Ticket(
            project_id=project_id, kind="repair", status="new", channel="phone", unit_id=payload["unit_id"],
            category_id=payload.get("category_id"), urgency="general", description=payload["description"],
            contact_name=payload.get("contact_name", ""), contact_phone=payload.get("contact_phone", ""),
            classified_at=now, reporter_id=user_id, first_receiver_id=user_id, responsible_role="engineering",
            created_at=now, updated_at=now))
        _insert(cursor, Clock(subject_type_id=type_id, subject_id=ticket, project_id=project_id, policy_id=policy_id,
                              key=key, state="running", started_at=now, due_at=due_at, warn_at=warn_at,
                              next_check_at=warn_at), returning=False)
        _insert(cursor, Event(created_at=now, actor_id=user_id, subject_type_id=type_id, subject_id=ticket,
                              project_id=project_id, verb="ticket.created", data={"kind": "repair"}),
                Event(created_at=now, actor_id=user_id, subject_type_id=type_id, subject_id=ticket,
                      project_id=project_id, verb="sla.started", data={"key": key}), returning=False)
        ticket_id = ticket
    return JsonResponse({"id": ticket_id, "status": "new", "due_at": due_at.isoformat()}, status=201)


def _ticket_type() -> int:
    return ContentType.objects.get_for_model(Ticket).pk  # cached per process by Django


def _insert(cursor, *rows, returning: bool = True):
    """One hand-written INSERT of `rows` (unsaved instances of one model; no query to build it)."""
    model = type(rows[0])
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    params = [f.get_db_prep_save(getattr(row, f.attname), connection) for row in rows for f in fields]
    sql = f"INSERT INTO {model._meta.db_table} ({columns}) VALUES {values}"
    cursor.execute(sql + (" RETURNING id" if returning else ""), params)
    return cursor.fetchone()[0] if returning else None
