"""re-import follows edits: items retired from their notes file, revisions kept

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retired_at', sa.DateTime(timezone=True), nullable=True, comment='gone from its notes file and retired: kept, not drawn'))
    op.create_table('item_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('revised_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('previous', sa.JSON(), nullable=False, comment="the changed fields' former values"),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_item_revisions_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_revisions'))
    )
    with op.batch_alter_table('item_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_revisions_item_id'), ['item_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('item_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_revisions_item_id'))
    op.drop_table('item_revisions')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_column('retired_at')
