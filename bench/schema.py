"""Raw inserts that follow the models, so a column added later does not break the bench's generators.

The generators write history with `INSERT … SELECT` (a seed is not a user action, and the ORM would take hours).
Listing every column by hand broke them once: `Bill.idempotency_key` (NOT NULL) was added and `bench.billing
prepare` failed on every empty database. Here a generator names only the columns it computes; every other column
is derived from the Django model:

* a column with a database default (`db_default`) is left out, so PostgreSQL fills it;
* a nullable column is left out (NULL);
* any other NOT NULL column gets the field's Python default (`default=`, or '' for a text field, as the ORM would)
  as a parameter;
* a NOT NULL column with no default at all, or a column the model does not have, stops the generator with a message
  naming it — a schema change the generator must learn about, caught by the small bench in CI.
"""

from __future__ import annotations

from django.db import connection


def _filled(model, given: set[str]) -> dict[str, object]:
    """{column: value} for the NOT NULL columns of `model` that `given` lacks and only Python can default."""
    known = {f.column for f in model._meta.concrete_fields}
    unknown = given - known
    if unknown:
        raise RuntimeError(f"bench: {model.__name__} has no column {', '.join(sorted(unknown))}; the bench's "
                           "generator follows an older schema")
    filled = {}
    for field in model._meta.concrete_fields:
        if field.column in given or field.primary_key or field.null or field.has_db_default():
            continue
        value = field.get_default()  # default=… (callables called), '' for text fields, else None
        if value is None:
            raise RuntimeError(f"bench: {model.__name__}.{field.name} is NOT NULL without a default; the bench's "
                               "generator must set it")
        filled[field.column] = field.get_db_prep_save(value, connection)
    return filled


def _columns(model, values: dict[str, str], params: dict) -> tuple[str, str, dict]:
    """(quoted column list, expression list, parameters) for `values` plus the columns filled for them."""
    filled = _filled(model, set(values))
    quote = connection.ops.quote_name
    columns = ", ".join(quote(column) for column in [*values, *filled])
    expressions = ", ".join([*values.values(), *(f"%(bench_fill_{n})s" for n in range(len(filled)))])
    return columns, expressions, {**params, **{f"bench_fill_{n}": v for n, v in enumerate(filled.values())}}


def insert_select(cursor, model, values: dict[str, str], source: str, params: dict, *, with_: str = "") -> int:
    """`[WITH …] INSERT INTO <model's table> (…) SELECT <values> <source>`; returns the rows inserted.

    `values` maps column names to SQL expressions over `source` (the FROM … part, with WHERE / ORDER BY);
    `params` are its named parameters. Columns not named are filled as the module docstring says."""
    columns, expressions, params = _columns(model, values, params)
    table = connection.ops.quote_name(model._meta.db_table)
    cursor.execute(f"{with_} INSERT INTO {table} ({columns}) SELECT {expressions} {source}", params)
    return cursor.rowcount


def insert_values(cursor, model, values: dict[str, str], params: dict, *, suffix: str = "") -> int:
    """`INSERT INTO <model's table> (…) VALUES (…) <suffix>` for one row, the other columns filled likewise."""
    columns, expressions, params = _columns(model, values, params)
    table = connection.ops.quote_name(model._meta.db_table)
    cursor.execute(f"INSERT INTO {table} ({columns}) VALUES ({expressions}) {suffix}", params)
    return cursor.rowcount
