"""data versions per plan and wave: an append-only change log replaces the one global counter row

Revision ID: speed
Revises: authops
"""

import sqlalchemy as sa
from alembic import op

revision = "speed"
down_revision = "authops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=True),
        sa.Column("wave_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_change")),
    )
    op.create_index("ix_data_change_plan", "data_change", ["plan_id", "id"])
    op.create_index("ix_data_change_wave", "data_change", ["wave_id", "id"])
    op.drop_table("data_version")


def downgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_version")),
    )
    op.drop_index("ix_data_change_wave", table_name="data_change")
    op.drop_index("ix_data_change_plan", table_name="data_change")
    op.drop_table("data_change")
