"""The KPI layer's pure parts: parsing, periods, and that every query shape compiles."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from cxm.analytics import kpi
from cxm.shared.errors import Invalid


def test_a_period_among_the_dimensions_is_the_period() -> None:
    assert kpi.split_by("month,touchpoint") == ("month", ("touchpoint",))
    assert kpi.split_by("month") == ("month", ())
    assert kpi.split_by(["touchpoint", "segment:tier"]) == (None, ("touchpoint", "segment:tier"))
    assert kpi.split_by(None) == (None, ())
    with pytest.raises(Invalid):
        kpi.split_by("month,week")


def test_segment_filters_take_equals_or_colon() -> None:
    assert kpi.parse_segment(["tier=gold", "region:Berlin"]) == (
        ("tier", "gold"),
        ("region", "Berlin"),
    )
    with pytest.raises(Invalid):
        kpi.parse_segment(["tier"])


@pytest.mark.parametrize(
    ("period", "day", "start", "following"),
    [
        ("day", date(2026, 3, 4), date(2026, 3, 4), date(2026, 3, 5)),
        ("week", date(2026, 3, 4), date(2026, 3, 2), date(2026, 3, 9)),  # ISO: Monday
        ("month", date(2026, 12, 31), date(2026, 12, 1), date(2027, 1, 1)),
        ("quarter", date(2026, 5, 20), date(2026, 4, 1), date(2026, 7, 1)),
        ("year", date(2026, 5, 20), date(2026, 1, 1), date(2027, 1, 1)),
    ],
)
def test_period_buckets(period: str, day: date, start: date, following: date) -> None:
    assert kpi.period_start(day, period) == start
    assert kpi.next_period(start, period) == following


def test_every_period_of_the_range_is_listed_so_gaps_show() -> None:
    f = kpi.Filters(start=datetime(2026, 1, 15, tzinfo=UTC), end=datetime(2026, 4, 1, tzinfo=UTC))
    assert kpi._periods_for("month", f, []) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert kpi._periods_for("month", kpi.Filters(), [date(2026, 3, 1), date(2026, 1, 1)]) == [
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    ]
    assert kpi._periods_for(None, f, []) == [None]


@pytest.mark.parametrize(
    ("period", "by"),
    [
        (None, ()),
        ("month", ("touchpoint",)),
        ("week", ("stage", "department")),
        ("day", ("segment:tier", "model", "product")),
        (None, ("survey", "channel", "touchpoint", "segment:region")),
    ],
)
def test_every_survey_query_shape_compiles(period: str | None, by: tuple[str, ...]) -> None:
    f = kpi.Filters(
        start=datetime(2026, 1, 1, tzinfo=UTC),
        touchpoints=("hotline",),
        segment=(("tier", "gold"),),
        models=("Smartphone Modell X",),
    )
    assert "survey_answers" in kpi.compiled("answers", "ces", period, by, f)
    assert "sent_on" in kpi.compiled("invitations", period, by, f)


def test_complaint_query_shapes_compile() -> None:
    f = kpi.Filters(models=("Smartphone Modell X",))
    for topics in (kpi.PropertyTopic(), kpi.SourceTopic()):
        sql = kpi.compiled("complaints", "month", ("topic", "model"), f, ("complaint",), topics)
        assert "feedback" in sql
    assert "holding_spans" in kpi.compiled("holders_moves", "month", ("model",), f)
    assert "customer_spans" in kpi.compiled("holders_total", (), kpi.Filters())


def test_unknown_dimensions_and_periods_are_refused() -> None:
    with pytest.raises(Invalid):
        kpi._check_dims(["colour"], kpi.SURVEY_DIMS)
    with pytest.raises(Invalid):
        kpi._check_dims(["segment:tier"], kpi.COMPLAINT_DIMS)
    with pytest.raises(Invalid):
        kpi._period("fortnight")


def test_touchpoints_are_normalised_by_interactions_and_models_by_holders() -> None:
    assert kpi._exposure_kind(("touchpoint",), kpi.Filters(), None) == "interactions"
    assert kpi._exposure_kind(("model", "topic"), kpi.Filters(), None) == "holders"
    assert kpi._exposure_kind(("topic",), kpi.Filters(), None) == "holders"
    with pytest.raises(Invalid):
        kpi._exposure_kind(("model",), kpi.Filters(), "interactions")
    with pytest.raises(Invalid):
        kpi._exposure_kind(("touchpoint",), kpi.Filters(), "holders")
