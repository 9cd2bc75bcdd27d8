"""`accord import PROJECT FOLDER --format mot` and `accord export PROJECT --format mot -o
FOLDER` against a real server, and the SDK's refusals: sequences (frames encoded here, or a
video as it is) become tasks with tracks, the export's gt.txt reads back (motmetrics) exactly
as the input, and a bad sequence imports nothing."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import httpx
import motmetrics
import pandas as pd
import pytest

from accord import AccordError, Client
from accord.db import Database
from accord.settings import Settings
from tests.factories import make_project, make_user
from tests.formats.mot_data import INTERFACE, make_sequence, seqinfo, text_of
from tests.live import live_server
from tests.media.video_samples import HEIGHT, WIDTH, have_ffmpeg, make_video
from tests.test_cli import accord

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_ffmpeg(), reason="Debian's ffmpeg makes the test video"),
]
VIDEO_ROWS = [(1, 3, 10, 20, 30, 40, 1, 2, 1), (20, 3, 50, 60, 30, 40, 1, 2, 1)]


def _video_sequence(folder: Path) -> Path:
    """``VID-02``: a 20-frame 320 × 240 video file and one car crossing it."""
    root = folder / "VID-02"
    (root / "gt").mkdir(parents=True)
    make_video(root / "VID-02.mp4", 20)
    (root / "seqinfo.ini").write_text(
        seqinfo("VID-02", 20)
        .replace("imWidth=64", f"imWidth={WIDTH}")
        .replace("imHeight=48", f"imHeight={HEIGHT}")
    )
    (root / "gt" / "gt.txt").write_text(text_of(VIDEO_ROWS))
    return root


def _loaded(path: Path) -> pd.DataFrame:
    with warnings.catch_warnings():  # motmetrics 1.4 subtracts a tuple: pandas warns
        warnings.simplefilter("ignore", FutureWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        frame = motmetrics.io.loadtxt(str(path), fmt="mot16")
    return frame[frame["Confidence"] != 0].sort_index()


def test_import_and_export_round_trip(settings: Settings, db: Database, tmp_path: Path) -> None:
    owner, token = make_user(db, "lead@example.com")
    project = make_project(db, owner, INTERFACE)
    data = tmp_path / "train"
    first = make_sequence(data, "SEQ-01")
    second = _video_sequence(data)
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        out = accord(
            settings, "import", str(project.id), str(data), "--format", "mot", "--wait",
            "--source", "legacy", **env,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert "uploaded 2 videos (2 new, 1 made from frames)" in out.stderr
        assert "3 tracks" in out.stderr and "left out 1 rows with conf 0" in out.stderr
        assert "created 2 tasks" in out.stdout and "2 annotations by the source" in out.stdout

        exported = tmp_path / "out"
        result = accord(
            settings, "export", str(project.id), "--format", "mot", "-o", str(exported), **env
        )
        assert result.returncode == 0, result.stderr
        assert "wrote 2 sequences" in result.stderr
        for source in (first, second):
            name = source.name
            written = exported / name / "gt" / "gt.txt"
            pd.testing.assert_frame_equal(
                _loaded(written), _loaded(source / "gt" / "gt.txt"), check_exact=True
            )
            info = (exported / name / "seqinfo.ini").read_text()
            assert f"name={name}\n" in info
            assert ("seqLength=30\n" if name == "SEQ-01" else "seqLength=20\n") in info

        with Client(server.url, token) as sdk:
            (task,) = [r for r in sdk.export(project.id) if r["external_id"] == "SEQ-01"]
            clip = task["data"]["clip"]
            assert (clip["frames"], clip["fps"], clip["width"], clip["height"]) == (30, 25, 64, 48)
            # importing again adds nothing: the sequence's name is the task's id
            job = sdk.wait_job(sdk.import_dataset(project.id, data, "mot")["id"], timeout=60)
            assert job["result"]["duplicates"] == 2 and job["result"]["created"] == 0
            # the API's zip, and its refusals
            body = b"".join(sdk.export_bytes(project.id, "mot", {"final": True}))
            finals = zipfile.ZipFile(io.BytesIO(body))
            assert finals.read("SEQ-01/gt/gt.txt") == (exported / "SEQ-01/gt/gt.txt").read_bytes()
            with pytest.raises(AccordError, match="leave out consensus"):
                b"".join(sdk.export_bytes(project.id, "mot", {"consensus": True}))
            # as a background job into the storage
            job = sdk.wait_job(sdk.start_export(project.id, "mot")["id"], timeout=60)
            assert job["state"] == "succeeded", job
            assert job["result"]["key"].endswith(".mot.zip")
            sdk.download_job(job["id"], tmp_path / "job.zip")
            stored = zipfile.ZipFile(tmp_path / "job.zip")
            assert stored.read("VID-02/gt/gt.txt") == (exported / "VID-02/gt/gt.txt").read_bytes()
        response = httpx.get(
            f"{server.url}/api/v1/projects/{project.id}/export",
            params={"format": "mot"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/zip"
        assert sorted(zipfile.ZipFile(io.BytesIO(response.content)).namelist()) == [
            "SEQ-01/gt/gt.txt",
            "SEQ-01/seqinfo.ini",
            "VID-02/gt/gt.txt",
            "VID-02/seqinfo.ini",
        ]


BAD = [
    ("missing", None, "gt/gt.txt: missing"),
    ("columns", "1,1,1,1,5,5,1,1\n", "gt.txt, line 1: 8 values"),
    ("late", "31,1,1,1,5,5,1,1,1\n", "gt.txt, line 1: frame 31 is past the sequence's 30"),
    ("label", "1,1,1,1,5,5,1,5,1\n", "gt.txt, line 1: class 5 has no label"),
    ("text", "1,1,1,1,5,5,1,1,x\n", "gt.txt, line 1: visibility: 'x' is not a number"),
]


def test_bad_sequences_import_nothing(settings: Settings, db: Database, tmp_path: Path) -> None:
    owner, token = make_user(db, "lead@example.com")
    project = make_project(db, owner, INTERFACE)
    other = make_project(db, owner, {"fields": [{"name": "clip", "kind": "video"}]})
    good = make_sequence(tmp_path / "good", "GOOD")
    with live_server(settings) as server, Client(server.url, token) as sdk:
        with pytest.raises(AccordError, match="no tracks question with shape: box"):
            sdk.import_dataset(other.id, good, "mot")
        for case, rows, message in BAD:
            folder = tmp_path / case
            folder.mkdir()
            make_sequence(folder, "GOOD")  # a good one beside: it is not imported either
            bad = make_sequence(folder, "BAD")
            gt = bad / "gt" / "gt.txt"
            if rows is None:
                gt.unlink()
            else:
                gt.write_text(rows)
            with pytest.raises(AccordError) as caught:
                sdk.import_dataset(project.id, folder, "mot")
            assert message in str(caught.value), case
            assert str(bad) in str(caught.value)
        assert list(sdk.export(project.id)) == []
    stored = settings.data_dir.rglob(f"media/projects/{project.id}/*")
    assert not [p for p in stored if p.is_file()]  # nothing uploaded either
