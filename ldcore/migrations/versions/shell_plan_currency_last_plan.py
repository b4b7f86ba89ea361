"""a plan's currency, and the plan each account last chose

Revision ID: shell
Revises: respondent
"""

import sqlalchemy as sa
from alembic import op

revision = "shell"
down_revision = "respondent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.add_column(sa.Column("currency", sa.String(length=3), nullable=True))
    with op.batch_alter_table("account") as batch:
        batch.add_column(sa.Column("last_plan", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("account") as batch:
        batch.drop_column("last_plan")
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("currency")
