import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from wuye.billing.models import ChargeItem
from wuye.demo.builders import (
    COMPANY_NAME,
    DEMO_PASSWORD,
    LOGINS,
    add_demo_billing,
    add_demo_tickets,
    build_demo_company,
    build_scale_project,
    demo_exists,
)
from wuye.demo.tickets import DEMO_TICKETS, EXTRA_STAFF
from wuye.quality.models import Standard
from wuye.tenancy.models import Company
from wuye.workorders.models import Ticket


class Command(BaseCommand):
    help = "Create the demo company of SPEC §10 (idempotent); with --scale N also a benchmark project of N units."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="also build a project with about N units")
        parser.add_argument("--tickets", type=int, default=DEMO_TICKETS,
                            help=f"about N work orders of the last 30 days in the demo (default {DEMO_TICKETS}; "
                                 "0 = none); added to an existing demo that has none")
        parser.add_argument("--no-billing", action="store_true", help="no demo fees, meters and payments")
        parser.add_argument("--no-quality", action="store_true",
                            help="no demo standards, inspections, rectifications, surveys and staff assessment")
        parser.add_argument("--no-facilities", action="store_true",
                            help="no demo equipment, maintenance history, faults, fire safety and handovers")
        parser.add_argument("--no-security", action="store_true",
                            help="no demo visitors, goods slips, patrols, parking sessions, cleaning and greening")
        parser.add_argument("--no-community", action="store_true",
                            help="no demo move-ins, takeover, decorations, announcements, incidents, services, "
                                 "bookings and activities")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args, scale, tickets, no_billing, no_quality, no_progress, quiet_logins, no_facilities=False,
               no_security=False, no_community=False, **options):
        started = time.monotonic()
        if demo_exists():
            company = Company.objects.filter(name=COMPANY_NAME).order_by("id").first()
            if tickets > 0 and not Ticket.objects.filter(project__company=company).exists():
                add_demo_tickets(company, tickets, progress=not no_progress)
                self.stdout.write(f"Demo tickets added in {time.monotonic() - started:.1f} s.")
            elif no_billing or ChargeItem.objects.filter(project__company=company).exists():
                self.stdout.write("Demo company already present — nothing to do.")
            if not no_billing and not ChargeItem.objects.filter(project__company=company).exists():
                started = time.monotonic()
                counts = add_demo_billing(company)
                self.stdout.write(f"Demo fees added: {counts['bills']:,} bills, {counts['payments']:,} payments "
                                  f"in {time.monotonic() - started:.1f} s.")
        else:
            company = build_demo_company(progress=not no_progress, tickets=max(tickets, 0), billing=not no_billing)
            self.stdout.write(f"Demo company built in {time.monotonic() - started:.1f} s.")
        if not no_quality and not Standard.objects.filter(company=company).exists():
            self._add_quality(company)
        if not no_facilities:
            self._add_facilities(company)
        if not no_security:
            self._add_security(company)
        if not no_community:
            self._add_community(company)
        if scale:
            started = time.monotonic()
            project = build_scale_project(scale, progress=not no_progress)
            self.stdout.write(f"Scale project {project.code}: {project.units.count():,} units "
                              f"({time.monotonic() - started:.1f} s).")
        self._logins(quiet_logins)

    def _add_quality(self, company):
        """Issue 12's demo (demo.quality): after the tickets and fees it reads; once (a company with standards
        has it)."""
        from wuye.demo.quality import add_demo_quality

        started = time.monotonic()
        results = add_demo_quality(company)
        seconds = results.pop("seconds")
        parts = ", ".join(f"{name.removeprefix('add_demo_')} {seconds[name]:.1f} s" for name in seconds)
        self.stdout.write(f"Demo quality added in {time.monotonic() - started:.1f} s ({parts}).")

    def _add_facilities(self, company):
        """Issue 13's demo (demo.facilities): after quality; once (a company with equipment has it)."""
        from wuye.demo.facilities import add_demo_facilities

        started = time.monotonic()
        results = add_demo_facilities(company)
        if results.get("skipped"):
            return
        seconds = results.pop("seconds")
        parts = ", ".join(f"{name.removeprefix('add_')} {seconds[name]:.1f} s" for name in seconds)
        self.stdout.write(f"Demo facilities added in {time.monotonic() - started:.1f} s: "
                          f"{results.get('equipment', 0):,} items, {results.get('tasks', 0):,} tasks, "
                          f"{results.get('faults', 0):,} faults, {results.get('handovers', 0):,} handovers ({parts}).")

    def _add_security(self, company):
        """Issue 14's demo (demo.security): after facilities; every part idempotent."""
        from wuye.demo.security import add_demo_security

        started = time.monotonic()
        results = add_demo_security(company)
        seconds = results.pop("seconds")
        parts = ", ".join(f"{name} {seconds[name]:.1f} s" for name in seconds)
        self.stdout.write(f"Demo order, security and environment added in {time.monotonic() - started:.1f} s "
                          f"({parts}).")

    def _add_community(self, company):
        """Issue 15's demo (demo.community): after security; every part idempotent."""
        from wuye.demo.community import add_demo_community

        started = time.monotonic()
        results = add_demo_community(company)
        seconds = results.pop("seconds")
        parts = ", ".join(f"{name} {seconds[name]:.1f} s" for name in seconds)
        self.stdout.write(f"Demo community operations added in {time.monotonic() - started:.1f} s ({parts}).")

    def _logins(self, quiet_logins):
        if not quiet_logins:
            self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD})")
            for username, what in LOGINS:
                self.stdout.write(f"  {username:<10} {what}")
            extra = set(get_user_model().objects.filter(
                username__in=[username for username, *_ in EXTRA_STAFF]).values_list("username", flat=True))
            for username, _name, role, project_index, _supervisor in EXTRA_STAFF:
                if username in extra:
                    self.stdout.write(f"  {username:<10} {role.value.replace('_', ' ')}, project {project_index + 1} "
                                      "(added with the demo tickets)")
            if get_user_model().objects.filter(username="huanjing2").exists():
                self.stdout.write(f"  {'huanjing2':<10} environment, project 2 (added with the demo environment)")
