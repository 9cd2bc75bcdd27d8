"""Guideline documents (Markdown): their sections with stable anchors, and readable diffs.

The anchor rule (the browser computes the same: web/src/screens/guidelines/anchors.ts, both
checked against web/src/screens/guidelines/anchorVectors.json):
- a section starts at an ATX heading (``#`` to ``######`` at the start of a line, up to three
  spaces in), outside fenced code blocks; its closing ``#``s are not part of the title;
- or at a setext heading: a paragraph (one or more lines of text, not a list item, quote or
  indented code) underlined with ``=`` (level 1) or ``-`` (level 2), up to three spaces in; the
  title is the paragraph's lines joined by spaces (``#``s in it are text), and the section starts
  at the paragraph's first line. A ``---`` after a blank line is a thematic break, not a heading;
- the anchor is the title in lower case, every run of characters that are not letters or
  digits replaced by one ``-``, with ``-`` trimmed from both ends (``section`` if nothing is
  left): ``## 3. Tone & *style*`` is ``3-tone-style``;
- a title met again gets ``-2``, ``-3``, ... in document order.
So an anchor stays the same across edits that do not rename its heading (or add an earlier
heading with the same title).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
BLANK = re.compile(r"^[ \t]*$")
SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
# Lines that open a block a setext underline cannot turn into a heading: list items, quotes;
# and those that end a paragraph they follow (a list starts only at "1." or a non-empty bullet).
NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[-*+](?:[ \t]|$)|\d{1,9}[.)](?:[ \t]|$)|>)")
INTERRUPTS = re.compile(r"^ {0,3}(?:[-*+][ \t]+\S|1[.)][ \t]+\S|>)")
NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Section:
    anchor: str
    title: str
    level: int
    start: int  # the heading's line (0-based)
    end: int  # the line after the section (the next heading of its level or above, or EOF)

    def out(self) -> dict[str, Any]:
        return {"anchor": self.anchor, "title": self.title, "level": self.level}


def slug(title: str) -> str:
    """The anchor of a heading's title, before numbering duplicates."""
    return NOT_WORD.sub("-", title.lower()).strip("-") or "section"


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line, level, title) of every heading outside fenced code blocks."""
    found: list[tuple[int, int, str]] = []
    fence: str | None = None
    paragraph: int | None = None  # the first line of the paragraph being read, if any
    plain = False  # whether that paragraph is plain text (an underline makes it a heading)
    for number, line in enumerate(lines):
        opened = FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence, paragraph = opened.group(1), None
            continue
        match = HEADING.match(line)
        underline = SETEXT.match(line)
        if match:
            found.append((number, len(match.group(1)), (match.group(2) or "").strip()))
            paragraph = None
        elif underline and paragraph is not None and plain:
            title = " ".join(text.strip() for text in lines[paragraph:number])
            found.append((paragraph, 1 if underline.group(1)[0] == "=" else 2, title))
            paragraph = None
        elif BLANK.match(line) or BREAK.match(line):
            paragraph = None
        elif paragraph is None:
            if not line.startswith("    ") and not line.startswith("\t"):  # else indented code
                paragraph, plain = number, not NOT_PARAGRAPH.match(line)
        elif INTERRUPTS.match(line):
            plain = False  # a list or quote interrupts it; what follows belongs to that
    return found


def sections(text: str) -> list[Section]:
    """The document's sections, in order, with their anchors (see the module's rule)."""
    lines = text.split("\n")
    headings = _headings(lines)
    used: set[str] = set()
    out: list[Section] = []
    for index, (line, level, title) in enumerate(headings):
        base = slug(title)
        anchor, n = base, 1
        while anchor in used:
            n += 1
            anchor = f"{base}-{n}"
        used.add(anchor)
        end = len(lines)
        for later, later_level, _ in headings[index + 1 :]:
            if later_level <= level:
                end = later
                break
        out.append(Section(anchor, title, level, line, end))
    return out


def section_text(text: str, anchor: str) -> str | None:
    """The Markdown of the section ``anchor`` (its heading and its subsections), or None."""
    for section in sections(text):
        if section.anchor == anchor:
            return "\n".join(text.split("\n")[section.start : section.end])
    return None


def _innermost(found: list[Section], line: int) -> Section | None:
    inside = [s for s in found if s.start <= line < s.end]
    return max(inside, key=lambda s: s.level) if inside else None


def diff(old: str, new: str, *, context: int = 3) -> dict[str, Any]:
    """A readable diff of two versions: hunks of lines (``op``: `` ``, ``-`` or ``+``), the
    sections they touch (by title, in the new text when the section is there), and the unified
    diff as text."""
    a, b = old.split("\n"), new.split("\n")
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    old_sections, new_sections = sections(old), sections(new)
    touched: dict[str, dict[str, Any]] = {}
    hunks: list[dict[str, Any]] = []
    for group in matcher.get_grouped_opcodes(context):
        lines: list[dict[str, str]] = []
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [{"op": " ", "text": line} for line in a[i1:i2]]
                continue
            lines += [{"op": "-", "text": line} for line in a[i1:i2]]
            lines += [{"op": "+", "text": line} for line in b[j1:j2]]
            _touch(touched, new_sections, range(j1, j2), "new")  # added or rewritten
            _touch(touched, old_sections, range(i1, i2), "old")  # removed or rewritten
        first = group[0]
        hunks.append({"old_start": first[1] + 1, "new_start": first[3] + 1, "lines": lines})
    text = "\n".join(
        line.rstrip("\n")
        for line in difflib.unified_diff(a, b, "before", "after", n=context, lineterm="")
    )
    return {"hunks": hunks, "sections": list(touched.values()), "text": text}


def _touch(
    touched: dict[str, dict[str, Any]], found: list[Section], lines: range, side: str
) -> None:
    for line in lines:
        section = _innermost(found, line)
        key = section.anchor if section else ""
        if key in touched:
            continue
        if (
            side == "old"
            and section is not None
            and any(v.get("title") == section.title for v in touched.values())
        ):
            continue
        touched[key] = {
            "anchor": section.anchor if section else None,
            "title": section.title if section else "(before the first heading)",
        }


def links(interface: dict[str, Any], checklist: list[Any]) -> list[tuple[str, str]]:
    """``(path, anchor)`` of every link to a guideline section: questions' ``guideline`` and
    checklist items' ``guideline``."""
    found: list[tuple[str, str]] = []
    for index, question in enumerate(interface.get("questions") or []):
        if isinstance(question, dict) and isinstance(question.get("guideline"), str):
            found.append((f"questions[{index}].guideline", question["guideline"]))
    for index, item in enumerate(checklist or []):
        if isinstance(item, dict) and isinstance(item.get("guideline"), str):
            found.append((f"checklist[{index}].guideline", item["guideline"]))
    return found


def broken_links(
    text: str, interface: dict[str, Any], checklist: list[Any]
) -> list[dict[str, str]]:
    """The links (`links`) that name no section of ``text``: warnings, never refusals (the
    guidelines may be changed next, and a question shows no section rather than failing)."""
    anchors = {s.anchor for s in sections(text)}
    return [
        {
            "path": path,
            "anchor": anchor,
            "message": f"{path}: no section {anchor!r} in the current guidelines; rename the "
            "link or add a heading whose anchor it is",
        }
        for path, anchor in links(interface, checklist)
        if anchor not in anchors
    ]
