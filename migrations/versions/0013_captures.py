"""captures: what an admin sent the bot to file, and sources of kind 'capture'

A captured item's source is a row of kind 'capture' (the owner in Telegram, or the channel or
person a message was forwarded from). sources.kind is a VARCHAR with a CHECK constraint on
both SQLite and PostgreSQL (the models' enums are not native), so the new value is a new
constraint: PostgreSQL alters it in place, SQLite rebuilds the table (batch mode).
Downgrading keeps every captured item: its source becomes a notes file of that name.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-14
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "kind IN ('notes_file', 'feed')"
NEW = "kind IN ('notes_file', 'feed', 'capture')"


def upgrade() -> None:
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sources_source_kind'), type_='check')
        batch_op.create_check_constraint('source_kind', sa.text(NEW))
    op.create_table('captures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.Column('created', sa.Boolean(), nullable=False, comment='this capture made the item: Undo removes only such'),
    sa.Column('asked', sa.Text(), nullable=False, comment='the link, id or words sent'),
    sa.Column('feed_url', sa.String(length=1024), nullable=True, comment='a feed it offered'),
    sa.Column('feed_name', sa.String(length=256), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('undone_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['chat_id'], ['chats.id'], name=op.f('fk_captures_chat_id_chats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_captures_item_id_items'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_captures'))
    )
    with op.batch_alter_table('captures', schema=None) as batch_op:
        batch_op.create_index('ix_captures_chat_id_created_at', ['chat_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_captures_item_id'), ['item_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('captures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_captures_item_id'))
        batch_op.drop_index('ix_captures_chat_id_created_at')
    op.drop_table('captures')
    # Captured items stay; their sources read as notes files (keys stay unique: "capture:…").
    op.execute("UPDATE sources SET kind = 'notes_file' WHERE kind = 'capture'")
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_sources_source_kind'), type_='check')
        batch_op.create_check_constraint('source_kind', sa.text(OLD))
