"""Indexes for the feedback explorer (newest first with its keyset, the product choices); the
survey's current-version foreign key on PostgreSQL

Revision ID: 0011
Revises: 0010

0002 declared `surveys.current_version_id → survey_versions.id` with use_alter (the two tables
point at each other), which `create_table` leaves out; SQLite keeps it inline, PostgreSQL
never had it. It is added here with the ALTER it was waiting for.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


FK = "fk_surveys_current_version_id_survey_versions"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Nothing deletes survey versions, but without the key nothing stopped it either.
        op.execute(
            "UPDATE surveys SET current_version_id = NULL WHERE current_version_id IS NOT NULL "
            "AND current_version_id NOT IN (SELECT id FROM survey_versions)"
        )
        op.create_foreign_key(FK, "surveys", "survey_versions", ["current_version_id"], ["id"])
    op.create_index("ix_feedback_time", "feedback", ["occurred_at", "id"], unique=False)
    op.create_index("ix_feedback_product", "feedback", ["product_model"], unique=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(FK, "surveys", type_="foreignkey")
    op.drop_index("ix_feedback_product", table_name="feedback")
    op.drop_index("ix_feedback_time", table_name="feedback")
