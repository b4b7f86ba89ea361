"""identity retention per wave: how long respondents' identities are kept after the wave closes

Revision ID: privops
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "privops"
down_revision = "leaders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey_wave", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("identity_retention_days", sa.Integer(), nullable=False, server_default=sa.text("365"))
        )
        batch_op.add_column(sa.Column("identities_removed_at", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("survey_wave", schema=None) as batch_op:
        batch_op.drop_column("identities_removed_at")
        batch_op.drop_column("identity_retention_days")
