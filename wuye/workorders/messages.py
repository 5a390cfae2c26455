"""What a ticket's people are told, in one place: titles that say what happened to which request ("您的报修「厨房水管
爆裂」已完成，请验收"), a body with the details, and the link for each reader — the portal's ticket page for an owner,
the console's for staff (`outbox.Links`). Each function is called by the service step it names, inside its
transaction."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.translation import gettext as _

from wuye.core.models import NotificationKind
from wuye.core.outbox import Links, notify, staff_ids

from .models import Ticket

GIST_LENGTH = 16  # characters of the owner's description a title quotes (Chinese reads ~16 at a glance)
MIN_CLAUSE = 4  # a first clause shorter than this ("你好，…") says too little to name the request
CLAUSE_END = re.compile(r"[，。！？；：,.!?;:]")


def gist(ticket: Ticket, length: int = GIST_LENGTH) -> str:
    """The request in the owner's words, short: the first clause when it says enough ("厨房水管爆裂，水流到客厅…"
    → "厨房水管爆裂"), else the description's start cut with "…"; spaces collapsed."""
    text = " ".join((ticket.description or "").split())
    if not text:
        return ticket.category.name if ticket.category_id else ticket.get_kind_display()
    clause = CLAUSE_END.split(text, maxsplit=1)[0].strip()
    if MIN_CLAUSE <= len(clause) <= length:
        return clause
    return text if len(text) <= length else text[:length - 1].rstrip() + "…"


def links(ticket: Ticket) -> Links:
    return Links(owner=reverse("workorders:h5_ticket", args=[ticket.pk]), staff=ticket.get_absolute_url())


def person(user) -> str:
    """A staff member as an owner reads them: "工程部 王强" (department and name), never the login."""
    name = user.get_full_name() or user.first_name or _("a colleague")
    profile = getattr(user, "staff_profile", None)
    return f"{profile.department} {name}" if profile is not None else name


def _place(ticket: Ticket) -> str:
    return ticket.unit.label if ticket.unit_id else (ticket.location or _("public area"))


def _tell(recipients, subject: str, ticket: Ticket, body: str = "", *, kind=NotificationKind.TICKET):
    return notify(recipients, subject, body, link=links(ticket), source=ticket, kind=kind)


def _owner_reporter(ticket: Ticket, actor_user):
    """The reporter when it is an owner (not staff who registered the call) and not the one acting, else None."""
    reporter = ticket.reporter
    if reporter is None or reporter == actor_user or reporter.pk in staff_ids([reporter]):
        return None
    return reporter


def ticket_received(ticket: Ticket, recipients) -> None:
    """Customer service: a new request (from the portal, or urgent)."""
    subject = _("New %(kind)s from %(place)s: “%(gist)s”") % {
        "kind": ticket.get_kind_display(), "place": _place(ticket), "gist": gist(ticket)}
    if ticket.owner_says_urgent:
        subject = _("Owner says urgent — classify now: %(text)s") % {"text": subject}
    _tell(recipients, subject, ticket, _("%(number)s · %(description)s") % {
        "number": ticket.number, "description": ticket.description[:500]})


def dispatched(ticket: Ticket, actor_user) -> None:
    """The engineer gets the job; an owner who reported it learns who is coming."""
    if ticket.assignee:
        _tell(ticket.assignee, _("Repair sent to you: %(place)s “%(gist)s”") % {
            "place": _place(ticket), "gist": gist(ticket)}, ticket, _details(ticket))
    owner = _owner_reporter(ticket, actor_user)
    if owner is not None:
        if ticket.assignee:
            subject = _("Your repair “%(gist)s” has been sent to %(person)s") % {
                "gist": gist(ticket), "person": person(ticket.assignee)}
        else:
            subject = _("Your repair “%(gist)s” has been sent to the warranty contractor") % {"gist": gist(ticket)}
        _tell(owner, subject, ticket, _("Request %(number)s. We will contact you to arrange the visit.") % {
            "number": ticket.number})


def reassigned(ticket: Ticket) -> None:
    _tell(ticket.assignee, _("Repair reassigned to you: %(place)s “%(gist)s”") % {
        "place": _place(ticket), "gist": gist(ticket)}, ticket, _details(ticket))


def completed(ticket: Ticket, actor_user) -> None:
    """The reporter is asked to check and sign off (staff who registered the call pass it on)."""
    if not ticket.reporter_id or ticket.reporter == actor_user:
        return
    if ticket.reporter_id in staff_ids([ticket.reporter]):  # registered by the desk for a caller
        subject = _("Repair done at %(place)s: “%(gist)s” — ask the owner to check and sign off") % {
            "place": _place(ticket), "gist": gist(ticket)}
    else:
        subject = _("Your repair “%(gist)s” is done — please check and sign off") % {"gist": gist(ticket)}
    _tell(ticket.reporter, subject, ticket, _("Work done: %(work)s") % {"work": ticket.work_done[:500]})


def department_assigned(ticket: Ticket, recipients) -> None:
    _tell(recipients, _("Complaint assigned to your department: “%(gist)s”") % {"gist": gist(ticket)}, ticket,
          _details(ticket))


def approval_needed(ticket: Ticket, recipients) -> None:
    _tell(recipients, _("Awaiting your approval: resolution of the major complaint “%(gist)s”") % {
        "gist": gist(ticket)}, ticket, _("Resolution: %(resolution)s") % {"resolution": ticket.resolution[:500]},
        kind=NotificationKind.APPROVAL)


def replied(ticket: Ticket, actor_user) -> None:
    if not ticket.reporter_id or ticket.reporter == actor_user:
        return
    _tell(ticket.reporter, _("Your %(kind)s “%(gist)s” has a reply") % {
        "kind": ticket.get_kind_display().lower(), "gist": gist(ticket)}, ticket, ticket.reply)


def _details(ticket: Ticket) -> str:
    return _("%(number)s · %(place)s · %(description)s") % {
        "number": ticket.number, "place": _place(ticket), "description": ticket.description[:500]}

