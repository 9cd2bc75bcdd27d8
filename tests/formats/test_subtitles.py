"""WebVTT and SRT: parse and write round trip exactly; webvtt-py and srt read what Accord
writes; real-world markup is read; bad lines are named by file and line; cues become
transcript segments (voices as speakers, identifiers as ids)."""

from __future__ import annotations

import html
import io
from collections import Counter
from pathlib import Path

import pytest

from accord.formats.audio_tracks import AudioSchema, Span, spans_of_answer, transcript_answer
from accord.formats.shapes import DatasetError
from accord.formats.subtitles import parse_srt, parse_vtt, srt_text, vtt_text

VTT = """WEBVTT

s1
00:00:00.500 --> 00:00:02.250
<v Ann Lee>hello &amp; welcome &lt;3

s2
00:00:02.250 --> 00:00:03.999
two lines,
the second one

s3
01:02:03.004 --> 01:02:04.000
<v Bob>é 日本
"""

SRT = """1
00:00:00,500 --> 00:00:02,250
hello & welcome <3

2
00:00:02,250 --> 00:00:03,999
two lines,
the second one

3
01:02:03,004 --> 01:02:04,000
é 日本

"""

INTERFACE = {
    "fields": [{"name": "audio", "kind": "audio"}],
    "questions": [
        {"name": "words", "kind": "transcript", "target": "audio", "speakers": ["Ann Lee", "Bob"]}
    ],
}
SCHEMA = AudioSchema.of(INTERFACE, "vtt")


def test_webvtt_round_trips_exactly() -> None:
    cues = parse_vtt(VTT, "a.vtt")
    assert cues[0] == Span(500, 2250, "hello & welcome <3", "Ann Lee", "s1", line=4)
    assert cues[1].text == "two lines,\nthe second one" and cues[1].speaker is None
    assert cues[2] == Span(3723004, 3724000, "é 日本", "Bob", "s3", line=13)
    assert vtt_text(cues) == VTT


def test_srt_round_trips_exactly() -> None:
    cues = parse_srt(SRT, "a.srt")
    assert [(c.start, c.end, c.text) for c in cues] == [
        (500, 2250, "hello & welcome <3"),
        (2250, 3999, "two lines,\nthe second one"),
        (3723004, 3724000, "é 日本"),
    ]
    assert srt_text(cues) == SRT
    # the same cues written as SRT lose only their speakers and ids (SRT has neither)
    assert srt_text(parse_vtt(VTT, "a.vtt")) == SRT


def test_webvtt_py_reads_what_accord_writes() -> None:
    webvtt = pytest.importorskip("webvtt")
    captions = webvtt.from_buffer(io.StringIO(VTT)).captions
    assert [(c.identifier, c.start, c.end) for c in captions] == [
        ("s1", "00:00:00.500", "00:00:02.250"),
        ("s2", "00:00:02.250", "00:00:03.999"),
        ("s3", "01:02:03.004", "01:02:04.000"),
    ]
    assert [c.voice for c in captions] == ["Ann Lee", None, "Bob"]
    assert html.unescape(captions[0].text) == "hello & welcome <3"  # it keeps references
    assert captions[1].text == "two lines,\nthe second one"


def test_srt_reads_what_accord_writes() -> None:
    srt = pytest.importorskip("srt")
    subtitles = list(srt.parse(SRT))
    assert [(s.index, s.start.total_seconds(), s.end.total_seconds()) for s in subtitles] == [
        (1, 0.5, 2.25),
        (2, 2.25, 3.999),
        (3, 3723.004, 3724.0),
    ]
    assert [s.content for s in subtitles] == [c.text for c in parse_srt(SRT, "a.srt")]


def test_real_world_markup_is_read() -> None:
    vtt = (
        "\ufeffWEBVTT - captions\nKind: captions\nLanguage: en\n\n"
        "NOTE a comment\nover two lines\n\n"
        "STYLE\n::cue { color: red }\n\n"
        "00:01.000 --> 00:02.000 align:start position:10%\n"
        "<v.loud Ann Lee><b>Hi</b> <i>there</i></v> <c.x>&nbsp;you</c>\n\n"
        "00:03.000 --> 00:04.000\r\n<v Bob>a</v> <v Ann Lee>b\r\n"
    )
    cues = parse_vtt(vtt.removeprefix("\ufeff"), "a.vtt")
    assert [(c.start, c.end, c.text, c.speaker, c.ident) for c in cues] == [
        (1000, 2000, "Hi there \xa0you", "Ann Lee", None),
        (3000, 4000, "a b", "Bob", None),  # the first voice speaks
    ]
    srt = (
        "1\r\n0:00:01.000 --> 00:00:02,500 X1:1 X2:2\r\n<i>in</i> <font color='red'>red</font>\r\n"
    )
    assert parse_srt(srt, "a.srt") == [Span(1000, 2500, "in red", line=2)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("WEBVTT\n\n00:01.5 --> 00:02.000\nx\n", "a.vtt, line 3: the timestamp '00:01.5' is "),
        ("WEBVTT\n\n00:61.000 --> 00:62.000\nx\n", "a.vtt, line 3: the timestamp '00:61.000'"),
        ("WEBVTT\n\n00:00:02.000 --> 00:01.000\nx\n", "a.vtt, line 3: the cue ends (00:01.000) "),
        (
            "WEBVTT\n\nc\n00:00:02.000 --> 00:00:02.000\n",
            "line 4: the cue ends (00:00:02.000) when",
        ),
        ("WEBVTT\n\nc1\nnot a timing\n", "a.vtt, line 4: expected the timing line of cue 'c1'"),
        ("WEBVTT\n00:01.000 --> 00:02.000\nx\n", "a.vtt, line 1: a cue in the header"),
        ("1\n00:00:01,000 --> 00:00:02,000\nx\n", "a.vtt, line 1: a WebVTT file starts with"),
        (
            "WEBVTT\n\n00:01.000 --> 00:02.000\nx\n00:03.000 --> 00:04.000\ny\n",
            "a.vtt, line 5: a timing line inside the text of the cue above (line 3)",
        ),
    ],
)
def test_bad_webvtt_is_named(text: str, message: str) -> None:
    with pytest.raises(DatasetError) as error:
        parse_vtt(text, "a.vtt")
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1\n00:00:01 --> 00:00:02,000\nx\n", "a.srt, line 2: the timestamp '00:00:01' is"),
        ("1\n00:00:03,000 --> 00:00:02,000\nx\n", "a.srt, line 2: the cue ends (00:00:02,000)"),
        ("1\n00:00:01,000 -> 00:00:02,000\n", "a.srt, line 2: expected a cue timing line"),
        ("one\n00:00:01,000 --> 00:00:02,000\n", "a.srt, line 1: expected a cue: its number"),
        ("\n\n1\n00:00:01,000 --> 00:00:02,000\nx\n2\n00:00:03,000 --> 00:00:04,000\n", "line 7"),
    ],
)
def test_bad_srt_is_named(text: str, message: str) -> None:
    with pytest.raises(DatasetError) as error:
        parse_srt(text, "a.srt")
    assert message in str(error.value)


def test_cues_become_transcript_segments() -> None:
    cues = parse_vtt(VTT, "a.vtt")
    cues.append(Span(5000, 6000, "who?", "Carol", "s1"))  # an id twice, a voice not offered
    answer, skipped = transcript_answer(SCHEMA, cues)
    assert answer["segments"][0] == {
        "id": "s1",
        "start": 0.5,
        "end": 2.25,
        "text": "hello & welcome <3",
        "speaker": "Ann Lee",
    }
    assert [s["id"] for s in answer["segments"]] == ["s1", "s2", "s3", "s4"]
    assert "speaker" not in answer["segments"][3]
    assert skipped == Counter({"Carol": 1})
    again = transcript_answer(SCHEMA, parse_vtt(VTT, "a.vtt"))[0]
    assert vtt_text(spans_of_answer(again)) == VTT


def test_text_that_would_end_a_cue_is_written_safely() -> None:
    span = Span(0, 1000, "a\n\n  \nb --> c <i>", "A&B <x>", "id")
    text = vtt_text([span])
    assert text == (
        "WEBVTT\n\nid\n00:00:00.000 --> 00:00:01.000\n"
        "<v A&amp;B &lt;x&gt;>a\nb --&gt; c &lt;i&gt;\n"
    )
    (back,) = parse_vtt(text, "a.vtt")
    assert (back.text, back.speaker) == ("a\nb --> c <i>", "A&B <x>")
    assert srt_text([Span(0, 1000, "a\n\nb")]) == "1\n00:00:00,000 --> 00:00:01,000\na\nb\n\n"


def test_files_are_read_as_utf8_with_their_line(tmp_path: Path) -> None:
    from accord.formats.subtitles import read_subtitles

    path = tmp_path / "bad.srt"
    path.write_bytes(b"1\n00:00:01,000 --> 00:00:02,000\ncaf\xe9\n")
    with pytest.raises(DatasetError, match=r"bad.srt, line 3: not UTF-8 text"):
        read_subtitles(path, "srt")
    path.write_bytes(b"\xef\xbb\xbfWEBVTT\n\n00:01.000 --> 00:02.000\nok\n")
    assert read_subtitles(path, "vtt") == [Span(1000, 2000, "ok", line=3)]
