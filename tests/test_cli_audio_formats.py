"""`accord import PROJECT FILE --format rttm|vtt|srt [--media DIR] [--source NAME]` and
`accord export PROJECT --format rttm|vtt|srt -o OUT` against a real server, with recordings
spoken by espeak-ng: imported files come back out identical; bad files are refused naming
the file and line before anything is imported."""

from __future__ import annotations

import zipfile
from pathlib import Path

import httpx
import pytest

from accord import Client
from accord.db import Database
from accord.formats.subtitles import parse_vtt, srt_text
from accord.settings import Settings
from tests.factories import make_project, make_user
from tests.live import live_server
from tests.media.audio_samples import have_tools, make_speech
from tests.test_cli import accord, ok

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_tools(), reason="needs Debian's ffmpeg and espeak-ng"),
]

SEGMENTS = {
    "fields": [{"name": "audio", "kind": "audio"}],
    "questions": [
        {
            "name": "who",
            "kind": "segments",
            "target": "audio",
            "labels": ["speech", "music"],
            "speakers": ["alice", "bob"],
        }
    ],
}
TRANSCRIPT = {
    "fields": [{"name": "audio", "kind": "audio"}],
    "questions": [
        {"name": "words", "kind": "transcript", "target": "audio", "speakers": ["Ann", "Bob"]}
    ],
}
# Both recordings last more than a second (espeak-ng speaks a few words in about 1.5 s).
RTTM = (
    "SPEAKER hello 1 0.000 0.620 <NA> <NA> alice <NA> <NA>\n"
    "SPEAKER hello 1 0.500 0.750 <NA> <NA> bob <NA> <NA>\n"
    "SPEAKER talks/bye 1 0.125 0.875 <NA> <NA> music <NA> <NA>\n"
)
HELLO_VTT = """WEBVTT

s1
00:00:00.000 --> 00:00:00.620
<v Ann>hello &amp; there

s2
00:00:00.620 --> 00:00:01.000
general
kenobi
"""
BYE_VTT = """WEBVTT

first
00:00:00.125 --> 00:00:01.000
<v Bob>goodbye
"""


@pytest.fixture
def recordings(tmp_path: Path) -> Path:
    media = tmp_path / "recordings"
    (media / "talks").mkdir(parents=True)
    make_speech(media / "hello.wav", "hello there general kenobi")
    make_speech(media / "talks" / "bye.wav", "goodbye for now my friend")
    return media


def test_rttm_and_subtitles_in_and_out(
    settings: Settings, db: Database, tmp_path: Path, recordings: Path
) -> None:
    owner, token = make_user(db, "lead@example.com")
    diarized = make_project(db, owner, SEGMENTS)
    spoken = make_project(db, owner, TRANSCRIPT)
    rttm = tmp_path / "labels.rttm"
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}

        # a turn past its recording: named with file and line, nothing imported
        rttm.write_text(RTTM + "SPEAKER hello 1 1.000 9.000 <NA> <NA> bob <NA> <NA>\n")
        args = ("import", str(diarized.id), str(rttm), "--format", "rttm")
        refused = accord(settings, *args, "--media", str(recordings), "--wait", **env)
        assert refused.returncode != 0
        assert f"{rttm}, line 4: it ends at 10.000 s, past the end of its audio hello.wav" in (
            refused.stderr
        )
        # a recording missing from --media
        refused = accord(settings, *args, "--media", str(tmp_path), **env)
        assert "2 of the 2 recordings are not in" in refused.stderr, refused.stderr

        rttm.write_text(RTTM)
        out = accord(
            settings, *args, "--media", str(recordings), "--source", "vendor", "--wait", **env
        )
        assert out.returncode == 0, out.stderr
        assert "uploaded 2 recordings" in out.stderr
        assert "created 2 tasks" in out.stdout and "2 annotations by the source" in out.stdout

        exported = tmp_path / "out.rttm"
        ok(
            accord(
                settings, "export", str(diarized.id), "--format", "rttm", "-o", str(exported), **env
            )
        )
        assert exported.read_text() == RTTM
        # the same as a background job, into the storage (then downloaded)
        stored = tmp_path / "stored.rttm"
        args = ("export", str(diarized.id), "--format", "rttm", "--to-storage")
        out = ok(accord(settings, *args, "-o", str(stored), **env))
        assert out.strip().endswith(".rttm") and stored.read_text() == RTTM
        final = accord(settings, "export", str(diarized.id), "--format", "rttm", "--final", **env)
        assert ok(final) == RTTM  # the source's annotations complete the tasks (overlap 1)

        with Client(server.url, token) as sdk:
            (row,) = [r for r in sdk.export(diarized.id) if r["external_id"] == "hello"]
            audio = row["data"]["audio"]
            assert audio["src"].endswith("hello.wav") and audio["sample_rate"] == 22050
            (answer,) = row["annotations"]
            assert answer["result"]["who"]["segments"][1] == {
                "id": "s2",
                "label": "speech",
                "speaker": "bob",
                "start": 0.5,
                "end": 1.25,
            }

        # subtitles: a folder of .vtt files, one per recording, matched by path
        (tmp_path / "subs" / "talks").mkdir(parents=True)
        (tmp_path / "subs" / "hello.vtt").write_text(HELLO_VTT)
        (tmp_path / "subs" / "talks" / "bye.vtt").write_text(BYE_VTT)
        out = accord(
            settings,
            "import",
            str(spoken.id),
            str(tmp_path / "subs"),
            "--format",
            "vtt",
            "--media",
            str(recordings),
            "--source",
            "captions",
            "--wait",
            **env,
        )
        assert out.returncode == 0, out.stderr
        assert "created 2 tasks" in out.stdout and "uploaded 2 recordings (2 new)" in out.stderr

        folder = tmp_path / "vtt-out"
        args = ("export", str(spoken.id), "-o")
        ok(accord(settings, *args, str(folder), "--format", "vtt", **env))
        assert (folder / "hello.vtt").read_text() == HELLO_VTT
        assert (folder / "talks" / "bye.vtt").read_text() == BYE_VTT
        ok(accord(settings, *args, str(tmp_path / "srt-out"), "--format", "srt", **env))
        stored = tmp_path / "stored-vtt.zip"
        ok(accord(settings, *args, str(stored), "--format", "vtt", "--to-storage", **env))
        with zipfile.ZipFile(stored) as bundle:
            assert bundle.read("hello.vtt").decode() == HELLO_VTT
        assert (tmp_path / "srt-out" / "hello.srt").read_text() == srt_text(
            parse_vtt(HELLO_VTT, "hello.vtt")
        )

        # a project without the question a format holds: 422 saying what to add
        answer = httpx.get(
            f"{server.url}/api/v1/projects/{diarized.id}/export",
            params={"format": "vtt"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 422
        assert "no transcript question over an audio field" in answer.text
