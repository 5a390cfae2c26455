"""A building's reminder notices (催缴通知书) as one PDF to print and post: one page per household in arrears.
Issuing is billing's (`dunning.issue_reminder_notices`, the same notice the sweep sends); printing is billing's
layout (`documents.notices_pdf`)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wuye.billing.documents import TITLES, notices_pdf
from wuye.billing.dunning import issue_reminder_notices
from wuye.billing.models import OPEN, Bill, BillingNotice, NoticeStage
from wuye.core.access import get_scoped_or_404, scoped
from wuye.core.downloads import download_name
from wuye.tenancy.models import Building, Unit
from wuye.web.forms import date_param
from wuye.web.guards import staff_view


def arrears_units(building: Building, today):
    """The building's units with a bill past its due date, as units are listed (entrance, floor, number)."""
    owing = Bill.objects.filter(OPEN, unit__building=building, due_on__lt=today).values("unit_id")
    return Unit.objects.filter(building=building, pk__in=owing).select_related("building", "project")


@require_POST
@staff_view("collection.log_contact")
def issue_building_notices(request, building_id: int):
    """Issue today's reminder notice to each household of the building in arrears, then open them as one PDF."""
    building = get_scoped_or_404(Building.objects.all(), request.actor, pk=building_id)
    today = timezone.localdate()
    notices = issue_reminder_notices(request.actor, arrears_units(building, today))
    if not notices:
        messages.info(request, _("No household of %(building)s is in arrears.") % {"building": building})
        return redirect(reverse("collection:worklist") + f"?project={building.project_id}&building={building.pk}")
    return redirect(reverse("collection:building_notices_pdf", args=[building.pk]) + f"?on={today:%Y-%m-%d}")


@staff_view(reads="collection.worklist")
def building_notices_pdf(request, building_id: int):
    """The reminder notices issued to the building's households on ?on= (default today), one page each."""
    building = get_scoped_or_404(Building.objects.select_related("project__company"), request.actor, pk=building_id)
    day = date_param(request.GET.get("on"), timezone.localdate())
    notices = list(scoped(BillingNotice.objects.filter(unit__building=building, stage=NoticeStage.REMINDER,
                                                       issued_on=day), request.actor)
                   .select_related("project__company", "unit__building")
                   .order_by("unit__entrance", "unit__floor", "unit__number", "id"))
    if not notices:
        raise Http404
    title = f"{TITLES[NoticeStage.REMINDER]} {building.project.name} {building}"
    filename = download_name(TITLES[NoticeStage.REMINDER], building.project.name, building, f"{day:%Y-%m-%d}",
                             ext="pdf")
    return notices_pdf(notices, title=title).response(filename=filename)
