"""answer.item is gone: nothing ever wrote a value into it

Revision ID: tooling
Revises: speed
"""

import sqlalchemy as sa
from alembic import op

revision = "tooling"
down_revision = "speed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("answer") as batch:
        batch.drop_column("item")


def downgrade() -> None:
    with op.batch_alter_table("answer") as batch:
        batch.add_column(sa.Column("item", sa.String(length=200), nullable=True))
