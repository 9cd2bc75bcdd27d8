"""The waveform job's work on a long recording: decoding, peaks and mel spectrogram.

    python -m bench.audio_waveform [--seconds 7200] [--runs 3] [--format mp3]

Data (made once, not timed, by Debian's ``ffmpeg``): a recording of ``--seconds`` (2 hours
by default), 44,100 Hz stereo: a 440 Hz tone under pink noise in the left channel, a slow
sine sweep in the right, encoded as MP3 at 128 kbit/s (``--format wav``: 16-bit PCM WAV).

Each run, in this process: `accord.media.audio.decoded` (PyAV) feeding
`accord.media.waveform.write_waveform` (peaks at 100 a second, 128-bin mel spectrogram at 50
columns a second), writing peaks.bin and spectrogram.bin to temporary files: exactly what the
``waveform`` job does for one recording once it is copied to the worker (the copy and the
storage's upload are left out). Printed: the median time of the runs with their min-max, the
real-time factor (processing time / recording duration) and its inverse (times faster than
real time), the process's peak resident memory, and the sizes written.

Outside reference: ``ffmpeg -v error -threads 1 -i file -f null -`` (decoding only, FFmpeg's
own program; the same decoder PyAV calls), median of the same number of runs. The difference
is roughly the cost of the peaks and the spectrogram plus the Python per-block overhead.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from accord.media.audio import AudioLimits, decoded
from accord.media.waveform import write_waveform
from bench.machine import load_average, machine


def make_recording(folder: Path, seconds: float, fmt: str) -> Path:
    path = folder / f"long.{fmt}"
    sources = (
        f"sine=frequency=440:sample_rate=44100:duration={seconds}",
        f"anoisesrc=color=pink:sample_rate=44100:amplitude=0.2:duration={seconds}",
        f"aevalsrc=0.4*sin(2*PI*(200+100*t/60)*t):s=44100:d={seconds}",
    )
    command = ["ffmpeg", "-v", "error", "-y"]
    for source in sources:
        command += ["-f", "lavfi", "-i", source]
    command += [
        "-filter_complex",
        "[0][1]amix=inputs=2:normalize=0[left];[left][2]join=inputs=2:channel_layout=stereo",
    ]
    command += ["-c:a", "libmp3lame", "-b:a", "128k"] if fmt == "mp3" else ["-c:a", "pcm_s16le"]
    subprocess.run([*command, str(path)], check=True)
    return path


def one_run(path: Path, folder: Path) -> tuple[float, dict[str, object], int, int]:
    start = time.perf_counter()
    with (
        path.open("rb") as audio,
        (folder / "peaks.bin").open("wb") as peaks,
        (folder / "spectrogram.bin").open("wb") as spectrogram,
    ):
        found = decoded(audio, path.name, AudioLimits(max_seconds=10 * 3600, seconds=36_000))
        manifest = write_waveform(
            found.blocks, found.sample_rate, found.channels, peaks, spectrogram
        )
    took = time.perf_counter() - start
    sizes = (folder / "peaks.bin").stat().st_size, (folder / "spectrogram.bin").stat().st_size
    return took, manifest, *sizes


def ffmpeg_decode(path: Path) -> float:
    start = time.perf_counter()
    command = ["ffmpeg", "-v", "error", "-threads", "1", "-i", str(path), "-f", "null", "-"]
    subprocess.run(command, check=True)
    return time.perf_counter() - start


def spread(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} s ({min(times):.2f}-{max(times):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=7200.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--format", choices=("mp3", "wav"), default="mp3")
    args = parser.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory(prefix="bench-audio-") as name:
        folder = Path(name)
        made = time.perf_counter()
        path = make_recording(folder, args.seconds, args.format)
        print(
            f"data: {args.seconds:,.0f} s, 44,100 Hz stereo {args.format}, "
            f"{path.stat().st_size / 1e6:,.1f} MB (made in {time.perf_counter() - made:.0f} s)"
        )
        ours: list[float] = []
        for run in range(args.runs):
            took, manifest, peaks, spectrogram = one_run(path, folder)
            ours.append(took)
            print(
                f"  run {run + 1}: {took:.2f} s; duration {manifest['duration']} s, "
                f"peaks {peaks / 1e6:.2f} MB, spectrogram {spectrogram / 1e6:.1f} MB"
            )
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        reference = [ffmpeg_decode(path) for _ in range(args.runs)]
    median = statistics.median(ours)
    print(
        f"accord waveform data: {spread(ours)}; real-time factor {median / args.seconds:.5f} "
        f"({args.seconds / median:,.0f}x real time); peak RSS of this process {peak_mb:,.0f} MB"
    )
    ref = statistics.median(reference)
    print(
        f"ffmpeg -f null decode (reference): {spread(reference)}; real-time factor "
        f"{ref / args.seconds:.5f} ({args.seconds / ref:,.0f}x real time); accord / ffmpeg "
        f"{median / ref:.2f}"
    )
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
