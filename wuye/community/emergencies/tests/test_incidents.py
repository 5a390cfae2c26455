"""Incidents (应急): a duty officer starts one from the project's playbook; each step is an `incident.step` clock
with the playbook's deadline; a late step goes to the emergency command group at once, and nothing before its
deadline. The level follows SPEC §7's thresholds; the after-action report lists the timeline."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.http import Http404

from wuye.community.emergencies import incidents
from wuye.community.emergencies.models import Incident, IncidentStep, Playbook
from wuye.community.emergencies.playbooks import install_default_playbooks, set_step_minutes
from wuye.core.errors import Conflict, InvalidInput, NotAllowed
from wuye.core.models import Channel, Notification
from wuye.people.access import actor_for
from wuye.sla.engine import clocks_for, sweep

SH = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 2, 21, 0, tzinfo=SH)


def at(hour, minute, second=0):
    return datetime(2026, 12, 2, hour, minute, second, tzinfo=SH)


@pytest.fixture
def books(world):
    install_default_playbooks(world.project1)
    install_default_playbooks(world.project2)
    return {p.kind: p for p in Playbook.objects.filter(project=world.project1)}


def start(world, books, kind="entrapment", who="zhixu", **fields):
    with time_machine.travel(fields.pop("now", START), tick=False):
        return incidents.start_incident(actor_for(world.user(who)), world.project1, books[kind], fields.pop(
            "level", None), reported_at=fields.pop("reported_at", START), **fields)


def group_messages(user):
    return list(Notification.objects.filter(recipient=user, dedupe_key__startswith="sla:",
                                            dedupe_key__contains=":level:").values_list("channel", "subject_line"))


def test_install_is_idempotent_and_keeps_the_managers_edit(world, books):
    assert sorted(books) == ["earthquake", "entrapment", "fire", "outage", "public_health"]
    step = books["entrapment"].steps.get(position=1)
    set_step_minutes(actor_for(world.user("jingli")), step, "4")
    assert install_default_playbooks(world.project1) == 0
    assert books["entrapment"].steps.get(position=1).minutes == 4


def test_a_level_iv_step_late_goes_to_the_emergency_group_and_not_before(world, books):
    incident = start(world, books)
    assert incident.level == "iv" and incident.status == "active"
    steps = list(incident.steps.order_by("position"))
    # The seed's limits: guard on site 5 min, contractor 30, freed 30, check 120 after that, visit a day after.
    assert [s.due_at for s in steps] == [at(21, 5), at(21, 30), at(21, 30), at(23, 30), at(23, 30) + timedelta(days=1)]
    assert [c.due_at for c in clocks_for(steps[0])] == [at(21, 5)]
    jingli = world.user("jingli")  # nobody flagged: the group is the project manager

    sweep(at(21, 4, 59))
    assert group_messages(jingli) == []

    sweep(at(21, 5))
    messages = group_messages(jingli)
    assert sorted(channel for channel, _line in messages) == [Channel.IN_APP, Channel.SMS]
    assert all("秩序员到场安抚被困人员" in line for _channel, line in messages)
    total = Notification.objects.count()
    sweep(at(21, 6))
    assert Notification.objects.count() == total  # once


def test_a_step_done_in_time_is_never_escalated_and_done_twice_is_409(world, books):
    incident = start(world, books)
    step = incident.steps.get(position=1)
    zhixu = actor_for(world.user("zhixu"))
    with time_machine.travel(at(21, 4), tick=False):
        incidents.complete_step(zhixu, incident, step, "已通过对讲安抚")
        with pytest.raises(Conflict) as refused:
            incidents.complete_step(zhixu, incident, step)
    assert refused.value.problems[0].field == "step"
    sweep(at(21, 10))
    assert group_messages(world.user("jingli")) == []
    assert clocks_for(step).get().state == "met"


def test_a_role_that_neither_owns_the_step_nor_starts_incidents_is_403(world, books):
    incident = start(world, books)
    step = incident.steps.get(position=1)  # security's step
    with time_machine.travel(at(21, 2), tick=False), pytest.raises(NotAllowed):
        incidents.complete_step(actor_for(world.user("caiwu")), incident, step)
    with pytest.raises(NotAllowed):
        start(world, books, who="caiwu")


@pytest.mark.parametrize(("kind", "buildings", "level"), [
    ("outage", 10, "iv"), ("outage", 11, "iii"), ("fire", 3, "iii"), ("fire", 4, "ii"),
    ("earthquake", 1, "i"), ("public_health", 1, "i"), ("entrapment", 1, "iv")])
def test_suggested_levels_follow_the_spec_thresholds(kind, buildings, level):
    assert incidents.suggest_level(kind, buildings) == level


def test_a_level_below_the_threshold_is_refused_naming_level_and_nothing_is_written(world, books):
    with pytest.raises(InvalidInput) as refused:
        start(world, books, "outage", level="iv", buildings_affected=11)
    assert [p.field for p in refused.value.problems] == ["level"]
    assert "Ⅲ" in refused.value.problems[0].message or "III" in refused.value.problems[0].message
    with pytest.raises(InvalidInput) as refused:
        start(world, books, "fire", level="iii", buildings_affected=4, title="x" * 81)
    assert sorted(p.field for p in refused.value.problems) == ["level", "title"]
    assert not Incident.objects.exists() and not IncidentStep.objects.exists()
    incident = start(world, books, "outage", buildings_affected=11)
    assert incident.level == "iii"


def test_resolve_then_close_needs_summary_and_cause(world, books):
    incident = start(world, books)
    zhixu, jingli = actor_for(world.user("zhixu")), actor_for(world.user("jingli"))
    with time_machine.travel(at(21, 40), tick=False):
        with pytest.raises(Conflict):
            incidents.close(jingli, incident, summary="a", cause="b")
        incidents.resolve(zhixu, incident)
        assert all(c.state == "cancelled" for s in incident.steps.all() for c in clocks_for(s))
        with pytest.raises(NotAllowed):
            incidents.close(zhixu, incident, summary="a", cause="b")
        with pytest.raises(InvalidInput) as refused:
            incidents.close(jingli, incident, summary="", cause=" ")
        assert sorted(p.field for p in refused.value.problems) == ["cause", "summary"]
        incidents.close(jingli, incident, summary="三人被困，已解救", cause="门区传感器积灰", lessons="每周清洁传感器")
    assert Incident.objects.get(pk=incident.pk).status == "closed"


def test_the_report_pdf_lists_the_timeline(world, books):
    from pypdf import PdfReader

    incident = start(world, books)
    zhixu, jingli = actor_for(world.user("zhixu")), actor_for(world.user("jingli"))
    with time_machine.travel(at(21, 40), tick=False):
        incidents.complete_step(zhixu, incident, incident.steps.get(position=1), at=at(21, 3))
        incidents.complete_step(zhixu, incident, incident.steps.get(position=3), at=at(21, 35))
        incidents.add_log(zhixu, incident, "维保人员王师傅到场", at=at(21, 20))
        incidents.resolve(zhixu, incident)
        incidents.close(jingli, incident, summary="两人被困35分钟后解救", cause="门区传感器积灰",
                        lessons="每周清洁传感器")
        lines = [line for _at, line in incidents.timeline_lines(incident)]
        pdf = incidents.report_pdf(jingli, incident)
    assert [line[11:16] for line in lines] == ["21:00", "21:03", "21:20", "21:30", "21:35", "21:40", "21:40",
                                               "23:30", "23:30"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).replace("\x00", "")
    assert "电梯困人应急处理报告" in text
    assert "秩序员到场安抚被困人员" in text and "按时" in text
    assert "解救被困人员" in text and "逾期" in text  # freed at 21:35, due 21:30
    assert "联系维保单位到场」时限（逾期未完成）" in text.replace("\n", "")  # due 21:30, resolved 21:40
    assert "检查电梯并恢复运行」时限（未完成）" in text.replace("\n", "")  # due 23:30, after the resolution
    assert "维保人员王师傅到场" in text and "门区传感器积灰" in text and "每周清洁传感器" in text
    # In time order: the start, the guard, the log line, the late rescue.
    assert text.index("启动") < text.index("完成步骤1") < text.index("王师傅") < text.index("完成步骤3")
    with pytest.raises(NotAllowed):
        incidents.report_pdf(zhixu, incident)


def test_kefu2_sees_nothing_of_project_1(world, books):
    incident = start(world, books)
    kefu2 = actor_for(world.user("kefu2"))
    assert not incidents.incidents(kefu2).filter(pk=incident.pk).exists()
    with time_machine.travel(at(21, 2), tick=False), pytest.raises(Http404):
        incidents.add_log(kefu2, incident, "x")
