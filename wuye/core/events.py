"""The event log: every service function that changes something that matters appends one event here,
in the same transaction as the change. Timelines and the audit log read it."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType

from .models import Event


def compose_event(subject, verb: str, *, actor=None, data: dict | None = None, project_id=None) -> Event:
    """An unsaved event (see `record_event`), for writing many at once with `record_events`."""
    if project_id is None:
        project_id = getattr(subject, "project_id", None)
    return compose_event_about(ContentType.objects.get_for_model(subject).pk, subject.pk, verb, actor=actor,
                               data=data, project_id=project_id)


def compose_event_about(subject_type_id: int, subject_id: int, verb: str, *, actor=None, data: dict | None = None,
                        project_id=None) -> Event:
    """`compose_event` for a subject known only by its type and id (the SLA sweep's clock names its subject without
    loading it: a patrol sweep's ten thousand checkpoints need not be read to record that they are overdue)."""
    return Event(
        actor=actor if (actor is not None and getattr(actor, "pk", None)) else None,
        subject_type_id=subject_type_id,
        subject_id=subject_id,
        project_id=project_id,
        verb=verb,
        data=data or {},
    )


# From this many events on, one COPY (core.bulk) instead of an INSERT that returns ids: the SLA sweep records an
# overdue event per clock, ten thousand at a patrol's peak; nothing reads the ids of events just recorded.
_COPY_FROM = 200


def record_events(events: list[Event]) -> list[Event]:
    """Append many composed events in one insert (a job acting on many records). Large batches are written with
    COPY and come back without ids."""
    if len(events) < _COPY_FROM:
        return Event.objects.bulk_create(events)
    from django.db import connection

    from .bulk import insert_rows

    data_field = Event._meta.get_field("data")
    insert_rows(Event, ({"created_at": event.created_at, "actor_id": event.actor_id,
                         "subject_type_id": event.subject_type_id, "subject_id": event.subject_id,
                         "project_id": event.project_id, "verb": event.verb,
                         # COPY adapts by type: the details go as JSON (psycopg's Jsonb), as the field writes them
                         "data": data_field.get_db_prep_value(event.data, connection) if connection.vendor ==
                         "postgresql" else event.data}
                        for event in events))
    return events


def record_event(subject, verb: str, *, actor=None, data: dict | None = None, project_id=None) -> Event:
    """Append an event about `subject` (any saved model instance).

    `actor` is the user who acted (None for the system or a job). `data` holds what changed, JSON-serialisable,
    never raw PII (store masked values). `project_id` defaults to the subject's own `project_id`.
    """
    if project_id is None:
        project_id = getattr(subject, "project_id", None)
    return Event.objects.create(
        actor=actor if (actor is not None and getattr(actor, "pk", None)) else None,
        subject_type=ContentType.objects.get_for_model(subject),
        subject_id=subject.pk,
        project_id=project_id,
        verb=verb,
        data=data or {},
    )


def timeline(subject):
    """Events about `subject`, oldest first, with their actors loaded."""
    return Event.objects.for_subject(subject).select_related("actor")
