"""What the audio formats (RTTM, WebVTT, SRT) share: timed spans in milliseconds, the
project's audio question seen as a dataset, and answers made of spans and back.

A `Span` is one RTTM turn or one subtitle cue: its start and end in whole milliseconds (the
answers' times are multiples of 0.001 s, so nothing is lost either way), its text (cues),
its speaker (the RTTM name column, a WebVTT ``<v Speaker>`` voice), its identifier (a WebVTT
cue's) and the line of the file it came from, for messages.

`AudioSchema` is the question a format reads and writes: a ``segments`` question (RTTM) or
``transcript`` question (WebVTT, SRT) over an audio field, the one named (``question=``) or
the interface's only one, with its audio field (``target``), labels and speakers.

Spans become answers thus (docs/audio.md, "RTTM, WebVTT and SRT"):

- RTTM (``segments``): a name that is one of the question's ``speakers`` becomes a segment of
  the question's first label with that speaker; else a name that is one of its ``labels``
  becomes a segment of that label; else the turn is left out and counted in ``skipped``.
  Written back, a segment's name is its ``speaker``, else its label.
- WebVTT, SRT (``transcript``): a cue is a segment with its text; a WebVTT voice becomes the
  segment's ``speaker`` when the question offers that speaker (else it is dropped and
  counted in ``skipped``); a WebVTT cue identifier becomes the segment's ``id``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from accord.formats.format_question import choose
from accord.formats.shapes import DatasetError, member, option_label, plain_dict

MAX_ID = 64  # a segment id's characters (as the shape kinds' ids)
KIND_OF_FORMAT = {"rttm": "segments", "vtt": "transcript", "srt": "transcript"}
FILE_OF_FORMAT = {"rttm": "an RTTM file", "vtt": "a WebVTT file", "srt": "an SRT file"}
MAX_FILE_BYTES = 256 << 20  # one RTTM, WebVTT or SRT file


@dataclass(frozen=True)
class Span:
    start: int  # milliseconds
    end: int
    text: str = ""
    speaker: str | None = None
    ident: str | None = None
    line: int = 0  # the file's line the span starts on (1-based; 0: not from a file)


def where(name: str, line: int) -> str:
    """``talk.vtt, line 7`` (the start of every message about a file)."""
    return f"{name}, line {line}" if line else name


def milliseconds(text: str, name: str, line: int, what: str) -> int:
    """Seconds written as a decimal number (``12.5``, ``0.0625``) in whole milliseconds,
    rounded half to even; `DatasetError` naming the file and line when it is not one."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise DatasetError(
            f"{where(name, line)}: the {what} {text!r} is not a number of seconds; write it "
            "as a decimal number such as 12.345"
        )
    return int((value * 1000).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def seconds_text(ms: int) -> str:
    """``12.345`` for 12,345 ms (three decimals, as RTTM writers put them)."""
    sign = "-" if ms < 0 else ""
    whole, part = divmod(abs(ms), 1000)
    return f"{sign}{whole}.{part:03d}"


def ms_of(seconds: Any) -> int:
    """An answer's time (seconds, a multiple of 0.001) in milliseconds."""
    return int((Decimal(repr(float(seconds))) * 1000).quantize(Decimal(1)))


def check_within(spans: Iterable[Span], duration: float | None, name: str, audio: str) -> None:
    """`DatasetError` naming the first span (file, line) that ends after the audio does."""
    if duration is None:
        return
    for span in spans:
        if span.end > duration * 1000:
            raise DatasetError(
                f"{where(name, span.line)}: it ends at {seconds_text(span.end)} s, past the end "
                f"of its audio {audio} ({duration:g} s); fix the time, or check that the file "
                "is matched with the right audio"
            )


@dataclass(frozen=True)
class AudioSchema:
    """The question a format holds (see the module)."""

    audio_field: str
    question: str
    kind: str  # segments or transcript
    labels: tuple[str, ...]
    speakers: tuple[str, ...] | None

    @classmethod
    def of(cls, interface: Any, fmt: str, question: str | None = None) -> AudioSchema:
        """From a project's interface (`accord.kinds.Interface`, or its JSON as a dict): the
        question of the format's kind over an audio field named ``question``, or without a
        name the only one (`accord.formats.format_question.choose` says what is refused)."""
        kind = KIND_OF_FORMAT[fmt]
        questions = [plain_dict(q) for q in member(interface, "questions") or []]
        fields = [plain_dict(f) for f in member(interface, "fields") or []]
        audio = {f["name"] for f in fields if f.get("kind") == "audio"}
        suitable = [q for q in questions if q.get("kind") == kind and q.get("target") in audio]
        chosen = choose(
            questions,
            suitable,
            question,
            f"{kind} questions over an audio field",
            FILE_OF_FORMAT[fmt],
            f"the project has no {kind} question over an audio field, which {fmt.upper()} "
            f"holds: add a field {{name: audio, kind: audio}} and a question {{name: ..., "
            f"kind: {kind}, target: audio}} to its interface",
        )
        speakers = chosen.get("speakers")
        return cls(
            audio_field=str(chosen["target"]),
            question=str(chosen["name"]),
            kind=kind,
            labels=tuple(option_label(o) for o in chosen.get("labels") or ()),
            speakers=tuple(option_label(o) for o in speakers) if speakers else None,
        )


def segments_answer(
    schema: AudioSchema, spans: Iterable[Span]
) -> tuple[dict[str, Any], Counter[str]]:
    """RTTM turns as a ``segments`` answer (see the module), and the names left out."""
    speakers = frozenset(schema.speakers or ())
    skipped: Counter[str] = Counter()
    segments: list[dict[str, Any]] = []
    for span in spans:
        name = span.speaker or ""
        segment: dict[str, Any] = {"id": f"s{len(segments) + 1}"}
        if not kept(schema, span):
            skipped[name] += 1
            continue
        if name in speakers:
            segment["label"] = schema.labels[0]
            segment["speaker"] = name
        else:
            segment["label"] = name
        segment["start"], segment["end"] = span.start / 1000, span.end / 1000
        segments.append(segment)
    return {"segments": segments}, skipped


def kept(schema: AudioSchema, span: Span) -> bool:
    """Whether the span becomes a segment of the schema's answer (RTTM: its name is a
    speaker or a label of the question; subtitles: always)."""
    if schema.kind != "segments":
        return True
    name = span.speaker or ""
    return (name in (schema.speakers or ()) and bool(schema.labels)) or name in schema.labels


def transcript_answer(
    schema: AudioSchema, spans: Iterable[Span]
) -> tuple[dict[str, Any], Counter[str]]:
    """Cues as a ``transcript`` answer (see the module), and the voices dropped."""
    speakers = frozenset(schema.speakers or ())
    skipped: Counter[str] = Counter()
    cues = list(spans)
    ids = _ids(cues)
    segments: list[dict[str, Any]] = []
    for span, ident in zip(cues, ids, strict=True):
        segment: dict[str, Any] = {
            "id": ident,
            "start": span.start / 1000,
            "end": span.end / 1000,
            "text": span.text,
        }
        if span.speaker is not None:
            if span.speaker in speakers:
                segment["speaker"] = span.speaker
            else:
                skipped[span.speaker] += 1
        segments.append(segment)
    return {"segments": segments}, skipped


def _ids(spans: list[Span]) -> list[str]:
    """Each cue's identifier when it can be a segment id (1-64 characters, unique), else
    ``s<N>`` with N its place, skipping ids taken."""
    counts = Counter(s.ident for s in spans if s.ident)
    kept = [
        s.ident if s.ident and counts[s.ident] == 1 and len(s.ident) <= MAX_ID else None
        for s in spans
    ]
    taken = {k for k in kept if k}
    out: list[str] = []
    n = 0
    for ident in kept:
        if ident is None:
            n += 1
            while f"s{n}" in taken:
                n += 1
            ident = f"s{n}"
            taken.add(ident)
        out.append(ident)
    return out


BLANK_LINES = re.compile(r"\n[ \t]*(?=\n)")


def spans_of_answer(answer: Mapping[str, Any] | None) -> list[Span]:
    """A ``segments`` or ``transcript`` answer's segments as spans in time order (ties keep
    the answer's order): speaker, else label, as the speaker (what RTTM writes); the
    segment's id as the identifier."""
    if not isinstance(answer, Mapping) or not isinstance(answer.get("segments"), list):
        return []
    spans = []
    for segment in answer["segments"]:
        speaker = segment.get("speaker") or segment.get("label")
        spans.append(
            Span(
                start=ms_of(segment["start"]),
                end=ms_of(segment["end"]),
                text=str(segment.get("text") or ""),
                speaker=str(speaker) if speaker is not None else None,
                ident=str(segment["id"]) if segment.get("id") is not None else None,
            )
        )
    return sorted(spans, key=lambda s: s.start)


def one_line_breaks(text: str) -> str:
    """``text`` with its line ends as ``\\n`` and no empty line inside (an empty line ends a
    cue in WebVTT and SRT)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return BLANK_LINES.sub("", text).strip("\n")


def read_text(path: Path) -> str:
    """The UTF-8 text of a file (a byte order mark dropped); `DatasetError` saying why not."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise DatasetError(f"{path}: larger than {MAX_FILE_BYTES >> 20} MiB; split it")
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DatasetError(
            f"{where(str(path), line)}: not UTF-8 text (byte {exc.start}); save the file as UTF-8"
        ) from None
