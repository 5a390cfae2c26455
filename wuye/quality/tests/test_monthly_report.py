"""The monthly quality report (月度品质报告): a Chinese PDF whose text holds its headings and the month's figures,
made by the job of the 1st once per project and month, announced once to the project manager and the quality
department, listed and downloaded in the console (own projects only), and made on demand by quality."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pypdf
import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from wuye.core.models import Event, Notification
from wuye.quality import reports
from wuye.quality.models import MonthlyReport, Rectification, RectificationStatus
from wuye.sla.engine import policy_for
from wuye.sla.models import Clock, ClockState
from wuye.tenancy.models import Unit
from wuye.workorders.models import Kind, Status, Ticket

SH = ZoneInfo("Asia/Shanghai")
OCT = date(2026, 10, 1)


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=SH)


def _complaint(project, created):
    unit = Unit.objects.filter(project=project).order_by("id").first()
    return Ticket.objects.create(project=project, kind=Kind.COMPLAINT, channel="phone", description="楼道灯不亮",
                                 unit=unit, created_at=created, status=Status.NEW)


def _rect(project, *, opened, closed=None, late=False, due=None):
    rect = Rectification.objects.create(
        project=project, source_type=ContentType.objects.get_for_model(Ticket),
        source_id=_complaint(project, opened).pk, title="电梯厅地面有污渍", department="environment",
        status=RectificationStatus.CLOSED if closed else RectificationStatus.OPEN, opened_at=opened, closed_at=closed)
    due = due or opened + timedelta(days=2)
    state = ClockState.RUNNING if not closed else (ClockState.BREACHED if late else ClockState.MET)
    Clock.objects.create(subject_type=ContentType.objects.get_for_model(rect), subject_id=rect.pk, project=project,
                         policy=policy_for(project, "rectification.minor"), key="rectification.minor", state=state,
                         started_at=opened, due_at=due, warn_at=due, stopped_at=closed,
                         breached_at=closed if late else None)
    return rect


@pytest.fixture
def october(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    p1 = world.project1
    _rect(p1, opened=at(10, 2), closed=at(10, 3))  # on time
    _rect(p1, opened=at(10, 5), closed=at(10, 12), late=True)  # late
    _rect(p1, opened=at(10, 8), closed=at(10, 9))  # on time
    _rect(p1, opened=at(10, 20), due=at(10, 22))  # still open at month end, overdue
    _rect(p1, opened=at(9, 20), closed=at(9, 21))  # September's
    _complaint(p1, at(10, 15))
    return world


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "".join(page.extract_text() for page in reader.pages).replace("\x00", "").replace(" ", "")


def test_the_pdf_holds_the_headings_and_the_month_figures(october):
    figures = reports.monthly_figures(october.project1, OCT)
    assert (figures.opened, figures.closed, figures.overdue) == (4, 3, 1)
    assert figures.complaints == 5  # the one received on 10-15 and the four behind the rectifications
    on_time = next(row for row in figures.kpis if row.code == "rectifications_on_time")
    assert on_time.value == Decimal("66.67") and on_time.previous == 100
    text = _text(reports.build_monthly_report(october.project1, OCT, figures=figures))
    with translation.override("zh-hans"):
        headings = [_("Monthly quality report"), _("1. Key performance indicators"),
                    _("2. Inspection scores and ranking"), _("3. Complaints by category (Pareto)"),
                    _("4. Rectifications"), _("5. Satisfaction surveys")]
    for heading in headings:
        assert heading.replace(" ", "") in text
    assert october.project1.name in text and "2026年10月" in text
    assert "66.7%" in text  # rectifications closed on time: 2 of 3


@time_machine.travel(datetime(2026, 11, 1, 2, 0, tzinfo=SH), tick=False)
def test_the_job_of_the_1st_makes_each_report_once_and_tells_once(october):
    made = reports.generate_monthly_reports(date(2026, 11, 1))
    assert sorted(r.project_id for r in made) == [october.project1.pk, october.project2.pk]
    assert {r.month for r in made} == {OCT}
    report = MonthlyReport.objects.get(project=october.project1, month=OCT)
    assert _text(report.document.read()).count("66.7%") >= 1
    told = Notification.objects.filter(dedupe_key__startswith=f"quality-report:{october.project1.pk}:2026-10")
    recipients = set(told.values_list("recipient__username", flat=True))
    assert {"jingli", "pinzhi"} <= recipients and "jingli2" not in recipients and "kefu" not in recipients
    assert told.first().link == reverse("quality:report_download", args=[report.pk])
    count = Notification.objects.count()
    assert Event.objects.filter(verb="quality_report.generated").count() == 2
    assert reports.generate_monthly_reports(date(2026, 11, 1)) == []  # again: nothing new
    assert reports.generate_monthly_reports(date(2026, 11, 2)) == []  # the next day: nothing missing
    assert Notification.objects.count() == count and MonthlyReport.objects.count() == 2
    assert Event.objects.filter(verb="quality_report.generated").count() == 2


@time_machine.travel(datetime(2026, 11, 3, 9, 0, tzinfo=SH), tick=False)
def test_a_missed_1st_is_caught_up_on_a_later_day(october):
    """The server was down on 11-01: the job's first run on 11-03 still makes October's reports, once."""
    made = reports.generate_monthly_reports(date(2026, 11, 3))
    assert {(r.project_id, r.month) for r in made} == {(october.project1.pk, OCT), (october.project2.pk, OCT)}
    assert reports.generate_monthly_reports(date(2026, 11, 3)) == []


@time_machine.travel(datetime(2026, 11, 3, 9, 0, tzinfo=SH), tick=False)
def test_console_list_download_and_generate_now(october, login):
    pinzhi, jingli = login("pinzhi"), login("jingli")
    response = pinzhi.post(reverse("quality:report_generate"), {"project": october.project1.pk, "period": "2026-10"})
    assert response.status_code == 302
    report = MonthlyReport.objects.get(project=october.project1, month=OCT)
    pinzhi.post(reverse("quality:report_generate"), {"project": october.project1.pk, "period": "2026-10"})
    assert MonthlyReport.objects.count() == 1  # the second click finds the first
    assert pinzhi.post(reverse("quality:report_generate"),
                       {"project": october.project2.pk, "period": "2026-11"}).status_code == 302  # not ended
    assert MonthlyReport.objects.count() == 1
    assert jingli.post(reverse("quality:report_generate"),
                       {"project": october.project1.pk, "period": "2026-10"}).status_code == 403
    other, _created = reports.generate_monthly_report(october.project2, OCT)

    page = jingli.get(reverse("quality:reports"))
    assert page.status_code == 200
    assert [r.pk for r in page.context["reports"]] == [report.pk]
    assert october.project2.name not in page.content.decode()
    download = jingli.get(reverse("quality:report_download", args=[report.pk]))
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in download["Content-Disposition"]
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert jingli.get(reverse("quality:report_download", args=[other.pk])).status_code == 404
    assert login("kefu").get(reverse("quality:reports")).status_code == 403
    assert [r.pk for r in pinzhi.get(reverse("quality:reports")).context["reports"]] == [report.pk, other.pk] or \
        {r.pk for r in pinzhi.get(reverse("quality:reports")).context["reports"]} == {report.pk, other.pk}
