"""running totals of per-capability answers and of baseline → follow-up pairs, kept by database triggers

Revision ID: tally
Revises: speed_pairing
"""

import sqlalchemy as sa
from alembic import op

from ldcore import tally

revision = "tally"
down_revision = "speed_pairing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answer_tally",
        sa.Column("wave_id", sa.Integer(), primary_key=True),
        sa.Column("question_key", sa.String(64), primary_key=True),
        sa.Column("capability_id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.Integer(), primary_key=True),
        sa.Column("value_num", sa.Float(), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
    )
    op.create_table(
        "pair_tally",
        sa.Column("baseline_wave_id", sa.Integer(), primary_key=True),
        sa.Column("followup_wave_id", sa.Integer(), primary_key=True),
        sa.Column("question_key", sa.String(64), primary_key=True),
        sa.Column("capability_id", sa.Integer(), primary_key=True),
        sa.Column("team_id", sa.Integer(), primary_key=True),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sd", sa.Float(), nullable=False),
        sa.Column("sdd", sa.Float(), nullable=False),
        sa.Column("spre", sa.Float(), nullable=False),
        sa.Column("spost", sa.Float(), nullable=False),
    )
    conn = op.get_bind()
    tally.rebuild(conn)
    tally.create_triggers(conn)


def downgrade() -> None:
    tally.drop_triggers(op.get_bind())
    op.drop_table("pair_tally")
    op.drop_table("answer_tally")
