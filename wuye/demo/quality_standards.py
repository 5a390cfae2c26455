"""Demo standards library (issue 12): the shipped standards (window service, the residential daily-check sheet,
the year-end review) and the three service packages; project 1 (锦华苑) on 一级 — five-star time limits, the
window service inspected too — and project 2 (翠湖湾) on 二级, each change through the services (with events)."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model

from wuye.people.access import actor_for
from wuye.quality.models import ServicePackage, StandardItem, StandardVersion
from wuye.quality.standards import assign_package, install_shipped_standards, package_for
from wuye.tenancy.models import Company

LEVELS = ("level_1", "level_2")  # project 1, project 2


def add_demo_standards(company: Company, today: date) -> dict:
    """Install the library and packages and put the company's first two projects on 一级 and 二级 (by the
    quality department `pinzhi`, else the first superuser). Safe to run again: nothing is installed or assigned
    twice. Returns the counts."""
    standards = install_shipped_standards(company)
    users = get_user_model().objects
    quality = users.filter(username="pinzhi").first() or users.filter(is_superuser=True).order_by("id").first()
    assigned = 0
    if quality is not None:
        actor = actor_for(quality)
        for project, level in zip(company.projects.order_by("id")[:2], LEVELS, strict=False):
            package = package_for(project)
            if project.service_level != level or package is None or not hasattr(project, "sla_standard") \
                    or project.sla_standard.standard_id != package.sla_standard_id:
                assign_package(actor, project, level)
                assigned += 1
    return {"standards": len(standards),
            "versions": StandardVersion.objects.filter(standard__company=company).count(),
            "items": StandardItem.objects.filter(version__standard__company=company).count(),
            "packages": ServicePackage.objects.filter(company=company).count(),
            "levels_assigned": assigned}
