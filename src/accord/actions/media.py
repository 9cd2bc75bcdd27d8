"""Uploading image and video files into a project's media: every file checked, then all stored,
or none. Videos (MP4, MOV, MKV, WebM) are told by their first bytes, or their name, and checked
by `accord.actions.video_uploads` (docs/video.md); audio files (WAV, MP3, FLAC, Ogg/Opus,
M4A/AAC, WebM without a picture) by `accord.actions.audio_uploads` (docs/audio.md); the rest
of this page is about images.

A file arrives under a relative name (``train/0001.jpg``) and is kept in the storage at
``media/projects/{project_id}/{name}``; the answer gives, for each, the reference a task puts in
its image field (``src``: a ``file://`` or ``s3://`` URL of the storage, signed whenever a task is
read) and its size after the EXIF orientation (`accord.media.images`).

Browsers cannot show a TIFF: one is stored as sent and as a PNG copy
(``media/display/projects/{project_id}/{name}.png``, upright, 16-bit grey kept), whose
reference is the ``src`` (the TIFF's is ``original``).

All or nothing: every file is checked (`probe` decodes it whole) before any is stored, and a
name already in the project's media is accepted only for the very same bytes (uploading a
folder again is harmless; replacing an image beneath its annotations is refused). If the
storage fails half-way, the files this request had stored are removed again.

Nothing here but `do_start_import_thumbnails` touches the database: the caller checks the
caller's role before and records the thumbnail job after, so no transaction is held while
files are read or decoded.

`do_start_import_thumbnails` records the ``thumbnails`` job of the tasks an import (any
format, a bucket sync too) added, when the project has an image field and one of those tasks
holds a media URL (``s3://``, ``file://``: what an upload answers) there
(`accord.queries.media.import_media_fields`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from accord.actions.audio_uploads import audio_answer, check_audio, is_audio
from accord.actions.jobs import do_start_job
from accord.actions.video_uploads import check_video, is_video, video_answer
from accord.errors import Conflict, Invalid
from accord.media.audio import AudioInfo, AudioLimits, BadAudio
from accord.media.images import BROWSER_FORMATS, BadImage, ImageInfo, browser_copy, probe
from accord.media.links import media_reference
from accord.media.storage import Storage, check_key
from accord.media.videos import BadVideo, VideoInfo, VideoLimits, looks_like_video
from accord.models import Job, User
from accord.settings import Settings

MAX_FILES = 1000  # files in one request
MAX_FILE_BYTES = 1024**3  # bytes of one file
MAX_REQUEST_BYTES = 4 * 1024**3  # bytes of all the files of one request
MAX_NAME_CHARS = 500
MAX_REPORTED = 20  # bad files named in the error's message (all are in its details)
COPY_CHUNK = 1024 * 1024


@dataclass
class Received:
    """One file of the request, written to a temporary file as it arrived."""

    name: str
    path: Path
    size: int = 0


def bad_name(name: str, why: str) -> Invalid:
    return Invalid(
        f"the file name {name!r} is not allowed: {why}. Give a relative path of '/'-separated "
        "names, such as train/0001.jpg, without '..', '.', backslashes or empty parts",
        details={"file": name},
        code="invalid_file_name",
    )


def check_name(name: str) -> str:
    """``name`` if it can name a file of the project's media (see `bad_name`)."""
    if not name:
        raise bad_name(name, "it is empty (each part needs a filename)")
    if len(name) > MAX_NAME_CHARS:
        raise bad_name(name[:60] + "…", f"it is longer than {MAX_NAME_CHARS} characters")
    if name.startswith("/"):
        raise bad_name(name, "it is an absolute path")
    try:
        check_key(name)
    except Invalid as exc:
        why = exc.message.split(": ", 1)[-1].split(". ", 1)[0]
        raise bad_name(name, why) from None
    return name


def media_key(project_id: int, name: str) -> str:
    """Where a file of the project's media is kept in the storage."""
    return check_key(f"media/projects/{project_id}/{check_name(name)}")


def display_key(project_id: int, name: str) -> str:
    """Where the browser's copy of a file browsers cannot show (a TIFF) is kept."""
    return check_key(f"media/display/projects/{project_id}/{check_name(name)}.png")


def check_files(
    received: list[Received], videos: VideoLimits | None = None, audio: AudioLimits | None = None
) -> list[ImageInfo | VideoInfo | AudioInfo]:
    """Each file's description, or `Invalid` naming every file that is not an image or a
    video Accord takes and why (nothing is stored then). A video (told by its first bytes)
    is checked against ``videos`` (`accord.actions.video_uploads`), a recording against
    ``audio`` (`accord.actions.audio_uploads`)."""
    infos: list[ImageInfo | VideoInfo | AudioInfo] = []
    problems: list[dict[str, Any]] = []
    code = "bad_video"  # unless an image is among the refused files
    for item in received:
        try:
            if is_audio(item.path, item.name):
                infos.append(check_audio(item.path, item.name, audio))
            elif is_video(item.path) or looks_like_video(item.name):
                infos.append(check_video(item.path, item.name, videos))
            else:
                infos.append(probe(item.path, item.name))
        except (BadImage, BadVideo, BadAudio) as exc:
            problems.append({"file": item.name, "message": exc.message})
            code = exc.code if code == "bad_video" else code
    if not problems:
        return infos
    named = "; ".join(p["message"] for p in problems[:MAX_REPORTED])
    more = f" (and {len(problems) - MAX_REPORTED} more)" if len(problems) > MAX_REPORTED else ""
    raise Invalid(
        f"{len(problems)} of the {len(received)} files are refused, so none was stored: "
        f"{named}{more}. Fix or leave out those files and upload again",
        details={"files": problems},
        code=code,
    )


def _digest(chunks: Iterable[bytes]) -> bytes:
    digest = hashlib.sha256()
    for chunk in chunks:
        digest.update(chunk)
    return digest.digest()


def _file_chunks(path: Path) -> Iterable[bytes]:
    with path.open("rb") as file:
        while chunk := file.read(COPY_CHUNK):
            yield chunk


def _already_there(storage: Storage, key: str, item: Received) -> bool:
    """Whether ``key`` already holds ``item``'s bytes; `Conflict` if it holds others."""
    if not storage.exists(key):
        return False
    if storage.size(key) == item.size:
        stored = _digest(storage.read_range(key, 0, None))
        if stored == _digest(_file_chunks(item.path)):
            return True
    raise Conflict(
        f"{item.name}: the project's media already has another file of that name, which "
        "tasks may show with their annotations; nothing was stored. Upload it under a new "
        "name (or the same bytes again, which is accepted)",
        details={"file": item.name},
        code="media_exists",
    )


def stored_already(storage: Storage, project_id: int, item: Received) -> bool:
    """Whether the project's media holds ``item``'s very bytes under its name (False: the
    name is free); `Conflict` if it holds other bytes there. `store_files` checks the same:
    this lets a caller refuse before storing anything."""
    return _already_there(storage, media_key(project_id, item.name), item)


def store_files(
    storage: Storage,
    settings: Settings,
    project_id: int,
    received: list[Received],
    infos: Sequence[ImageInfo | VideoInfo | AudioInfo],
) -> list[dict[str, Any]]:
    """Store the checked files (all, or none if one cannot be); their descriptions for the
    answer, each with ``stored`` False when the same bytes were already there."""
    keys = [media_key(project_id, item.name) for item in received]
    present = [_already_there(storage, key, item) for key, item in zip(keys, received, strict=True)]
    written: list[str] = []
    described: list[dict[str, Any]] = []
    try:
        for key, item, info, there in zip(keys, received, infos, present, strict=True):
            if not there:
                with storage.writer(key) as out:
                    for chunk in _file_chunks(item.path):
                        out.write(chunk)
                written.append(key)
            shown = (
                _browser_copy(storage, project_id, item, info, written)
                if isinstance(info, ImageInfo)
                else None
            )
            described.append(
                {
                    "name": item.name,
                    "src": media_reference(settings, shown or key),
                    "width": None if isinstance(info, AudioInfo) else info.width,
                    "height": None if isinstance(info, AudioInfo) else info.height,
                    "format": info.format if isinstance(info, ImageInfo) else "",
                    "stored": not there,
                    "original": media_reference(settings, key) if shown else None,
                    **(video_answer(info) if isinstance(info, VideoInfo) else {}),
                    **(audio_answer(info) if isinstance(info, AudioInfo) else {}),
                }
            )
    except BaseException:
        for key in written:
            try:
                storage.delete(key)
            except Exception:  # the storage is failing: the first error is the one to report
                continue
        raise
    return described


def _browser_copy(
    storage: Storage, project_id: int, item: Received, info: ImageInfo, written: list[str]
) -> str | None:
    """The key of the PNG copy of a file browsers cannot show (made if missing); None for a
    file they show as it is."""
    if info.format in BROWSER_FORMATS:
        return None
    key = display_key(project_id, item.name)
    if not storage.exists(key):
        storage.write_bytes(key, browser_copy(item.path, item.name))
        written.append(key)
    return key


def do_start_import_thumbnails(
    session: Session, user: User | None, project_id: int, import_id: int, fields: list[str]
) -> Job:
    """Record the thumbnails job of the tasks an import added, for their image ``fields``
    (`accord.queries.media.import_media_fields` says which, if any). The caller sends the job
    to the queue once this transaction commits."""
    params = {"import_id": import_id, "fields": fields}
    return do_start_job(session, user, project_id, "thumbnails", params, unit="images")
