"""Backups and restores of the whole database, each one checked.

A backup is one file (SQLite: a copy made with SQLite's online backup API; PostgreSQL: `pg_dump --format=custom`)
and a manifest beside it (`<file>.json`): the file's SHA-256, the row count of every table and every unit's ledger
balance, all read from the same consistent state the backup holds (SQLite: from the copy itself; PostgreSQL: in the
transaction whose exported snapshot pg_dump dumps). A restore replaces the database with the file and then reads the
same figures from the restored database: any difference is reported, so "restored" means "restored and equal".
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from wuye.billing.models import LedgerEntry

FEN = Decimal("0.01")


class BackupError(Exception):
    """A backup or restore that cannot be done (a missing tool or file, a manifest that does not match)."""


@dataclass
class Census:
    """What a database holds, in the figures a restore must reproduce."""

    counts: dict[str, int]  # table → rows
    balances: dict[str, str]  # unit id → the sum of its ledger entries, in yuan to the fen

    @property
    def rows(self) -> int:
        return sum(self.counts.values())


@dataclass
class Manifest:
    engine: str  # "sqlite" or "postgresql"
    taken_at: str
    sha256: str
    size: int
    census: Census

    def write(self, path: Path) -> None:
        body = {"engine": self.engine, "taken_at": self.taken_at, "sha256": self.sha256, "size": self.size,
                "counts": self.census.counts, "balances": self.census.balances}
        path.write_text(json.dumps(body, ensure_ascii=False, indent=1, sort_keys=True), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            return cls(body["engine"], body["taken_at"], body["sha256"], int(body["size"]),
                       Census({str(k): int(v) for k, v in body["counts"].items()},
                              {str(k): str(v) for k, v in body["balances"].items()}))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise BackupError(f"the manifest {path} cannot be read ({error})") from error


@dataclass
class Check:
    """A restored database compared with its backup's manifest."""

    census: Census
    differences: list[str] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return not self.differences


def engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"backups are made for SQLite and PostgreSQL, not {vendor}")
    return vendor


def manifest_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def default_path() -> Path:
    """var/backups/wuye-<local time>.<sqlite3|dump>."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    suffix = "sqlite3" if engine() == "sqlite" else "dump"
    return Path(settings.VAR_DIR) / "backups" / f"wuye-{stamp}.{suffix}"


def census(cursor, vendor: str) -> Census:
    """Every table's row count and every unit's ledger balance, read through a DB-API `cursor` (so the same code
    reads the live database, a SQLite copy and a PostgreSQL snapshot)."""
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
    tables = sorted(row[0] for row in cursor.fetchall())
    counts = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # names read from the catalogue, quoted
        counts[table] = int(cursor.fetchone()[0])
    ledger = LedgerEntry._meta.db_table
    unit_column = LedgerEntry._meta.get_field("unit").column
    balances = {}
    if ledger in counts:
        cursor.execute(f'SELECT "{unit_column}", SUM(amount) FROM "{ledger}" WHERE "{unit_column}" IS NOT NULL '
                       f'GROUP BY "{unit_column}"')
        # SQLite sums decimals in floating point; every amount is whole fen, so rounding to the fen is exact.
        balances = {str(unit): str(Decimal(str(total)).quantize(FEN)) for unit, total in cursor.fetchall()}
    return Census(counts, balances)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq() -> tuple[list[str], dict]:
    """Connection arguments and environment for pg_dump / pg_restore, from the Django settings."""
    s = connection.settings_dict
    args = ["--host", s.get("HOST") or "127.0.0.1", "--port", str(s.get("PORT") or 5432),
            "--username", s.get("USER") or "postgres", "--dbname", s["NAME"]]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")
    return found


def take_backup(path: Path | None = None) -> tuple[Path, Manifest]:
    """Back the database up to `path` (default: `default_path()`) and write its manifest; returns both."""
    vendor = engine()
    path = Path(path) if path else default_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise BackupError(f"{path} exists already: a backup never overwrites another")
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    taken_at = timezone.localtime().isoformat(timespec="seconds")
    if vendor == "sqlite":
        connection.ensure_connection()
        copy = sqlite3.connect(partial)
        try:
            connection.connection.backup(copy)  # a consistent copy while others keep writing (WAL)
            found = census(copy.cursor(), vendor)  # read from the copy, not from the live file
        finally:
            copy.close()
    else:
        args, env = _libpq()
        with transaction.atomic(), connection.cursor() as cursor:
            # One snapshot for the census and for pg_dump: the manifest describes exactly what the dump holds.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            found = census(cursor, vendor)
            done = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--snapshot", snapshot,
                                   "--file", str(partial), *args], env=env, capture_output=True, text=True)
            if done.returncode:
                partial.unlink(missing_ok=True)
                raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    partial.rename(path)  # a file under the final name is always complete
    manifest = Manifest(vendor, taken_at, _sha256(path), path.stat().st_size, found)
    manifest.write(manifest_path(path))
    return path, manifest


def restore_backup(path: Path) -> Check:
    """Replace the whole database with the backup at `path`, then compare it with the backup's manifest.
    Refused before anything is touched when the manifest is missing, for another engine, or the file's checksum
    differs."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    manifest = Manifest.read(manifest_path(path))
    vendor = engine()
    if manifest.engine != vendor:
        raise BackupError(f"{path} is a {manifest.engine} backup; this database is {vendor}")
    if _sha256(path) != manifest.sha256:
        raise BackupError(f"{path} does not match its manifest's checksum: the file is damaged or not the one "
                          f"the manifest was written for")
    if vendor == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            source.backup(connection.connection)  # page by page over the live database, in one step
        finally:
            source.close()
    else:
        args, env = _libpq()
        connection.close()  # hold no locks while pg_restore drops and recreates the tables
        done = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                               "--single-transaction", "--exit-on-error", *args, str(path)],
                              env=env, capture_output=True, text=True)
        if done.returncode:
            raise BackupError(f"pg_restore failed (nothing was changed: it runs in one transaction): "
                              f"{done.stderr.strip()}")
    with connection.cursor() as cursor:
        found = census(cursor, vendor)
    return Check(found, compare(manifest.census, found))


def compare(expected: Census, found: Census) -> list[str]:
    """The differences between two censuses, one sentence each (empty: equal)."""
    differences = []
    for table in sorted(set(expected.counts) | set(found.counts)):
        want, got = expected.counts.get(table), found.counts.get(table)
        if want != got:
            differences.append(f"table {table}: {want} rows in the backup, {got} restored")
    for unit in sorted(set(expected.balances) | set(found.balances), key=int):
        want, got = expected.balances.get(unit, "0.00"), found.balances.get(unit, "0.00")
        if want != got:
            differences.append(f"unit {unit}: balance {want} in the backup, {got} restored")
    return differences


def timed(function, *args):
    """(result, seconds) — the commands print how long a backup or restore took."""
    started = time.monotonic()
    result = function(*args)
    return result, time.monotonic() - started
