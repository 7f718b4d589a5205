"""one run history: crawl_runs, crawl_run_sources and service_runs become runs and run_sources

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 03:59:29

Crawl runs keep their ids (their per-source rows keep pointing at them) and become kind ``crawl``;
the service's rows follow after the highest crawl-run id, in their own order, as kind ``poll`` (a
poll) or ``child`` (a crawl child, ``kind='crawl'`` in ``service_runs``). Their epoch-second floats
become timezone-aware UTC datetimes and ``elapsed_ms`` becomes ``duration_s``. Rows are copied in
batches through SQLAlchemy, so the same code runs on SQLite and PostgreSQL; PostgreSQL's id
sequences then continue after the copied ids. The downgrade copies the rows back.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

BATCH = 1000
COUNTERS = ('requests', 'responses', 'articles_new', 'articles_updated', 'articles_unchanged', 'not_articles',
            'entries_unchanged', 'skipped_known')

runs = sa.table(
    'runs', sa.column('id', sa.Integer), sa.column('kind', sa.String), sa.column('trigger', sa.String),
    sa.column('source', sa.String), sa.column('sources', sa.Text),
    sa.column('started_at', sa.DateTime(timezone=True)), sa.column('finished_at', sa.DateTime(timezone=True)),
    sa.column('status', sa.String), sa.column('full', sa.Integer), sa.column('pid', sa.Integer),
    sa.column('host', sa.String), sa.column('duration_s', sa.Float), sa.column('exit_code', sa.Integer),
    sa.column('reason', sa.Text), sa.column('summary', sa.Text))
crawl_runs = sa.table(
    'crawl_runs', sa.column('id', sa.Integer), sa.column('started_at', sa.DateTime(timezone=True)),
    sa.column('finished_at', sa.DateTime(timezone=True)), sa.column('status', sa.String),
    sa.column('sources', sa.Text), sa.column('full', sa.Integer), sa.column('trigger', sa.String),
    sa.column('pid', sa.Integer), sa.column('host', sa.String), sa.column('duration_s', sa.Float),
    sa.column('message', sa.Text))
service_runs = sa.table(
    'service_runs', sa.column('id', sa.Integer), sa.column('source', sa.String), sa.column('kind', sa.String),
    sa.column('trigger', sa.String), sa.column('started', sa.Float), sa.column('finished', sa.Float),
    sa.column('status', sa.String), sa.column('reason', sa.Text), sa.column('elapsed_ms', sa.Float),
    sa.column('exit_code', sa.Integer), sa.column('pid', sa.Integer), sa.column('summary', sa.Text))


def _per_source(name: str) -> Any:
    return sa.table(
        name, sa.column('id', sa.Integer), sa.column('run_id', sa.Integer), sa.column('source', sa.String),
        sa.column('status', sa.String), sa.column('started_at', sa.DateTime(timezone=True)),
        sa.column('finished_at', sa.DateTime(timezone=True)), *(sa.column(k, sa.Integer) for k in COUNTERS),
        sa.column('errors', sa.Text), sa.column('finish_reason', sa.String))


run_sources = _per_source('run_sources')
crawl_run_sources = _per_source('crawl_run_sources')


def _batches(conn: sa.Connection, table: Any, where: Any = None) -> Iterator[list[Any]]:
    """Every row of ``table`` in id order, a batch at a time (keyset paging: no cursor held open while writing)."""
    last = None
    while True:
        query = sa.select(table).order_by(table.c.id).limit(BATCH)
        if where is not None:
            query = query.where(where)
        if last is not None:
            query = query.where(table.c.id > last)
        rows = conn.execute(query).all()
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _copy(conn: sa.Connection, source: Any, target: Any, convert: Callable[[Any], dict[str, Any]],
          where: Any = None) -> None:
    for rows in _batches(conn, source, where):
        conn.execute(target.insert(), [convert(row) for row in rows])


def _continue_ids(conn: sa.Connection, *tables: str) -> None:
    """On PostgreSQL, each table's id sequence continues after the ids copied into it."""
    if conn.dialect.name != 'postgresql':
        return
    for name in tables:
        conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                             f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))


def _moment(epoch: float | None) -> datetime | None:
    return None if epoch is None else datetime.fromtimestamp(epoch, UTC)


def _epoch(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _counts(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k) for k in ('id', 'run_id', 'source', 'status', 'started_at', 'finished_at', *COUNTERS,
                                          'errors', 'finish_reason')}


def _create_per_source_table(name: str, runs_table: str) -> None:
    """A table of per-source figures of crawl runs: ``run_sources`` now, ``crawl_run_sources`` before."""
    op.create_table(name,
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    *(sa.Column(k, sa.Integer(), nullable=False) for k in COUNTERS),
    sa.Column('errors', sa.Text(), nullable=False),
    sa.Column('finish_reason', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], [f'{runs_table}.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table(name, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f'ix_{name}_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f(f'ix_{name}_source'), ['source'], unique=False)


def upgrade() -> None:
    op.create_table('runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=True),
    sa.Column('source', sa.String(length=64), nullable=True),
    sa.Column('sources', sa.Text(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('full', sa.Integer(), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('host', sa.String(length=128), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('exit_code', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['parent_id'], ['runs.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_runs_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_runs_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_runs_started_at'), ['started_at'], unique=False)

    _create_per_source_table('run_sources', 'runs')

    conn = op.get_bind()

    def crawl(row: Any) -> dict[str, Any]:
        names = json.loads(row.sources or '[]')
        return {'id': row.id, 'kind': 'crawl', 'trigger': row.trigger, 'source': names[0] if len(names) == 1 else None,
                'sources': row.sources, 'started_at': row.started_at, 'finished_at': row.finished_at,
                'status': row.status, 'full': row.full or 0, 'pid': row.pid, 'host': row.host,
                'duration_s': row.duration_s, 'exit_code': None, 'reason': row.message, 'summary': None}

    _copy(conn, crawl_runs, runs, crawl)
    _copy(conn, crawl_run_sources, run_sources, _counts)
    offset = conn.execute(sa.select(sa.func.max(crawl_runs.c.id))).scalar() or 0

    def service(row: Any) -> dict[str, Any]:
        duration = row.elapsed_ms / 1000 if row.elapsed_ms is not None else (
            row.finished - row.started if row.finished is not None else None)
        return {'id': row.id + offset, 'kind': 'poll' if row.kind == 'poll' else 'child', 'trigger': row.trigger,
                'source': row.source, 'sources': json.dumps([row.source]), 'started_at': _moment(row.started),
                'finished_at': _moment(row.finished), 'status': row.status, 'full': 0, 'pid': row.pid, 'host': None,
                'duration_s': duration, 'exit_code': row.exit_code, 'reason': row.reason, 'summary': row.summary}

    _copy(conn, service_runs, runs, service)
    _continue_ids(conn, 'runs', 'run_sources')

    with op.batch_alter_table('crawl_run_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_run_sources_run_id'))
        batch_op.drop_index(batch_op.f('ix_crawl_run_sources_source'))

    op.drop_table('crawl_run_sources')
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_runs_started_at'))

    op.drop_table('crawl_runs')
    with op.batch_alter_table('service_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_runs_source'))
        batch_op.drop_index(batch_op.f('ix_service_runs_started'))

    op.drop_table('service_runs')


def downgrade() -> None:
    op.create_table('service_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('started', sa.Float(), nullable=False),
    sa.Column('finished', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('elapsed_ms', sa.Float(), nullable=True),
    sa.Column('exit_code', sa.Integer(), nullable=True),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('service_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_runs_source'), ['source'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_runs_started'), ['started'], unique=False)

    op.create_table('crawl_runs',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sources', sa.Text(), nullable=False),
    sa.Column('full', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=32), nullable=True),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('host', sa.String(length=128), nullable=True),
    sa.Column('duration_s', sa.Float(), nullable=True),
    sa.Column('message', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crawl_runs_started_at'), ['started_at'], unique=False)

    _create_per_source_table('crawl_run_sources', 'crawl_runs')

    conn = op.get_bind()

    def crawl(row: Any) -> dict[str, Any]:
        return {'id': row.id, 'started_at': row.started_at, 'finished_at': row.finished_at, 'status': row.status,
                'sources': row.sources, 'full': row.full or 0, 'trigger': row.trigger, 'pid': row.pid,
                'host': row.host, 'duration_s': row.duration_s, 'message': row.reason}

    def service(row: Any) -> dict[str, Any]:
        return {'id': row.id, 'source': row.source or '', 'kind': 'poll' if row.kind == 'poll' else 'crawl',
                'trigger': row.trigger or 'schedule', 'started': _epoch(row.started_at),
                'finished': _epoch(row.finished_at), 'status': row.status, 'reason': row.reason,
                'elapsed_ms': row.duration_s * 1000 if row.duration_s is not None else None,
                'exit_code': row.exit_code, 'pid': row.pid, 'summary': row.summary}

    _copy(conn, runs, crawl_runs, crawl, runs.c.kind == 'crawl')
    _copy(conn, run_sources, crawl_run_sources, _counts)
    _copy(conn, runs, service_runs, service, runs.c.kind != 'crawl')
    _continue_ids(conn, 'crawl_runs', 'crawl_run_sources', 'service_runs')

    with op.batch_alter_table('run_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_run_sources_source'))
        batch_op.drop_index(batch_op.f('ix_run_sources_run_id'))

    op.drop_table('run_sources')
    with op.batch_alter_table('runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_runs_started_at'))
        batch_op.drop_index(batch_op.f('ix_runs_source'))
        batch_op.drop_index(batch_op.f('ix_runs_kind'))

    op.drop_table('runs')
