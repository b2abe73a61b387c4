"""an infeasible solve's suggestions: the pin moves its explanation found and checked by solving

Revision ID: 0006_suggestions
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("solves", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suggestions", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("solves", schema=None) as batch_op:
        batch_op.drop_column("suggestions")
