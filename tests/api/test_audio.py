"""Audio: uploading recordings (metadata, refusals), the ``waveform`` job (peaks and
spectrogram, read back with range requests as the player does), audio values in task reads
(``waveform_state``, signed ``manifest``, ``peaks``, ``spectrogram``), and submitting
``segments`` and ``transcript`` answers."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson
import pytest

from accord.db import Database
from accord.media.waveform import error_key, manifest_key
from accord.settings import Settings
from tests.api.conftest import Api
from tests.api.test_media import parts, wait
from tests.factories import add_tasks, make_project, make_user
from tests.media.audio_samples import have_tools, make_speech, make_tone

pytestmark = pytest.mark.skipif(not have_tools(), reason="needs ffmpeg and espeak-ng")

INTERFACE = {
    "fields": [{"name": "rec", "kind": "audio"}],
    "questions": [
        {
            "name": "turns",
            "kind": "segments",
            "target": "rec",
            "labels": ["speech", "music"],
            "speakers": ["A", "B"],
            "overlap": "refuse",
        },
        {
            "name": "words",
            "kind": "transcript",
            "target": "rec",
            "checks": ["no_placeholder"],
            "speakers": ["A", "B"],
            "max_length": 40,
        },
    ],
}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    folder = tmp_path_factory.mktemp("audio")
    return {
        "tone.wav": make_tone(folder / "tone.wav", 2.0, channels=2).read_bytes(),
        "tone.mp3": make_tone(folder / "tone.mp3", 1.5).read_bytes(),
        "tone.ogg": make_tone(folder / "tone.ogg", 1.0).read_bytes(),
        "tone.webm": make_tone(folder / "tone.webm", 1.0).read_bytes(),
        "speech.wav": make_speech(folder / "speech.wav").read_bytes(),
    }


class Team:
    def __init__(self, db: Database, api: Api) -> None:
        self.owner, token = make_user(db, "owner@example.com")
        annotator, annotator_token = make_user(db, "ann@example.com")
        self.project = make_project(db, self.owner, INTERFACE, members={annotator: "annotator"})
        self.manager = api.as_(token)
        self.annotator = api.as_(annotator_token)
        self.path = f"/projects/{self.project.id}/media"

    def recordings(self) -> dict[str, dict[str, Any]]:
        items = self.manager.get(f"/projects/{self.project.id}/tasks").json()["items"]
        return {t["external_id"]: t["data"]["rec"] for t in items}


@pytest.fixture
def team(db: Database, api: Api) -> Team:
    return Team(db, api)


def test_upload_probes_and_the_job_makes_the_waveform_data(
    team: Team, samples: dict[str, bytes], settings: Settings, db: Database
) -> None:
    uploaded = {name: samples[name] for name in ("tone.wav", "tone.mp3", "tone.ogg", "tone.webm")}
    answer = team.manager.post(team.path, files=parts(uploaded))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["thumbnails_job"] is None and body["frames_job"] is None
    files = {f["name"]: f for f in body["files"]}
    wav, mp3, ogg, webm = (files[f"tone.{e}"] for e in ("wav", "mp3", "ogg", "webm"))
    assert (wav["format"], wav["duration"], wav["sample_rate"], wav["channels"]) == (
        "wav",
        2.0,
        16_000,
        2,
    )
    assert wav["width"] is None and wav["audio"] == {"codec": "pcm_s16le"}
    assert (mp3["format"], mp3["duration"], mp3["sample_rate"]) == ("mp3", 1.5, 16_000)
    assert (ogg["format"], ogg["audio"]["codec"], ogg["sample_rate"]) == ("ogg", "opus", 48_000)
    assert (webm["format"], webm["video"], webm["audio"]) == ("matroska", None, {"codec": "opus"})
    job = wait(team.manager, body["waveform_job"], timeout=120)
    assert job["state"] == "succeeded" and job["kind"] == "waveform", job
    assert job["result"]["made"] == 4

    rows = [
        {"id": name, "rec": {k: f[k] for k in ("src", "duration", "sample_rate", "channels")}}
        for name, f in files.items()
    ]
    add_tasks(db, team.owner, team.project.id, rows)
    for name, rec in team.recordings().items():
        assert rec["waveform_state"] == "ready", rec
        assert (
            rec["src"].startswith("/api/v1/files/") and rec["duration"] == files[name]["duration"]
        )
        manifest = team.manager.client.get(rec["manifest"]).json()
        assert manifest["version"] == 1 and manifest["sample_rate"] == files[name]["sample_rate"]
        count = manifest["peaks"]["count"]
        assert count == pytest.approx(files[name]["duration"] * 100, abs=2)
        peaks = team.manager.client.get(rec["peaks"]).content
        assert len(peaks) == 2 * count
        spec = manifest["spectrogram"]
        full = team.manager.client.get(rec["spectrogram"]).content
        assert len(full) == spec["columns"] * spec["bins"]
        # The columns of a visible window, by a range request, as the player reads them.
        first, last = 10, 29
        wanted = f"bytes={first * spec['bins']}-{(last + 1) * spec['bins'] - 1}"
        window = team.manager.client.get(rec["spectrogram"], headers={"Range": wanted})
        assert window.status_code == 206, window.text
        assert window.content == full[first * spec["bins"] : (last + 1) * spec["bins"]]
    stereo = team.manager.client.get(team.recordings()["tone.wav"]["peaks"]).content
    pairs = np.frombuffer(stereo, dtype=np.int8).reshape(-1, 2)
    assert pairs[5:-5, 1].min() == round(0.375 * 127)  # the mean of 0.5 and 0.25
    # The annotator's next task carries the waveform too; exports keep the reference only.
    served = team.annotator.post(f"/projects/{team.project.id}/next").json()["task"]
    assert served["data"]["rec"]["waveform_state"] == "ready"
    exported = team.manager.get(f"/projects/{team.project.id}/export").text
    assert "waveform_state" not in exported and wav["src"] in exported
    assert (settings.data_dir / manifest_key(team.project.id, wav["src"])).exists()


def test_bad_recordings_are_refused_and_nothing_is_stored(
    team: Team, samples: dict[str, bytes], settings: Settings
) -> None:
    good = samples["tone.wav"]
    cases = {
        "empty.wav": (b"", "the file is empty (0 bytes)"),
        "notes.mp3": (b"these are not the sounds you are looking for", "not a WAV, FLAC"),
        "cut.wav": (good[:44], "cut.wav: "),
        "damaged.ogg": (b"OggS" + bytes(200), "damaged.ogg: "),
    }
    for name, (data, why) in cases.items():
        answer = team.manager.post(team.path, files=parts({name: data, "good.wav": good}))
        assert answer.status_code == 422, (name, answer.text)
        error = answer.json()["error"]
        assert error["code"] == "bad_audio" and why in error["message"], (name, error)
        assert error["details"]["files"][0]["file"] == name
        assert "none was stored" in error["message"]
    assert not (settings.data_dir / "media" / "projects" / str(team.project.id)).exists()


def test_limits_from_the_settings(
    db: Database, settings: Settings, samples: dict[str, bytes]
) -> None:
    from fastapi.testclient import TestClient

    from accord.api.app import create_app

    owner, token = make_user(db, "owner@example.com")
    project = make_project(db, owner, INTERFACE)
    limited = settings.model_copy(update={"audio_max_seconds": 1.0})
    with TestClient(create_app(limited, db), raise_server_exceptions=False) as client:
        answer = (
            Api(client)
            .as_(token)
            .post(f"/projects/{project.id}/media", files=parts({"a.wav": samples["tone.wav"]}))
        )
    assert answer.status_code == 422, answer.text
    assert "ACCORD_AUDIO_MAX_SECONDS" in answer.json()["error"]["message"]


def test_pending_and_failed_waveforms_in_task_reads(
    team: Team, samples: dict[str, bytes], settings: Settings, db: Database
) -> None:
    good = samples["speech.wav"]
    folder = settings.data_dir / "media" / "projects" / str(team.project.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "cut.wav").write_bytes(good[:40])  # damaged after an upload
    (folder / "fine.wav").write_bytes(good)
    cut, fine = (folder / "cut.wav").as_uri(), (folder / "fine.wav").as_uri()
    rows = [
        {"id": "cut", "rec": cut},
        {"id": "fine", "rec": {"src": fine, "duration": 3.0}},
        {"id": "web", "rec": "https://example.com/a.mp3"},
    ]
    add_tasks(db, team.owner, team.project.id, rows)
    recs = team.recordings()
    assert recs["cut"]["waveform_state"] == recs["fine"]["waveform_state"] == "pending"
    assert "frames_state" not in recs["fine"]  # a duration alone does not make it a video
    assert (
        recs["web"]["waveform_state"] == "failed" and "web address" in recs["web"]["waveform_error"]
    )
    started = team.manager.post(f"/projects/{team.project.id}/waveforms", json={})
    assert started.status_code == 202, started.text
    job = wait(team.manager, started.json()["id"], timeout=120)
    assert job["state"] == "succeeded", job
    assert (job["result"]["made"], job["result"]["failed"]) == (1, 1), job
    recs = team.recordings()
    assert recs["fine"]["waveform_state"] == "ready" and "spectrogram" in recs["fine"]
    assert recs["cut"]["waveform_state"] == "failed" and "spectrogram" not in recs["cut"]
    assert "cut.wav" in recs["cut"]["waveform_error"]
    stored = orjson.loads((settings.data_dir / error_key(team.project.id, cut)).read_bytes())
    assert stored["error"] == recs["cut"]["waveform_error"]
    again = wait(
        team.manager,
        team.manager.post(f"/projects/{team.project.id}/waveforms", json={}).json()["id"],
    )
    assert again["result"]["existing"] == 1
    wrong = team.manager.post(f"/projects/{team.project.id}/waveforms", json={"fields": ["x"]})
    assert wrong.status_code == 422 and "not an audio field" in wrong.json()["error"]["message"]


def test_an_import_starts_the_waveform_job(
    team: Team, samples: dict[str, bytes], settings: Settings
) -> None:
    folder = settings.data_dir / "media" / "projects" / str(team.project.id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "a.mp3").write_bytes(samples["tone.mp3"])
    body = orjson.dumps({"id": "a", "rec": (folder / "a.mp3").as_uri()}) + b"\n"
    answer = team.manager.post(
        f"/projects/{team.project.id}/imports?format=jsonl&background=true", content=body
    )
    assert answer.status_code == 202, answer.text
    imported = wait(team.manager, answer.json()["id"])
    assert imported["state"] == "succeeded", imported
    made = wait(team.manager, imported["result"]["waveform_job"], timeout=120)
    assert made["state"] == "succeeded" and made["result"]["made"] == 1, made


def seg(start: float, end: float, label: str = "speech", id: str = "s", **more: Any) -> Any:
    return {"id": id, "label": label, "start": start, "end": end, **more}


def line(start: float, end: float, text: str, id: str = "t", **more: Any) -> Any:
    return {"id": id, "start": start, "end": end, "text": text, **more}


def submit(me: Api, task_id: int, segments: list[Any], lines: list[Any]) -> Any:
    result = {"turns": {"segments": segments}, "words": {"segments": lines}}
    return me.post(f"/tasks/{task_id}/annotations", json={"result": result})


def test_segments_and_transcripts_submit_or_name_their_path(team: Team, db: Database) -> None:
    rec = {"src": "s3://bucket/a.wav", "duration": 4.0, "sample_rate": 16000}
    add_tasks(db, team.owner, team.project.id, [{"id": "a", "rec": rec}])
    task = team.annotator.post(f"/projects/{team.project.id}/next").json()["task"]
    good_lines = [line(0.5, 2.25, "the quick brown fox", speaker="A")]
    cases = [
        ([seg(0, 1.0005)], good_lines, "result.turns.segments[0].end", "milliseconds"),
        ([seg(0, 4.5)], good_lines, "result.turns.segments[0].end", "past the recording's end"),
        (
            [seg(0, 2, id="a"), seg(1, 3, id="b")],
            good_lines,
            "result.turns.segments[1]",
            "may not overlap",
        ),
        ([seg(0, 1, speaker="C")], good_lines, "result.turns.segments[0].speaker", "'C'"),
        (
            [seg(0, 1)],
            [line(0, 1, "ok"), line(1, 2, "TODO", "u")],
            "result.words.segments[1].text",
            "placeholder",
        ),
        ([seg(0, 1)], [line(0, 1, "x" * 41)], "result.words.segments[0].text", "at most 40"),
    ]
    for segments, lines, path, words in cases:
        answer = submit(team.annotator, task["id"], segments, lines)
        assert answer.status_code == 422, answer.text
        assert path in answer.text and words in answer.text, answer.text
    segments = [seg(0, 1.25, speaker="A", id="a"), seg(1.25, 4, "music", id="b")]
    done = submit(team.annotator, task["id"], segments, good_lines)
    assert done.status_code == 201, done.text
    exported = team.manager.get(f"/projects/{team.project.id}/export").text
    assert '"start":1.25' in exported.replace(" ", "") and "the quick brown fox" in exported
