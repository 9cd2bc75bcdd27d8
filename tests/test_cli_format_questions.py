"""`accord import ... --format rttm --question NAME` and `accord export ... --format rttm|vtt
--question NAME` against a real server: a project with two segments questions refuses an
import or export that names neither (naming both, nothing uploaded), and the named one is
what is imported and exported (streamed, to a folder, and as a job into the storage)."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord import Client
from accord.db import Database
from accord.settings import Settings
from tests.factories import make_project, make_user
from tests.live import live_server
from tests.media.audio_samples import have_tools, make_speech
from tests.test_cli import accord, ok

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_tools(), reason="needs Debian's ffmpeg and espeak-ng"),
]

INTERFACE = {
    "fields": [{"name": "rec", "kind": "audio"}],
    "questions": [
        {"name": "speakers", "kind": "segments", "target": "rec", "labels": ["alice", "bob"]},
        {"name": "noises", "kind": "segments", "target": "rec", "labels": ["door", "dog"]},
        {"name": "captions", "kind": "transcript", "target": "rec"},
    ],
}
RTTM = "SPEAKER hello 1 0.100 0.500 <NA> <NA> dog <NA> <NA>\n"
VTT = "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\n[a dog barks]\n"  # for bye.wav


def test_question_names_the_one_the_file_holds(
    settings: Settings, db: Database, tmp_path: Path
) -> None:
    owner, token = make_user(db, "lead@example.com")
    project = str(make_project(db, owner, INTERFACE).id)
    folder = tmp_path / "dataset"
    folder.mkdir()
    make_speech(folder / "hello.wav", "hello there general kenobi")
    make_speech(folder / "bye.wav", "goodbye for now my friend")
    (folder / "hello.rttm").write_text(RTTM)
    (folder / "bye.vtt").write_text(VTT)
    rttm = str(folder / "hello.rttm")
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        refused = accord(settings, "import", project, rttm, "--format", "rttm", "--wait", **env)
        assert refused.returncode != 0
        assert "the project has 2 segments questions over an audio field (speakers, noises)" in (
            refused.stderr
        )
        assert "--question" in refused.stderr
        refused = accord(
            settings, "import", project, rttm, "--format", "rttm", "--question", "captions", **env
        )
        assert refused.returncode != 0
        assert "'captions' is a transcript question" in refused.stderr, refused.stderr
        refused = accord(
            settings, "import", project, rttm, "--format", "jsonl", "--question", "noises", **env
        )
        assert refused.returncode != 0
        assert "--question goes with --format mot, rttm, vtt or srt" in refused.stderr
        with Client(server.url, token) as sdk:  # the refusals imported nothing
            assert list(sdk.export(int(project))) == []

        args = ("import", project, rttm, "--format", "rttm", "--question", "noises", "--wait")
        out = ok(accord(settings, *args, "--source", "vendor", **env))
        assert "created 1 tasks" in out
        args = ("import", project, str(folder / "bye.vtt"), "--format", "vtt")
        ok(accord(settings, *args, "--question", "captions", "--source", "vendor", "--wait", **env))

        refused = accord(settings, "export", project, "--format", "rttm", **env)
        assert refused.returncode != 0 and "(speakers, noises)" in refused.stderr
        exported = ok(
            accord(settings, "export", project, "--format", "rttm", "--question", "noises", **env)
        )
        assert exported == "SPEAKER hello 1 0.100 0.500 <NA> <NA> dog <NA> <NA>\n"
        args = ("export", project, "--format", "rttm", "--question", "speakers")
        assert ok(accord(settings, *args, **env)) == ""  # no task has speakers' segments
        stored = tmp_path / "stored.rttm"
        args = ("export", project, "--format", "rttm", "--question", "noises", "--to-storage")
        ok(accord(settings, *args, "-o", str(stored), **env))
        assert stored.read_text() == exported
        subtitles = tmp_path / "subtitles"
        args = ("export", project, "--format", "vtt", "--question", "captions")
        ok(accord(settings, *args, "-o", str(subtitles), **env))
        assert "[a dog barks]" in (subtitles / "bye.vtt").read_text()
        assert "-->" not in (subtitles / "hello.vtt").read_text()  # captions: none there
        refused = accord(settings, "export", project, "--format", "jsonl", "--question", "x", **env)
        assert refused.returncode != 0
        assert "--question also with mot, rttm, vtt and srt" in refused.stderr
