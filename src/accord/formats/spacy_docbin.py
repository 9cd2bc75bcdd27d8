"""Spans as spaCy ``DocBin`` files (docs/training_exports.md, "spacy").

Each answer is one ``Doc`` made by ``spacy.blank(lang)`` (the language's rule-based tokenizer;
no model is downloaded). Every spans question's spans go to ``doc.spans[<question>]`` (a span
group: overlaps allowed), and those of the written question (``question=``, or the only spans
question) also to ``doc.ents`` when that question forbids overlaps. Character offsets become
token spans with ``Doc.char_span(start, end, label, alignment_mode)``: ``strict`` (default)
keeps only spans on token boundaries, ``contract`` shrinks a span to the tokens wholly inside
it, ``expand`` grows it to the tokens it touches. A span that finds no tokens is left out and
named in the report. ``doc.user_data`` holds ``task_id``, ``external_id``, ``annotation_id``,
``annotator`` and ``source``.

spaCy is imported when the export runs (an optional dependency: ``pip install spacy``). A
``DocBin`` is written whole, so the export is a zip of ``part-00001.spacy`` ... of at most
`PART_DOCS` documents each: memory holds one part; spaCy's corpus reader (``spacy train``
with ``--paths.train`` the unzipped folder) reads every ``.spacy`` file of a folder.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from accord.formats.training import Item, Report, TrainingError, TrainingOptions
from accord.formats.zipped import zip_chunks
from accord.kinds import Interface

PART_DOCS = 1000
LANG = re.compile(r"[a-z]{2,3}")
ALIGNMENT_MODES = ("strict", "contract", "expand")


def load_spacy(lang: str) -> Any:
    """``spacy.blank(lang)``, or `TrainingError` saying what to install or which language."""
    if not LANG.fullmatch(lang):  # spaCy imports a module named after it: only a plain code
        raise TrainingError(f"lang: {lang[:40]!r} is not a language code such as en, de, xx")
    try:
        import spacy
    except ImportError:
        raise TrainingError(
            "the spacy format needs spaCy on the server: pip install spacy (no model is "
            "needed: the export uses spacy.blank)"
        ) from None
    try:
        return spacy.blank(lang)
    except (ImportError, KeyError, ValueError) as exc:
        raise TrainingError(
            f"lang: spaCy has no language {lang!r} ({str(exc).splitlines()[0][:200]}); use a "
            "code such as en, de, fr, xx"
        ) from None


def check_alignment(mode: str) -> None:
    if mode not in ALIGNMENT_MODES:
        raise TrainingError(f"alignment_mode: {mode!r} is not one of {', '.join(ALIGNMENT_MODES)}")


def _doc(nlp: Any, item: Item, main: Any, questions: list[Any], mode: str, report: Report) -> Any:
    text = item.data.get(main.target)
    if not isinstance(text, str):
        report.skip("no text", item, f"the task has no {main.target}")
        return None
    doc = nlp.make_doc(text)
    for question in questions:
        if item.data.get(question.target) != text:
            continue  # a spans question over another field: not this Doc's text
        group = []
        for n, span in enumerate((item.result.get(question.name) or {}).get("spans") or []):
            start, end, label = int(span["start"]), int(span["end"]), str(span["label"])
            made = doc.char_span(start, end, label=label, alignment_mode=mode)
            if made is None:
                report.skip(
                    "span off token boundaries",
                    item,
                    f"spans[{n}] {label} {text[start:end]!r} ({start}..{end}) does not fall on "
                    f"token boundaries (alignment_mode {mode})",
                    question=question.name,
                    span=n,
                    start=start,
                    end=end,
                )
                continue
            group.append(made)
        doc.spans[question.name] = group
        if question is main and not question.overlap:
            doc.ents = _without_overlaps(group, item, question, report)
    doc.user_data.update(
        {
            "task_id": item.task_id,
            "external_id": item.external_id,
            "annotation_id": item.annotation_id,
            "annotator": item.annotator,
            "source": item.source,
        }
    )
    return doc


def _without_overlaps(spans: list[Any], item: Item, question: Any, report: Report) -> list[Any]:
    """Spans that ``contract``/``expand`` made overlap: the later ones are named, not set."""
    kept: list[Any] = []
    taken: set[int] = set()
    for span in spans:
        if taken.intersection(range(span.start, span.end)):
            report.skip(
                "overlapping span",
                item,
                f"{span.label_} {span.text!r} overlaps a span before it once aligned to tokens",
                question=question.name,
            )
            continue
        taken.update(range(span.start, span.end))
        kept.append(span)
    return kept


def docbin_chunks(
    items: Iterator[Item],
    interface: Interface,
    main: Any,
    options: TrainingOptions,
    report: Report,
) -> Iterator[bytes]:
    """A zip of DocBin parts of ``items``."""
    from spacy.tokens import DocBin

    check_alignment(options.alignment_mode)
    nlp = load_spacy(options.lang)
    questions = [q for q in interface.questions if q.kind == "spans"]

    def parts() -> Iterator[tuple[str, bytes]]:
        number = 0
        docs = DocBin(store_user_data=True)
        for item in items:
            report.answers += 1
            doc = _doc(nlp, item, main, questions, options.alignment_mode, report)
            if doc is None:
                continue
            docs.add(doc)
            report.records += 1
            if len(docs) >= PART_DOCS:
                number += 1
                yield f"part-{number:05d}.spacy", docs.to_bytes()
                docs = DocBin(store_user_data=True)
        if len(docs) or number == 0:
            yield f"part-{number + 1:05d}.spacy", docs.to_bytes()

    return zip_chunks(parts())
