"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('chats',
    sa.Column('id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('subscribed', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('timezone', sa.String(length=64), nullable=False),
    sa.Column('digest_time', sa.Time(), nullable=False),
    sa.Column('digest_size', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('paused', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('blocked', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chats'))
    )
    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('notes_file', 'feed', name='source_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('key', sa.String(length=512), nullable=False, comment='file:<name> or feed:<canonical site>; one row each'),
    sa.Column('name', sa.String(length=256), nullable=False),
    sa.Column('site', sa.String(length=1024), nullable=True),
    sa.Column('feed_url', sa.String(length=1024), nullable=True, comment='None: no known feed'),
    sa.Column('etag', sa.String(length=512), nullable=True),
    sa.Column('last_modified', sa.String(length=128), nullable=True),
    sa.Column('error_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('paused', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.Column('last_checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('next_check_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    sa.UniqueConstraint('key', name=op.f('uq_sources_key'))
    )
    op.create_table('digests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.Enum('daily', 'on_demand', name='digest_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('gave_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['chat_id'], ['chats.id'], name=op.f('fk_digests_chat_id_chats'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digests'))
    )
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digests_chat_id'), ['chat_id'], unique=False)
        batch_op.create_index('uq_digests_daily_per_date', ['chat_id', 'local_date'], unique=True, sqlite_where=sa.text("kind = 'daily'"), postgresql_where=sa.text("kind = 'daily'"))

    op.create_table('items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('quote', 'paper', 'article', name='item_kind', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False, comment="the owner's own notes on it"),
    sa.Column('author', sa.Text(), nullable=False, comment='speaker or authors'),
    sa.Column('affiliation', sa.Text(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=True),
    sa.Column('url', sa.Text(), nullable=True),
    sa.Column('arxiv_id', sa.String(length=32), nullable=True),
    sa.Column('video_url', sa.Text(), nullable=True),
    sa.Column('topic', sa.Text(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=True),
    sa.Column('canonical_key', sa.String(length=512), nullable=False),
    sa.Column('raw_text', sa.Text(), nullable=True, comment='the lines as they stood in the file, kept whenever repair changed them'),
    sa.Column('repair_confidence', sa.Float(), nullable=True),
    sa.Column('title_tokens', sa.Text(), nullable=False, comment='search tokens, title'),
    sa.Column('body_tokens', sa.Text(), nullable=False, comment='search tokens, the rest'),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('added_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_items_source_id_sources'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
    sa.UniqueConstraint('canonical_key', name=op.f('uq_items_canonical_key'))
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_items_arxiv_id'), ['arxiv_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_items_source_id'), ['source_id'], unique=False)

    op.create_table('muted_words',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('word', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['chat_id'], ['chats.id'], name=op.f('fk_muted_words_chat_id_chats'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_muted_words')),
    sa.UniqueConstraint('chat_id', 'word', name=op.f('uq_muted_words_chat_id'))
    )
    with op.batch_alter_table('muted_words', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_muted_words_chat_id'), ['chat_id'], unique=False)

    op.create_table('digest_items',
    sa.Column('digest_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False, comment='1-based number'),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['digest_id'], ['digests.id'], name=op.f('fk_digest_items_digest_id_digests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_digest_items_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('digest_id', 'position', name=op.f('pk_digest_items'))
    )
    with op.batch_alter_table('digest_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_items_item_id'), ['item_id'], unique=False)

    op.create_table('digest_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('digest_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False, comment='the Telegram HTML as composed'),
    sa.Column('state', sa.Enum('pending', 'sending', 'sent', 'failed', name='delivery_state', native_enum=False, create_constraint=True, length=16), nullable=False),
    sa.Column('telegram_message_id', sa.BigInteger(), nullable=True),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['digest_id'], ['digests.id'], name=op.f('fk_digest_messages_digest_id_digests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_digest_messages')),
    sa.UniqueConstraint('digest_id', 'part', name=op.f('uq_digest_messages_digest_id'))
    )
    with op.batch_alter_table('digest_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_digest_messages_state'), ['state'], unique=False)

    op.create_table('item_keys',
    sa.Column('key', sa.String(length=512), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_item_keys_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_item_keys'))
    )
    with op.batch_alter_table('item_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_keys_item_id'), ['item_id'], unique=False)

    op.create_table('item_states',
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('read', 'skipped', name='read_status', native_enum=False, create_constraint=True, length=16), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('times_shown', sa.Integer(), server_default='0', nullable=False),
    sa.Column('last_shown_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['chat_id'], ['chats.id'], name=op.f('fk_item_states_chat_id_chats'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['items.id'], name=op.f('fk_item_states_item_id_items'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('chat_id', 'item_id', name=op.f('pk_item_states'))
    )
    with op.batch_alter_table('item_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_states_item_id'), ['item_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('item_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_states_item_id'))

    op.drop_table('item_states')
    with op.batch_alter_table('item_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_keys_item_id'))

    op.drop_table('item_keys')
    with op.batch_alter_table('digest_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_messages_state'))

    op.drop_table('digest_messages')
    with op.batch_alter_table('digest_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_digest_items_item_id'))

    op.drop_table('digest_items')
    with op.batch_alter_table('muted_words', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_muted_words_chat_id'))

    op.drop_table('muted_words')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_items_source_id'))
        batch_op.drop_index(batch_op.f('ix_items_kind'))
        batch_op.drop_index(batch_op.f('ix_items_arxiv_id'))

    op.drop_table('items')
    with op.batch_alter_table('digests', schema=None) as batch_op:
        batch_op.drop_index('uq_digests_daily_per_date', sqlite_where=sa.text("kind = 'daily'"), postgresql_where=sa.text("kind = 'daily'"))
        batch_op.drop_index(batch_op.f('ix_digests_chat_id'))

    op.drop_table('digests')
    op.drop_table('sources')
    op.drop_table('chats')
