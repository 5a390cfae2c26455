"""The decoration part of the demo (装修, issue 15): for every project of the company, applications in every state
through the real services — one waiting for the desk, one returned for documents, one checked with its deposit
unpaid, one approved by engineering waiting for the manager, one approved, one in progress on the owner login's
own home (with a worker's pass and an inspection whose findings opened a rectification), one accepted with a
deduction and its deposit refund waiting for approval, one closed (refund approved through billing), one refused
and one withdrawn. Idempotent: a project with decorations already is left alone."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from wuye.community.decorations import services
from wuye.community.decorations.models import Decoration
from wuye.core.access import Role
from wuye.demo.builders import demo_projects
from wuye.people.models import OWNING_RELATIONS, Residency
from wuye.tenancy.models import UnitKind

from .security_goods import _staff

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CONTRACTORS = (("家美装饰有限公司", "王建国", "13916000001"), ("业之峰装饰", "李卫东", "13916000002"),
               ("东易日盛家居", "张海涛", "13916000003"), ("金螳螂家装", "陈志明", "13916000004"))
WORKS = (("客厅卧室铺木地板，墙面刷乳胶漆", ["walls_floors"]),
         ("厨房卫生间重做防水，更换水电管线", ["waterproofing", "water_electric"]),
         ("更换外窗，加装空调", ["doors_windows", "air_conditioning"]),
         ("拆除非承重隔墙，重新布置书房", ["structure", "walls_floors"]))


def _documents():
    return [(kind, SimpleUploadedFile(f"{kind}.pdf", PDF, content_type="application/pdf"))
            for kind in ("plan", "contractor_licence", "leader_id", "fire_pledge")]


def add_demo_decorations(company, now: datetime | None = None) -> dict:
    """Decorations in every state for each project of `company`; returns {"decorations": n}."""
    now = now or timezone.now()
    made = 0
    for project in demo_projects(company):
        if not Decoration.objects.filter(project=project).exists():
            with transaction.atomic():
                made += _add_for_project(project, now)
    return {"decorations": made}


def _decider(project, requester_id: int):
    """Someone other than the requester who approves refunds in the project (a manager or a finance supervisor)."""
    from wuye.billing.refunds import is_decider
    from wuye.people.access import actor_for
    from wuye.people.services import staff_with_role

    for user in [*staff_with_role(Role.PROJECT_MANAGER, project),
                 *staff_with_role(Role.FINANCE, project, supervisors_only=True),
                 *staff_with_role(Role.COMPANY_ADMIN, project)]:
        actor = actor_for(user)
        if user.pk != requester_id and is_decider(actor):
            return actor
    return None


def _add_for_project(project, now: datetime) -> int:
    from wuye.billing.refunds import approve_refund
    from wuye.billing.services import pay_at_desk

    homes = list(Residency.objects.current().filter(unit__project=project, unit__kind=UnitKind.RESIDENTIAL,
                                                    relation__in=OWNING_RELATIONS)
                 .select_related("resident", "unit").order_by("unit_id", "id")[:40])
    if not homes:
        return 0
    # The owner login's home first: its in-progress decoration shows in the portal.
    homes.sort(key=lambda home: (getattr(home.resident, "user_id", None) is None, home.unit_id))
    seen, unique = set(), []
    for home in homes:
        if home.unit_id not in seen:
            seen.add(home.unit_id)
            unique.append(home)
    picks = iter(unique * 3)
    desk, eng = _staff(project, Role.CUSTOMER_SERVICE), _staff(project, Role.ENGINEERING)
    manager, finance = _staff(project, Role.PROJECT_MANAGER), _staff(project, Role.FINANCE)
    guard = _staff(project, Role.SECURITY)
    today = timezone.localdate(now)
    counter = iter(range(100))

    def apply(home, documents=True, days=(3, 60)):
        number = next(counter)
        contractor, leader, phone = CONTRACTORS[number % len(CONTRACTORS)]
        works, kinds = WORKS[number % len(WORKS)]
        return services.apply(desk, unit=home.unit, applicant_name=home.resident.name,
                              applicant_phone=home.resident.phone or "13800000000", works=works, works_kinds=kinds,
                              contractor=contractor, contractor_licence="", contractor_leader=leader,
                              contractor_phone=phone, workers_planned=3 + number % 4,
                              planned_start=today + timedelta(days=days[0]),
                              planned_end=today + timedelta(days=days[1]),
                              documents=_documents() if documents else ())

    def pay(decoration):
        bills = [bill for bill in services.charges(decoration).bills if bill.outstanding > 0]
        pay_at_desk(desk, decoration.unit, channel="cash", idempotency_key=f"demo-decoration-{decoration.pk}",
                    bills=bills, payer_name=decoration.applicant_name)

    def up_to(decoration, step):
        decoration = services.check_documents(desk, decoration, note="资料齐全")
        if step == "checked":
            return decoration
        decoration = services.approve_engineering(eng, decoration, note="不涉及承重结构，同意施工")
        if step == "engineering_approved":
            return decoration
        pay(decoration)
        decoration = services.approve(manager, decoration, note="同意")
        if step == "approved":
            return decoration
        return services.start_works(desk, decoration, at=now - timedelta(days=20))

    # The owner login's home: works in progress, a worker's pass, an inspection with findings.
    current = up_to(apply(next(picks), days=(0, 75)), "in_progress")
    services.issue_worker_pass(desk, current, worker_name="赵师傅", id_type="resident_id",
                               id_number="11010519491231002X", valid_from=today,
                               valid_until=current.planned_end, phone="13916000009")
    services.inspect(eng, current, result="findings", findings="楼道未做成品保护，电梯轿厢未包裹")
    services.inspect(guard, current, result="passed")
    made = 1
    services.reject(desk, apply(next(picks)), reason="拆改承重墙，不予受理")
    services.cancel(desk, apply(next(picks)), reason="业主推迟装修")
    services.return_for_documents(desk, apply(next(picks), documents=False),
                                  note="请补充施工图纸和施工负责人身份证复印件")
    apply(next(picks))
    up_to(apply(next(picks)), "checked")
    up_to(apply(next(picks)), "engineering_approved")
    up_to(apply(next(picks)), "approved")
    made += 7
    # Accepted: a deduction, the refund asked for and waiting for a second person.
    accepted = up_to(apply(next(picks), days=(0, 30)), "in_progress")
    services.add_deduction(eng, accepted, reason="损坏电梯轿厢不锈钢面板", amount="300.00")
    accepted = services.accept(eng, accepted, at=now - timedelta(days=2))
    services.request_deposit_refund(finance, accepted)
    # Closed: accepted, refunded in full through billing's approval, closed by the job.
    closed = up_to(apply(next(picks), days=(0, 30)), "in_progress")
    decider = _decider(project, finance.user.pk)
    if decider is None:
        # Nobody but the requester could approve a refund here (a project without its own manager or finance
        # supervisor): this one's deposit went entirely on damage, so it closes without a refund.
        services.add_deduction(eng, closed, reason="损坏消防设施及公共墙面", amount=str(closed.deposit))
    closed = services.accept(eng, closed, at=now - timedelta(days=5))
    request = services.request_deposit_refund(finance, closed)
    if request is not None:
        approve_refund(decider, request, note="同意退还")
        services.close_refunded()
    return made + 2
