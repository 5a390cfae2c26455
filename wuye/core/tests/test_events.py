"""The event log is append-only and gives every record its timeline."""

import pytest
from django.contrib.auth import get_user_model

from wuye.core.events import record_event, timeline
from wuye.core.models import Event


@pytest.fixture
def clerk(db):
    return get_user_model().objects.create_user("clerk", password="x")


def test_timeline_lists_events_of_one_subject_in_order(clerk):
    other = get_user_model().objects.create_user("other", password="x")
    record_event(clerk, "user.created")
    record_event(other, "user.created")
    record_event(clerk, "user.renamed", actor=other, data={"to": "新名字"})
    assert [(e.verb, e.actor) for e in timeline(clerk)] == [("user.created", None), ("user.renamed", other)]


def test_events_cannot_be_changed_or_deleted(clerk):
    event = record_event(clerk, "user.created")
    event.verb = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert Event.objects.get().verb == "user.created"


@pytest.mark.django_db
def test_a_large_batch_of_events_keeps_its_details(world):
    """From 200 events on, `record_events` writes with COPY (the SLA sweep's overdue events): the details stay JSON."""
    from django.contrib.contenttypes.models import ContentType

    from wuye.core.events import compose_event_about, record_events
    from wuye.core.models import Event

    subject_type = ContentType.objects.get_for_model(Event).pk
    record_events([compose_event_about(subject_type, n, "test.copied", data={"key": "patrol.checkpoint", "n": n})
                   for n in range(250)])
    first = Event.objects.filter(verb="test.copied").order_by("subject_id").first()
    assert first.data == {"key": "patrol.checkpoint", "n": 0}
    assert Event.objects.filter(verb="test.copied").count() == 250
