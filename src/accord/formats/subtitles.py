"""WebVTT and SRT subtitles: transcripts both ways, one file per recording.

Times are written to the millisecond (``00:01:02.345`` in WebVTT, ``00:01:02,345`` in SRT),
one cue per segment in time order (ties in the answer's order).

WebVTT (https://www.w3.org/TR/webvtt1/): ``WEBVTT``, then per cue its identifier (the
segment's ``id``), its timing line and its text; a segment's ``speaker`` is a voice tag,
``<v Speaker>text``. Reading: a cue's text loses its tags (``<b>``, ``<i>``, ``<c.x>``,
``<lang>``, timestamps...) and its character references become characters; the first voice
tag of a cue gives its speaker; cue settings (``align:start``...), ``NOTE``, ``STYLE`` and
``REGION`` blocks are passed over. Hours may be left out (``01:02.345``).

SRT: per cue its number (1, 2, ...), its timing line and its text. SRT has no speakers: a
segment's ``speaker`` is not written (use WebVTT to keep them). Reading: the number is not
kept (segments get ids ``s1``, ``s2``...), ``<b>``, ``<i>``, ``<u>`` and ``<font ...>``
tags are dropped, ``.`` is taken for ``,`` before the milliseconds, and a timing line's
trailing coordinates (``X1:...``) are passed over.

Both: text lines are kept, but an empty line inside a segment's text is not written (it
would end the cue). A timestamp that is malformed and a cue that does not end after it
starts are errors naming the file and line (`parse_vtt`, `parse_srt`); one that ends past
its recording is one too, once the recording's duration is known
(`accord.formats.audio_tracks.check_within`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from accord.formats.audio_tracks import Span, one_line_breaks, read_text, where
from accord.formats.shapes import DatasetError

LINE_ENDS = re.compile(r"\r\n|\r|\n")
TIMING = re.compile(r"^(\S+)[ \t]+-->[ \t]+(\S+)(?:[ \t]+(.*))?$")
VTT_TIME = re.compile(r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})$")
SRT_TIME = re.compile(r"^(\d+):([0-5]\d):([0-5]\d)[,.](\d{3})$")
VOICE = re.compile(r"<v(?:\.[^\s>]*)?[ \t]+([^>]*)>")
TAG = re.compile(r"<[^>]*>")
SRT_TAG = re.compile(r"</?(?:b|i|u)>|<font(?:\s[^>]*)?>|</font>", re.IGNORECASE)
VTT_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")
SKIPPED_BLOCKS = re.compile(r"^(?:NOTE|STYLE|REGION)(?:[ \t].*)?$")


# -- writing -----------------------------------------------------------------------------


def timestamp(ms: int, separator: str) -> str:
    """``HH:MM:SS.mmm`` (``separator`` before the milliseconds: ``.`` WebVTT, ``,`` SRT)."""
    seconds, milli = divmod(ms, 1000)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}:{second:02d}{separator}{milli:03d}"


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def vtt_text(spans: Iterable[Span]) -> str:
    """A WebVTT file of the spans, in time order."""
    out = ["WEBVTT\n"]
    for span in sorted(spans, key=lambda s: s.start):
        out.append("\n")
        ident = (span.ident or "").strip()
        if ident and "-->" not in ident and "\n" not in ident and "\r" not in ident:
            out.append(f"{ident}\n")
        out.append(f"{timestamp(span.start, '.')} --> {timestamp(span.end, '.')}\n")
        text = _escaped(one_line_breaks(span.text))
        if span.speaker:
            voice = _escaped(" ".join(span.speaker.split()))
            text = f"<v {voice}>{text}"
        if text:
            out.append(f"{text}\n")
    return "".join(out)


def srt_text(spans: Iterable[Span]) -> str:
    """An SRT file of the spans, in time order (no speakers: SRT has none)."""
    out = []
    for number, span in enumerate(sorted(spans, key=lambda s: s.start), start=1):
        text = one_line_breaks(span.text)
        out.append(
            f"{number}\n{timestamp(span.start, ',')} --> {timestamp(span.end, ',')}\n"
            + (f"{text}\n" if text else "")
            + "\n"
        )
    return "".join(out)


def subtitle_text(fmt: str, spans: Iterable[Span]) -> str:
    return vtt_text(spans) if fmt == "vtt" else srt_text(spans)


# -- reading -----------------------------------------------------------------------------


def _blocks(lines: list[str], first: int) -> Iterator[tuple[int, list[str]]]:
    """Runs of non-empty lines from index ``first``, each with its first line's number."""
    block: list[str] = []
    start = 0
    for index in range(first, len(lines)):
        if lines[index].strip():
            if not block:
                start = index + 1
            block.append(lines[index])
        elif block:
            yield start, block
            block = []
    if block:
        yield start, block


def _ms(text: str, pattern: re.Pattern[str], name: str, line: int, example: str) -> int:
    found = pattern.match(text)
    if found is None:
        raise DatasetError(
            f"{where(name, line)}: the timestamp {text!r} is malformed; write it as {example}"
        )
    hours, minutes, seconds, milli = found.groups()
    return ((int(hours or 0) * 60 + int(minutes)) * 60 + int(seconds)) * 1000 + int(milli)


def _timing(
    line: str, pattern: re.Pattern[str], name: str, number: int, example: str
) -> tuple[int, int]:
    found = TIMING.match(line.strip())
    if found is None:
        raise DatasetError(
            f"{where(name, number)}: expected a cue timing line 'start --> end' such as "
            f"{example} --> {example}, got {line.strip()[:80]!r}"
        )
    start = _ms(found.group(1), pattern, name, number, example)
    end = _ms(found.group(2), pattern, name, number, example)
    if end <= start:
        raise DatasetError(
            f"{where(name, number)}: the cue ends ({found.group(2)}) "
            f"{'when' if end == start else 'before'} it starts ({found.group(1)}); a cue ends "
            "after it starts"
        )
    return start, end


def _one_cue(block: list[str], at: int, name: str, number: int) -> None:
    """`DatasetError` when a cue's text holds a timing line (two cues with no empty line
    between them)."""
    for offset in range(at + 1, len(block)):
        if "-->" in block[offset]:
            raise DatasetError(
                f"{where(name, number + offset)}: a timing line inside the text of the cue "
                f"above (line {number + at}); put an empty line between two cues"
            )


def _lines(text: str) -> list[str]:
    return LINE_ENDS.split(text)


def parse_vtt(text: str, name: str) -> list[Span]:
    """The cues of a WebVTT text (see the module); ``name`` (the file's) starts every
    message."""
    lines = _lines(text)
    if not VTT_HEADER.match(lines[0]):
        raise DatasetError(
            f"{where(name, 1)}: a WebVTT file starts with the line WEBVTT, this one with "
            f"{lines[0][:40]!r}; is it an SRT file (--format srt)?"
        )
    example = "00:01:02.345"
    cues: list[Span] = []
    header = True  # the header's own lines run to the first empty line
    for number, block in _blocks(lines, 0):
        if header:
            header = False
            if any("-->" in line for line in block):
                raise DatasetError(
                    f"{where(name, number)}: a cue in the header; put an empty line after the "
                    "WEBVTT line"
                )
            continue
        if SKIPPED_BLOCKS.match(block[0]) and "-->" not in block[0]:
            continue
        ident = None
        at = 0
        if "-->" not in block[0]:
            ident, at = block[0].strip(), 1
            if len(block) < 2 or "-->" not in block[1]:
                raise DatasetError(
                    f"{where(name, number + 1)}: expected the timing line of cue {ident!r} "
                    f"('start --> end', such as {example} --> 00:01:04.000)"
                )
        start, end = _timing(block[at], VTT_TIME, name, number + at, example)
        _one_cue(block, at, name, number)
        payload = "\n".join(block[at + 1 :])
        voice = VOICE.search(payload)
        speaker = html.unescape(voice.group(1)).strip() if voice else None
        cue_text = html.unescape(TAG.sub("", payload))
        cues.append(Span(start, end, cue_text, speaker or None, ident=ident, line=number + at))
    return cues


def parse_srt(text: str, name: str) -> list[Span]:
    """The cues of an SRT text (see the module); ``name`` (the file's) starts every message."""
    example = "00:01:02,345"
    cues: list[Span] = []
    for number, block in _blocks(_lines(text), 0):
        at = 0
        if "-->" not in block[0]:
            if not block[0].strip().isdigit() or len(block) < 2:
                raise DatasetError(
                    f"{where(name, number)}: expected a cue: its number, then its timing line "
                    f"('start --> end', such as {example} --> 00:01:04,000), then its text; "
                    f"got {block[0].strip()[:80]!r}"
                )
            at = 1
        start, end = _timing(block[at], SRT_TIME, name, number + at, example)
        _one_cue(block, at, name, number)
        cue_text = SRT_TAG.sub("", "\n".join(block[at + 1 :]))
        cues.append(Span(start, end, text=cue_text, line=number + at))
    return cues


def read_subtitles(path: Path, fmt: str) -> list[Span]:
    """The cues of the WebVTT (``fmt`` vtt) or SRT (srt) file at ``path``."""
    text = read_text(path)
    return parse_vtt(text, str(path)) if fmt == "vtt" else parse_srt(text, str(path))
