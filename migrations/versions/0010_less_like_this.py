"""item_states: a second kind of skip, "less like this" ('less')

The status column is a VARCHAR with a CHECK constraint on both SQLite and PostgreSQL (the
models' enums are not native), so the new value is a new constraint: PostgreSQL alters it in
place, SQLite rebuilds the table (batch mode). Skips answered before this revision stay
'skipped', which now means "not now": no row is rewritten. Downgrading turns every 'less' back
into 'skipped'.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "status IN ('read', 'skipped')"
NEW = "status IN ('read', 'skipped', 'less')"


def upgrade() -> None:
    with op.batch_alter_table('item_states', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_item_states_read_status'), type_='check')
        batch_op.create_check_constraint('read_status', sa.text(NEW))


def downgrade() -> None:
    op.execute("UPDATE item_states SET status = 'skipped' WHERE status = 'less'")
    with op.batch_alter_table('item_states', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_item_states_read_status'), type_='check')
        batch_op.create_check_constraint('read_status', sa.text(OLD))
