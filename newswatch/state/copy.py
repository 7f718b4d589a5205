"""Copy the operational state from one database to another (SQLite → PostgreSQL when a site grows).

Both databases are brought to the newest schema revision first; the target must hold no rows
(a half-done copy is refused rather than mixed). Tables are copied parents first, in batches,
APScheduler's job store included; PostgreSQL's id sequences then continue after the copied ids.
"""

from __future__ import annotations

from sqlalchemy import MetaData, func, insert, inspect, select, text

from newswatch.state.db import create_state_engine, import_table_modules, metadata
from newswatch.state.migrate import upgrade

BATCH = 1000


class CopyError(RuntimeError):
    pass


def copy_state(source_url: str, target_url: str) -> dict[str, int]:
    """Copy every row of ``source_url`` into the empty ``target_url``; returns rows per table."""
    source, target = create_state_engine(source_url), create_state_engine(target_url)
    try:
        upgrade(source)
        upgrade(target)
        import_table_modules()
        tables = list(metadata.sorted_tables)
        extra = MetaData()
        if inspect(source).has_table("apscheduler_jobs"):
            extra.reflect(source, only=["apscheduler_jobs"])
            if not inspect(target).has_table("apscheduler_jobs"):
                extra.create_all(target)
            tables.append(extra.tables["apscheduler_jobs"])
        with target.connect() as conn:
            busy = [t.name for t in tables if conn.execute(select(func.count()).select_from(t)).scalar()]
        if busy:
            raise CopyError(f"the target already holds rows in {', '.join(busy)}: copy into an empty database")
        copied: dict[str, int] = {}
        with source.connect() as src, target.begin() as dst:
            for table in tables:
                count = 0
                result = src.execution_options(stream_results=True).execute(select(table))
                while rows := result.fetchmany(BATCH):
                    dst.execute(insert(table), [dict(r._mapping) for r in rows])
                    count += len(rows)
                copied[table.name] = count
            if target.dialect.name == "postgresql":
                for table in tables:
                    column = table.c.get("id")
                    if column is not None and column.autoincrement is not False and column.primary_key:
                        dst.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                         f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"))
        return copied
    finally:
        source.dispose()
        target.dispose()
