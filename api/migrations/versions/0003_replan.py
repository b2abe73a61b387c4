"""solves re-plan from a publication: the version anchored to, the stability, the freeze

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("solves", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_version", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("stability", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("freeze_before", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("solves", schema=None) as batch_op:
        batch_op.drop_column("freeze_before")
        batch_op.drop_column("stability")
        batch_op.drop_column("previous_version")
