"""Label Studio result regions to Accord answers and back: each region type, coordinates and
offsets converted exactly, broken regions named, Accord -> Label Studio -> Accord unchanged."""

from __future__ import annotations

import math
from typing import Any

import pytest

from accord.formats.labelstudio_results import (
    RegionError,
    convert_answer,
    from_answer,
    index_to_utf16,
    to_answer,
    utf16_to_index,
)
from accord.kinds.interface import parse_interface

INTERFACE = parse_interface(
    {
        "fields": [
            {"name": "text", "kind": "text"},
            {"name": "other", "kind": "text"},
            {"name": "image", "kind": "image"},
            {"name": "items", "kind": "text_list"},
        ],
        "questions": [
            {"name": "sentiment", "kind": "choice", "options": ["pos", "neg"]},
            {
                "name": "tags",
                "kind": "choice",
                "options": ["a", "b", "c"],
                "multiple": True,
                "min_choices": 0,
            },
            {
                "name": "ner",
                "kind": "spans",
                "target": "text",
                "labels": ["PER", "ORG"],
                "overlap": True,
            },
            {
                "name": "box",
                "kind": "boxes",
                "target": "image",
                "labels": ["car"],
                "rotation": True,
            },
            {
                "name": "poly",
                "kind": "polygons",
                "target": "image",
                "labels": ["leaf"],
                "self_intersection": "allow",
            },
            {"name": "pt", "kind": "points", "target": "image", "labels": ["eye"]},
            {"name": "stars", "kind": "rating", "max": 5},
            {"name": "scale", "kind": "rating", "min": 0, "max": 10, "style": "scale"},
            {"name": "why", "kind": "text"},
            {"name": "better", "kind": "pairwise", "allow_tie": False, "max_strength": 1},
            {"name": "rank", "kind": "ranking", "target": "items"},
        ],
    }
)
TEXT = "Grace 🚀 met IBM"  # the rocket is two UTF-16 code units
DATA = {
    "text": TEXT,
    "other": "x",
    "image": {"src": "https://example.com/a.png", "width": 200, "height": 100},
    "items": ["one", "two", "three"],
}
SIZE = {"original_width": 200, "original_height": 100}


def region(rid: str, name: str, kind: str, value: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"id": rid, "from_name": name, "to_name": "x", "type": kind, "value": value, **extra}


def convert(*regions: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    return to_answer(INTERFACE, list(regions), data=DATA)


def test_utf16_offsets() -> None:
    assert utf16_to_index(TEXT, 13) == 12  # after the rocket, one fewer code point
    assert index_to_utf16(TEXT, 12) == 13
    assert utf16_to_index("plain", 3) == 3


def test_choices_single_multiple_and_taxonomy() -> None:
    answer, problems = convert(
        region("1", "sentiment", "choices", {"choices": ["pos"]}),
        region("2", "tags", "taxonomy", {"taxonomy": [["a"], ["c"]]}),
    )
    assert problems == []
    assert answer == {"sentiment": {"choice": "pos"}, "tags": {"choices": ["a", "c"]}}


def test_spans_count_code_points() -> None:
    answer, problems = convert(
        region("1", "ner", "labels", {"start": 0, "end": 5, "text": "Grace", "labels": ["PER"]}),
        region("2", "ner", "labels", {"start": 13, "end": 16, "text": "IBM", "labels": ["ORG"]}),
    )
    assert problems == []
    assert answer == {
        "ner": {
            "spans": [
                {"start": 0, "end": 5, "label": "PER"},
                {"start": 12, "end": 15, "label": "ORG"},
            ]
        }
    }


def test_box_percent_to_pixels_and_rotation_about_the_centre() -> None:
    answer, problems = convert(
        region(
            "b1",
            "box",
            "rectanglelabels",
            {
                "x": 10,
                "y": 20,
                "width": 30,
                "height": 40,
                "rotation": 0,
                "rectanglelabels": ["car"],
            },
            **SIZE,
        ),
        region(
            "b2",
            "box",
            "rectanglelabels",
            {
                "x": 50,
                "y": 10,
                "width": 10,
                "height": 20,
                "rotation": 90,
                "rectanglelabels": ["car"],
            },
            score=0.75,
            **SIZE,
        ),
    )
    assert problems == []
    straight, turned = answer["box"]["objects"]
    assert straight == {"id": "b1", "label": "car", "x": 20.0, "y": 20.0, "w": 60.0, "h": 40.0}
    # Label Studio turns 20 x 20 px about its top-left corner (100, 10) by 90 degrees
    # clockwise: it then covers x 80..100, y 10..30, whose centre is (90, 20).
    assert turned["w"] == 20.0 and turned["h"] == 20.0 and turned["rotation"] == 90.0
    assert turned["x"] + 10 == pytest.approx(90.0)
    assert turned["y"] + 10 == pytest.approx(20.0)
    assert turned["score"] == 0.75


def test_polygon_and_keypoint() -> None:
    answer, problems = convert(
        region(
            "p",
            "poly",
            "polygonlabels",
            {"points": [[10, 10], [50, 10], [30, 40]], "polygonlabels": ["leaf"]},
            **SIZE,
        ),
        region(
            "k",
            "pt",
            "keypointlabels",
            {"x": 50, "y": 50, "width": 1, "keypointlabels": ["eye"]},
            **SIZE,
        ),
    )
    assert problems == []
    assert answer["poly"]["objects"] == [
        {"id": "p", "label": "leaf", "points": [[20.0, 10.0], [100.0, 10.0], [60.0, 40.0]]}
    ]
    assert answer["pt"]["objects"] == [{"id": "k", "label": "eye", "x": 100.0, "y": 50.0}]


def test_size_from_the_task_when_the_region_has_none() -> None:
    answer, problems = convert(
        region("k", "pt", "keypointlabels", {"x": 10, "y": 10, "keypointlabels": ["eye"]})
    )
    assert problems == [] and answer["pt"]["objects"][0]["x"] == 20.0


def test_rating_number_textarea_pairwise_ranker() -> None:
    answer, problems = convert(
        region("1", "stars", "rating", {"rating": 4}),
        region("2", "scale", "number", {"number": 7}),
        region("3", "why", "textarea", {"text": ["first", "second"]}),
        region("4", "better", "pairwise", {"selected": "right"}),
        region("5", "rank", "ranker", {"ranker": {"rank": ["2", "0", "1"]}}),
    )
    assert problems == []
    assert answer == {
        "stars": {"rating": 4},
        "scale": {"rating": 7},
        "why": {"text": "first\nsecond"},
        "better": {"choice": "B"},
        "rank": {"order": [2, 0, 1]},
    }


def test_ranker_item_ids_of_label_studio() -> None:
    answer, problems = to_answer(
        INTERFACE,
        [region("r", "rank", "ranker", {"ranker": {"rank": ["c", "a", "b"]}})],
        data=DATA,
        item_ids={"items": ["a", "b", "c"]},
    )
    assert problems == [] and answer == {"rank": {"order": [2, 0, 1]}}


def test_names_map_label_studio_controls() -> None:
    answer, problems = to_answer(
        INTERFACE,
        [region("1", "my-label", "choices", {"choices": ["neg"]})],
        data=DATA,
        names={"my-label": "sentiment"},
    )
    assert problems == [] and answer == {"sentiment": {"choice": "neg"}}


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        (
            region("z1", "nope", "choices", {"choices": ["pos"]}),
            "region 1 (id z1): from_name 'nope' is not a question",
        ),
        (
            {"id": "z2", "type": "relation", "from_id": "a", "to_id": "b"},
            "region 1 (id z2): a relation region is not supported",
        ),
        (
            region(
                "z3",
                "box",
                "rectanglelabels",
                {"x": 1, "y": 2, "width": "wide", "height": 3, "rectanglelabels": ["car"]},
                **SIZE,
            ),
            "region 1 (id z3): width must be a number",
        ),
        (
            region("z4", "ner", "labels", {"start": 0, "end": 5, "text": "Bob", "labels": ["PER"]}),
            "region 1 (id z4): its text 'Bob' is not what 0..5 covers",
        ),
        (
            region("z5", "ner", "labels", {"start": "/p[1]", "end": "/p[2]", "labels": ["PER"]}),
            "region 1 (id z5): start and end must be whole character offsets",
        ),
        (
            region(
                "z6",
                "box",
                "rectanglelabels",
                {"x": 1, "y": 2, "width": 3, "height": 4, "rectanglelabels": ["car", "bus"]},
                **SIZE,
            ),
            "region 1 (id z6): rectanglelabels must name exactly one label",
        ),
        (
            region(
                "z7",
                "box",
                "rectanglelabels",
                {"x": 1, "y": 2, "width": 3, "height": 4, "rectanglelabels": ["car"]},
                image_rotation=90,
                **SIZE,
            ),
            "region 1 (id z7): drawn on an image rotated by 90 degrees",
        ),
        (
            region("z8", "better", "pairwise", {"selected": "both"}),
            "region 1 (id z8): selected must be left or right",
        ),
        (
            region("z9", "rank", "ranker", {"ranker": {"good": ["0"], "bad": ["1", "2"]}}),
            "region 1 (id z9): ranker must hold exactly one list",
        ),
    ],
)
def test_broken_regions_are_named_and_left_out(bad: dict[str, Any], named: str) -> None:
    good = region("ok", "sentiment", "choices", {"choices": ["pos"]})
    answer, problems = convert(good, bad)
    assert answer == {"sentiment": {"choice": "pos"}}
    assert len(problems) == 1 and problems[0].startswith(named), problems


def test_an_answer_its_kind_refuses_is_a_problem_not_kept() -> None:
    answer, problems = convert(
        region("c1", "sentiment", "choices", {"choices": ["maybe"]}),
        region(
            "b1",
            "box",
            "rectanglelabels",
            {"x": 90, "y": 0, "width": 30, "height": 10, "rectanglelabels": ["car"]},
            **SIZE,
        ),
    )
    assert answer == {}
    assert problems[0].startswith(
        "question 'sentiment' (region 0 (id c1)): "
        "sentiment.choice: 'maybe' is not one of the options"
    )
    assert "question 'box' (region 1 (id b1)): box.objects[0].w" in problems[1]


ANSWER = {
    "sentiment": {"choice": "neg"},
    "tags": {"choices": ["b", "c"]},
    "ner": {
        "spans": [{"start": 0, "end": 5, "label": "PER"}, {"start": 12, "end": 15, "label": "ORG"}]
    },
    "box": {
        "objects": [
            {"id": "b1", "label": "car", "x": 20.0, "y": 10.0, "w": 50.0, "h": 25.0},
            {
                "id": "b2",
                "label": "car",
                "x": 100.0,
                "y": 40.0,
                "w": 40.0,
                "h": 20.0,
                "rotation": 30.0,
                "score": 0.5,
            },
        ]
    },
    "poly": {
        "objects": [
            {"id": "p1", "label": "leaf", "points": [[20.0, 10.0], [100.0, 10.0], [60.0, 40.0]]}
        ]
    },
    "pt": {"objects": [{"id": "k1", "label": "eye", "x": 50.0, "y": 25.0}]},
    "stars": {"rating": 3},
    "scale": {"rating": 0},
    "why": {"text": "Because.\nTwo lines."},
    "better": {"choice": "A"},
    "rank": {"order": [1, 2, 0]},
}


def close(a: Any, b: Any) -> bool:
    """Equal, numbers within float rounding (a rotated box's corner goes through sin/cos)."""
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-9)
    return bool(a == b)


def test_round_trip_accord_label_studio_accord() -> None:
    assert INTERFACE.check_result(ANSWER, DATA) == []
    regions = from_answer(INTERFACE, ANSWER, data=DATA)
    back, problems = to_answer(INTERFACE, regions, data=DATA)
    assert problems == []
    assert close(back, ANSWER)
    unrotated = {k: v for k, v in ANSWER.items() if k != "box"}
    back, _ = to_answer(INTERFACE, from_answer(INTERFACE, unrotated, data=DATA), data=DATA)
    assert back == unrotated  # exact where no angle is involved


def test_regions_look_like_label_studio_s() -> None:
    regions = {r["id"]: r for r in from_answer(INTERFACE, ANSWER, data=DATA)}
    assert regions["b1"] == {
        "id": "b1",
        "from_name": "box",
        "to_name": "image",
        "type": "rectanglelabels",
        "original_width": 200,
        "original_height": 100,
        "image_rotation": 0,
        "value": {
            "x": 10.0,
            "y": 10.0,
            "width": 25.0,
            "height": 25.0,
            "rotation": 0.0,
            "rectanglelabels": ["car"],
        },
    }
    assert regions["b2"]["score"] == 0.5
    assert regions["ner_2"]["value"] == {"start": 13, "end": 16, "labels": ["ORG"], "text": "IBM"}
    assert regions["better"]["to_name"] == "text,other"
    assert regions["rank"]["value"] == {"ranker": {"rank": ["1", "2", "0"]}}
    assert regions["scale"]["type"] == "number"


def test_what_label_studio_cannot_hold_is_named() -> None:
    interface = parse_interface(
        {
            "fields": [
                {"name": "a", "kind": "text"},
                {"name": "b", "kind": "text"},
                {"name": "image", "kind": "image"},
            ],
            "questions": [
                {"name": "better", "kind": "pairwise"},
                {"name": "box", "kind": "boxes", "target": "image", "labels": ["x"]},
            ],
        }
    )
    answer = {
        "better": {"choice": "tie"},
        "box": {"objects": [{"id": "1", "label": "x", "x": 1, "y": 1, "w": 2, "h": 2}]},
    }
    regions, problems = convert_answer(interface, answer, data={"image": "https://e.com/a"})
    assert regions == []
    assert problems == [
        "question 'better': a tie has no Label Studio form (Pairwise picks left or right)",
        "question 'box': the size of image 'image' is unknown; Label Studio needs percent of "
        "it (give width and height in the data)",
    ]
    with pytest.raises(RegionError, match="a tie has no Label Studio form"):
        from_answer(interface, answer)
    sized = from_answer(interface, {"box": answer["box"]}, sizes={"image": (10, 10)})
    assert sized[0]["value"]["x"] == 10.0
