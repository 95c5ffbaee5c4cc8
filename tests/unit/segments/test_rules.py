"""Segment rules: parsing, the path of the first bad node, and the normalised JSON form."""

from __future__ import annotations

from typing import Any

import pytest

from cxm.segments import domain
from cxm.segments.domain import All, AnyOf, Condition, Not, Op, RuleError

ISSUE_EXAMPLE = {
    "all": [
        {"field": "type", "op": "eq", "value": "business"},
        {"field": "holding_model", "op": "eq", "value": "Smartphone Modell X"},
        {"field": "complaints", "op": "gte", "value": 1, "days": 30},
    ]
}


def test_the_issue_example_parses_into_three_conditions() -> None:
    node = domain.parse_rule(ISSUE_EXAMPLE)
    assert isinstance(node, All)
    assert node.children == (
        Condition("type", Op.EQ, "business"),
        Condition("holding_model", Op.EQ, "Smartphone Modell X"),
        Condition("complaints", Op.GTE, 1, days=30),
    )


def test_groups_nest_and_the_operator_defaults_to_eq() -> None:
    node = domain.parse_rule(
        {
            "any": [
                {"not": {"field": "language", "value": "en"}},
                {"field": "interactions", "key": "call", "op": "gt", "value": 2, "days": 7},
            ]
        }
    )
    assert isinstance(node, AnyOf)
    first, second = node.children
    assert first == Not(Condition("language", Op.EQ, "en"))
    assert second == Condition("interactions", Op.GT, 2, key="call", days=7)


@pytest.mark.parametrize(
    ("rule", "path"),
    [
        ([], "$"),
        ({"all": []}, "$.all"),
        ({"all": [{"field": "type", "value": "business"}, {"field": "colour", "value": 1}]},
         "$.all[1].field"),
        ({"all": [{"any": [{"field": "type", "op": "gt", "value": "business"}]}]},
         "$.all[0].any[0].op"),
        ({"field": "type", "value": "robot"}, "$.value"),
        ({"field": "type", "op": "in", "value": ["private", 3]}, "$.value[1]"),
        ({"field": "complaints", "op": "gte", "value": 1}, "$.days"),
        ({"field": "complaints", "op": "gte", "value": 1, "days": 0}, "$.days"),
        ({"field": "complaints", "op": "gte", "value": 1.5, "days": 3}, "$.value"),
        ({"field": "complaints", "op": "gte", "value": True, "days": 3}, "$.value"),
        ({"field": "interactions", "op": "gte", "value": 1, "days": 3}, "$.key"),
        ({"field": "type", "key": "x", "value": "private"}, "$.key"),
        ({"field": "churn_risk", "op": "gte", "value": 1.5}, "$.value"),
        ({"field": "case_open", "value": "yes"}, "$.value"),
        ({"field": "region", "value": ""}, "$.value"),
        ({"field": "region"}, "$.value"),
        ({"field": "region", "value": "Bayern", "colour": "red"}, "$.colour"),
        ({"all": [{"field": "type", "value": "private"}], "any": []}, "$"),
        ({"not": [{"field": "type", "value": "private"}]}, "$.not"),
        ({"field": "attribute", "key": "bad key!", "value": "x"}, "$.key"),
    ],
)  # fmt: skip
def test_a_bad_node_is_refused_with_its_path(rule: Any, path: str) -> None:
    with pytest.raises(RuleError) as caught:
        domain.parse_rule(rule)
    assert caught.value.path == path


def test_rules_too_deep_or_too_large_are_refused() -> None:
    deep: dict[str, Any] = {"field": "type", "value": "private"}
    for _ in range(domain.MAX_DEPTH):
        deep = {"not": deep}
    with pytest.raises(RuleError, match="nest"):
        domain.parse_rule(deep)
    wide = {"any": [{"field": "type", "value": "private"}] * domain.MAX_NODES}
    with pytest.raises(RuleError, match="nodes"):
        domain.parse_rule(wide)


def test_the_json_form_round_trips_with_operators_written_out() -> None:
    both = {"field": "type", "op": "in", "value": ["private", "business"]}
    rule = {"not": {"all": [{"field": "region", "value": "Bayern"}, both]}}
    normalised = domain.to_json(domain.parse_rule(rule))
    assert normalised == {
        "not": {
            "all": [
                {"field": "region", "op": "eq", "value": "Bayern"},
                {"field": "type", "op": "in", "value": ["private", "business"]},
            ]
        }
    }
    assert domain.to_json(domain.parse_rule(normalised)) == normalised


@pytest.mark.parametrize(
    ("score", "category"),
    [(None, "none"), (0, "detractor"), (6, "detractor"), (7, "passive"), (8, "passive"),
     (9, "promoter"), (10, "promoter")],
)  # fmt: skip
def test_nps_categories_follow_the_standard_cut_points(score: int | None, category: str) -> None:
    assert domain.nps_category(score) == category
