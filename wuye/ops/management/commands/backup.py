from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from wuye.ops.backups import BackupError, manifest_path, take_backup, timed


class Command(BaseCommand):
    help = ("Back the whole database up to one file (SQLite: the online backup API; PostgreSQL: pg_dump's custom "
            "format) with a manifest beside it (row counts and every unit's ledger balance) that `restore` checks.")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path,
                            help="where to write the backup (default: var/backups/wuye-<time>.sqlite3|dump)")

    def handle(self, *args, path=None, **options):
        try:
            (path, manifest), seconds = timed(take_backup, path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        census = manifest.census
        self.stdout.write(f"Backed up to {path} ({manifest.size / 1e6:.1f} MB, {seconds:.1f} s): "
                          f"{len(census.counts)} tables, {census.rows} rows, {len(census.balances)} unit balances.")
        self.stdout.write(f"Manifest: {manifest_path(path)}. Restore with: manage.py restore {path}")
