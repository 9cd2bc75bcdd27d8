"""RTTM: parse and write round trips exactly; pyannote reads what Accord writes and Accord
reads what pyannote writes; bad lines are named by file and line; turns become segments by
the documented rule; a folder of files finds its recordings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from accord.formats.audio_datasets import Track, audio_files, check_durations, read_tracks
from accord.formats.audio_tracks import AudioSchema, Span, segments_answer, spans_of_answer
from accord.formats.rttm import parse_rttm, rttm_chunks
from accord.formats.shapes import DatasetError

RTTM = (
    "SPEAKER meeting1 1 0.000 1.250 <NA> <NA> alice <NA> <NA>\n"
    "SPEAKER meeting1 1 0.980 2.020 <NA> <NA> bob <NA> <NA>\n"
    "SPEAKER meeting1 1 4.500 0.001 <NA> <NA> alice <NA> <NA>\n"
    "SPEAKER call-7 1 12.345 60.000 <NA> <NA> music <NA> <NA>\n"
)

INTERFACE = {
    "fields": [{"name": "audio", "kind": "audio"}],
    "questions": [
        {"name": "ok", "kind": "choice", "options": ["yes", "no"]},
        {
            "name": "who",
            "kind": "segments",
            "target": "audio",
            "labels": ["speech", {"value": "music"}],
            "speakers": ["alice", "bob"],
        },
    ],
}
SCHEMA = AudioSchema.of(INTERFACE, "rttm")


def written(files: dict[str, list[Span]]) -> str:
    return b"".join(rttm_chunks(files.items())).decode()


def test_parse_and_write_round_trip_exactly() -> None:
    files = parse_rttm(RTTM, "a.rttm")
    assert list(files) == ["meeting1", "call-7"]
    assert files["meeting1"][1] == Span(980, 3000, speaker="bob", line=2)
    assert files["call-7"] == [Span(12345, 72345, speaker="music", line=4)]
    assert written(files) == RTTM


def test_times_round_to_the_millisecond_and_names_lose_their_spaces() -> None:
    files = parse_rttm("SPEAKER f 1 0.0004 1.0005 <NA> <NA> A <NA> <NA>\n", "a.rttm")
    assert files["f"] == [Span(0, 1000, speaker="A", line=1)]  # half to even
    out = written({"my file": [Span(1, 2501, speaker="Ann  Lee")]})
    assert out == "SPEAKER my_file 1 0.001 2.500 <NA> <NA> Ann_Lee <NA> <NA>\n"


def test_other_lines_are_passed_over() -> None:
    text = (
        ";; a comment\n\n"
        "SPKR-INFO f 1 <NA> <NA> <NA> unknown A <NA>\n"
        "SPEAKER f 1 1 2 <NA> <NA> A\n"  # the trailing <NA> fields left out
    )
    assert parse_rttm(text, "a.rttm") == {"f": [Span(1000, 3000, speaker="A", line=4)]}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("SPEAKER f 1 x 1 <NA> <NA> A <NA> <NA>", "a.rttm, line 2: the start 'x' is not a number"),
        ("SPEAKER f 1 nan 1 <NA> <NA> A <NA> <NA>", "a.rttm, line 2: the start 'nan' is not"),
        ("SPEAKER f 1 -1 1 <NA> <NA> A <NA> <NA>", "a.rttm, line 2: the start -1 is below 0 s"),
        ("SPEAKER f 1 1 -2 <NA> <NA> A <NA> <NA>", "a.rttm, line 2: the duration -2 is not above"),
        ("SPEAKER f 1 1 0.0004 <NA> <NA> A <NA> <NA>", "line 2: the duration 0.0004 is not above"),
        ("SPEAKER f 1 1 2 <NA> <NA>", "a.rttm, line 2: a SPEAKER line has 10 fields"),
    ],
)
def test_bad_lines_are_named(line: str, message: str) -> None:
    with pytest.raises(DatasetError) as error:
        parse_rttm(f"SPEAKER f 1 0 1 <NA> <NA> A <NA> <NA>\n{line}\n", "a.rttm")
    assert message in str(error.value)


def test_pyannote_reads_what_accord_writes(tmp_path: Path) -> None:
    load_rttm = pytest.importorskip("pyannote.database.util").load_rttm
    path = tmp_path / "out.rttm"
    path.write_text(RTTM)
    read = load_rttm(str(path))
    assert sorted(read) == ["call-7", "meeting1"]
    turns = [
        (round(s.start, 3), round(s.end, 3), label)
        for s, _, label in read["meeting1"].itertracks(yield_label=True)
    ]
    assert turns == [(0.0, 1.25, "alice"), (0.98, 3.0, "bob"), (4.5, 4.501, "alice")]


def test_accord_reads_what_pyannote_writes() -> None:
    core = pytest.importorskip("pyannote.core")
    annotation = core.Annotation(uri="rec")
    annotation[core.Segment(0.5, 2.25)] = "alice"
    annotation[core.Segment(3.0, 3.125)] = "bob"
    files = parse_rttm(annotation.to_rttm(), "pyannote.rttm")
    assert files == {
        "rec": [Span(500, 2250, speaker="alice", line=1), Span(3000, 3125, speaker="bob", line=2)]
    }
    assert written(files) == annotation.to_rttm()


def test_turns_become_segments_by_the_rule() -> None:
    spans = [
        Span(0, 1250, speaker="alice"),  # a speaker: the first label, that speaker
        Span(1000, 2000, speaker="music"),  # a label: that label
        Span(2000, 3000, speaker="carol"),  # neither: left out, counted
        Span(3000, 3500, speaker="carol"),
    ]
    answer, skipped = segments_answer(SCHEMA, spans)
    assert answer == {
        "segments": [
            {"id": "s1", "label": "speech", "speaker": "alice", "start": 0.0, "end": 1.25},
            {"id": "s2", "label": "music", "start": 1.0, "end": 2.0},
        ]
    }
    assert skipped == Counter({"carol": 2})
    # written back: the speaker, else the label, in time order
    back = spans_of_answer(
        {"segments": [answer["segments"][1], answer["segments"][0], {**answer["segments"][0]}]}
    )
    assert [(s.start, s.end, s.speaker) for s in back] == [
        (0, 1250, "alice"),
        (0, 1250, "alice"),
        (1000, 2000, "music"),
    ]


def test_the_schema_needs_a_segments_question_over_audio() -> None:
    assert (SCHEMA.audio_field, SCHEMA.question, SCHEMA.labels) == (
        "audio",
        "who",
        ("speech", "music"),
    )
    with pytest.raises(DatasetError, match="no segments question over an audio field"):
        AudioSchema.of({"fields": INTERFACE["fields"], "questions": []}, "rttm")


def test_a_folder_of_files_finds_its_recordings(tmp_path: Path) -> None:
    (tmp_path / "labels").mkdir()
    (tmp_path / "labels" / "a.rttm").write_text(RTTM)
    media = tmp_path / "audio"
    media.mkdir()
    (media / "meeting1.wav").write_bytes(b"RIFF")
    with pytest.raises(DatasetError) as error:
        audio_files(read_tracks(tmp_path / "labels", "rttm"), media)
    assert "1 of the 2 recordings are not in" in str(error.value)
    assert "call-7" in str(error.value) and "nothing was uploaded" in str(error.value)
    (media / "call-7.flac").write_bytes(b"fLaC")
    tracks = read_tracks(tmp_path / "labels", "rttm")
    assert [n for n, _ in audio_files(tracks, media)] == ["meeting1.wav", "call-7.flac"]
    (media / "call-7.mp3").write_bytes(b"ID3")
    with pytest.raises(DatasetError, match=r"'call-7' matches 2 files"):
        audio_files(tracks, media)
    (tmp_path / "labels" / "b.rttm").write_text("SPEAKER call-7 1 0 1 <NA> <NA> bob <NA> <NA>\n")
    with pytest.raises(DatasetError, match="the file id 'call-7' is in"):
        read_tracks(tmp_path / "labels", "rttm")


def test_a_turn_past_its_recording_is_named() -> None:
    tracks = read_tracks_text(RTTM)
    uploads = {
        "meeting1": {"name": "meeting1.wav", "duration": 5.0},
        "call-7": {"name": "call-7.wav", "duration": 72.0},
    }
    with pytest.raises(DatasetError) as error:
        check_durations(tracks, uploads)
    assert str(error.value).startswith(
        "labels.rttm, line 4: it ends at 72.345 s, past the end of its audio call-7.wav (72 s)"
    )
    uploads["call-7"]["duration"] = 72.345
    check_durations(tracks, uploads)


def read_tracks_text(text: str) -> list[Track]:
    return [
        Track(file_id, Path("labels.rttm"), spans)
        for file_id, spans in parse_rttm(text, "labels.rttm").items()
    ]


def test_a_segment_the_question_refuses_is_named_by_its_line() -> None:
    from accord.formats.audio_datasets import check_rows, import_rows
    from accord.kinds import parse_interface

    text = RTTM.replace("4.500 0.001", "4.500 0.005")  # shorter than min_duration 0.01
    tracks = read_tracks_text("SPEAKER meeting1 1 0 1 <NA> <NA> carol <NA> <NA>\n" + text)
    uploads = {
        "meeting1": {"name": "meeting1.wav", "src": "s3://b/m.wav", "duration": 9.0},
        "call-7": {"name": "call-7.wav", "src": "s3://b/c.wav", "duration": 80.0},
    }
    rows = list(import_rows(SCHEMA, tracks, uploads, "rttm", Counter()))
    with pytest.raises(DatasetError) as error:
        check_rows(parse_interface(INTERFACE), SCHEMA, tracks, rows)
    assert str(error.value).startswith(
        "labels.rttm, line 4: the question 'who' refuses it: who.segments[2]"
    )
    assert "nothing was imported" in str(error.value)
    rows[0]["predictions"][0]["result"]["who"]["segments"].pop()
    check_rows(parse_interface(INTERFACE), SCHEMA, tracks, rows)
