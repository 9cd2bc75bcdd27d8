"""Three-way merge of guideline texts: changes to different lines merge (even next to each
other), overlapping ones are conflicts with their section, identical ones are taken once."""

from __future__ import annotations

from accord.formats.guideline_merge import merge

BASE = "# Intro\nBe kind.\n\n## Labels\npos: good\nneg: bad\n\n## Edge\nsarcasm\n"


def test_changes_to_different_lines_merge() -> None:
    mine = BASE.replace("Be kind.", "Be kind and quick.")
    theirs = BASE.replace("sarcasm", "sarcasm is neg") + "\n## New\nadded\n"
    found = merge(BASE, mine, theirs)
    assert found["clean"] and found["conflicts"] == 0
    assert found["text"] == mine.replace("sarcasm", "sarcasm is neg") + "\n## New\nadded\n"


def test_neighbouring_lines_and_the_same_change_merge() -> None:
    assert merge("a\nb\nc", "A\nb\nc", "a\nB\nc")["text"] == "A\nB\nc"
    same = BASE.replace("pos: good", "pos: good or fine")
    assert merge(BASE, same, same)["text"] == same
    assert merge(BASE, BASE, same)["text"] == same  # unchanged mine: theirs
    assert merge(BASE, same, BASE)["text"] == same


def test_overlapping_changes_conflict_with_their_section() -> None:
    mine = BASE.replace("pos: good", "pos: good or fine").replace("Be kind.", "Be brief.")
    theirs = BASE.replace("pos: good", "pos: only glowing")
    found = merge(BASE, mine, theirs)
    assert not found["clean"] and found["text"] is None and found["conflicts"] == 1
    conflict = next(c for c in found["chunks"] if c["kind"] == "conflict")
    assert conflict == {
        "kind": "conflict",
        "line": 5,
        "anchor": "labels",
        "title": "Labels",
        "base": ["pos: good"],
        "mine": ["pos: good or fine"],
        "theirs": ["pos: only glowing"],
    }
    # The rest is merged: the chunks join back into the whole text, conflict aside.
    before = found["chunks"][0]["lines"]
    assert before[:2] == ["# Intro", "Be brief."]
    assert found["chunks"][-1]["lines"] == ["neg: bad", "", "## Edge", "sarcasm", ""]


def test_insertions_at_one_place_and_at_a_changed_line_conflict() -> None:
    assert merge("a\nb", "a\nx\nb", "a\ny\nb")["conflicts"] == 1
    assert merge("a\nb\nc", "a\nx\nb\nc", "a\nB\nc")["conflicts"] == 1
    deleted = merge("a\nb\nc", "a\nc", "a\nB\nc")
    conflict = next(c for c in deleted["chunks"] if c["kind"] == "conflict")
    assert conflict["mine"] == [] and conflict["theirs"] == ["B"]
    assert conflict["anchor"] is None and conflict["title"] == "(before the first heading)"
