"""`accord import PROJECT FILE --format cvat-video|ytvis --media DIR` and `accord export
PROJECT --format cvat-video|ytvis` against a real server with a generated video: a CVAT-made
file imports as its keyframes and our export reads back as the same tracks; a YouTube-VIS
export imports into another project and exports again byte for byte; bad input imports
nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord import AccordError, Client
from accord.db import Database
from accord.formats.cvat_video import read_cvat, read_cvat_tasks
from accord.formats.video_tracks import VideoSchema
from accord.settings import Settings
from tests.factories import make_project, make_user
from tests.formats.video_tracks_data import FRAMES, INTERFACE, cvat_file
from tests.live import live_server
from tests.media.video_samples import have_ffmpeg, make_video
from tests.test_cli import accord

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not have_ffmpeg(), reason="Debian's ffmpeg makes the test video"),
]
SCHEMA = VideoSchema.of(INTERFACE, "cvat-video")


def test_cvat_and_ytvis_round_trips(settings: Settings, db: Database, tmp_path: Path) -> None:
    owner, token = make_user(db, "lead@example.com")
    first = make_project(db, owner, INTERFACE)
    second = make_project(db, owner, INTERFACE)
    media = tmp_path / "videos"
    media.mkdir()
    make_video(media / "clip.mp4", FRAMES)
    given = tmp_path / "cvat" / "annotations.xml"
    given.parent.mkdir()
    given.write_text(cvat_file("clip"))
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        out = accord(
            settings, "import", str(first.id), str(given), "--format", "cvat-video",
            "--media", str(media), "--wait", "--source", "legacy", **env,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert "uploaded 1 video (1 new): 2 tracks, 8 keyframes" in out.stderr
        assert "left out 1 tracks of road (box)" in out.stderr
        assert "left out 4 values of the attribute notes" in out.stderr
        assert "created 1 tasks" in out.stdout and "1 annotations by the source" in out.stdout

        folder = tmp_path / "out"
        result = accord(
            settings, "export", str(first.id), "--format", "cvat-video", "-o", str(folder), **env
        )
        assert result.returncode == 0, result.stderr
        assert "wrote 1 XML files" in result.stderr
        written = read_cvat(folder / "clip.xml", SCHEMA)
        assert written.keyframe_tracks() == read_cvat(given, SCHEMA).keyframe_tracks()
        assert (written.size, written.width, written.height) == (20, 320, 240)

        exported = tmp_path / "first.json"
        result = accord(
            settings, "export", str(first.id), "--format", "ytvis", "-o", str(exported), **env
        )
        assert result.returncode == 0, result.stderr
        out = accord(
            settings, "import", str(second.id), str(exported), "--format", "ytvis",
            "--media", str(media), "--wait", "--source", "legacy", **env,
        )  # fmt: skip
        assert out.returncode == 0, out.stderr
        assert "uploaded 1 video (1 new): 1 tracks, 3 keyframes" in out.stderr
        again = tmp_path / "second.json"
        with Client(server.url, token) as sdk:
            sdk.export_to(second.id, again, "ytvis")
            job = sdk.wait_job(sdk.start_export(second.id, "ytvis")["id"], timeout=60)
            assert job["state"] == "succeeded", job
            assert job["result"]["key"].endswith(".ytvis.json")
            with pytest.raises(AccordError, match="leave out consensus"):
                b"".join(sdk.export_bytes(second.id, "cvat-video", {"consensus": True}))
        assert again.read_bytes() == exported.read_bytes()


def test_bad_input_imports_nothing(settings: Settings, db: Database, tmp_path: Path) -> None:
    owner, token = make_user(db, "lead@example.com")
    project = make_project(db, owner, INTERFACE)
    make_video(tmp_path / "clip.mp4", FRAMES)
    late = '<track id="9" label="car"><box frame="25" xtl="1" ytl="1" xbr="5" ybr="5"/></track>\n'
    cases = [
        (cvat_file("clip", extra=late), "has frame 25, past the video's 20 frames"),
        (cvat_file("clip", frames=21), "the task has 21 frames (<size>) but its video has 20"),
        (cvat_file("other"), "its video is not in"),
    ]
    with live_server(settings) as server, Client(server.url, token) as sdk:
        for text, message in cases:
            path = tmp_path / "task.xml"
            path.write_text(text)
            with pytest.raises(AccordError) as caught:
                sdk.import_dataset(project.id, path, "cvat-video", tmp_path)
            assert message in str(caught.value) and str(path) in str(caught.value)
        big = cvat_file("clip").replace('xtl="1" ytl="1" xbr="2" ybr="2"', "")
        big = big.replace('points="1.00,1.00"', 'points="900,1.00"', 1)
        path = tmp_path / "task.xml"
        path.write_text(big)
        with pytest.raises(AccordError, match=r'line \d+: <track id="5">: the question refuses'):
            sdk.import_dataset(project.id, path, "cvat-video", tmp_path)
        out = accord(
            settings, "import", str(project.id), str(path), "--format", "cvat-video",
            url=server.url, token=token,
        )  # fmt: skip
        assert out.returncode != 0 and "the question refuses it" in out.stderr
        assert list(sdk.export(project.id)) == []
    stored = settings.data_dir.rglob(f"media/projects/{project.id}/*")
    assert not [p for p in stored if p.is_file()]  # nothing uploaded either


def test_cvat_made_exports_import(settings: Settings, db: Database, tmp_path: Path) -> None:
    """What CVAT 2.x writes (tests/fixtures/cvat/): a task's export, a project's (two videos
    in one file) and a job's (named after its video) import as their tracks, and the CLI says
    what was left out."""
    fixtures = Path(__file__).parent / "fixtures" / "cvat"
    owner, token = make_user(db, "lead@example.com")
    projects = [make_project(db, owner, INTERFACE) for _ in range(3)]
    media = tmp_path / "videos"
    media.mkdir()
    make_video(media / "clip.mp4", FRAMES)
    make_video(media / "clip2.mp4", 10)
    job = media / "clip.xml"  # a job's export names no video: its file is named after it
    job.write_text((fixtures / "job_video.xml").read_text())
    sources = [fixtures / "task_video.xml", fixtures / "project_video.xml", job]
    reports = [
        [
            "uploaded 1 video (1 new): 5 tracks, 15 keyframes",
            "left out 1 tracks of walker (skeleton): no question takes it",
            "left out 1 tracks of road (mask): no question takes it",
            "left out 1 tracks of sign (ellipse): no question takes it",
            "left out 18 z_order values (drawing order): Accord's tracks have none",
            "left out 1 tracks' group_id: Accord has no groups of tracks",
        ],
        ["uploaded 2 videos (2 new): 3 tracks, 5 keyframes"],
        ["uploaded 1 video (1 new): 2 tracks, 4 keyframes"],
    ]
    with live_server(settings) as server:
        env = {"url": server.url, "token": token}
        for project, source, lines in zip(projects, sources, reports, strict=True):
            out = accord(
                settings, "import", str(project.id), str(source), "--format", "cvat-video",
                "--media", str(media), "--wait", "--source", "legacy", **env,
            )  # fmt: skip
            assert out.returncode == 0, out.stderr
            for line in lines:
                assert line in out.stderr, (source.name, out.stderr)
            assert out.stderr.count("left out") == len(lines) - 1, out.stderr
            folder = tmp_path / f"out-{project.id}"
            result = accord(
                settings, "export", str(project.id), "--format", "cvat-video", "-o",
                str(folder), **env,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr
            for found in read_cvat_tasks(source, SCHEMA):
                name = found.name or source.stem
                written = read_cvat(folder / f"{name}.xml", SCHEMA)
                assert written.keyframe_tracks() == found.keyframe_tracks(), name
