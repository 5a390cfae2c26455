"""Insert many rows without building model instances: COPY on PostgreSQL, executemany elsewhere.

For the hot bulk paths (a billing run writes a ledger entry and a payment clock per bill): Django's bulk_create
builds a model instance and prepares every value through the compiler — about two thirds of a 100,000-unit run's
Python time before this. Rows are dicts of field names; missing fields get the field's default (or NULL / ''),
the database's for a field with a db_default. No ids come back, no signals are sent, and values are not validated:
callers pass what they computed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from django.db import connection


def _default(field):
    if field.has_default():
        return field.get_default()
    if field.null:
        return None
    if field.get_internal_type() in ("CharField", "TextField", "SlugField"):
        return ""
    if field.get_internal_type() == "BooleanField":
        return False
    return None


def insert_rows(model, rows: Iterable[dict]) -> int:
    """Insert `rows` (dicts keyed by field name, e.g. `project_id` or `project`) into the model's table."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    # COPY names every column it fills, so the database's own DEFAULT applies only to columns left out: leave out
    # a field with a db_default unless the rows set it (the first row stands for all).
    fields = [f for f in model._meta.concrete_fields if not f.primary_key
              and not (f.has_db_default() and f.attname not in first and f.name not in first)]
    names = [(f.attname, f.name) for f in fields]
    defaults = [_default(f) for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)

    def values(row: dict) -> tuple:
        return tuple(row[attname] if attname in row else row.get(name, default)
                     for (attname, name), default in zip(names, defaults, strict=True))

    count = 0
    with connection.cursor() as cursor:
        rows = itertools.chain([first], rows)
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
                    count += 1
        else:
            prepared = [tuple(f.get_db_prep_save(v, connection) for f, v in zip(fields, values(row), strict=True))
                        for row in rows]
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", prepared)
            count = len(prepared)
    return count


def insert_instances(model, instances: list, *, returning: tuple[str, ...] = (), skip_conflicts: bool = False
                     ) -> list[tuple]:
    """Insert unsaved `instances` of `model` in one statement and return the `returning` columns of the rows
    written. PostgreSQL: INSERT … SELECT FROM unnest(one array per column) — one parameter per column instead of
    Django's per-instance field preparation in bulk_create (~0.15 ms a row: a third of a billing run's Python time,
    and most of the outbox write of a sweep); `skip_conflicts`: ON CONFLICT DO NOTHING, so the rows returned are
    those written (a unique key already present — also a concurrent writer's — is skipped). Elsewhere bulk_create
    (then `skip_conflicts` is `ignore_conflicts`, and rows come back only when nothing is skipped)."""
    if not instances:
        return []
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    if connection.vendor != "postgresql":
        written = model.objects.bulk_create(instances, batch_size=2000, ignore_conflicts=skip_conflicts)
        if skip_conflicts:
            return []
        return [tuple(getattr(obj, model._meta.get_field(name).attname) for name in returning) for obj in written]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays})"
    if skip_conflicts:
        sql += " ON CONFLICT DO NOTHING"
    if returning:
        sql += " RETURNING " + ", ".join(connection.ops.quote_name(model._meta.get_field(name).column)
                                         for name in returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, [[getattr(obj, field.attname) for obj in instances] for field in fields])
        return [tuple(row) for row in cursor.fetchall()] if returning else []
