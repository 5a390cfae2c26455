"""Every shipped time limit pinned with fixed dates (issue 10, point 6): each row is a limit, the moment its clock
starts and the deadline worked out by hand. Changing any limit by one unit (a minute, an hour, a working day)
moves a deadline and fails its row. Working-time limits are pinned across a 2026 public holiday too (National Day,
1–7 October, with the 调休 Saturday 10 October; Labour Day, 1–5 May, with the 调休 Saturday 9 May)."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from wuye.people.access import actor_for
from wuye.sla.engine import cancel_clocks, start_clock
from wuye.sla.models import ProjectStandard, ServiceStandard
from wuye.tenancy.models import Unit
from wuye.workorders.models import Category
from wuye.workorders.services import TicketInput, create_ticket

SH = ZoneInfo("Asia/Shanghai")


def at(*args):
    return datetime(*args, tzinfo=SH)


MONDAY = at(2026, 11, 23, 9, 30)  # an ordinary working Monday morning

# (limit, started at, due at) under the default standard (SPEC §2.1–§2.2, seed 001 ch. 8).
SPEC_DEFAULT_PINS = [
    ("repair.emergency.dispatch", MONDAY, at(2026, 11, 23, 9, 35)),  # 5 min
    ("repair.emergency.arrive", MONDAY, at(2026, 11, 23, 10, 0)),  # 30 min
    ("repair.emergency.complete", MONDAY, at(2026, 11, 24, 9, 30)),  # 24 h
    ("repair.general.dispatch", MONDAY, at(2026, 11, 23, 10, 30)),  # 1 h
    ("repair.general.arrive", MONDAY, at(2026, 11, 24, 9, 30)),  # the agreed time; 24 h when none is agreed
    ("repair.general.complete", MONDAY, at(2026, 11, 24, 9, 30)),  # 24 h
    ("repair.return_visit", MONDAY, at(2026, 11, 24, 9, 30)),  # 24 h after done (the project's rule)
    ("complaint.assign", MONDAY, at(2026, 11, 23, 10, 30)),  # 1 h
    ("complaint.reply", MONDAY, at(2026, 11, 24, 9, 30)),  # 24 h after handling
    ("complaint.return_visit", MONDAY, at(2026, 11, 24, 9, 30)),  # 24 h (the project's rule)
    ("feedback.reply", MONDAY, at(2026, 11, 24, 9, 30)),  # an inquiry answered within 24 h
    # Working time (08:00–12:00, 13:00–17:00): urgent 1 working day, important 2, general 3.
    ("complaint.urgent.handle", MONDAY, at(2026, 11, 24, 9, 30)),
    ("complaint.important.handle", MONDAY, at(2026, 11, 25, 9, 30)),
    ("complaint.general.handle", MONDAY, at(2026, 11, 26, 9, 30)),
    # Across National Day: 10 min on Wed 9-30, 1–7 October off, then 8 h a day from Thu 10-08 (Sat 10-10 worked).
    ("complaint.urgent.handle", at(2026, 9, 30, 16, 50), at(2026, 10, 8, 16, 50)),
    ("complaint.important.handle", at(2026, 9, 30, 16, 50), at(2026, 10, 9, 16, 50)),
    ("complaint.general.handle", at(2026, 9, 30, 16, 50), at(2026, 10, 10, 16, 50)),
    # Across Labour Day: Thu 4-30 14:00 has 3 h left; 1–5 May off; Wed 5-06 on, Sat 5-09 worked (调休).
    ("complaint.urgent.handle", at(2026, 4, 30, 14, 0), at(2026, 5, 6, 14, 0)),
    ("complaint.important.handle", at(2026, 4, 30, 14, 0), at(2026, 5, 7, 14, 0)),
    ("complaint.general.handle", at(2026, 4, 30, 14, 0), at(2026, 5, 8, 14, 0)),
    # Calendar limits ignore holidays: an emergency on the eve of National Day is due in minutes, not in October.
    ("repair.emergency.dispatch", at(2026, 9, 30, 23, 58), at(2026, 10, 1, 0, 3)),
    ("complaint.assign", at(2026, 9, 30, 23, 30), at(2026, 10, 1, 0, 30)),
    # A bill's payment deadline when no due date is given: 30 days (billing always passes the bill's own).
    ("billing.payment", MONDAY, at(2026, 12, 23, 9, 30)),
]

# The five-star set (seed 000): emergency repairs on site within 15 minutes, general ones answered within 2 hours,
# complaints replied to within 24 hours; everything else as the default standard.
FIVE_STAR_PINS = [
    ("repair.emergency.arrive", MONDAY, at(2026, 11, 23, 9, 45)),  # 15 min
    ("repair.general.arrive", MONDAY, at(2026, 11, 23, 11, 30)),  # 2 h
    ("complaint.reply", MONDAY, at(2026, 11, 24, 9, 30)),  # 24 h
    ("repair.emergency.dispatch", MONDAY, at(2026, 11, 23, 9, 35)),
    ("repair.general.dispatch", MONDAY, at(2026, 11, 23, 10, 30)),
    ("complaint.assign", MONDAY, at(2026, 11, 23, 10, 30)),
    ("complaint.general.handle", at(2026, 9, 30, 16, 50), at(2026, 10, 10, 16, 50)),
]


def deadlines(world, pins) -> list[tuple]:
    """(limit, start, computed deadline) for each row, each on a unit of project 1 as the subject."""
    subject = Unit.objects.filter(project=world.project1).first()
    rows = []
    for key, start, _due in pins:
        clock = start_clock(subject, key, project=world.project1, at=start)
        rows.append((key, start, clock.due_at))
        cancel_clocks(subject)
    return rows


def test_every_limit_of_the_default_standard(world):
    assert deadlines(world, SPEC_DEFAULT_PINS) == [(key, start, due) for key, start, due in SPEC_DEFAULT_PINS]


def test_every_limit_of_the_five_star_standard(world):
    ProjectStandard.objects.create(project=world.project1, standard=ServiceStandard.objects.get(code="five-star"))
    assert deadlines(world, FIVE_STAR_PINS) == [(key, start, due) for key, start, due in FIVE_STAR_PINS]


def test_the_return_visit_window_follows_the_projects_rule(world):
    from wuye.tenancy.rules import update_rules

    update_rules(actor_for(world.user("jingli")), world.project1, {"return_visit_hours": 48}, reason="节后回访")
    rows = deadlines(world, [("repair.return_visit", MONDAY, None), ("complaint.return_visit", MONDAY, None),
                             ("repair.general.complete", MONDAY, None)])
    assert [due for _key, _start, due in rows] == [at(2026, 11, 25, 9, 30), at(2026, 11, 25, 9, 30),
                                                   at(2026, 11, 24, 9, 30)]  # other limits stay


# -- the repeat-repair window: 30 days (SPEC §2.1) -----------------------------------------------------------------
def repair(world, moment):
    unit = world.owner_unit("yezhu")
    category = Category.objects.get(project=world.project1, code="burst-pipe")
    return create_ticket(actor_for(world.user("kefu")), project=world.project1, now=moment, data=TicketInput(
        kind="repair", channel="phone", unit=unit, category=category, description="厨房水管漏水"))


@pytest.mark.parametrize(("later", "is_repeat"), [
    (at(2026, 10, 31, 9, 59), True),  # 30 days less a minute after the first report (across National Day)
    (at(2026, 10, 31, 10, 1), False),  # 30 days and a minute
])
def test_a_repair_within_30_days_of_the_same_fault_is_a_repeat(world, later, is_repeat):
    first = repair(world, at(2026, 10, 1, 10, 0))
    second = repair(world, later)
    assert (second.repeat_of == first) is is_repeat


def test_the_repeat_window_follows_the_projects_rule(world):
    from wuye.tenancy.rules import update_rules

    first = repair(world, at(2026, 10, 1, 10, 0))
    update_rules(actor_for(world.user("jingli")), world.project1, {"repeat_window_days": 31}, reason="质量考核")
    assert repair(world, at(2026, 10, 31, 10, 1)).repeat_of == first  # 30 days and a minute: within 31
