"""source_levels: each reader's level for a source (more, normal, less, never)

A new table, one row per chat and source whose level is not normal; nothing else changes, so
a store holding data upgrades and downgrades without rewriting a row.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-14
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('source_levels',
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('more', 'normal', 'less', 'never', name='source_level', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.ForeignKeyConstraint(['chat_id'], ['chats.id'], name=op.f('fk_source_levels_chat_id_chats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_source_levels_source_id_sources'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('chat_id', 'source_id', name=op.f('pk_source_levels'))
    )
    with op.batch_alter_table('source_levels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_levels_source_id'), ['source_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('source_levels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_levels_source_id'))

    op.drop_table('source_levels')
