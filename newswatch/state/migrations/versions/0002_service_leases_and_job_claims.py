"""service leases and job claims

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-05 01:28:08.999801
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('service_job_claims',
    sa.Column('job_id', sa.String(length=191), nullable=False),
    sa.Column('scheduled_at', sa.String(length=40), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('epoch', sa.Integer(), nullable=False),
    sa.Column('claimed_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('job_id', 'scheduled_at')
    )
    with op.batch_alter_table('service_job_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_job_claims_claimed_at'), ['claimed_at'], unique=False)

    op.create_table('service_leases',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('holder', sa.String(length=200), nullable=False),
    sa.Column('epoch', sa.Integer(), nullable=False),
    sa.Column('acquired_at', sa.Float(), nullable=False),
    sa.Column('renewed_at', sa.Float(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('service_leases')
    with op.batch_alter_table('service_job_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_job_claims_claimed_at'))

    op.drop_table('service_job_claims')
