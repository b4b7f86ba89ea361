"""capability names up to 500 characters (a real survey grid row had 203)

Revision ID: imports
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "imports"
down_revision = "privops"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("capability") as batch:
        batch.alter_column("name", existing_type=sa.String(length=200), type_=sa.String(length=500))


def downgrade() -> None:
    with op.batch_alter_table("capability") as batch:
        batch.alter_column("name", existing_type=sa.String(length=500), type_=sa.String(length=200))
