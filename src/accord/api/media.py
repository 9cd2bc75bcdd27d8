"""Uploading image, video and audio files into a project's media (managers).

``POST /api/v1/projects/{id}/media`` takes ``multipart/form-data`` with one or more parts named
``file``, each part's filename being the file's relative name (``train/0001.jpg``). The body
is parsed as it arrives, each file written to a temporary file on disk (never held in memory),
with limits on the count and the bytes of the files. Then, on a worker thread and outside any
database transaction, every file is checked and all are stored, or none
(`accord.actions.media`); the thumbnails of the images, and the frames of the videos
(`accord.jobs.frames`), and the waveforms of the recordings (`accord.jobs.waveform`), are made
by background jobs.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool

from accord.actions.media import (
    MAX_FILE_BYTES,
    MAX_FILES,
    MAX_REQUEST_BYTES,
    Received,
    bad_name,
    check_files,
    check_name,
    store_files,
)
from accord.api.auth import AppSettings, CurrentCaller, Db
from accord.api.errors import errors
from accord.api.jobs import JobOut, runner_of, start_job
from accord.api.policies import Can, access
from accord.db import Database
from accord.errors import Invalid, TooLarge
from accord.jobs.frames import video_fields, video_limits
from accord.jobs.thumbnails import image_fields
from accord.jobs.waveform import audio_fields, audio_limits
from accord.models import User
from accord.settings import Settings

router = APIRouter(tags=["media"])

PART = "file"  # the name of every part


class VideoMeta(BaseModel):
    codec: str = Field(description="h264, hevc, vp9, av1, ...")
    frames: int = Field(description="Frames, counted from the packets' timestamps")
    fps: float = Field(description="Nominal frames a second (the stream's average rate)")
    variable_rate: bool = Field(description="Whether the frames' intervals vary")
    duration: float = Field(description="Seconds")
    rotation: int = Field(description="Degrees the stored picture is turned to be shown")


class AudioMeta(BaseModel):
    codec: str = Field(description="pcm_s16le, mp3, flac, vorbis, opus, aac, ...")


class MediaFile(BaseModel):
    name: str = Field(description="The relative name it was sent under")
    src: str = Field(description="The reference to put in a task's image or video field")
    width: int | None = Field(
        description="Width in pixels, after the EXIF orientation (a video's rotation); "
        "null for a recording"
    )
    height: int | None = Field(
        description="Height in pixels, after the EXIF orientation (a video's rotation); "
        "null for a recording"
    )
    format: str = Field(
        description="jpeg, png, webp or tiff: what the bytes are; a video's container: mp4 "
        "(MP4 and MOV) or matroska (MKV and WebM)"
    )
    stored: bool = Field(description="False when the same bytes were already there")
    original: str | None = Field(
        default=None,
        description="For a file browsers cannot show (a TIFF): the reference of the file as "
        "sent; src is then its PNG copy, upright",
    )
    video: VideoMeta | None = Field(default=None, description="A video's metadata")
    duration: float | None = Field(default=None, description="A recording's seconds")
    sample_rate: int | None = Field(default=None, description="A recording's samples a second")
    channels: int | None = Field(default=None, description="A recording's channels")
    audio: AudioMeta | None = Field(default=None, description="A recording's codec")


class MediaOut(BaseModel):
    files: list[MediaFile]
    thumbnails_job: int | None = Field(
        description="The background job making the images' thumbnails"
    )
    frames_job: int | None = Field(
        default=None, description="The background job decoding the videos into frames"
    )
    waveform_job: int | None = Field(
        default=None,
        description="The background job computing the recordings' waveforms and spectrograms",
    )


class _Parts:
    """The multipart body as it arrives: each part's headers, then its bytes into a file of
    ``folder``. Raises (out of the parser's ``write``) as soon as a limit or a name is wrong."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.received: list[Received] = []
        self.names: set[str] = set()
        self.total = 0
        self.ended = False
        self._field = b""
        self._value = b""
        self._headers: dict[str, bytes] = {}
        self._file: IO[bytes] | None = None

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._header_field,
            "on_header_value": self._header_value,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done,
            "on_part_data": self._data,
            "on_part_end": self._part_end,
            "on_end": self._end,
        }

    def _begin(self) -> None:
        self._headers = {}
        self._field = self._value = b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers[self._field.decode("latin-1").lower()] = self._value
        self._field = self._value = b""

    def _headers_done(self) -> None:
        _, options = parse_options_header(self._headers.get("content-disposition", b""))
        part = options.get(b"name", b"").decode("latin-1")
        if part != PART:
            raise Invalid(
                f"the request has a part named {part!r}; send each file as a part named "
                f"{PART!r}, with its relative name as the part's filename",
                details={"part": part},
            )
        raw = options.get(b"filename", b"")  # the header's bytes, as sent
        try:
            name = check_name(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise bad_name(raw.decode("latin-1"), "it is not UTF-8 text") from None
        if name in self.names:
            raise Invalid(
                f"{name}: sent twice in the same request; send each file once",
                details={"file": name},
            )
        if len(self.received) >= MAX_FILES:
            raise TooLarge(
                f"more than {MAX_FILES} files in one request; send them in several requests",
                details={"max_files": MAX_FILES},
            )
        self.names.add(name)
        descriptor, path = tempfile.mkstemp(dir=self.folder)
        self._file = os.fdopen(descriptor, "wb")
        self.received.append(Received(name=name, path=Path(path)))

    def _data(self, data: bytes, start: int, end: int) -> None:
        assert self._file is not None
        item = self.received[-1]
        item.size += end - start
        self.total += end - start
        if item.size > MAX_FILE_BYTES:
            raise TooLarge(
                f"{item.name}: larger than {MAX_FILE_BYTES // 1024**2} MiB, the most one file "
                "may have",
                details={"file": item.name, "max_file_bytes": MAX_FILE_BYTES},
            )
        if self.total > MAX_REQUEST_BYTES:
            raise TooLarge(
                f"the files add up to more than {MAX_REQUEST_BYTES // 1024**3} GiB, the most "
                "one request may carry; send them in several requests",
                details={"max_request_bytes": MAX_REQUEST_BYTES},
            )
        self._file.write(data[start:end])

    def _part_end(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def _end(self) -> None:
        self.ended = True

    def close(self) -> None:
        self._part_end()


def _boundary(request: Request) -> bytes:
    kind, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise Invalid(
            "send the files as multipart/form-data (Content-Type: multipart/form-data with a "
            f"boundary), one part named {PART!r} per file",
            details={"content_type": request.headers.get("content-type", "")},
        )
    return boundary


async def _receive(request: Request, folder: Path) -> list[Received]:
    """The files of the body, each in a temporary file of ``folder``."""
    parts = _Parts(folder)
    parser = MultipartParser(_boundary(request), parts.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise Invalid(
            f"the request body is not valid multipart/form-data ({exc}); send the files "
            f"as parts named {PART!r}"
        ) from None
    finally:
        parts.close()
    if not parts.ended:
        raise Invalid("the upload broke off before its end; nothing was stored, send it again")
    if not parts.received:
        raise Invalid(f"no files in the request: send one part named {PART!r} per file")
    return parts.received


def _authorize(db: Database, user: User, project_id: int) -> None:
    with db.read() as session:
        access(session, user, project_id, Can.manage)


def _check_and_store(
    request: Request, settings: Settings, project_id: int, received: list[Received]
) -> list[dict[str, Any]]:
    infos = check_files(received, video_limits(settings), audio_limits(settings))
    return store_files(runner_of(request).storage, settings, project_id, received, infos)


@router.post(
    "/projects/{project_id}/media",
    status_code=201,
    summary="Upload image, video and audio files into the project's media (managers): all "
    "are checked, then all stored or none; each answer's src goes into a task's image, video "
    "or audio field",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            PART: {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            }
                        },
                    }
                }
            },
        }
    },
    responses=errors(401, 403, 404, 409, 413, 422),
)
async def upload_media(
    project_id: int, request: Request, caller: CurrentCaller, db: Db, settings: AppSettings
) -> MediaOut:
    await run_in_threadpool(_authorize, db, caller.user, project_id)
    spool = settings.data_dir / "tmp"
    spool.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=spool, prefix="media-") as folder:
        received = await _receive(request, Path(folder))
        files = await run_in_threadpool(_check_and_store, request, settings, project_id, received)
    images = [f["src"] for f in files if not f.get("video") and not f.get("audio")]
    videos = [f["src"] for f in files if f.get("video")]
    recordings = [f["src"] for f in files if f.get("audio")]
    thumbnails = frames = waveform = None
    if images or not (videos or recordings):
        job = await run_in_threadpool(
            start_job, request, db, caller.user, project_id, "thumbnails",
            {"sources": images}, unit="images",
        )  # fmt: skip
        thumbnails = job.id
    if videos:
        job = await run_in_threadpool(
            start_job, request, db, caller.user, project_id, "frames",
            {"sources": videos}, unit="videos",
        )  # fmt: skip
        frames = job.id
    if recordings:
        job = await run_in_threadpool(
            start_job, request, db, caller.user, project_id, "waveform",
            {"sources": recordings}, unit="recordings",
        )  # fmt: skip
        waveform = job.id
    return MediaOut(
        files=[MediaFile(**f) for f in files],
        thumbnails_job=thumbnails,
        frames_job=frames,
        waveform_job=waveform,
    )


class ThumbnailsIn(BaseModel):
    fields: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="Image fields whose media to make thumbnails of; empty: all of them",
    )


@router.post(
    "/projects/{project_id}/thumbnails",
    status_code=202,
    summary="Make the thumbnails of the images the project's tasks reference (s3:// and the "
    "storage's media), as a background job (managers); existing ones are kept",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def start_thumbnails(
    project_id: int, body: ThumbnailsIn, request: Request, caller: CurrentCaller, db: Db
) -> JobOut:
    _authorize(db, caller.user, project_id)
    image_fields(db, project_id, body.fields)  # a wrong field is refused now, not in the job
    params = {"fields": body.fields}
    return start_job(
        request, db, caller.user, project_id, "thumbnails", params, unit="images", single=True
    )


class FramesIn(BaseModel):
    fields: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="Video fields whose media to decode into frames; empty: all of them",
    )


@router.post(
    "/projects/{project_id}/frames",
    status_code=202,
    summary="Decode the videos the project's tasks reference (s3:// and the storage's media) "
    "into frames for frame-exact playback, as a background job (managers); videos done "
    "already are passed over, failed ones are tried again",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def start_frames(
    project_id: int, body: FramesIn, request: Request, caller: CurrentCaller, db: Db
) -> JobOut:
    _authorize(db, caller.user, project_id)
    video_fields(db, project_id, body.fields)  # a wrong field is refused now, not in the job
    params = {"fields": body.fields}
    return start_job(
        request, db, caller.user, project_id, "frames", params, unit="videos", single=True
    )


class WaveformsIn(BaseModel):
    fields: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="Audio fields whose recordings to compute the waveform data of; empty: "
        "all of them",
    )


@router.post(
    "/projects/{project_id}/waveforms",
    status_code=202,
    summary="Compute the waveform peaks and spectrograms of the recordings the project's tasks "
    "reference (s3:// and the storage's media), as a background job (managers); recordings "
    "done already are passed over, failed ones are tried again",
    responses=errors(401, 403, 404, 409, 413, 422),
)
def start_waveforms(
    project_id: int, body: WaveformsIn, request: Request, caller: CurrentCaller, db: Db
) -> JobOut:
    _authorize(db, caller.user, project_id)
    audio_fields(db, project_id, body.fields)  # a wrong field is refused now, not in the job
    params = {"fields": body.fields}
    return start_job(
        request, db, caller.user, project_id, "waveform", params, unit="recordings", single=True
    )
