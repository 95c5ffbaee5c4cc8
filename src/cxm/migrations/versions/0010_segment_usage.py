"""Segments used by notices and survey trigger rules

Revision ID: 0010
Revises: 0009

A notice may address a saved segment (alone or with a product model, which becomes optional)
and keeps the segment's name and rule as sent; a trigger rule may require a segment.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("segment_id", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("segment_name", sa.String(length=200), nullable=True))
        batch_op.add_column(
            sa.Column(
                "segment_rule",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.alter_column("product_model", existing_type=sa.String(length=200), nullable=True)
        batch_op.create_index(batch_op.f("ix_notices_segment_id"), ["segment_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_notices_segment_id_segments"), "segments", ["segment_id"], ["id"]
        )

    with op.batch_alter_table("survey_triggers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("segment_id", sa.Uuid(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_survey_triggers_segment_id"), ["segment_id"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_survey_triggers_segment_id_segments"),
            "segments",
            ["segment_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("survey_triggers", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_survey_triggers_segment_id_segments"), type_="foreignkey"
        )
        batch_op.drop_index(batch_op.f("ix_survey_triggers_segment_id"))
        batch_op.drop_column("segment_id")

    # The old schema needs a model on every notice; a notice addressed to a segment alone has
    # none, and any name written in its place could reach the holders of a real model.
    orphans = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM notices WHERE product_model IS NULL")
    )
    if orphans:
        raise RuntimeError(
            f"{orphans} notice(s) address a segment without a product model; the schema "
            "before 0010 cannot hold them: delete them before downgrading"
        )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_notices_segment_id_segments"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_notices_segment_id"))
        batch_op.alter_column("product_model", existing_type=sa.String(length=200), nullable=False)
        batch_op.drop_column("segment_rule")
        batch_op.drop_column("segment_name")
        batch_op.drop_column("segment_id")
