"""The finance desk's follow-up on arrears (催缴): each call, visit, SMS or letter to a household, its outcome and
the date the household promised to pay. What is owed is billing's (bills and the ledger); this app only keeps the
conversations about it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.core.money import MoneyField
from wuye.tenancy.models import Project, Unit


class Method(models.TextChoices):
    CALL = "call", _("Phone call")
    VISIT = "visit", _("Home visit")
    SMS = "sms", _("Text message")
    LETTER = "letter", _("Letter")


class Outcome(models.TextChoices):
    PROMISED = "promised", _("Promised to pay")
    REFUSED = "refused", _("Refused to pay")
    UNREACHABLE = "unreachable", _("Could not be reached")
    DISPUTED = "disputed", _("Disputes the bill")
    PAID = "paid", _("Says they have paid")


# A promise the reminder job has still to look at: the partial index below answers "promises due by today".
PROMISE_PENDING = models.Q(outcome=Outcome.PROMISED, reminded_at__isnull=True)


class ContactLog(models.Model):
    """One contact with a household about its arrears (催缴记录). Never edited: a later contact is a new row."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT,
                             related_name="collection_contacts")
    method = models.CharField(_("contact method"), max_length=12, choices=Method.choices)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    promised_on = models.DateField(_("promised date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # What the household owed overdue when it was contacted (billing's figure at that moment).
    owed = MoneyField(_("amount owed"), default=0)
    contacted_at = models.DateTimeField(_("contacted at"), default=timezone.now)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("logged by"), null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    # When the reminder job handled the promise (told the clerk, or found it superseded or settled).
    reminded_at = models.DateTimeField(null=True, blank=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("collection contact")
        verbose_name_plural = _("collection contacts")
        ordering = ["-contacted_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "-contacted_at", "-id"], name="collection_contact_latest"),
            models.Index(fields=["promised_on"], condition=PROMISE_PENDING, name="collection_promise_pending"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(outcome=Outcome.PROMISED, promised_on__isnull=False)
                                   | ~models.Q(outcome=Outcome.PROMISED), name="collection_promise_has_date"),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.get_method_display()} {self.get_outcome_display()}"


class FollowUp(models.Model):
    """Where the desk stands with one household: its latest contact, repeated here (kept in step by
    `services.log_contact` in the contact's transaction) so the worklist joins one row per unit instead of
    searching each unit's history. The contacts stay the record."""

    unit = models.OneToOneField(Unit, primary_key=True, on_delete=models.PROTECT, related_name="collection_followup")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    last_contact = models.OneToOneField(ContactLog, on_delete=models.PROTECT, related_name="+")
    contacted_at = models.DateTimeField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    promised_on = models.DateField(null=True, blank=True)

    scope_project_path = "project"

    class Meta:
        verbose_name = _("collection follow-up")
        verbose_name_plural = _("collection follow-ups")
        indexes = [models.Index(fields=["project", "outcome", "promised_on"], name="collection_followup_promise")]

    def __str__(self):
        return f"{self.unit_id} {self.outcome} {self.promised_on or ''}"
