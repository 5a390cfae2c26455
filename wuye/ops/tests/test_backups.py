"""Backup → wipe → restore gives back every row and every unit's balance, on the database the suite runs on
(SQLite and PostgreSQL); a damaged or foreign backup is refused before anything is touched."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection

from wuye.billing.models import LedgerEntry
from wuye.ops.backups import BackupError, Manifest, census, manifest_path, restore_backup, take_backup

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump and SQLite's backup read committed rows only


def live_census():
    with connection.cursor() as cursor:
        return census(cursor, connection.vendor)


def suffix():
    return "sqlite3" if connection.vendor == "sqlite" else "dump"


@pytest.fixture
def community(world):
    from wuye.demo.billing import build_demo_billing

    build_demo_billing(world.company)
    return world


def test_backup_wipe_restore_gives_identical_counts_and_balances(community, tmp_path, capsys):
    before = live_census()
    owing = {unit: amount for unit, amount in before.balances.items() if Decimal(amount) != 0}
    assert owing and before.counts[LedgerEntry._meta.db_table] > 0  # there is money to lose

    call_command("backup", str(tmp_path / f"wuye.{suffix()}"))
    path = tmp_path / f"wuye.{suffix()}"
    assert "Backed up to" in capsys.readouterr().out
    manifest = Manifest.read(manifest_path(path))
    assert manifest.census.counts == before.counts and manifest.census.balances == before.balances

    # The wipe: every row gone, and the ledger's table itself dropped.
    call_command("flush", "--no-input")
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{LedgerEntry._meta.db_table}"' + (" CASCADE" if connection.vendor ==
                                                                          "postgresql" else ""))
    assert live_census().balances == {}

    call_command("restore", str(path), "--no-input")
    assert "checked" in capsys.readouterr().out
    after = live_census()
    assert after.counts == before.counts
    assert after.balances == before.balances
    assert LedgerEntry.objects.filter(unit_id=int(next(iter(owing)))).exists()


def test_a_restore_replaces_what_was_written_after_the_backup(community, tmp_path):
    path, manifest = take_backup(tmp_path / f"wuye.{suffix()}")
    unit = community.owner_unit("yezhu")
    community.bill(unit, amount="88.80")
    assert live_census().balances != manifest.census.balances

    check = restore_backup(path)
    assert check.equal, check.differences
    assert live_census().balances == manifest.census.balances


def test_a_damaged_backup_is_refused_and_nothing_changes(community, tmp_path):
    path, _ = take_backup(tmp_path / f"wuye.{suffix()}")
    with path.open("r+b") as stream:  # one byte changed in the middle
        stream.seek(path.stat().st_size // 2)
        byte = stream.read(1)
        stream.seek(-1, 1)
        stream.write(bytes([byte[0] ^ 0xFF]))
    before = live_census()
    with pytest.raises(BackupError, match="checksum"):
        restore_backup(path)
    assert live_census() == before


def test_a_backup_of_another_engine_or_without_manifest_is_refused(community, tmp_path):
    path, manifest = take_backup(tmp_path / f"wuye.{suffix()}")
    manifest.engine = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    manifest.write(manifest_path(path))
    with pytest.raises(BackupError, match="backup; this database is"):
        restore_backup(path)
    manifest_path(path).unlink()
    with pytest.raises(BackupError, match="manifest"):
        restore_backup(path)


def test_a_backup_never_overwrites_another(community, tmp_path):
    path, _ = take_backup(tmp_path / f"wuye.{suffix()}")
    with pytest.raises(BackupError, match="exists already"):
        take_backup(path)


def test_restore_asks_before_replacing_the_database(community, tmp_path, monkeypatch):
    from django.core.management.base import CommandError

    path, _ = take_backup(tmp_path / f"wuye.{suffix()}")
    monkeypatch.setattr("builtins.input", lambda prompt: "no")
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(path))
