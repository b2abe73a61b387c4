"""a solve remembers the event's setting revision it read, so that a stale solve is told from a current one

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("solves", schema=None) as batch_op:
        batch_op.add_column(sa.Column("setting_revision", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("solves", schema=None) as batch_op:
        batch_op.drop_column("setting_revision")
