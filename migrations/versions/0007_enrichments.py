"""enrichments: what arXiv says of the owner's papers, kept apart; the pace of arXiv requests
every process of the install shares (its one row is made here)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('pace',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('next_request_at', sa.DateTime(timezone=True), nullable=False, comment='no request before this; held while one is out'),
    sa.Column('failures', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_pace'))
    )
    pace = sa.table('pace', sa.column('name', sa.String), sa.column('next_request_at', sa.DateTime(timezone=True)), sa.column('failures', sa.Integer))
    op.bulk_insert(pace, [{'name': 'arxiv', 'next_request_at': dt.datetime(1970, 1, 1, tzinfo=dt.UTC), 'failures': 0}])
    op.create_table('enrichments',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False, comment='where it came from: arxiv'),
    sa.Column('status', sa.Enum('found', 'not_found', 'failed', name='enrichment_status', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('asked', sa.String(length=512), nullable=False, comment='what was asked: id:<arXiv id> or title:<normalised title>'),
    sa.Column('arxiv_id', sa.String(length=32), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('abstract', sa.Text(), nullable=False),
    sa.Column('authors', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('tokens', sa.Text(), nullable=False, comment="search tokens appended to the item's body tokens"),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True, comment='not asked again before this instant'),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_enrichments_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', name=op.f('pk_enrichments'))
    )


def downgrade() -> None:
    op.drop_table('enrichments')
    op.drop_table('pace')
