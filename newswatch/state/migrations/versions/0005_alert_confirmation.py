"""alert confirmation: when an official source published an alert's document, its link and source

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 04:10:00

Rebased onto 0004 at merge (written in parallel with it; both only add).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('monitor_alerts') as batch:
        batch.add_column(sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('official_url', sa.Text(), nullable=True))
        batch.add_column(sa.Column('official_source', sa.String(length=100), nullable=True))
        batch.create_index('ix_monitor_alerts_query_key', ['query_key'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('monitor_alerts') as batch:
        batch.drop_index('ix_monitor_alerts_query_key')
        batch.drop_column('official_source')
        batch.drop_column('official_url')
        batch.drop_column('confirmed_at')
