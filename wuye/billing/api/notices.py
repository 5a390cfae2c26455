"""Payment notices, reminder notices and lawyer's letters (§3, §9): the list in scope (owners: their own) and
each notice's PDF."""

from datetime import date, datetime
from decimal import Decimal

from django.urls import reverse
from ninja import Router, Schema
from ninja.pagination import paginate

from wuye.core.access import get_scoped_or_404, require_read, scoped
from wuye.core.api import PagePagination

from ..documents import notice_filename, notice_pdf
from ..models import BillingNotice, NoticeStage

router = Router(tags=["fees"])


class NoticeLineOut(Schema):
    bill: int
    item: str
    period: str
    amount: Decimal
    outstanding: Decimal
    due_on: date
    days_overdue: int


class NoticeOut(Schema):
    id: int
    project_id: int
    unit_id: int
    unit: str
    stage: NoticeStage
    issued_on: date
    issued_at: datetime
    due_on: date | None
    total: Decimal
    lines: list[NoticeLineOut]
    pdf_url: str

    @staticmethod
    def resolve_unit(notice):
        return notice.unit.label

    @staticmethod
    def resolve_pdf_url(notice):
        return reverse("api:notice_pdf", kwargs={"notice_id": notice.pk})


def _notices(request):
    require_read(request.actor, "billing.notices")
    return scoped(BillingNotice.objects.all(), request.actor)


@router.get("/notices", response=list[NoticeOut])
@paginate(PagePagination)
def list_notices(request, unit: int | None = None, stage: NoticeStage | None = None):
    """Notices in scope (an owner: those of their units), newest first; the lines are what the PDF prints."""
    notices = _notices(request)
    if unit is not None:
        notices = notices.filter(unit_id=unit)
    if stage is not None:
        notices = notices.filter(stage=stage)
    return notices.select_related("unit__building").order_by("-issued_on", "-id")


PDF_RESPONSE = {"responses": {"200": {"description": "The notice as a PDF",
                                      "content": {"application/pdf": {"schema": {"type": "string",
                                                                                 "format": "binary"}}}}}}


@router.get("/notices/{notice_id}/pdf", url_name="notice_pdf", openapi_extra=PDF_RESPONSE)
def notice_pdf_file(request, notice_id: int):
    """The notice as a PDF (Chinese, as printed for the owner)."""
    notice = get_scoped_or_404(_notices(request).select_related("project__company", "unit__building"),
                               request.actor, pk=notice_id)
    return notice_pdf(notice).response(filename=notice_filename(notice))
