import time

from django.core.management.base import BaseCommand

from wuye.demo.builders import DEMO_PASSWORD, LOGINS, build_demo_company, build_scale_project, demo_exists


class Command(BaseCommand):
    help = "Create the demo company of SPEC §10 (idempotent); with --scale N also a benchmark project of N units."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=int, default=0, help="also build a project with about N units")
        parser.add_argument("--no-progress", action="store_true")
        parser.add_argument("--quiet-logins", action="store_true", help="do not print the demo logins")

    def handle(self, *args, scale, no_progress, quiet_logins, **options):
        started = time.monotonic()
        if demo_exists():
            self.stdout.write("Demo company already present — nothing to do.")
        else:
            build_demo_company(progress=not no_progress)
            self.stdout.write(f"Demo company built in {time.monotonic() - started:.1f} s.")
        if scale:
            started = time.monotonic()
            project = build_scale_project(scale, progress=not no_progress)
            self.stdout.write(f"Scale project {project.code}: {project.units.count():,} units "
                              f"({time.monotonic() - started:.1f} s).")
        if not quiet_logins:
            self.stdout.write(f"\nDemo logins (password: {DEMO_PASSWORD})")
            for username, what in LOGINS:
                self.stdout.write(f"  {username:<10} {what}")
