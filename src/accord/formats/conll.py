"""Spans as CoNLL-2003 style IOB2 (docs/training_exports.md, "conll").

Each answer is one document: a ``-DOCSTART- -X- O O`` line, a blank line, then one line per
token, ``TOKEN _ _ TAG`` (four columns, the tag last, as CoNLL-2003 readers and spaCy's
``conll_ner_to_docs`` read them), then a blank line. Tokens are the matches of `TOKEN`: a run
of letters, digits and underscores, or any one other character that is not a space; spaces
(line breaks included) only separate tokens. A span whose start is not the start of a token,
or whose end is not the end of one, is left out of the tags (its tokens stay ``O`` unless
another span covers them) and named in the report: never moved to the nearest boundary. So is
a span overlapping one already tagged (IOB2 has one tag per token).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from accord.formats.training import Item, Report, TrainingError, TrainingOptions
from accord.kinds import Interface

TOKEN = re.compile(r"\w+|[^\w\s]")
DOCSTART = "-DOCSTART- -X- O O\n\n"


def spans_question(interface: Interface, options: TrainingOptions, fmt: str) -> Any:
    """The spans question ``fmt`` writes: named, or the interface's only one."""
    spans = [q for q in interface.questions if q.kind == "spans"]
    if options.question:
        found = next((q for q in spans if q.name == options.question), None)
        if found is None:
            raise TrainingError(f"question: {options.question!r} is not a spans question")
        return found
    if not spans:
        raise TrainingError(
            f"{fmt} needs a spans question (labelled character ranges over a text field); "
            "this project has none"
        )
    if len(spans) > 1:
        names = ", ".join(q.name for q in spans)
        raise TrainingError(f"several spans questions ({names}): name one with question=<name>")
    return spans[0]


def tokens(text: str) -> list[tuple[int, int]]:
    """(start, end) of every token, in code points."""
    return [m.span() for m in TOKEN.finditer(text)]


@dataclass
class Tagged:
    """A text's tokens and their IOB2 tags."""

    words: list[str]
    tags: list[str]


def tagged(item: Item, question: Any, report: Report) -> Tagged | None:
    """The answer's tokens and tags, or None (counted) when the task has no text."""
    text = item.data.get(question.target)
    if not isinstance(text, str) or not TOKEN.search(text):
        report.skip("no text", item, f"{question.target} has no tokens")
        return None
    bounds = tokens(text)
    starts = {s: i for i, (s, _) in enumerate(bounds)}
    ends = {e: i for i, (_, e) in enumerate(bounds)}
    tags = ["O"] * len(bounds)
    answer = item.result.get(question.name) or {}
    for n, span in enumerate(answer.get("spans") or []):
        start, end, label = int(span["start"]), int(span["end"]), str(span["label"])
        first, last = starts.get(start), ends.get(end)
        named = {"question": question.name, "span": n, "start": start, "end": end}
        if first is None or last is None:
            edge = "start" if first is None else "end"
            report.skip(
                "span off token boundaries",
                item,
                f"spans[{n}] {label} {text[start:end]!r} ({start}..{end}): its {edge} is "
                "inside a token",
                **named,
            )
            continue
        if any(t != "O" for t in tags[first : last + 1]):
            report.skip(
                "overlapping span",
                item,
                f"spans[{n}] {label} {text[start:end]!r} ({start}..{end}) overlaps a span "
                "tagged before it",
                **named,
            )
            continue
        tags[first] = f"B-{label}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{label}"
    return Tagged([text[s:e] for s, e in bounds], tags)


def conll_chunks(
    items: Iterator[Item], question: Any, report: Report, flush_bytes: int = 1 << 20
) -> Iterator[bytes]:
    """The CoNLL text of ``items``, in chunks of about ``flush_bytes``."""
    parts: list[str] = []
    size = 0
    for item in items:
        report.answers += 1
        doc = tagged(item, question, report)
        if doc is None:
            continue
        report.records += 1
        text = DOCSTART + "".join(
            f"{w} _ _ {t}\n" for w, t in zip(doc.words, doc.tags, strict=True)
        )
        parts.append(text + "\n")
        size += len(text)
        if size >= flush_bytes:
            yield "".join(parts).encode()
            parts, size = [], 0
    yield "".join(parts).encode()
