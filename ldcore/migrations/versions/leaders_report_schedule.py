"""report pack delivery schedule on the plan

Revision ID: leaders
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "leaders"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.add_column(sa.Column("report_every", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("report_to", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("report_format", sa.String(length=8), nullable=False, server_default="pdf"))
        batch.add_column(sa.Column("report_sent_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("plan") as batch:
        batch.drop_column("report_sent_on")
        batch.drop_column("report_format")
        batch.drop_column("report_to")
        batch.drop_column("report_every")
