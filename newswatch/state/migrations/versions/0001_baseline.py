"""baseline: the schema before migrations

Revision ID: 0001
Revises: (none)
Create Date: 2026-12-05 01:22:23.682345
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('crawl_entries',
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('parent', sa.String(length=2048), nullable=True),
    sa.Column('etag', sa.String(length=512), nullable=True),
    sa.Column('last_modified', sa.String(length=64), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('last_status', sa.Integer(), nullable=True),
    sa.Column('last_reason', sa.String(length=200), nullable=True),
    sa.Column('last_fetched', sa.DateTime(timezone=True), nullable=True),
    sa.Column('items', sa.Integer(), nullable=True),
    sa.Column('new_items', sa.Integer(), nullable=True),
    sa.Column('poll_etag', sa.String(length=512), nullable=True),
    sa.Column('poll_last_modified', sa.String(length=64), nullable=True),
    sa.Column('poll_hash', sa.String(length=64), nullable=True),
    sa.Column('poll_pending', sa.Text(), nullable=True),
    sa.Column('poll_interval', sa.Float(), nullable=True),
    sa.Column('last_polled', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('url')
    )
    with op.batch_alter_table('crawl_entries', schema=None) as batch_op:
        batch_op.create_index('ix_crawl_entries_source', ['source'], unique=False)

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

    op.create_table('crawl_urls',
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('canonical_url', sa.String(length=2048), nullable=True),
    sa.Column('fingerprint', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('http_status', sa.Integer(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_fetched', sa.DateTime(timezone=True), nullable=True),
    sa.Column('announced_modified', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('url')
    )
    with op.batch_alter_table('crawl_urls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crawl_urls_canonical_url'), ['canonical_url'], unique=False)
        batch_op.create_index(batch_op.f('ix_crawl_urls_source'), ['source'], unique=False)

    op.create_table('monitor_alerts',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('uid', sa.String(length=40), nullable=False),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('rule_type', sa.String(length=40), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('dedup_key', sa.String(length=400), nullable=False),
    sa.Column('query_key', sa.String(length=400), nullable=False),
    sa.Column('headline', sa.Text(), nullable=False),
    sa.Column('doc_number', sa.String(length=120), nullable=True),
    sa.Column('doc_type', sa.String(length=20), nullable=True),
    sa.Column('doc_type_name', sa.String(length=80), nullable=True),
    sa.Column('doc_issuer', sa.String(length=40), nullable=True),
    sa.Column('doc_issue_date', sa.String(length=10), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('cluster_id', sa.String(length=80), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_by', sa.String(length=100), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('details', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('rule', 'dedup_key', name='uq_monitor_alert_rule_key'),
    sa.UniqueConstraint('uid')
    )
    with op.batch_alter_table('monitor_alerts', schema=None) as batch_op:
        batch_op.create_index('ix_monitor_alerts_rule_query', ['rule', 'query_key'], unique=False)
        batch_op.create_index('ix_monitor_alerts_status', ['status', 'created_at'], unique=False)

    op.create_table('monitor_state',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
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

    op.create_table('sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user', sa.String(length=64), nullable=False),
    sa.Column('created', sa.Float(), nullable=False),
    sa.Column('last_seen', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id_hash')
    )
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sessions_user'), ['user'], unique=False)

    op.create_table('users',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=256), nullable=False),
    sa.Column('created', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('crawl_run_sources',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('requests', sa.Integer(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('articles_new', sa.Integer(), nullable=False),
    sa.Column('articles_updated', sa.Integer(), nullable=False),
    sa.Column('articles_unchanged', sa.Integer(), nullable=False),
    sa.Column('not_articles', sa.Integer(), nullable=False),
    sa.Column('entries_unchanged', sa.Integer(), nullable=False),
    sa.Column('skipped_known', sa.Integer(), nullable=False),
    sa.Column('errors', sa.Text(), nullable=False),
    sa.Column('finish_reason', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('crawl_run_sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crawl_run_sources_run_id'), ['run_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crawl_run_sources_source'), ['source'], unique=False)

    op.create_table('monitor_alert_articles',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('article_id', sa.String(length=40), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('published', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cluster_id', sa.String(length=80), nullable=True),
    sa.Column('evidence', sa.Text(), nullable=False),
    sa.Column('attached_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['monitor_alerts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('alert_id', 'article_id', name='uq_monitor_alert_article')
    )
    with op.batch_alter_table('monitor_alert_articles', schema=None) as batch_op:
        batch_op.create_index('ix_monitor_alert_articles_article', ['article_id'], unique=False)
        batch_op.create_index('ix_monitor_alert_articles_cluster', ['cluster_id'], unique=False)

    op.create_table('monitor_outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('idempotency_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=100), nullable=False),
    sa.Column('severity', sa.String(length=20), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('period_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('held', sa.String(length=20), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('not_before', sa.DateTime(timezone=True), nullable=False),
    sa.Column('lease_owner', sa.String(length=100), nullable=True),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['alert_id'], ['monitor_alerts.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('idempotency_key')
    )
    with op.batch_alter_table('monitor_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_monitor_outbox_alert', ['alert_id'], unique=False)
        batch_op.create_index('ix_monitor_outbox_due', ['status', 'not_before'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('monitor_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_monitor_outbox_due')
        batch_op.drop_index('ix_monitor_outbox_alert')

    op.drop_table('monitor_outbox')
    with op.batch_alter_table('monitor_alert_articles', schema=None) as batch_op:
        batch_op.drop_index('ix_monitor_alert_articles_cluster')
        batch_op.drop_index('ix_monitor_alert_articles_article')

    op.drop_table('monitor_alert_articles')
    with op.batch_alter_table('crawl_run_sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_run_sources_source'))
        batch_op.drop_index(batch_op.f('ix_crawl_run_sources_run_id'))

    op.drop_table('crawl_run_sources')
    op.drop_table('users')
    with op.batch_alter_table('sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sessions_user'))

    op.drop_table('sessions')
    with op.batch_alter_table('service_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_runs_started'))
        batch_op.drop_index(batch_op.f('ix_service_runs_source'))

    op.drop_table('service_runs')
    op.drop_table('monitor_state')
    with op.batch_alter_table('monitor_alerts', schema=None) as batch_op:
        batch_op.drop_index('ix_monitor_alerts_status')
        batch_op.drop_index('ix_monitor_alerts_rule_query')

    op.drop_table('monitor_alerts')
    with op.batch_alter_table('crawl_urls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_urls_source'))
        batch_op.drop_index(batch_op.f('ix_crawl_urls_canonical_url'))

    op.drop_table('crawl_urls')
    with op.batch_alter_table('crawl_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crawl_runs_started_at'))

    op.drop_table('crawl_runs')
    with op.batch_alter_table('crawl_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_crawl_entries_source')

    op.drop_table('crawl_entries')
