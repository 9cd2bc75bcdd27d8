"""Test videos whose frames carry their own number in their pixels.

Each frame shows a 16-bit code (its number) as a 4 × 4 grid of black or white blocks, bit 0
at the top left, row by row, over a grey background; compression leaves blocks that big
unmistakable. `frame_number` reads it back from RGB pixels. The frames are piped as raw
video to Debian's ``ffmpeg`` (apt package ``ffmpeg``), which encodes them.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import numpy as np

WIDTH, HEIGHT = 320, 240
GRID = 4  # blocks a side
BLOCK = 40  # pixels a block side
LEFT, TOP = (WIDTH - GRID * BLOCK) // 2, (HEIGHT - GRID * BLOCK) // 2


def have_ffmpeg() -> bool:
    return shutil.which("ffmpeg") is not None and shutil.which("ffprobe") is not None


def coded_frame(number: int, width: int = WIDTH, height: int = HEIGHT) -> np.ndarray:
    """An RGB frame showing ``number`` (0..65535) as blocks."""
    frame = np.full((height, width, 3), 128, dtype=np.uint8)
    left, top = (width - GRID * BLOCK) // 2, (height - GRID * BLOCK) // 2
    for bit in range(16):
        row, col = divmod(bit, GRID)
        value = 255 if (number >> bit) & 1 else 0
        y, x = top + row * BLOCK, left + col * BLOCK
        frame[y : y + BLOCK, x : x + BLOCK] = value
    return frame


def frame_number(pixels: np.ndarray) -> int:
    """The number a frame made by `coded_frame` shows (RGB or RGBA, any size it was made at)."""
    height, width = pixels.shape[:2]
    left, top = (width - GRID * BLOCK) // 2, (height - GRID * BLOCK) // 2
    number = 0
    for bit in range(16):
        row, col = divmod(bit, GRID)
        y, x = top + row * BLOCK + BLOCK // 4, left + col * BLOCK + BLOCK // 4
        patch = pixels[y : y + BLOCK // 2, x : x + BLOCK // 2, :3]
        if float(patch.mean()) > 128:
            number |= 1 << bit
    return number


ENCODERS = {
    "h264": ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p"],
    "vp9": ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-b:v", "300k"],
}


def make_video(
    path: Path,
    frames: int,
    *,
    codec: str = "h264",
    fps: int = 25,
    variable: bool = False,
    rotate: int | None = None,
) -> Path:
    """Encode ``frames`` coded frames into ``path`` (.mp4 or .webm). ``variable``: the
    frames' timestamps are irregular (every third frame 17 ms late, every seventh shown
    for three frame times), written as they are (``-fps_mode passthrough``)."""
    command = ["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24"]
    command += ["-s", f"{WIDTH}x{HEIGHT}", "-r", str(fps), "-i", "-"]
    if variable:
        # A frame's time: its number's slot, every 7th frame shifting all later ones by two
        # slots, every 3rd 17 ms late (timestamps in 1/1000 s, the MP4 track's timescale).
        expression = f"(N+2*floor(N/7))/{fps}/TB+if(eq(mod(N,3),1),0.017/TB,0)"
        command += ["-vf", f"setpts='{expression}'", "-fps_mode", "passthrough"]
        command += ["-video_track_timescale", "1000"]
    command += ENCODERS[codec]
    command += [str(path)]
    process = subprocess.Popen(command, stdin=subprocess.PIPE)
    assert process.stdin is not None
    for number in range(frames):
        process.stdin.write(coded_frame(number).tobytes())
    process.stdin.close()
    assert process.wait(timeout=300) == 0, f"ffmpeg failed on {path}"
    if rotate is not None:
        rotate_mp4(path, rotate)
    return path


# The display matrix (a b u / c d v / x y w; a–d in 16.16 fixed point) that turns the stored
# picture clockwise by the key's degrees, as phones write it: ffmpeg reports it as a rotation
# of minus that (its display-matrix convention, counter-clockwise) and turns the picture clockwise.
MATRICES = {90: (0, 1, -1, 0), 180: (-1, 0, 0, -1), 270: (0, -1, 1, 0)}


def rotate_mp4(path: Path, degrees: int) -> None:
    """Write the rotation into the MP4's video track header (``tkhd``) in place. Debian's
    ffmpeg 5.1 no longer writes one (``-metadata rotate`` is ignored and ``-display_rotation``
    came in 6.0), so the header's matrix is set here, as a phone's camera sets it."""
    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    assert at > 0, f"{path}: no track header"
    version = data[at + 4]
    # version and flags (4), times and ids (20, or 32 in version 1), reserved (8), layer,
    # alternate group, volume, reserved (8): then the matrix's 9 numbers.
    matrix = at + 4 + 4 + (32 if version == 1 else 20) + 8 + 8
    a, b, c, d = MATRICES[degrees]
    values = [a << 16, b << 16, 0, c << 16, d << 16, 0, 0, 0, 1 << 30]
    struct.pack_into(">9I", data, matrix, *(v & 0xFFFFFFFF for v in values))
    path.write_bytes(data)


def ffprobe_times(path: Path) -> list[float]:
    """Each decoded frame's presentation time (s, from the first), as ffprobe reports it."""
    out = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "frame=pts_time,best_effort_timestamp_time",
            "-of",
            "csv=p=0",
            str(path),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    times: list[float] = []
    for line in out.split():
        values = [v for v in line.split(",") if v and v != "N/A"]
        times.append(float(values[0]))
    return [round(t - times[0], 6) for t in times]
