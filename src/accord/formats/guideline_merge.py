"""Three-way merge of guideline texts: an editor's text (``mine``) and the version someone else
saved meanwhile (``theirs``), both made from the same ``base`` (docs/guidelines.md).

Lines are compared with `difflib` (no junk heuristics). Each side's changes are hunks of base
lines replaced by other lines. Hunks from the two sides that touch the same base lines (or
insert at a line the other side changes, or both insert at one place) form one region:

- changed by one side only, or the same way by both: that side's lines are taken;
- changed differently by both: a conflict, kept with the base's lines, mine and theirs, and
  the section (`accord.formats.guidelines` anchors) of the base it is in.

Changes to different lines merge cleanly, even next to each other. The result is a list of
chunks that joins back into a whole text once each conflict is given a side.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from accord.formats.guidelines import Section, sections


@dataclass(frozen=True)
class _Hunk:
    start: int  # base lines [start, end) are replaced by `lines`
    end: int
    lines: tuple[str, ...]
    side: str  # "mine" or "theirs"


def _hunks(base: list[str], other: list[str], side: str) -> list[_Hunk]:
    matcher = difflib.SequenceMatcher(None, base, other, autojunk=False)
    return [
        _Hunk(i1, i2, tuple(other[j1:j2]), side)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes()
        if tag != "equal"
    ]


def _touches(start: int, end: int, hunk: _Hunk) -> bool:
    """Whether ``hunk`` touches the base lines [start, end): it overlaps them, or one of the
    two is an insertion at a line the other starts or ends at (their order would be a guess)."""
    if hunk.start < end and start < hunk.end:
        return True
    if hunk.start == hunk.end and start <= hunk.start <= end:
        return True
    return start == end and hunk.start <= start <= hunk.end


def _apply(base: list[str], start: int, end: int, hunks: list[_Hunk]) -> list[str]:
    """Base lines [start, end) with ``hunks`` (one side's, in order, inside them) applied."""
    out: list[str] = []
    at = start
    for hunk in hunks:
        out += base[at : hunk.start]
        out += hunk.lines
        at = hunk.end
    return out + base[at:end]


def _section_at(found: list[Section], line: int) -> Section | None:
    inside = [s for s in found if s.start <= line < s.end]
    return max(inside, key=lambda s: s.level) if inside else None


def merge(base: str, mine: str, theirs: str) -> dict[str, Any]:
    """``{"clean", "text", "chunks", "conflicts"}``: ``text`` is the merged text when clean
    (else None); ``chunks`` are ``{"kind": "same", "lines"}`` and ``{"kind": "conflict",
    "line", "anchor", "title", "base", "mine", "theirs"}`` in order (``line``: the base line,
    1-based, where the conflict starts); ``conflicts`` counts the conflicting chunks."""
    a, b, c = base.split("\n"), mine.split("\n"), theirs.split("\n")
    hunks = sorted(
        _hunks(a, b, "mine") + _hunks(a, c, "theirs"),
        key=lambda h: (h.start, h.end, h.side),
    )
    found = sections(base)
    chunks: list[dict[str, Any]] = []
    same: list[str] = []
    at = index = 0
    while index < len(hunks):
        region = [hunks[index]]
        start, end = region[0].start, region[0].end
        index += 1
        while index < len(hunks) and _touches(start, end, hunks[index]):
            region.append(hunks[index])
            start, end = min(start, hunks[index].start), max(end, hunks[index].end)
            index += 1
        same += a[at:start]
        at = end
        ours = _apply(a, start, end, [h for h in region if h.side == "mine"])
        other = _apply(a, start, end, [h for h in region if h.side == "theirs"])
        sides = {h.side for h in region}
        if len(sides) == 1 or ours == other:
            same += ours if sides == {"mine"} else other
            continue
        if same:
            chunks.append({"kind": "same", "lines": same})
            same = []
        section = _section_at(found, start)
        chunks.append(
            {
                "kind": "conflict",
                "line": start + 1,
                "anchor": section.anchor if section else None,
                "title": section.title if section else "(before the first heading)",
                "base": a[start:end],
                "mine": ours,
                "theirs": other,
            }
        )
    same += a[at:]
    if same:
        chunks.append({"kind": "same", "lines": same})
    conflicts = sum(1 for chunk in chunks if chunk["kind"] == "conflict")
    text = "\n".join(line for chunk in chunks for line in chunk["lines"]) if not conflicts else None
    return {"clean": not conflicts, "text": text, "chunks": chunks, "conflicts": conflicts}
