"""A covering index for the dashboard's topics by sentiment

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_text_topics_time_sentiment",
        "text_topics",
        ["taxonomy", "occurred_at", "topic", "sentiment"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_text_topics_time_sentiment", table_name="text_topics")
