"""The built-in transforms on plain lists, with the values the spec pins (6.5, 10 #6-7)."""

from __future__ import annotations

from typing import Any

import pytest

from backdrop.core.errors import TransformInvalid, UnknownTransform
from backdrop.transformers.ids import encode_id
from backdrop.transformers.tasks import (
    TRANSFORMS,
    debug,
    latest_dataset_value,
    mapping,
    rate,
    transform_function,
    user_satisfaction,
)
from tests.transformers.lookups import StaticLookups

WEEK_1 = ("2013-11-25T00:00:00+00:00", "2013-12-02T00:00:00+00:00")
WEEK_2 = ("2013-12-02T00:00:00+00:00", "2013-12-09T00:00:00+00:00")


def _row(week: tuple[str, str], **fields: Any) -> dict[str, Any]:
    return {"_start_at": week[0], "_end_at": week[1], **fields}


EVENTS = [
    _row(WEEK_1, eventCategory="start", channel="non-digital", **{"uniqueEvents:sum": 15.0}),
    _row(WEEK_2, eventCategory="start", channel="non-digital", **{"uniqueEvents:sum": 25.0}),
    _row(WEEK_1, eventCategory="confirm", channel="digital", **{"uniqueEvents:sum": 8.0}),
    _row(WEEK_2, eventCategory="confirm", channel="digital", **{"uniqueEvents:sum": 12.0}),
    _row(WEEK_1, eventCategory="done", channel="another-channel", **{"uniqueEvents:sum": 10.0}),
    _row(WEEK_2, eventCategory="done", channel="another-channel", **{"uniqueEvents:sum": None}),
]


def _rate_transform(numerator: str, denominator: str, attribute: str) -> dict[str, Any]:
    return {
        "options": {
            "numeratorMatcher": numerator,
            "denominatorMatcher": denominator,
            "matchingAttribute": attribute,
            "valueAttribute": "uniqueEvents:sum",
        }
    }


def test_encode_id_is_urlsafe_base64_of_the_parts_joined_by_underscore() -> None:
    assert encode_id("foo", "bar") == "Zm9vX2Jhcg=="
    assert encode_id("a?", ">") == "YT9fPg=="  # '/' and '+' in plain Base64 become '_' / '-'
    assert encode_id("\u00ff\u00fe") == "w7_Dvg=="


def test_rate_divides_numerator_by_denominator_per_week() -> None:
    output = rate.compute(EVENTS, _rate_transform("done", "start", "eventCategory"), {})
    assert output == [
        {
            "_id": "MjAxMy0xMS0yNVQwMDowMDowMCswMDowMF8yMDEzLTEyLTAyVDAwOjAwOjAwKzAwOjAw",
            "_timestamp": WEEK_1[0],
            "_start_at": WEEK_1[0],
            "_end_at": WEEK_1[1],
            "rate": 2 / 3,
        },
        {
            "_id": encode_id(*WEEK_2),
            "_timestamp": WEEK_2[0],
            "_start_at": WEEK_2[0],
            "_end_at": WEEK_2[1],
            "rate": None,  # the week's `done` value is null
        },
    ]


def test_rate_regexes_search_unanchored_and_support_anchors() -> None:
    output = rate.compute(EVENTS, _rate_transform("^digital$", "digital$", "channel"), {})
    assert [record["rate"] for record in output] == [8 / (8 + 15), 12 / (12 + 25)]


def test_rate_uses_true_division_for_integers() -> None:
    rows = [_row(WEEK_1, kind="a", n=1), _row(WEEK_1, kind="b", n=2)]
    transform = {
        "options": {
            "numeratorMatcher": "a",
            "denominatorMatcher": "a|b",
            "matchingAttribute": "kind",
            "valueAttribute": "n",
        }
    }
    assert rate.compute(rows, transform, {})[0]["rate"] == pytest.approx(1 / 3)


def test_rate_is_null_without_a_positive_denominator() -> None:
    rows = [_row(WEEK_1, kind="done", n=3), _row(WEEK_1, kind="start", n=-1)]
    output = rate.compute(rows, _rate_transform("done", "nothing-matches", "kind"), {})
    assert output[0]["rate"] is None
    transform = {"options": {**_rate_transform("done", "start", "kind")["options"]}}
    transform["options"]["valueAttribute"] = "n"
    assert rate.compute(rows, transform, {})[0]["rate"] is None


SATISFACTION_WEEKS = [
    ("2014-11-10T00:00:00+00:00", "2014-11-17T00:00:00+00:00", (1.0, 1.0, 1.0, 1.0, 1.0), 5.0),
    ("2014-11-17T00:00:00+00:00", "2014-11-24T00:00:00+00:00", (1.0, 1.0, 1.0, 1.0, 6.0), 10.0),
    ("2014-11-24T00:00:00+00:00", "2014-12-01T00:00:00+00:00", (6.0, 1.0, 1.0, 1.0, 1.0), 10.0),
    ("2014-12-01T00:00:00+00:00", "2014-12-08T00:00:00+00:00", (None,) * 5, None),
    ("2014-12-01T00:00:00+00:00", "2014-12-08T00:00:00+00:00", (0.0,) * 5, 0.0),
]


def test_user_satisfaction_scores_each_period() -> None:
    rows = [
        {
            "_start_at": start,
            "_end_at": end,
            "_count": 7.0,
            **{f"rating_{i}:sum": value for i, value in enumerate(ratings, start=1)},
            "total:sum": total,
        }
        for start, end, ratings, total in SATISFACTION_WEEKS
    ]
    output = user_satisfaction.compute(rows, {}, {})
    assert [record["score"] for record in output] == [0.5, 0.75, 0.25, None, None]
    assert output[0] == {
        "_id": "MjAxNC0xMS0xMFQwMDowMDowMCswMDowMF8yMDE0LTExLTE3VDAwOjAwOjAwKzAwOjAw",
        "_timestamp": "2014-11-10T00:00:00+00:00",
        "_start_at": "2014-11-10T00:00:00+00:00",
        "_end_at": "2014-11-17T00:00:00+00:00",
        "rating_1": 1.0,
        "rating_2": 1.0,
        "rating_3": 1.0,
        "rating_4": 1.0,
        "rating_5": 1.0,
        "num_responses": 5.0,
        "score": 0.5,
    }


def test_user_satisfaction_uses_true_division_for_integers() -> None:
    row = {"_start_at": "s", "_end_at": "e", "total:sum": 2}
    row.update({f"rating_{i}:sum": 0 for i in range(1, 6)})
    row["rating_1:sum"], row["rating_2:sum"] = 1, 1  # mean 1.5 -> 0.125 (not 0 by floor)
    assert user_satisfaction.compute([row], {}, {})[0]["score"] == 0.125


COMPLETION_RATES = [
    {
        "_id": encode_id("2013-10-07T00:00:00+00:00", "2013-10-14T00:00:00+00:00"),
        "_start_at": "2013-10-07T00:00:00+00:00",
        "_end_at": "2013-10-14T00:00:00+00:00",
        "_timestamp": "2013-10-07T00:00:00+00:00",
        "rate": 0.26958105646630237,
    },
    {
        "_id": encode_id("2013-10-14T00:00:00+00:00", "2013-10-21T00:00:00+00:00"),
        "_start_at": "2013-10-14T00:00:00+00:00",
        "_end_at": "2013-10-21T00:00:00+00:00",
        "_timestamp": "2013-10-14T00:00:00+00:00",
        "rate": 0.29334396173774413,
    },
]
CARERS = {
    "name": "apply_carers_allowance_completion_rate",
    "data_group": "apply-carers-allowance",
    "data_type": "completion-rate",
}


def test_latest_dataset_value_emits_the_newest_value_per_published_dashboard() -> None:
    lookups = StaticLookups(
        dashboards_by_data_set={
            CARERS["name"]: [
                {"published": True, "slug": "published"},
                {"published": False, "slug": "unpublished"},
            ]
        }
    )
    output = latest_dataset_value.compute(COMPLETION_RATES, {}, CARERS, lookups)
    assert output == [
        {
            "_id": "cHVibGlzaGVkX2NvbXBsZXRpb25fcmF0ZQ==",
            "dashboard_slug": "published",
            "completion_rate": 0.29334396173774413,
            "_timestamp": "2013-10-14T00:00:00+00:00",
            "service_id": "published",
        }
    ]


def test_latest_dataset_value_reads_the_score_of_satisfaction_data_sets() -> None:
    config = {"name": "s", "data_group": "g", "data_type": "user-satisfaction-score"}
    rows = [{"_timestamp": "2014-01-06T00:00:00+00:00", "score": 0.8}]
    lookups = StaticLookups(dashboards_by_data_set={"s": [{"published": True, "slug": "d"}]})
    output = latest_dataset_value.compute(rows, {}, config, lookups)
    assert output == [
        {
            "_id": encode_id("d", "user_satisfaction_score"),
            "dashboard_slug": "d",
            "user_satisfaction_score": 0.8,
            "_timestamp": "2014-01-06T00:00:00+00:00",
            "service_id": "d",
        }
    ]


def test_latest_dataset_value_skips_a_null_value_and_empty_input() -> None:
    lookups = StaticLookups(
        dashboards_by_data_set={CARERS["name"]: [{"published": True, "slug": "p"}]}
    )
    rows = [{**COMPLETION_RATES[1], "rate": None}, COMPLETION_RATES[0]]
    assert latest_dataset_value.compute(rows, {}, CARERS, lookups) == []
    assert latest_dataset_value.compute([], {}, CARERS, lookups) == []


def test_latest_dataset_value_refuses_an_unknown_data_type() -> None:
    config = {**CARERS, "data_type": "visitors"}
    with pytest.raises(TransformInvalid):
        latest_dataset_value.compute(COMPLETION_RATES, {}, config, StaticLookups())


BROWSERS = [
    {"_count": 1, "browser": "Internet Explorer", "browserVersion": version, "sessions:sum": n}
    | {"_start_at": "2014-12-22T00:00:00+00:00", "_end_at": "2014-12-29T00:00:00+00:00"}
    for version, n in (("6", 10), ("7", 11), ("9", 12), ("10", 13))
] + [
    {
        "_count": 1,
        "_start_at": "2014-12-22T00:00:00+00:00",
        "_end_at": "2014-12-29T00:00:00+00:00",
        "browser": "Some other browser",
        "browserVersion": "10",
        "sessions:sum": 14,
    }
]


def _mapping_transform(**extra: Any) -> dict[str, Any]:
    return {
        "options": {
            "value-attribute": "sessions:sum",
            "mapped-attribute": "browser-group",
            "mapping-keys": ["browser", "browserVersion"],
            "mappings": {
                "OldIE": ["Internet Explorer", "[2-8]{1}(.)*"],
                "NewIE": ["Internet Explorer", "(9|1)(.)*"],
            },
            **extra,
        }
    }


def _sessions_by_group(output: list[dict[str, Any]]) -> dict[str, Any]:
    assert {record["_start_at"] for record in output} == {"2014-12-22T00:00:00+00:00"}
    return {record["browser-group"]: record["sessions:sum"] for record in output}


def test_mapping_relabels_and_sums_and_drops_the_unmapped() -> None:
    output = mapping.compute(BROWSERS, _mapping_transform(), {})
    assert _sessions_by_group(output) == {"OldIE": 21, "NewIE": 25}
    assert output[0] == {
        "_start_at": "2014-12-22T00:00:00+00:00",
        "_end_at": "2014-12-29T00:00:00+00:00",
        "browser-group": "OldIE",
        "sessions:sum": 21,
    }


def test_mapping_puts_the_unmapped_under_other_mapping() -> None:
    output = mapping.compute(BROWSERS, _mapping_transform(**{"other-mapping": "other"}), {})
    assert _sessions_by_group(output) == {"OldIE": 21, "NewIE": 25, "other": 14}


def test_debug_logs_the_shape_of_its_input_and_writes_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level("INFO", logger=debug.__name__):
        assert debug.log_input(BROWSERS, {}, {"name": "browsers"}) == []
    (line,) = [r for r in caplog.records if r.name == debug.__name__]
    assert line.getMessage() == "debug transform input"
    assert (line.data_set, line.rows) == ("browsers", 5)  # type: ignore[attr-defined]
    assert "sessions:sum" in line.fields  # type: ignore[attr-defined]


def test_the_registry_knows_every_dotted_name_and_refuses_others() -> None:
    assert sorted(TRANSFORMS) == [
        "backdrop.transformers.tasks.debug.logging",
        "backdrop.transformers.tasks.latest_dataset_value.compute",
        "backdrop.transformers.tasks.latest_transaction_explorer_values.compute",
        "backdrop.transformers.tasks.mapping.compute",
        "backdrop.transformers.tasks.rate.compute",
        "backdrop.transformers.tasks.user_satisfaction.compute",
    ]
    compute = transform_function("backdrop.transformers.tasks.rate.compute")
    transform = _rate_transform("done", "start", "eventCategory")
    assert compute(EVENTS, transform, {}, StaticLookups())[0]["rate"] == 2 / 3
    with pytest.raises(UnknownTransform):
        transform_function("os.system")
    with pytest.raises(TypeError):
        TRANSFORMS["x"] = TRANSFORMS["backdrop.transformers.tasks.rate.compute"]  # type: ignore[index]
