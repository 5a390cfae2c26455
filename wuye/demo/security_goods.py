"""The goods-release part of the demo (物品放行, issue 14): for every project of the company, releases in each state
through the real services — a tenant's application on the owner login's own unit waiting for the owner's consent
(the owner sees it in the portal), an owner's waiting for the desk, a slip approved for today (the gate can verify
it), one for tomorrow approved on the owner's call, one released at the gate yesterday, one refused, one cancelled
and one expired unused. Idempotent: a project with goods releases already is left alone."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from wuye.core.access import Role
from wuye.demo.builders import demo_projects
from wuye.people.access import actor_for
from wuye.people.models import OWNING_RELATIONS, Relation, Residency, StaffProfile
from wuye.security import goods
from wuye.security.models import GoodsRelease
from wuye.tenancy.models import UnitKind

GOODS = (
    [{"name": "冰箱", "quantity": 1}, {"name": "纸箱（衣物）", "quantity": 6}],
    [{"name": "旧沙发", "quantity": 1}, {"name": "餐桌", "quantity": 1}, {"name": "餐椅", "quantity": 4}],
    [{"name": "电视机", "quantity": 1}],
    [{"name": "书柜", "quantity": 2}, {"name": "纸箱（书籍）", "quantity": 10}],
    [{"name": "洗衣机", "quantity": 1}, {"name": "空调外机", "quantity": 1}],
    [{"name": "办公桌", "quantity": 3}],
    [{"name": "自行车", "quantity": 2}],
    [{"name": "床垫", "quantity": 1}, {"name": "床架", "quantity": 1}],
)


def _staff(project, role):
    """A staff member of `role` who sees `project` (the supervisor first), else the administrator."""
    from django.contrib.auth import get_user_model

    profiles = StaffProfile.objects.filter(company_id=project.company_id, role=role).select_related("user").order_by(
        "-is_supervisor", "id")
    for profile in profiles:
        if profile.all_projects or profile.projects.filter(pk=project.pk).exists():
            return actor_for(profile.user)
    admin = get_user_model().objects.filter(is_superuser=True).order_by("id").first()
    return actor_for(admin)


def _household(project, relation_in):
    return (Residency.objects.current().filter(unit__project=project, unit__kind=UnitKind.RESIDENTIAL,
                                               relation__in=relation_in)
            .select_related("resident", "unit__building", "unit__project").order_by("unit_id", "id"))


def add_demo_goods(company, now: datetime | None = None) -> dict:
    """Goods releases in every state for each project of `company`; returns {"goods_releases": n}."""
    now = now or timezone.now()
    made = 0
    for project in demo_projects(company):
        if not GoodsRelease.objects.filter(project=project).exists():
            with transaction.atomic():
                made += _add_for_project(project, now)
    goods.expire_releases(now)
    return {"goods_releases": made}


def _add_for_project(project, now: datetime) -> int:
    today = timezone.localdate(now)
    morning = timezone.make_aware(datetime.combine(today, time(9, 0)))
    desk, gate = _staff(project, Role.CUSTOMER_SERVICE), _staff(project, Role.SECURITY)
    owners = list(_household(project, OWNING_RELATIONS)[:40])
    tenants = list(_household(project, (Relation.TENANT,))[:5])
    if not owners:
        return 0
    # The owner login's unit first, so the portal shows its tenant's application.
    owners.sort(key=lambda home: (getattr(home.resident, "user_id", None) is None, home.unit_id))
    picks = iter((owners[1:] or owners) * 8)
    counter = iter(range(1000))

    def apply(home, kind, day, at, name=None):
        return goods.apply(desk, project=project, unit=home.unit, applicant_name=name or home.resident.name,
                           applicant_kind=kind, items=GOODS[next(counter) % len(GOODS)], carry_out_on=day,
                           reason="搬家" if kind == "tenant" else "家具更换", phone=home.resident.phone, at=at)

    login_home = owners[0]
    tenant = tenants[0] if tenants else None
    # 1. A tenant's application on the owner login's unit, waiting for the owner's consent.
    apply(login_home, "tenant", today + timedelta(days=2), morning,
          name=tenant.resident.name if tenant else "租户张先生")
    # 2. An owner's application waiting for the desk.
    apply(next(picks), "owner", today + timedelta(days=1), morning)
    # 3. Approved for today: the gate can verify it.
    goods.approve(desk, apply(next(picks), "owner", today, morning), at=morning + timedelta(minutes=20))
    # 4. A tenant's, approved for tomorrow after the owner's consent on a call.
    release = apply(tenant or next(picks), "tenant", today + timedelta(days=1), morning)
    goods.give_consent(desk, release, call_note="业主本人接听电话，同意租户搬出冰箱", at=morning)
    goods.approve(desk, release, at=morning + timedelta(minutes=30))
    # 5. Released at the gate yesterday.
    yesterday = morning - timedelta(days=1)
    release = goods.approve(desk, apply(next(picks), "owner", today - timedelta(days=1), yesterday), at=yesterday)
    goods.verify_slip(gate, project=project, code=release.code, note="物品与清单一致",
                      at=yesterday + timedelta(hours=5))
    # 6. Refused, 7. cancelled, 8. expired unused (its day was two days ago; the job expires it).
    goods.reject(desk, apply(next(picks), "owner", today + timedelta(days=3), morning),
                 reason="申请人非本户登记人员，请业主本人到前台办理")
    goods.cancel(desk, apply(next(picks), "owner", today + timedelta(days=4), morning), reason="改期搬家")
    before = morning - timedelta(days=3)
    goods.approve(desk, apply(next(picks), "owner", today - timedelta(days=2), before), at=before)
    _date_events(project)
    return 8


def _date_events(project) -> None:
    """The services record their events at the moment they run; the demo's steps happened at their `at` times, so
    the timelines read as that history."""
    from django.contrib.contenttypes.models import ContentType

    from wuye.core.models import Event

    moments = {"security.goods.applied": "created_at", "security.goods.consented": "consent_at",
               "security.goods.approved": "approved_at", "security.goods.verified": "verified_at"}
    kind = ContentType.objects.get_for_model(GoodsRelease)
    for release in GoodsRelease.objects.filter(project=project):
        for verb, field in moments.items():
            moment = getattr(release, field)
            if moment is not None:
                Event.objects.filter(subject_type=kind, subject_id=release.pk, verb=verb).update(created_at=moment)


add_demo_security_goods = add_demo_goods  # the name after the module, as the lead may wire it
