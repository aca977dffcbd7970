"""delivery: the uncertain state, when a message was claimed, notices to the admins

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "state IN ('pending', 'sending', 'sent', 'failed')"
NEW = "state IN ('pending', 'sending', 'sent', 'failed', 'uncertain')"


def upgrade() -> None:
    with op.batch_alter_table('digest_messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True, comment='when its latest request left (marked sending)'))
        batch_op.drop_constraint(op.f('ck_digest_messages_delivery_state'), type_='check')
        batch_op.create_check_constraint('delivery_state', sa.text(NEW))
    op.create_table('notices',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_notices'))
    )


def downgrade() -> None:
    op.drop_table('notices')
    op.execute("UPDATE digest_messages SET state = 'sent' WHERE state = 'uncertain'")
    with op.batch_alter_table('digest_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_digest_messages_delivery_state'), type_='check')
        batch_op.create_check_constraint('delivery_state', sa.text(OLD))
        batch_op.drop_column('claimed_at')
