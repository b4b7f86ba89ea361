"""surveys in the database: surveys, their saved versions, and the version each wave was created from

Revision ID: builder
Revises: speed
"""

import sqlalchemy as sa
from alembic import op

revision = "builder"
down_revision = "tooling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
        sa.UniqueConstraint("key", name=op.f("uq_survey_key")),
    )
    op.create_table(
        "survey_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_version_survey_id_survey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_version")),
        sa.UniqueConstraint("survey_id", "number", name=op.f("uq_survey_version_survey_id_number")),
    )
    op.create_index(op.f("ix_survey_version_survey_id"), "survey_version", ["survey_id"])
    op.create_table(
        "survey_wave_version",
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("survey_version_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["wave_id"], ["survey_wave.id"], name=op.f("fk_survey_wave_version_wave_id_survey_wave"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["survey_version_id"],
            ["survey_version.id"],
            name=op.f("fk_survey_wave_version_survey_version_id_survey_version"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("wave_id", name=op.f("pk_survey_wave_version")),
    )
    op.create_index(op.f("ix_survey_wave_version_survey_version_id"), "survey_wave_version", ["survey_version_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_survey_wave_version_survey_version_id"), table_name="survey_wave_version")
    op.drop_table("survey_wave_version")
    op.drop_index(op.f("ix_survey_version_survey_id"), table_name="survey_version")
    op.drop_table("survey_version")
    op.drop_table("survey")
