"""friends: who may use the bot (access), a timed pause and the weekdays of a chat's digest

`access` starts empty: ALLOWED_USER_IDS is seeded into it as the bot starts. Existing chats
keep their digests every day (digest_days 127, all seven bits) and no timed pause.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-08
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('access',
    sa.Column('user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=True, comment='what the admin called them'),
    sa.Column('allowed_by', sa.BigInteger(), nullable=True, comment='the admin who allowed them; None: ALLOWED_USER_IDS'),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False, comment='when allowed (or, never allowed, when denied)'),
    sa.Column('denied_at', sa.DateTime(timezone=True), nullable=True, comment='set by /deny: no digests, no answers'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_access'))
    )
    with op.batch_alter_table('chats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_until', sa.DateTime(timezone=True), nullable=True, comment='/pause 7d: daily digests held until then'))
        batch_op.add_column(sa.Column('digest_days', sa.Integer(), server_default='127', nullable=False, comment='local weekdays of the daily digest, a bit each: Monday 1 … Sunday 64'))


def downgrade() -> None:
    # SQLite's own DROP COLUMN (3.35+): rebuilding `chats` would drop the old table, and with
    # foreign keys on that deletes every row that cascades from it (answers, digests).
    with op.batch_alter_table('chats', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('digest_days')
        batch_op.drop_column('paused_until')

    op.drop_table('access')
