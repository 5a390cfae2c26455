"""Logging a contact: outcome and promised date checked with the field named, finance only, within scope; the record
shows in the household's history and the unit's timeline (the billing account shows events about the unit)."""

from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from wuye.collection.models import ContactLog, FollowUp
from wuye.collection.services import log_contact
from wuye.core.errors import InvalidInput, NotAllowed
from wuye.core.models import Event
from wuye.people.access import actor_for

DAY = "2026-12-01 10:00 +0800"


def test_a_contact_is_a_record_the_household_state_and_an_event(desk, world, english):
    unit = desk.units[0]
    desk.owe(unit, "500.00", date(2026, 10, 31))
    with time_machine.travel(DAY, tick=False):
        contact = log_contact(actor_for(world.user("caiwu")), unit, method="visit", outcome="disputed",
                              note="说电梯费重复收取")
        page = english("caiwu").get(reverse("collection:household", args=[unit.pk]))
        account = english("caiwu").get(reverse("billing:unit_account", args=[unit.pk]))
    assert FollowUp.objects.get(unit=unit).last_contact == contact
    event = Event.objects.get(verb="collection.contacted")
    assert event.subject_id == unit.pk and event.actor == world.user("caiwu")
    assert event.data["outcome"] == "disputed"
    html = page.content.decode()
    assert "Disputes the bill" in html and "说电梯费重复收取" in html and "¥500.00" in html
    assert "Arrears follow-up by Home visit: Disputes the bill" in account.content.decode()


@pytest.mark.parametrize("fields, field", [
    ({"outcome": "promised"}, "promised_on"),
    ({"outcome": "promised", "promised_on": "2026-11-30"}, "promised_on"),
    ({"outcome": "promised", "promised_on": "2027-06-01"}, "promised_on"),
    ({"outcome": "refused", "promised_on": "2026-12-05"}, "promised_on"),
    ({"outcome": ""}, "outcome"),
])
def test_wrong_input_is_named_on_its_field_and_nothing_is_written(desk, english, fields, field):
    unit = desk.units[0]
    with time_machine.travel(DAY, tick=False):
        response = english("caiwu").post(reverse("collection:log_contact", args=[unit.pk]),
                                         {"method": "call", **fields})
    assert response.status_code == 422
    assert re.search(rf'class="field has-error">\s*<label for="id_{field}"', response.content.decode())
    assert not ContactLog.objects.exists()


def test_the_service_names_the_field(desk, world):
    caiwu = actor_for(world.user("caiwu"))
    with time_machine.travel(DAY, tick=False), pytest.raises(InvalidInput) as error:
        log_contact(caiwu, desk.units[0], method="fax", outcome="promised")
    assert {problem.field for problem in error.value.problems} == {"method", "promised_on"}


def test_only_finance_logs_and_only_in_its_projects(desk, world, login):
    unit, elsewhere = desk.units[0], desk.other_units[0]
    with pytest.raises(NotAllowed):
        log_contact(actor_for(world.user("jingli")), unit, method="call", outcome="refused")
    data = {"method": "call", "outcome": "refused"}
    assert login("jingli").post(reverse("collection:log_contact", args=[unit.pk]), data).status_code == 403
    assert login("kefu").post(reverse("collection:log_contact", args=[unit.pk]), data).status_code == 403
    assert login("caiwu").post(reverse("collection:log_contact", args=[elsewhere.pk]), data).status_code == 404
    assert login("caiwu").get(reverse("collection:household", args=[elsewhere.pk])).status_code == 404
    assert login("jingli").get(reverse("collection:household", args=[unit.pk])).status_code == 200
    assert not ContactLog.objects.exists()
