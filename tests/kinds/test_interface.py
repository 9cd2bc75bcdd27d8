"""Parsing an interface (fields and questions), linking targets, and checking results."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml
from pydantic import BaseModel

from accord.kinds import FIELD_KINDS, QUESTION_KINDS, Interface, InterfaceError, parse_interface
from accord.kinds.questions.rubric import Criterion
from accord.kinds.questions.text import Rule
from accord.kinds.questions.turns import Scale

DESIGN_EXAMPLE = """
fields:
  - {name: prompt, kind: text}
  - {name: responses, kind: text_list}
questions:
  - {name: better, kind: pairwise, target: responses, required: true}
  - {name: why, kind: text, min_length: 20, checks: [no_placeholder]}
"""

FULL = {
    "fields": [
        {"name": "doc", "kind": "text"},
        {"name": "notes", "kind": "markdown", "required": False},
        {"name": "responses", "kind": "text_list", "min_items": 2, "max_items": 2},
        {"name": "chat", "kind": "chat"},
    ],
    "questions": [
        {"name": "sentiment", "kind": "choice", "options": ["pos", "neg"], "required": True},
        {"name": "stars", "kind": "rating", "labels": {"1": "poor", "5": "great"}},
        {"name": "entities", "kind": "spans", "target": "doc", "labels": ["PER", "LOC"]},
        {"name": "better", "kind": "pairwise", "target": "responses"},
        {"name": "order", "kind": "ranking", "target": "responses", "ties": True},
        {
            "name": "judge",
            "kind": "rubric",
            "target": "notes",
            "criteria": [{"name": "accuracy", "type": "pass_fail"}, {"name": "style"}],
        },
        {"name": "per_turn", "kind": "turns", "target": "chat", "rating": {"min": 1, "max": 3}},
        {"name": "why", "kind": "text", "checks": ["no_placeholder", "trimmed"]},
    ],
}
DATA = {
    "doc": "Alice met Bob.",
    "responses": ["short", "long"],
    "chat": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
}
RESULT = {
    "sentiment": {"choice": "pos"},
    "stars": {"rating": 4},
    "entities": {"spans": [{"start": 0, "end": 5, "label": "PER", "text": "Alice"}]},
    "better": {"choice": "A", "strength": 2},
    "order": {"order": [[1], [0]]},
    "judge": {"criteria": {"accuracy": True, "style": 3}, "comment": "fine"},
    "per_turn": {"turns": [{"index": 1, "rating": 3}]},
    "why": {"text": "The first answer is shorter and still correct."},
}


def errors(value: Any) -> str:
    with pytest.raises(InterfaceError) as caught:
        parse_interface(value)
    return str(caught.value)


def with_questions(*questions: dict[str, Any]) -> dict[str, Any]:
    return {"fields": FULL["fields"], "questions": list(questions)}


def test_design_example_parses_from_yaml() -> None:
    interface = parse_interface(DESIGN_EXAMPLE)
    assert [f.name for f in interface.fields] == ["prompt", "responses"]
    better = interface.question("better")
    assert better is not None and better.kind == "pairwise" and better.required
    result = {"better": {"choice": "A", "strength": 2}, "why": {"text": "x" * 5}}
    data = {"prompt": "p", "responses": ["a", "b"]}
    problems = interface.check_result(result, data)
    assert [str(p) for p in problems] == ["result.why.text: 5 characters; write at least 20"]


# The image kinds, kept apart so that the text-only examples above stay as they are.
IMAGES: dict[str, list[dict[str, Any]]] = {
    "fields": [
        {"name": "photo", "kind": "image"},
        {"name": "clip", "kind": "video"},
        {"name": "rec", "kind": "audio"},
    ],
    "questions": [
        {"name": "scene", "kind": "image_class", "target": "photo", "options": ["in", "out"]},
        {"name": "boxes", "kind": "boxes", "target": "photo", "labels": ["car"]},
        {"name": "outlines", "kind": "polygons", "target": "photo", "labels": ["car"]},
        {"name": "lanes", "kind": "polylines", "target": "photo", "labels": ["lane"]},
        {"name": "seeds", "kind": "points", "target": "photo", "labels": ["seed"]},
        {
            "name": "pose",
            "kind": "keypoints",
            "target": "photo",
            "labels": ["arm"],
            "skeleton": {"points": ["base", "tip"], "edges": [[0, 1]]},
        },
        {"name": "regions", "kind": "masks", "target": "photo", "labels": ["road"]},
        {"name": "actions", "kind": "events", "target": "clip", "labels": ["pick"]},
        {"name": "cars", "kind": "tracks", "target": "clip", "shape": "point", "labels": ["car"]},
        {"name": "turns", "kind": "segments", "target": "rec", "labels": ["speech"]},
        {"name": "words", "kind": "transcript", "target": "rec"},
    ],
}
IMAGE_DATA = {
    "photo": {"src": "s3://bucket/a.jpg", "width": 5, "height": 4},
    "clip": {"src": "s3://bucket/a.mp4", "frames": 10},
    "rec": {"src": "s3://bucket/a.wav", "duration": 4.0},
}
IMAGE_RESULT = {
    "scene": {"choice": "out"},
    "boxes": {"objects": [{"id": "a", "label": "car", "x": 1, "y": 1, "w": 2, "h": 2}]},
    "outlines": {"objects": [{"id": "a", "label": "car", "points": [[0, 0], [4, 0], [4, 3]]}]},
    "lanes": {"objects": [{"id": "a", "label": "lane", "points": [[0, 0], [5, 4]]}]},
    "seeds": {"objects": [{"id": "a", "label": "seed", "x": 2.5, "y": 2}]},
    "pose": {"objects": [{"id": "a", "label": "arm", "points": [[1, 1, 2], [0, 0, 0]]}]},
    "regions": {
        "objects": [{"id": "a", "label": "road", "rle": {"size": [4, 5], "counts": "5220003"}}]
    },
    "actions": {"events": [{"id": "a", "label": "pick", "start": 2, "end": 9}]},
    "cars": {"tracks": [{"id": "a", "label": "car", "keyframes": [{"frame": 9, "x": 1, "y": 1}]}]},
    "turns": {"segments": [{"id": "a", "label": "speech", "start": 0.5, "end": 4}]},
    "words": {"segments": [{"id": "a", "start": 0.5, "end": 1.25, "text": "hi"}]},
}


def test_every_kind_in_one_interface() -> None:
    full = {key: FULL[key] + IMAGES[key] for key in ("fields", "questions")}
    interface = parse_interface(orjson.dumps(full))
    data = DATA | IMAGE_DATA
    assert interface.check_result(RESULT | IMAGE_RESULT, data) == []
    assert sorted(q.kind for q in interface.questions) == sorted(QUESTION_KINDS)
    assert interface.row_check()(data) is None


def test_check_result_collects_every_problem() -> None:
    interface = parse_interface(FULL)
    result = {**RESULT, "stars": {"rating": 9}, "bogus": 1}
    result.pop("sentiment")
    problems = [str(p) for p in interface.check_result(result, DATA)]
    assert problems == [
        "result.bogus: no such question; the questions are better, entities, judge, order, "
        "per_turn, sentiment, stars, why",
        "result.sentiment: required; answer it",
        "result.stars.rating: 9 is above the maximum 5",
    ]


def test_partial_results_skip_required_and_empty_answers() -> None:
    interface = parse_interface(FULL)
    empty = {"entities": {"spans": []}, "why": {"text": ""}, "per_turn": {"turns": []}}
    assert interface.check_result(empty, DATA, partial=True) == []
    assert [p.path for p in interface.check_result(empty, DATA)] == ["result.sentiment"]
    assert [str(p) for p in interface.check_result([], DATA)] == [
        "result: expected an object keyed by question name"
    ]


def test_problem_paths_from_nested_answers() -> None:
    interface = parse_interface(FULL)
    result = {**RESULT, "entities": {"spans": [{"start": 0, "end": 99, "label": "PER"}]}}
    [found] = interface.check_result(result, DATA, root="body.result")
    assert found.path == "body.result.entities.spans[0].end"
    assert found.message == "99 is past the end of the text (14 characters)"


def test_names_are_unique_and_field_names_not_reserved() -> None:
    doc = {"name": "doc", "kind": "text"}
    assert errors({"fields": [doc, doc]}) == "fields[1]: the name 'doc' is used twice"
    assert errors({"fields": [doc], "questions": [{"name": "doc", "kind": "rating"}]}) == (
        "questions[0]: the name 'doc' is used twice"
    )
    assert errors({"fields": [{"name": "id", "kind": "text"}]}).startswith(
        "fields[0]: 'id' is reserved for import rows"
    )


def test_targets_are_linked() -> None:
    assert errors(with_questions({"name": "e", "kind": "spans", "labels": ["X"]})).startswith(
        "questions[0].target: "  # required by the config model
    )
    assert (
        errors(with_questions({"name": "e", "kind": "spans", "target": "nope", "labels": ["X"]}))
        == "questions[0] (e): target 'nope' is not a field of this interface"
    )
    assert (
        errors(with_questions({"name": "e", "kind": "spans", "target": "chat", "labels": ["X"]}))
        == "questions[0] (e): a spans question works on a field of kind text, but 'chat' is chat"
    )
    assert errors(with_questions({"name": "b", "kind": "pairwise", "target": "doc"})) == (
        "questions[0] (b): a pairwise question works on a field of kind text_list, "
        "but 'doc' is text"
    )
    assert errors(with_questions({"name": "t", "kind": "turns", "labels": ["ok"]})).startswith(
        "questions[0].target: "
    )
    assert errors(with_questions({"name": "r", "kind": "rating", "target": "doc"})) == (
        "questions[0].target: Extra inputs are not permitted"
    )


def test_rubric_accepts_every_judged_field_kind() -> None:
    for target in ("doc", "notes", "responses", "chat"):
        question = {"name": "j", "kind": "rubric", "target": target, "criteria": [{"name": "x"}]}
        assert parse_interface(with_questions(question)).questions[0].kind == "rubric"


def test_declaration_errors() -> None:
    assert errors("fields: [").startswith("line ")
    assert errors("- a list") == "expected an object with fields and questions"
    assert errors({"fields": []}).startswith("fields: ")
    assert errors(with_questions({"name": "q", "kind": "sketch"})).startswith("questions[0]: ")
    assert errors(with_questions({"name": "q", "kind": "rating", "colour": "red"})) == (
        "questions[0].colour: Extra inputs are not permitted"
    )


def test_config_error_paths_reach_nested_options() -> None:
    criteria = [{"name": "a", "type": "pass_fail"}, {"name": "b", "min": 3, "max": 1}]
    value = with_questions(
        {"name": "c", "kind": "choice", "options": ["x"]},
        {"name": "s", "kind": "rating"},
        {"name": "j", "kind": "rubric", "criteria": criteria},
    )
    assert errors(value) == "questions[2].criteria[1].max: must be greater than min (3)"
    value = with_questions(
        {"name": "w", "kind": "text", "rules": [{"pattern": "a"}, {"pattern": "["}]}
    )
    assert errors(value).startswith("questions[0].rules[1].pattern: not a valid regular expression")


def test_kinds_declare_their_targets_consistently() -> None:
    for name, kind in QUESTION_KINDS.items():
        field = kind.config.model_fields.get("target")
        assert (field is not None) == bool(kind.targets), name
        if field is not None:
            assert field.is_required() == kind.target_required, name
            assert field.description, name


@pytest.mark.parametrize(
    "model",
    [QUESTION_KINDS[k].config for k in QUESTION_KINDS if k != "choice"] + [Rule, Criterion, Scale],
)
def test_every_option_is_described(model: type[BaseModel]) -> None:
    undocumented = [
        name
        for name, info in model.model_fields.items()
        if not info.description and name not in ("name", "kind")
    ]
    assert undocumented == []


def test_the_reference_example_holds() -> None:
    reference = Path(__file__).parents[2] / "docs" / "kinds.md"
    blocks = re.findall(r"```(yaml|json)\n(.*?)```", reference.read_text(), re.S)
    interface = parse_interface(blocks[0][1])
    data, result = (orjson.loads(text) for _, text in blocks[1:3])
    assert interface.row_check()(data) is None
    assert interface.check_result(result, data) == []
    assert sorted(q.kind for q in interface.questions) == sorted(set(QUESTION_KINDS) - {"choice"})


def test_every_declaration_in_the_reference_parses() -> None:
    reference = (Path(__file__).parents[2] / "docs" / "kinds.md").read_text()
    field_part, question_part = reference.split("\n# Question kinds\n")
    fields = [
        {"name": "article", "kind": "text"},
        {"name": "response", "kind": "markdown"},
        {"name": "responses", "kind": "text_list"},
        {"name": "chat", "kind": "chat"},
        {"name": "photo", "kind": "image"},
        {"name": "clip", "kind": "video"},
        {"name": "rec", "kind": "audio"},
    ]
    field_kinds, question_kinds = set(), set()
    for declared in snippets(field_part.split("\n# Field kinds\n")[1]):
        field_kinds.add(declared["kind"])
        FIELD_KINDS[declared["kind"]].config.model_validate(declared)
    for declared in snippets(question_part):
        question_kinds.add(declared["kind"])
        parse_interface({"fields": fields, "questions": [declared]})
    assert field_kinds == set(FIELD_KINDS)
    assert question_kinds == set(QUESTION_KINDS)


def snippets(markdown: str) -> list[dict[str, Any]]:
    """The declarations (one-item YAML lists) in ``markdown``'s yaml blocks."""
    found = []
    for block in re.findall(r"```yaml\n(- .*?)```", markdown, re.S):
        [declared] = yaml.safe_load(block)
        found.append(declared)
    return found


def test_interface_is_exported() -> None:
    assert isinstance(parse_interface(FULL), Interface)
