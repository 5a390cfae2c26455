"""`manage.py import_holidays 2027 --off 2027-01-01 --off 2027-02-05..2027-02-11 --work 2027-02-14` — the State
Council's schedule for a year, from the notice; or `--file schedule.txt` with lines like `2027-02-14 work`."""

from django.core.management.base import BaseCommand, CommandError

from wuye.core.calendar import ScheduleError, import_statutory_schedule, parse_schedule


class Command(BaseCommand):
    help = ("Import the State Council's holiday schedule for a year (days off and adjusted working days); it "
            "replaces the libraries' data for that year and marks it confirmed. Running it again with the same "
            "days changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--off", action="append", default=[], metavar="DAY[..DAY]", help="days off (放假)")
        parser.add_argument("--work", action="append", default=[], metavar="DAY[..DAY]",
                            help="weekend days worked (调休上班)")
        parser.add_argument("--file", help="a file of lines: `2027-02-05..2027-02-11 off 春节`, `2027-02-14 work`")

    def handle(self, *args, year, off, work, file, **options):
        if not 1900 < year < 2200:
            raise CommandError(f"year: {year} is not a plausible year.")
        text = "\n".join([*(f"{item} off" for item in off), *(f"{item} work" for item in work)])
        if file:
            try:
                with open(file, encoding="utf-8") as handle:
                    text += "\n" + handle.read()
            except OSError as error:
                raise CommandError(f"file: {error}") from None
        try:
            lines = parse_schedule(text, year)
        except ScheduleError as error:
            raise CommandError(str(error)) from None
        result = import_statutory_schedule(year, lines)
        verb = "Imported" if result.changed else "Unchanged"
        self.stdout.write(f"{verb}: {year} has {result.days_off} days off and {result.working_days} adjusted "
                          f"working days; the year is confirmed.")
