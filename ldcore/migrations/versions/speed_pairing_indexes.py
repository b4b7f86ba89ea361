"""indexes for pairing baseline and follow-up answers in one aggregate: responses by (wave, person), answers by
(response, question, capability) covering the value and team; the old response-only answer index is its prefix

Revision ID: speed_pairing
Revises: shell
"""

from alembic import op

revision = "speed_pairing"
down_revision = "shell"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_response_wave_person", "response", ["wave_id", "person_id"])
    op.create_index(
        "ix_answer_response_question_cap",
        "answer",
        ["response_id", "question_key", "capability_id", "value_num", "team_id"],
    )
    op.drop_index("ix_answer_response_id", table_name="answer")


def downgrade() -> None:
    op.create_index("ix_answer_response_id", "answer", ["response_id"])
    op.drop_index("ix_answer_response_question_cap", table_name="answer")
    op.drop_index("ix_response_wave_person", table_name="response")
