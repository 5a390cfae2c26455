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
