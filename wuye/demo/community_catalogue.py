"""The paid-services and activities part of the community demo (issue 15 items 6–7), through the real services.

`add_demo_catalogue`: each project's catalogue (seed 003 with our default prices) and the demo owner's orders —
one waiting for the desk, one accepted as a work order, one done and billed to the owner's account.
`add_demo_activities`: an activity open for sign-up with the demo owner signed up, and a past one held with its
check-ins (its fee billed). Idempotent: a project with orders (activities) already is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from wuye.community.activities import services as activities
from wuye.community.activities.models import Activity
from wuye.community.catalogue import services as catalogue
from wuye.community.catalogue.models import ServiceItem, ServiceOrder
from wuye.core.access import Role
from wuye.demo.builders import demo_projects
from wuye.people.access import actor_for
from wuye.people.models import Relation, Residency, StaffProfile


def _staff(project, role):
    """A staff member of `role` who sees `project` (the supervisor first), else the administrator."""
    from django.contrib.auth import get_user_model

    profiles = StaffProfile.objects.filter(company_id=project.company_id, role=role).select_related("user").order_by(
        "-is_supervisor", "id")
    for profile in profiles:
        if profile.all_projects or profile.projects.filter(pk=project.pk).exists():
            return actor_for(profile.user)
    return actor_for(get_user_model().objects.filter(is_superuser=True).order_by("id").first())


def _owner(project):
    """The project's demo owner with a portal login, and their home (None when the project has none)."""
    residency = (Residency.objects.current().filter(unit__project=project, relation=Relation.OWNER,
                                                    resident__user__isnull=False)
                 .select_related("resident__user", "unit__building", "unit__project").order_by("unit_id", "id")
                 .first())
    return (actor_for(residency.resident.user), residency.unit) if residency else (None, None)


def add_demo_catalogue(company, now: datetime | None = None) -> dict:
    """The catalogue and three orders for each project of `company`; returns counts."""
    now = now or timezone.now()
    made = {"services": 0, "service_orders": 0}
    for project in demo_projects(company):
        made["services"] += catalogue.install_default_catalogue(project)
        if ServiceOrder.objects.filter(project=project).exists():
            continue
        owner, unit = _owner(project)
        if owner is None:
            continue
        with transaction.atomic():
            made["service_orders"] += _orders(project, owner, unit, now)
    return made


def _orders(project, owner, unit, now) -> int:
    desk, engineer = _staff(project, Role.CUSTOMER_SERVICE), _staff(project, Role.ENGINEERING)
    item = {entry.code: entry for entry in ServiceItem.objects.filter(project=project)}
    done = catalogue.place_order(owner, item=item["exhaust-fan"], unit=unit, note="厨房排风扇，已自备",
                                 at=now - timedelta(days=3))
    catalogue.accept(desk, done, at=now - timedelta(days=3, hours=-1))
    catalogue.complete(engineer, done, at=now - timedelta(days=2))
    accepted = catalogue.place_order(owner, item=item["drain"], unit=unit, note="卫生间地漏下水慢",
                                     preferred_time=now + timedelta(days=1), at=now - timedelta(hours=5))
    catalogue.accept(desk, accepted, at=now - timedelta(hours=4))
    catalogue.place_order(owner, item=item["lamp"], unit=unit, quantity=2, note="客厅吊灯两盏",
                          preferred_time=now + timedelta(days=2), at=now - timedelta(hours=1))
    return 3


def add_demo_activities(company, now: datetime | None = None) -> dict:
    """An open activity with the demo owner signed up and a past one with check-ins, per project; returns counts."""
    now = now or timezone.now()
    made = {"activities": 0, "signups": 0}
    for project in demo_projects(company):
        if Activity.objects.filter(project=project).exists():
            continue
        owner, unit = _owner(project)
        with transaction.atomic():
            made["activities"] += 2
            made["signups"] += _activities(project, owner, unit, now)
    return made


def _activities(project, owner, unit, now) -> int:
    desk = _staff(project, Role.CUSTOMER_SERVICE)
    day = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0)
    upcoming = activities.create_activity(
        desk, project=project, title="社区亲子运动会", place="中心花园", capacity=30, fee="0",
        description="亲子接力、趣味跳绳，欢迎全家参加。", starts_at=day + timedelta(days=6),
        ends_at=day + timedelta(days=6, hours=3), signup_deadline=day + timedelta(days=5, hours=9), at=now)
    past = activities.create_activity(
        desk, project=project, title="业主茶话会", place="会所多功能厅", capacity=20, fee="10.00",
        description="物业服务年度沟通，备茶点。", starts_at=day - timedelta(days=4, hours=-5),
        ends_at=day - timedelta(days=4, hours=-7), signup_deadline=day - timedelta(days=5),
        at=now - timedelta(days=12))
    if owner is None:
        return 0
    activities.sign_up(owner, upcoming, unit=unit, people=3, at=now)
    signup = activities.sign_up(owner, past, unit=unit, people=2, at=now - timedelta(days=8))
    activities.check_in(desk, signup, at=past.starts_at + timedelta(minutes=10))
    activities.transition(desk, past, "finish", at=past.ends_at + timedelta(hours=1))
    return 2
