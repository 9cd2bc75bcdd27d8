"""MOTChallenge sequence folders on disk: finding them, their frames or video, and their
checks, before anything is uploaded (docs/video.md, "MOTChallenge").

A sequence folder holds ``gt/gt.txt`` and its picture, either as numbered frames
(``img1/000001.jpg`` ...; the folder and extension from ``seqinfo.ini``'s ``imDir`` and
``imExt``) or as a video file: ``<name><ext>`` (the ``seqinfo.ini`` name, or the folder's)
or the folder's only video. ``seqinfo.ini`` (``frameRate``, ``seqLength``, ``imWidth``,
``imHeight``) is needed with frames (they carry no rate) and checked against the video when
there is one. A folder holding no ``gt/`` nor ``seqinfo.ini`` but sequence folders is a set
of sequences (MOT17's ``train/``), each one task.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from accord.formats.datasets import listed
from accord.formats.mot import SeqInfo, read_seqinfo
from accord.formats.shapes import DatasetError

VIDEO_SUFFIXES = (".mp4", ".m4v", ".mov", ".webm", ".mkv")
Probe = Callable[[Path], tuple[int, float, int, int]]


@dataclass(frozen=True)
class Sequence:
    """A sequence to import: its task id, folder, picture and facts."""

    name: str
    folder: Path
    video: Path | None  # a video file to upload as it is
    frames: tuple[Path, ...]  # else the frame images, frame 1 first
    length: int
    fps: float
    width: int
    height: int

    @property
    def gt(self) -> Path:
        return self.folder / "gt" / "gt.txt"


def is_sequence(folder: Path) -> bool:
    return (folder / "seqinfo.ini").is_file() or (folder / "gt").is_dir()


def sequence_folders(path: Path) -> list[Path]:
    """``path`` if it is a sequence, else the sequence folders in it, by name."""
    if not path.is_dir():
        raise DatasetError(
            f"{path}: not a folder; give a MOTChallenge sequence folder (seqinfo.ini, img1/, "
            "gt/gt.txt) or a folder of them"
        )
    if is_sequence(path):
        return [path]
    found = sorted(p for p in path.iterdir() if p.is_dir() and is_sequence(p))
    if not found:
        raise DatasetError(
            f"{path}: neither a MOTChallenge sequence (seqinfo.ini, gt/gt.txt) nor a folder of "
            "sequences; give the sequence's folder, or the folder that holds them"
        )
    return found


def probe_video(path: Path) -> tuple[int, float, int, int]:
    """A video's (frames, fps, width, height), read by `accord.media.videos.probe_path`."""
    from accord.media.videos import probe_path

    info = probe_path(path, path.name)
    return info.frames, info.fps, info.width, info.height


def open_sequence(folder: Path, probe: Probe = probe_video) -> Sequence:
    """The sequence in ``folder``, checked (see the module); ``probe(path)`` gives a video's
    (frames, fps, width, height)."""
    ini = folder / "seqinfo.ini"
    info = read_seqinfo(ini) if ini.is_file() else SeqInfo()
    name = info.name or folder.name
    video = _video(folder, name)
    if video is not None:
        return _with_video(folder, name, info, video, probe)
    if not ini.is_file():
        raise DatasetError(
            f"{folder}: no seqinfo.ini and no video; a sequence of frames needs its "
            "seqinfo.ini (frameRate, seqLength, imWidth, imHeight)"
        )
    frames = _frames(folder, info, ini)
    if info.frame_rate is None:
        raise DatasetError(f"{ini}: frameRate missing; the frames' rate is needed for the video")
    width, height = _image_size(frames[0])
    if (info.width, info.height) not in ((None, None), (width, height)):
        raise DatasetError(
            f"{frames[0]}: {width} × {height} pixels, but {ini} says imWidth={info.width}, "
            f"imHeight={info.height}; fix seqinfo.ini"
        )
    return Sequence(name, folder, None, frames, len(frames), info.frame_rate, width, height)


def _with_video(folder: Path, name: str, info: SeqInfo, video: Path, probe: Probe) -> Sequence:
    frames, fps, width, height = probe(video)
    where = f"the sequence {name} ({folder})"
    if info.length is not None and info.length != frames:
        raise DatasetError(
            f"{where}: seqinfo.ini says seqLength={info.length} but {video.name} has {frames} "
            "frames; give the video of the whole sequence, or fix seqLength"
        )
    if (info.width, info.height) not in ((None, None), (width, height)):
        raise DatasetError(
            f"{where}: seqinfo.ini says {info.width} × {info.height} pixels but {video.name} is "
            f"{width} × {height}; fix imWidth and imHeight"
        )
    return Sequence(name, folder, video, (), frames, info.frame_rate or fps, width, height)


def _video(folder: Path, name: str) -> Path | None:
    videos = sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES
    )
    named = [p for p in videos if p.stem == name]
    if named:
        return named[0]
    if len(videos) == 1:
        return videos[0]
    if videos:
        raise DatasetError(
            f"{folder}: {len(videos)} videos ({listed([p.name for p in videos])}) and none "
            f"named {name}; keep the sequence's one video, named {name} with its extension"
        )
    return None


def _frames(folder: Path, info: SeqInfo, ini: Path) -> tuple[Path, ...]:
    where = folder / info.im_dir
    if not where.is_dir():
        raise DatasetError(
            f"{folder}: no {info.im_dir}/ folder of frames nor a video file; add one of them"
        )
    found = sorted(
        (p for p in where.iterdir() if p.suffix.lower() == info.im_ext.lower()),
        key=lambda p: (len(p.stem), p.stem),
    )
    if not found:
        raise DatasetError(f"{where}: no {info.im_ext} frames")
    for number, path in enumerate(found, 1):
        if not path.stem.isdigit() or int(path.stem) != number:
            expected = f"{number:06d}{info.im_ext}"
            raise DatasetError(
                f"{where}: frame {number} ({expected}) is missing (found {path.name} in its "
                "place); frames are numbered from 1 without gaps"
            )
    if info.length is not None and info.length != len(found):
        raise DatasetError(
            f"the sequence {info.name or folder.name} ({folder}): {ini.name} says "
            f"seqLength={info.length} but {where.name}/ holds {len(found)} frames; fix seqLength "
            "or add the missing frames"
        )
    return tuple(found)


def _image_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    try:
        with Image.open(path) as image:
            return image.width, image.height
    except Exception as exc:  # Pillow's many ways of saying the file is not an image
        raise DatasetError(f"{path}: not an image Pillow can read ({exc})") from None
