"""response drafts: answers kept while a person fills in a survey (save and resume)

Revision ID: respondent
Revises: speed
"""

import sqlalchemy as sa
from alembic import op

revision = "respondent"
down_revision = "tick"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "response_draft",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitation.id"],
            name=op.f("fk_response_draft_invitation_id_invitation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["team.id"], name=op.f("fk_response_draft_team_id_team"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["survey_wave.id"], name=op.f("fk_response_draft_wave_id_survey_wave"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_draft")),
        sa.UniqueConstraint("invitation_id", name=op.f("uq_response_draft_invitation_id")),
        sa.UniqueConstraint("wave_id", "client_id", name=op.f("uq_response_draft_wave_id_client_id")),
    )
    op.create_index(op.f("ix_response_draft_wave_id"), "response_draft", ["wave_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_response_draft_wave_id"), table_name="response_draft")
    op.drop_table("response_draft")
