"""Facility bookings tables (场地预约, SPEC §7): the bookable venues of a project (meeting room, clubhouse, court …)
with their opening hours, slot length and rules, the bookings owners and the desk make, and one row per booked slot.

`BookingSlot` is what keeps two bookings off one slot on every database: a booking holds one row per slot it covers,
unique per (venue, slot start), so the second of two bookings of the same slot fails on the unique constraint
(PostgreSQL and SQLite alike) — the service turns that into a 409 naming `starts_at`. A cancelled booking gives its
slot rows back (they are deleted); a used or no-show booking keeps them, so its time stays taken.

Tables only; the rules live in `services.py` (the state table `TRANSITIONS` and one function per action)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wuye.tenancy.models import Project, Unit

USER = settings.AUTH_USER_MODEL


class VenueKind(models.TextChoices):
    MEETING_ROOM = "meeting_room", _("Meeting room")
    CLUBHOUSE = "clubhouse", _("Clubhouse")
    COURT = "court", _("Sports court")
    OTHER = "other", _("Other venue")


class Venue(models.Model):
    """A bookable facility of a project and its booking rules. `hours` holds the opening hours of each weekday,
    Monday first: seven entries, each ["08:00", "22:00"] or null (closed that day). Slots start at the opening
    time and every `slot_minutes` after it; a slot ends by the closing time."""

    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="venues")
    name = models.CharField(_("name"), max_length=40)
    kind = models.CharField(_("kind"), max_length=16, choices=VenueKind.choices)
    place = models.CharField(_("place"), max_length=100, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"))
    hours = models.JSONField(_("opening hours"), default=list)
    slot_minutes = models.PositiveSmallIntegerField(_("slot length (minutes)"))
    max_slots = models.PositiveSmallIntegerField(_("most slots per booking"))
    window_days = models.PositiveSmallIntegerField(_("bookable days ahead"))
    notice_hours = models.PositiveSmallIntegerField(_("minimum notice (hours)"))
    cancel_hours = models.PositiveSmallIntegerField(_("free cancellation until (hours before)"))
    fee_per_slot = models.DecimalField(_("fee per slot"), max_digits=8, decimal_places=2)
    rules = models.TextField(_("rules"), max_length=1000, blank=True)
    is_active = models.BooleanField(_("open for booking"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    scope_project_path = "project"
    # Owners read the venues of the projects they live in (a venue has no unit of its own).
    scope_unit_path = "project__buildings__units"

    class Meta:
        verbose_name = _("venue")
        verbose_name_plural = _("venues")
        ordering = ["project_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="venue_name_per_project"),
            models.CheckConstraint(condition=models.Q(fee_per_slot__gte=0), name="venue_fee_not_negative"),
            models.CheckConstraint(condition=models.Q(slot_minutes__gte=15, slot_minutes__lte=240),
                                   name="venue_slot_length"),
            models.CheckConstraint(condition=models.Q(capacity__gte=1, max_slots__gte=1, window_days__gte=1),
                                   name="venue_counts_positive"),
        ]

    def __str__(self):
        return self.name


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    USED = "used", _("Used")
    NO_SHOW = "no_show", _("No-show")


class Booking(models.Model):
    """One booking of a venue for a household: consecutive slots from `starts_at` to `ends_at`. `fee` is what was
    charged (a bill in billing's ledger with `source=` the booking when it is above 0)."""

    venue = models.ForeignKey(Venue, verbose_name=_("venue"), on_delete=models.PROTECT, related_name="bookings")
    project = models.ForeignKey(Project, verbose_name=_("project"), on_delete=models.PROTECT,
                                related_name="venue_bookings")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="venue_bookings")
    user = models.ForeignKey(USER, verbose_name=_("booked by"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="venue_bookings")
    at_desk = models.BooleanField(_("booked at the desk"), default=False)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    people = models.PositiveSmallIntegerField(_("people"))
    purpose = models.CharField(_("purpose"), max_length=100, blank=True)
    fee = models.DecimalField(_("fee"), max_digits=10, decimal_places=2, default=0)
    status = models.CharField(_("status"), max_length=12, choices=BookingStatus.choices,
                              default=BookingStatus.BOOKED, db_index=True)
    cancel_reason = models.CharField(_("reason cancelled"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("booked"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)  # cancelled, used or no-show
    closed_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    scope_project_path = "project"
    scope_unit_path = "unit"

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="booking_period"),
            models.CheckConstraint(condition=models.Q(people__gte=1), name="booking_people"),
            models.CheckConstraint(condition=models.Q(fee__gte=0), name="booking_fee_not_negative"),
        ]
        indexes = [models.Index(fields=["project", "starts_at"], name="booking_project_start"),
                   models.Index(fields=["venue", "starts_at"], name="booking_venue_start")]

    def __str__(self):
        return f"{self.venue} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("bookings:detail", args=[self.pk])


class BookingSlot(models.Model):
    """One slot a live booking holds: unique per venue and start, so a slot is booked once whatever the database."""

    venue = models.ForeignKey(Venue, on_delete=models.PROTECT, related_name="slots")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="slots")
    slot_start = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["venue", "slot_start"], name="booking_slot_once")]

    def __str__(self):
        return f"{self.venue_id} {self.slot_start:%Y-%m-%d %H:%M}"
