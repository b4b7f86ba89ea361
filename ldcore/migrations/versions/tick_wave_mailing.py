"""mail templates and schedule per wave; one row per mail sent to an invited person

Revision ID: tick
Revises: speed
"""

import sqlalchemy as sa
from alembic import op

revision = "tick"
down_revision = "builder"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wave_mailing",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("invite_subject", sa.String(length=200), nullable=True),
        sa.Column("invite_body", sa.Text(), nullable=True),
        sa.Column("remind_subject", sa.String(length=200), nullable=True),
        sa.Column("remind_body", sa.Text(), nullable=True),
        sa.Column("reminder_days", sa.JSON(), nullable=True),
        sa.Column("scheduled", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["survey_wave.id"], name=op.f("fk_wave_mailing_wave_id_survey_wave"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("wave_id", name=op.f("pk_wave_mailing")),
    )
    op.create_table(
        "mail_send",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(length=300), nullable=False),
        sa.Column("claimed_by", sa.String(length=40), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["invitation_id"], ["invitation.id"], name=op.f("fk_mail_send_invitation_id_invitation"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["survey_wave.id"], name=op.f("fk_mail_send_wave_id_survey_wave"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_send")),
        sa.UniqueConstraint("invitation_id", "step", name=op.f("uq_mail_send_invitation_id_step")),
    )
    op.create_index(op.f("ix_mail_send_wave_id"), "mail_send", ["wave_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_mail_send_wave_id"), table_name="mail_send")
    op.drop_table("mail_send")
    op.drop_table("wave_mailing")
