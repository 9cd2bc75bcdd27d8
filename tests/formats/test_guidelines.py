"""Guideline sections, anchors (the vectors the browser shares) and diffs."""

from __future__ import annotations

from pathlib import Path

import orjson

from accord.formats.guidelines import broken_links, diff, section_text, sections

VECTORS = Path(__file__).resolve().parents[2] / "web/src/screens/guidelines/anchorVectors.json"


def test_anchors_match_the_shared_vectors() -> None:
    vectors = orjson.loads(VECTORS.read_bytes())
    for case in vectors["cases"]:
        assert [s.anchor for s in sections(case["text"])] == case["anchors"], case["text"]
    for case in vectors["sections"]:
        assert section_text(case["text"], case["anchor"]) == case["section"]


def test_anchors_are_stable_across_edits_that_keep_the_heading() -> None:
    before = "# Intro\nx\n## Labels\npos\n## Edge cases\n"
    after = "# Intro\nnew first line\nx\n\n## Labels\npos or fine\nmore\n## Edge cases\nadded\n"
    assert [s.anchor for s in sections(before)] == [s.anchor for s in sections(after)]


def test_diff_names_the_sections_it_touches() -> None:
    old = "# Intro\nx\n## Labels\npos\n## Edge\ny\n"
    new = "# Intro\nx\n## Labels\npos or fine\n## Edge\ny\n"
    found = diff(old, new)
    assert [s["anchor"] for s in found["sections"]] == ["labels"]
    lines = [(line["op"], line["text"]) for hunk in found["hunks"] for line in hunk["lines"]]
    assert ("-", "pos") in lines and ("+", "pos or fine") in lines
    assert "-pos\n+pos or fine" in found["text"]
    assert diff(old, old) == {"hunks": [], "sections": [], "text": ""}
    first = diff("", "intro\n# A\n")["sections"]
    assert first[0]["anchor"] is None


def test_diff_names_setext_sections() -> None:
    old = "Intro\n=====\nx\n\nLabels\n------\npos\n\n---\n\nafter the break\n"
    new = "Intro\n=====\nx\n\nLabels\n------\npos or fine\n\n---\n\nafter the break\n"
    found = diff(old, new)
    assert found["sections"] == [{"anchor": "labels", "title": "Labels"}]
    assert [(s.anchor, s.level) for s in sections(new)] == [("intro", 1), ("labels", 2)]


def test_broken_links_are_warnings() -> None:
    interface = {
        "questions": [{"name": "a", "guideline": "labels"}, {"name": "b", "guideline": "x"}]
    }
    found = broken_links("## Labels\n", interface, [{"id": "c", "guideline": "y"}])
    assert [(w["path"], w["anchor"]) for w in found] == [
        ("questions[1].guideline", "x"),
        ("checklist[0].guideline", "y"),
    ]
