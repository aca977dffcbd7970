"""digest message buttons and retry time; when a chat first subscribed

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('chats', schema=None) as batch_op:
        batch_op.add_column(sa.Column('joined_at', sa.DateTime(timezone=True), nullable=True, comment='first /start; None: never subscribed'))
    with op.batch_alter_table('digest_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retry_at', sa.DateTime(timezone=True), nullable=True, comment='after a failed attempt: not before this instant'))
        batch_op.add_column(sa.Column('buttons', sa.JSON(), server_default=sa.text("'[]'"), nullable=False, comment='inline keyboard: rows of [label, callback data]'))



def downgrade() -> None:
    with op.batch_alter_table('chats', schema=None) as batch_op:
        batch_op.drop_column('joined_at')
    with op.batch_alter_table('digest_messages', schema=None) as batch_op:
        batch_op.drop_column('buttons')
        batch_op.drop_column('retry_at')

