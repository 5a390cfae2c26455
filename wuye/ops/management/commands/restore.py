from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from wuye.ops.backups import BackupError, restore_backup, timed


class Command(BaseCommand):
    help = ("Replace the whole database with a backup made by `backup`, then check it against the backup's "
            "manifest: every table's row count and every unit's ledger balance must be equal (exit 1 if not).")

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup file (its manifest <path>.json beside it)")
        parser.add_argument("--no-input", action="store_false", dest="interactive",
                            help="do not ask for confirmation")

    def handle(self, *args, path, interactive=True, **options):
        target = connection.settings_dict["NAME"]
        if interactive:
            answer = input(f"This replaces every row of the database {target} with {path}. Type 'yes' to go on: ")
            if answer.strip() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            check, seconds = timed(restore_backup, path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        census = check.census
        if not check.equal:
            for line in check.differences[:50]:
                self.stderr.write(line)
            raise CommandError(f"Restored {path} in {seconds:.1f} s, but {len(check.differences)} figures differ "
                               f"from the backup's manifest (listed above).")
        self.stdout.write(f"Restored {path} into {target} in {seconds:.1f} s and checked: {len(census.counts)} "
                          f"tables, {census.rows} rows and {len(census.balances)} unit balances equal the backup's.")
