"""Set-based ``INSERT … SELECT`` for the benchmark data generators (PostgreSQL, nothing per row in
Python).

A generator names the columns it cares about; every other concrete column of the model gets its
field's default as a parameter, so a column added to a model later (with a default) does not break
the generators.
"""

import json


def insert_select(cursor, model, exprs: dict[str, str], source: str, params: dict) -> None:
    """``INSERT INTO model (every column) SELECT …``: ``exprs`` maps field attnames to SQL
    expressions over ``source`` (``FROM …``), written with ``%(name)s`` parameters from ``params``."""
    qn = cursor.db.ops.quote_name
    columns, values = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key:
            continue
        columns.append(qn(f.column))
        if f.attname in exprs:
            values.append(exprs[f.attname])
        else:
            default = f.get_default()
            key = f"default_{f.column}"
            params[key] = json.dumps(default) if f.get_internal_type() == "JSONField" else default
            values.append(f"%({key})s")
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(values)} {source}"
    cursor.execute(sql, params)
