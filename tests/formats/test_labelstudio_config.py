"""Label Studio labeling configs to Accord interfaces and back: each supported tag, each
refusal named, unsafe XML refused."""

from __future__ import annotations

import pytest

from accord.formats.labelstudio_config import ConfigError, read_config, to_xml
from accord.kinds.interface import parse_interface


def wrap(*lines: str) -> str:
    return "<View>\n" + "\n".join(lines) + "\n</View>"


TEXT = '<Text name="text" value="$text"/>'
IMAGE = '<Image name="img" value="$image"/>'


def question(xml: str) -> dict:
    translation = read_config(xml)
    assert translation.problems == []
    parse_interface(translation.interface)  # a valid Accord interface
    (only,) = translation.interface["questions"]
    return only


def test_text_and_single_choice() -> None:
    xml = wrap(
        '<Header value="Feel?"/>',
        TEXT,
        '<Choices name="sentiment" toName="text" choice="single-radio" required="true">',
        '<Choice value="Positive" hint="good"/><Choice value="Negative"/></Choices>',
    )
    translation = read_config(xml)
    assert translation.problems == []
    assert translation.interface == {
        "fields": [{"name": "text", "kind": "text"}],
        "questions": [
            {
                "kind": "choice",
                "options": [{"value": "Positive", "hint": "good"}, {"value": "Negative"}],
                "name": "sentiment",
                "required": True,
            }
        ],
    }
    assert translation.data_keys == {"text": "text"}


def test_multiple_choice_alias_and_image_class() -> None:
    found = question(
        wrap(
            TEXT,
            '<Choices name="t" toName="text" choice="multiple">'
            '<Choice value="Price tag" alias="price"/><Choice value="x"/>'
            "</Choices>",
        )
    )
    assert found["multiple"] is True and found["min_choices"] == 0
    assert found["options"][0] == {"value": "price", "label": "Price tag"}
    found = question(wrap(IMAGE, '<Choices name="c" toName="img"><Choice value="cat"/></Choices>'))
    assert found["kind"] == "image_class" and found["target"] == "image"


def test_labels_are_spans() -> None:
    found = question(
        wrap(
            TEXT,
            '<Labels name="ner" toName="text"><Label value="PER"/><Label value="ORG"/></Labels>',
        )
    )
    assert found == {
        "kind": "spans",
        "target": "text",
        "labels": [{"value": "PER"}, {"value": "ORG"}],
        "overlap": True,
        "name": "ner",
    }


@pytest.mark.parametrize(
    ("tag", "kind"),
    [("RectangleLabels", "boxes"), ("PolygonLabels", "polygons"), ("KeyPointLabels", "points")],
)
def test_image_shapes(tag: str, kind: str) -> None:
    found = question(wrap(IMAGE, f'<{tag} name="s" toName="img"><Label value="car"/></{tag}>'))
    assert found["kind"] == kind and found["target"] == "image"
    assert found["labels"] == [{"value": "car"}]
    if kind == "boxes":
        assert found["rotation"] is True


def test_unlabelled_shape_takes_its_name_as_label() -> None:
    translation = read_config(wrap(IMAGE, '<Rectangle name="box" toName="img"/>'))
    assert translation.interface["questions"][0]["labels"] == [{"value": "box"}]
    assert translation.notes and translation.problems == []


def test_rating_number_textarea_pairwise_ranker_taxonomy() -> None:
    assert question(wrap(TEXT, '<Rating name="r" toName="text" maxRating="10"/>')) == {
        "kind": "rating",
        "min": 1,
        "max": 10,
        "name": "r",
    }
    assert question(wrap(TEXT, '<Number name="n" toName="text" min="0" max="4"/>')) == {
        "kind": "rating",
        "min": 0,
        "max": 4,
        "step": 1.0,
        "style": "scale",
        "name": "n",
    }
    assert question(
        wrap(TEXT, '<TextArea name="c" toName="text" rows="1" placeholder="Why?"/>')
    ) == {"kind": "text", "placeholder": "Why?", "multiline": False, "name": "c"}
    pair = read_config(
        wrap(
            '<Pairwise name="pw" toName="a,b"/>',
            '<Text name="a" value="$x"/>',
            '<Text name="b" value="$y"/>',
        )
    )
    assert pair.problems == []
    assert pair.interface == {
        "fields": [{"name": "pw_items", "kind": "text_list", "min_items": 2, "max_items": 2}],
        "questions": [
            {
                "kind": "pairwise",
                "target": "pw_items",
                "allow_tie": False,
                "max_strength": 1,
                "name": "pw",
            }
        ],
    }
    assert pair.pairs == {"pw_items": ("x", "y")}
    ranker = read_config(
        wrap('<List name="answers" value="$items"/>', '<Ranker name="rank" toName="answers"/>')
    )
    assert ranker.interface["fields"] == [{"name": "items", "kind": "text_list"}]
    assert ranker.interface["questions"] == [{"kind": "ranking", "target": "items", "name": "rank"}]
    assert (
        question(
            wrap(
                TEXT,
                '<Taxonomy name="tx" toName="text"><Choice value="a"/>'
                '<Choice value="b"/></Taxonomy>',
            )
        )["multiple"]
        is True
    )


def test_objects_audio_video_paragraphs_hypertext() -> None:
    translation = read_config(
        wrap(
            '<Audio name="au" value="$audio"/>',
            '<Video name="v" value="$video"/>',
            '<Paragraphs name="chat" value="$dialogue" nameKey="speaker" textKey="line"/>',
            '<HyperText name="h" value="$html"/>',
        )
    )
    kinds = {f["name"]: f["kind"] for f in translation.interface["fields"]}
    assert kinds == {"audio": "audio", "video": "video", "dialogue": "chat", "html": "text"}
    assert translation.problems == []
    assert any("plain text" in note for note in translation.notes)
    assert any("'speaker'" in note for note in translation.notes)


def test_names_that_do_not_fit_are_renamed_and_mapped() -> None:
    translation = read_config(
        wrap(
            '<Text name="t" value="$text"/>',
            '<Choices name="my-label" toName="t"><Choice value="a"/></Choices>',
            '<TextArea name="text" toName="t"/>',
        )
    )
    assert translation.names == {"t": "text", "my-label": "my_label", "text": "text_2"}
    parse_interface(translation.interface)


@pytest.mark.parametrize(
    ("xml", "named"),
    [
        (
            wrap(IMAGE, '<BrushLabels name="brush" toName="img"><Label value="x"/></BrushLabels>'),
            "<BrushLabels> 'brush': this tag is not supported",
        ),
        (
            wrap(
                TEXT,
                '<Choices name="c" toName="text" perRegion="true"><Choice value="a"/></Choices>',
            ),
            "<Choices> 'c': perRegion",
        ),
        (
            wrap(
                TEXT, '<Labels name="l" toName="text" choice="multiple"><Label value="a"/></Labels>'
            ),
            "<Labels> 'l': choice=\"multiple\"",
        ),
        (
            wrap(
                '<HyperText name="h" value="$html"/>',
                '<Labels name="l" toName="h"><Label value="a"/></Labels>',
            ),
            "<Labels> 'l': spans over HTML",
        ),
        (
            wrap(TEXT, '<Choices name="c" toName="text" value="$options"/>'),
            "options read from the task's data",
        ),
        (
            wrap(TEXT, '<Choices name="c" toName="nowhere"><Choice value="a"/></Choices>'),
            "toName nowhere is not an object",
        ),
        (
            wrap(
                '<List name="l" value="$items"/>',
                '<Ranker name="r" toName="l"><Bucket name="good"/></Ranker>',
            ),
            "buckets",
        ),
        (
            wrap(
                TEXT,
                '<Taxonomy name="tx" toName="text"><Choice value="a"><Choice value="b"/>'
                "</Choice></Taxonomy>",
            ),
            "a taxonomy of several levels",
        ),
        (
            wrap(TEXT, '<Relations><Relation value="r"/></Relations>'),
            "<Relations> '': this tag is not supported",
        ),
        (wrap('<Text name="t" value="static text"/>'), "is not a task data key"),
        (wrap(TEXT, '<Number name="n" toName="text"/>'), "<Number> 'n': a <Number> without"),
        (
            wrap(
                TEXT, '<Choices name="c" toName="text" mysterious="1"><Choice value="a"/></Choices>'
            ),
            "attribute 'mysterious' is not supported",
        ),
    ],
)
def test_unsupported_is_named(xml: str, named: str) -> None:
    translation = read_config(xml)
    assert any(named in problem for problem in translation.problems), translation.problems


def test_relations_named_once() -> None:
    problems = read_config(wrap(TEXT, '<Relations><Relation value="r"/></Relations>')).problems
    assert len(problems) == 1


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        ('<!DOCTYPE x [<!ENTITY a "aaaa">]><View>&a;</View>', "document type declaration"),
        ("<View><Text name='t' value='$t'></View>", "not well-formed XML at line 1"),
        ("<View>" + " " * 1_000_001 + "</View>", "larger than"),
        ("<View>" + "<View/>" * 5001 + "</View>", "more than 5,000 tags"),
    ],
)
def test_unsafe_or_broken_xml_is_refused(xml: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        read_config(xml)


def test_to_xml_reads_back_to_the_same_interface() -> None:
    interface = parse_interface(
        {
            "fields": [
                {"name": "text", "kind": "text"},
                {"name": "image", "kind": "image"},
                {"name": "items", "kind": "text_list"},
                {"name": "pair", "kind": "text_list", "min_items": 2, "max_items": 2},
            ],
            "questions": [
                {
                    "name": "sentiment",
                    "kind": "choice",
                    "options": ["pos", "neg"],
                    "required": True,
                },
                {
                    "name": "tags",
                    "kind": "choice",
                    "multiple": True,
                    "min_choices": 0,
                    "options": [{"value": "a", "label": "Alpha"}, "b"],
                },
                {
                    "name": "ner",
                    "kind": "spans",
                    "target": "text",
                    "labels": ["PER"],
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
                    "labels": ["car"],
                    "self_intersection": "allow",
                },
                {"name": "pt", "kind": "points", "target": "image", "labels": ["eye"]},
                {"name": "stars", "kind": "rating", "max": 5},
                {"name": "scale", "kind": "rating", "min": 0, "max": 10, "style": "scale"},
                {"name": "why", "kind": "text"},
                {"name": "rank", "kind": "ranking", "target": "items"},
                {
                    "name": "better",
                    "kind": "pairwise",
                    "target": "pair",
                    "allow_tie": False,
                    "max_strength": 1,
                },
            ],
        }
    )
    back = read_config(to_xml(interface))
    assert back.problems == []
    assert parse_interface(back.interface) == interface


def test_to_xml_names_what_has_no_tag() -> None:
    interface = parse_interface(
        {
            "fields": [{"name": "text", "kind": "text"}],
            "questions": [{"name": "grade", "kind": "rubric", "criteria": [{"name": "clear"}]}],
        }
    )
    assert "<!-- not in Label Studio: grade (rubric) -->" in to_xml(interface)
