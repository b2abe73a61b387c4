"""re-plans side by side: the move cost a solve was asked with, whether it re-plans several ways, its choices

Revision ID: 0005
Revises: 0004_headers
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004_headers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("solves", schema=None) as batch_op:
        batch_op.add_column(sa.Column("move_cost", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("with_choices", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("choices", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("solves", schema=None) as batch_op:
        batch_op.drop_column("choices")
        batch_op.drop_column("with_choices")
        batch_op.drop_column("move_cost")
