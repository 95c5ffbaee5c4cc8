"""The journey rules on hand-built examples: reconstruction and the timeout, the funnel's exact
numbers, paths and their Sankey graph, channel switches, lost journeys, the emotion curve's
intervals (against SciPy), website visits, validation and the default journeys."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest
import scipy.stats  # type: ignore[import-untyped]

from cxm.journeys import domain as d
from cxm.journeys.domain import Event, Outcome, PathLevel

T = datetime(2026, 1, 1, 8, 0)
DAY = timedelta(days=1)

SPEC = d.JourneySpec(
    key="buy",
    name_de="Kauf",
    name_en="Purchase",
    stages=(
        d.Stage("a", "Suche", "Search", ("web_home",), ("search",)),
        d.Stage("b", "Shop", "Shop", ("shop",)),
        d.Stage("c", "Kauf", "Buy", (), ("purchase",)),
    ),
    goal=d.Goal(types=("purchase",)),
    timeout=timedelta(days=10),
    web=d.WebSettings(goal_pages=("web_checkout",), orientation_pages=("web_home", "web_tariffs")),
)
AS_OF = T + 30 * DAY

_seq = iter(range(10**6))


def ev(customer: str, day: float, type_: str, tp: str | None, channel: str | None) -> Event:
    return Event(customer, T + day * DAY, f"{next(_seq):08d}", type_, tp, channel)


def web(customer: str, day: float) -> Event:
    return ev(customer, day, "page_view", "web_home", "web")


def shop(customer: str, day: float) -> Event:
    return ev(customer, day, "visit", "shop", "store")


def buy(customer: str, day: float, channel: str) -> Event:
    return ev(customer, day, "purchase", None, channel)


def example() -> list[Event]:
    """Five customers, seven instances (see the funnel test for what each one is)."""
    return [
        web("c1", 0), shop("c1", 1), buy("c1", 2, "store"),
        web("c2", 0), web("c2", 3),
        shop("c3", 0), buy("c3", 5, "store"),
        web("c4", 0), shop("c4", 2), web("c4", 25),
        web("c5", 0), shop("c5", 1), buy("c5", 3, "web"), web("c5", 4),
        ev("c6", 0, "call", "hotline", "phone"),  # matches nothing: no instance
    ]  # fmt: skip


def test_funnel_counts_reached_stages_conversion_drop_off_and_times_exactly() -> None:
    instances = d.reconstruct(example(), SPEC)
    assert len(instances) == 7
    funnel = d.funnel(d.funnel_counts(instances, SPEC, as_of=AS_OF), SPEC)
    assert (funnel.instances, funnel.customers, funnel.goal, funnel.open, funnel.lost) == (
        7, 5, 3, 1, 3,
    )  # fmt: skip
    assert [s.key for s in funnel.steps] == ["a", "b", "c", "goal"]
    assert [s.reached for s in funnel.steps] == [7, 4, 3, 3]
    assert [s.conversion for s in funnel.steps] == [None, 4 / 7, 3 / 4, 1.0]
    assert [s.share_of_start for s in funnel.steps] == [1.0, 4 / 7, 3 / 7, 3 / 7]
    assert [(s.stopped, s.open, s.lost) for s in funnel.steps] == [
        (3, 1, 2), (1, 0, 1), (0, 0, 0), (0, 0, 0),
    ]  # fmt: skip
    a_b, b_c, c_goal = (s.to_next for s in funnel.steps[:3])
    assert a_b == d.Durations(3, 86400.0, 86400 + 0.8 * 86400)
    assert b_c == d.Durations(3, 2 * 86400.0, 2 * 86400 + 0.8 * 3 * 86400)
    assert c_goal == d.Durations(3, 0.0, 0.0)
    assert funnel.steps[3].to_next is None


def test_a_gap_longer_than_the_timeout_starts_a_new_instance() -> None:
    events = [web("x", 0), web("x", 10), shop("x", 20.001)]
    instances = d.reconstruct(events, SPEC)
    assert [(i.number, i.events, i.stage_reached) for i in instances] == [(1, 2, 0), (2, 1, 1)]
    assert instances[0].ended_at == T + 10 * DAY  # a gap of exactly the timeout continues


def test_the_goal_ends_its_instance_and_the_next_event_starts_another() -> None:
    events = [web("x", 0), buy("x", 0.5, "web"), shop("x", 0.6)]
    first, second = d.reconstruct(events, SPEC)
    assert first.goal_at == T + 0.5 * DAY and first.level(3) == 4
    assert second.goal_at is None and second.stage_path == (1,)


def test_an_event_belongs_to_the_highest_stage_it_matches() -> None:
    both = ev("x", 0, "purchase", "web_home", "web")
    assert SPEC.stage_of("web_home", "purchase") == 2
    (only,) = d.reconstruct([both], SPEC)
    assert only.first_at == (None, None, T) and only.stage_reached == 2


def test_ties_in_time_are_ordered_by_id() -> None:
    first = Event("x", T, "b", "visit", "shop", "store")
    second = Event("x", T, "a", "page_view", "web_home", "web")
    (instance,) = d.reconstruct([first, second], SPEC)
    assert instance.stage_path == (0, 1)
    assert (instance.first_channel, instance.last_channel) == ("web", "store")


def test_open_and_lost_depend_on_the_as_of_time() -> None:
    (instance,) = d.reconstruct([web("x", 0)], SPEC)
    assert instance.outcome(T + 9 * DAY, SPEC.timeout) is Outcome.OPEN
    assert instance.outcome(T + 10 * DAY, SPEC.timeout) is Outcome.LOST


def test_paths_count_collapsed_stage_sequences_and_feed_an_acyclic_sankey() -> None:
    instances = d.reconstruct(example(), SPEC)
    counts = d.path_counts(instances, SPEC, level=PathLevel.STAGE, depth=6, as_of=AS_OF)
    assert counts == {
        (("a", "b", "c"), Outcome.GOAL): 2,
        (("a",), Outcome.LOST): 2,
        (("b", "c"), Outcome.GOAL): 1,
        (("a", "b"), Outcome.LOST): 1,
        (("a",), Outcome.OPEN): 1,
    }
    paths = d.paths(counts, level=PathLevel.STAGE, top=3)
    assert [(p.steps, p.outcome.value, p.instances) for p in paths.top] == [
        (("a",), "lost", 2), (("a", "b", "c"), "goal", 2), (("a",), "open", 1),
    ]  # fmt: skip
    assert paths.other == 2 and paths.instances == 7
    assert [n.id for n in paths.nodes] == ["1:a", "2:b", "2:lost", "2:open", "3:c", "4:goal"]
    assert {(lk.source, lk.target): lk.value for lk in paths.links} == {
        ("1:a", "2:lost"): 2, ("1:a", "2:b"): 2, ("2:b", "3:c"): 2, ("3:c", "4:goal"): 2,
        ("1:a", "2:open"): 1,
    }  # fmt: skip


def test_touchpoint_paths_are_cut_after_the_depth() -> None:
    events = [web("x", 0), shop("x", 1), web("x", 2), shop("x", 3)]
    instances = d.reconstruct(events, SPEC)
    counts = d.path_counts(instances, SPEC, level=PathLevel.TOUCHPOINT, depth=3, as_of=AS_OF)
    assert counts == {(("web_home", "shop", "web_home"), Outcome.LOST): 1}


def test_channel_switches_count_first_to_last_channel() -> None:
    instances = d.reconstruct(example(), SPEC)
    pairs, multi = d.switch_counts(instances)
    switches = d.channel_switches(pairs, multi)
    assert [(r.first_channel, r.last_channel, r.instances) for r in switches.rows] == [
        ("web", "web", 4), ("web", "store", 2), ("store", "store", 1),
    ]  # fmt: skip
    assert (switches.instances, switches.switched, switches.multichannel) == (7, 2, 3)


def test_lost_journeys_are_counted_by_last_touchpoint_and_furthest_stage() -> None:
    instances = d.reconstruct(example(), SPEC)
    lost = d.lost(*d.lost_counts(instances, SPEC, as_of=AS_OF))
    assert (lost.instances, lost.lost) == (7, 3)
    assert [(r.key, r.instances) for r in lost.by_touchpoint] == [("web_home", 2), ("shop", 1)]
    assert [(r.key, r.instances) for r in lost.by_stage] == [("a", 2), ("b", 1)]
    assert lost.by_touchpoint[0].share == pytest.approx(2 / 3)


def test_the_quantile_interpolates_like_numpy() -> None:
    values = [3.0, 1.0, 7.5, 2.0, 10.0, 4.0]
    for q in (0.0, 0.1, 0.5, 0.9, 1.0):
        assert d.quantile(values, q) == pytest.approx(float(np.quantile(values, q)))
    assert d.quantile([], 0.5) is None


def test_the_mean_interval_equals_scipys_t_interval() -> None:
    values = [7.0, 9.0, 10.0, 3.0, 8.0, 6.0, 9.0]
    n, mean, sd = d.mean_sd(values)
    got = d.mean_interval(n, mean, sd, t_quantile=lambda q, df: scipy.stats.t.ppf(q, df))
    low, high = scipy.stats.t.interval(
        0.95, n - 1, loc=np.mean(values), scale=scipy.stats.sem(values)
    )
    assert got.mean == pytest.approx(np.mean(values))
    assert (got.low, got.high) == (pytest.approx(low), pytest.approx(high))
    one = d.mean_interval(1, 5.0, None, t_quantile=scipy.stats.t.ppf)
    assert (one.mean, one.low, one.high) == (5.0, None, None)
    few = d.mean_interval(3, 5.0, 1.0, t_quantile=scipy.stats.t.ppf, min_n=5)
    assert few.suppressed and few.mean is None


def test_scores_are_attributed_to_the_latest_step_within_the_timeout() -> None:
    events = [web("x", 0), shop("x", 2), buy("y", 0, "web"), web("z", 0)]
    obs = [
        d.Observation("x", T + 1 * DAY, 4.0),  # after a → a
        d.Observation("x", T + 2 * DAY, 8.0),  # same time as b → b
        d.Observation("x", T + 13 * DAY, 1.0),  # more than the timeout after b → left out
        d.Observation("y", T + 1 * DAY, 10.0),  # a purchase is stage c (and the goal)
        d.Observation("z", T - DAY, 0.0),  # before any step → left out
        d.Observation("nobody", T, 5.0),
    ]
    assert d.attribute(events, obs, SPEC) == {0: [4.0], 1: [8.0], 2: [10.0]}
    goal_only = d.JourneySpec("g", "G", "G", SPEC.stages, d.Goal(types=("order",)))
    ordered = [Event("w", T, "1", "order", None, "web")]
    assert d.attribute(ordered, [d.Observation("w", T + DAY, 9.0)], goal_only) == {3: [9.0]}


def test_the_emotion_curve_gives_score_nps_and_sentiment_per_stage() -> None:
    scores = {0: d.ScoreStats.of([10, 9, 3, 8]), 2: d.ScoreStats.of([10])}
    sentiments = {0: d.ScoreStats.of([0.5, -0.5, 0.25])}
    points = d.emotion_curve(
        SPEC, scores, sentiments, nps_question=True, t_quantile=scipy.stats.t.ppf
    )
    assert [p.key for p in points] == ["a", "b", "c", "goal"]
    a = points[0]
    assert a.score.n == 4 and a.score.mean == 7.5
    assert a.nps == pytest.approx(25.0)  # 2 promoters, 1 detractor of 4
    half = 1.959963984540054 * ((0.5 + 0.25 - 0.25**2) / 4) ** 0.5 * 100
    assert (a.nps_low, a.nps_high) == (pytest.approx(25 - half), pytest.approx(25 + half))
    assert a.sentiment.mean == pytest.approx(0.25 / 3)
    assert points[1].score.n == 0 and points[1].score.mean is None and points[1].nps is None
    assert points[2].score.mean == 10 and points[2].score.low is None


def _page(
    customer: str, minutes: float, page: str, type_: str = "page_view", results: int | None = None
) -> d.WebEvent:
    return d.WebEvent(
        customer, T + timedelta(minutes=minutes), f"{next(_seq):08d}", type_, page, results
    )


def test_visits_split_after_30_minutes_and_measure_the_way_to_the_goal_page() -> None:
    events = [
        _page("x", 0, "web_home"), _page("x", 1, "web_tariffs"),
        _page("x", 2, "web_search", "search", 0), _page("x", 3, "web_checkout"),
        _page("x", 4, "web_home"),
        _page("x", 34, "web_home"),  # exactly 30 minutes later: the same visit
        _page("x", 120, "web_home"), _page("x", 121, "web_help"),
        _page("x", 300, "web_tariffs"), _page("x", 301, "web_search", "search", 12),
    ]  # fmt: skip
    first, second, third = d.visits(events, SPEC.web)
    assert (first.entry_page, first.exit_page, first.page_views) == ("web_home", "web_home", 5)
    assert (first.goal_reached, first.clicks_to_goal, first.seconds_to_goal) == (True, 2, 180.0)
    assert (first.searches, first.searches_without_result, first.orientation_exit) == (1, 1, False)
    assert (second.exit_page, second.goal_reached, second.orientation_exit) == (
        "web_help", False, False,
    )  # fmt: skip
    assert (third.entry_page, third.orientation_exit, third.searches_without_result) == (
        "web_tariffs", True, 0,
    )  # fmt: skip
    rows = d.visit_summary(d.visit_groups([first, second, third]), top=5)
    total, home, tariffs = rows
    assert (total.entry_page, total.visits, total.goal_reached, total.orientation_exits) == (
        None, 3, 1, 1,
    )  # fmt: skip
    assert (home.entry_page, home.visits, home.clicks_median, home.seconds_median) == (
        "web_home", 2, 2.0, 180.0,
    )  # fmt: skip
    assert tariffs.orientation_exit_rate == 1.0 and total.page_views_mean == pytest.approx(8 / 3)


def test_a_visit_entered_on_the_goal_page_took_no_clicks() -> None:
    (visit,) = d.visits([_page("x", 0, "web_checkout"), _page("x", 1, "web_home")], SPEC.web)
    assert (visit.clicks_to_goal, visit.seconds_to_goal) == (0, 0.0)


def _problems(**kw: object) -> dict[str, str]:
    args: dict[str, object] = {
        "key": "buy",
        "stages": SPEC.stages,
        "goal": SPEC.goal,
        "timeout_hours": 24,
        "web": d.WebSettings(),
        "known_touchpoints": {"web_home", "shop"},
    }
    args.update(kw)
    return {p.field: p.message for p in d.validate(**args)}  # type: ignore[arg-type]


def test_validation_names_the_field_of_each_problem() -> None:
    assert _problems() == {}
    assert "stages" in _problems(stages=())
    dup = (d.Stage("a", "A", "A", types=("x",)), d.Stage("a", "B", "B", types=("y",)))
    assert "duplicate" in _problems(stages=dup)["stages[1].key"]
    unknown = (d.Stage("a", "A", "A", ("nowhere",)),)
    assert "nowhere" in _problems(stages=unknown)["stages[0].touchpoints"]
    assert "stages[0]" in _problems(stages=(d.Stage("a", "A", "A"),))
    assert "goal" in _problems(goal=d.Goal())
    assert "key" in _problems(key="Not A Key")
    assert "timeout_hours" in _problems(timeout_hours=0)
    assert "web.goal_pages" in _problems(web=d.WebSettings(goal_pages=("nope",)))
    assert "stages[0].types" in _problems(stages=(d.Stage("a", "A", "A", types=("Bad Type",)),))


def test_default_journeys_take_their_touchpoints_from_the_catalogue_stages() -> None:
    catalogue = [
        d.CatalogueEntry("web_home", "web", "awareness"),
        d.CatalogueEntry("web_checkout", "web", "purchase"),
        d.CatalogueEntry("shop_berlin", "store", "purchase"),
        d.CatalogueEntry("hotline", "phone", "service"),
        d.CatalogueEntry("technician", "field_service", "onboarding"),
        d.CatalogueEntry("parcel", "field_service", "purchase"),
        d.CatalogueEntry("confirmation", "email", "purchase"),
    ]
    buy_, service, repair = d.default_journeys(catalogue)
    assert [s.key for s in buy_.stages] == ["orientation", "shop", "purchase"]
    assert buy_.stages[0].touchpoints == ("web_home",)
    assert buy_.stages[1].touchpoints == ("shop_berlin", "web_checkout")
    assert buy_.goal.types == ("purchase", "order") and buy_.web.goal_pages == ("web_checkout",)
    assert service.stages[0].touchpoints == ("hotline",) and service.goal.resolved
    assert service.stages[1].touchpoints == ("technician",)
    assert repair.key == "device_repair" and repair.stages[1].touchpoints == (
        "shop_berlin", "technician",
    )  # fmt: skip
    known = {e.key for e in catalogue}
    for spec in d.default_journeys(catalogue) + d.default_journeys([]):
        hours = int(spec.timeout.total_seconds() // 3600)
        assert not d.validate(
            key=spec.key, stages=spec.stages, goal=spec.goal, timeout_hours=hours, web=spec.web,
            known_touchpoints=known,
        )  # fmt: skip


def test_definitions_survive_the_round_trip_through_json() -> None:
    for stage in SPEC.stages:
        assert d.Stage.from_dict(stage.to_dict()) == stage
    assert d.Goal.from_dict(SPEC.goal.to_dict()) == SPEC.goal
    assert d.WebSettings.from_dict(SPEC.web.to_dict()) == SPEC.web
    assert d.WebSettings.from_dict(None) == d.WebSettings()


def test_journeys_are_judged_at_the_earliest_of_now_period_end_and_last_sync() -> None:
    assert d.judged_at(T, None, None) == T
    assert d.judged_at(T, T - DAY, None) == T - DAY
    assert d.judged_at(T, T + DAY, T - 2 * DAY) == T - 2 * DAY
