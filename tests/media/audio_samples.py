"""Test recordings, generated: tones made with numpy (written as WAV by the standard
library), encoded to MP3, Ogg/Opus, FLAC, M4A or WebM by Debian's ``ffmpeg``, and speech
spoken by ``espeak-ng`` (``apt-get install -y espeak-ng sox ffmpeg``; ``make browser``
installs them)."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np

RATE = 16_000
SPOKEN = "the quick brown fox jumps over the lazy dog"


def have_tools() -> bool:
    return all(shutil.which(tool) for tool in ("ffmpeg", "espeak-ng"))


def tone(
    seconds: float,
    frequency: float = 1000.0,
    amplitude: float = 0.5,
    rate: int = RATE,
    channels: int = 1,
) -> np.ndarray:
    """A sine (samples × channels, float in [-1, 1]); channel c at ``amplitude / (c + 1)``."""
    t = np.arange(round(seconds * rate)) / rate
    wave_ = np.sin(2 * np.pi * frequency * t)
    return np.stack([wave_ * amplitude / (c + 1) for c in range(channels)], axis=1)


def write_wav(path: Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """``samples`` (samples × channels, or 1-D) as 16-bit PCM WAV."""
    block = samples.reshape(samples.shape[0], -1)
    pcm = np.clip(np.round(block * 32767), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(block.shape[1])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


ENCODERS = {
    ".mp3": ["-c:a", "libmp3lame", "-b:a", "64k"],
    ".ogg": ["-c:a", "libopus", "-b:a", "32k"],
    ".opus": ["-c:a", "libopus", "-b:a", "32k"],
    ".flac": ["-c:a", "flac"],
    ".m4a": ["-c:a", "aac", "-b:a", "64k"],
    ".webm": ["-c:a", "libopus", "-b:a", "32k"],
}


def encode(source: Path, path: Path) -> Path:
    """``source`` (any audio ffmpeg reads) encoded by its extension (`ENCODERS`)."""
    command = ["ffmpeg", "-v", "error", "-y", "-i", str(source), *ENCODERS[path.suffix], str(path)]
    subprocess.run(command, check=True)
    return path


def make_tone(path: Path, seconds: float, **options: float) -> Path:
    """A tone (see `tone`) as ``path``, WAV or encoded by its extension."""
    channels = int(options.pop("channels", 1))
    rate = int(options.pop("rate", RATE))
    samples = tone(seconds, rate=rate, channels=channels, **options)
    if path.suffix == ".wav":
        return write_wav(path, samples, rate)
    wav = write_wav(path.with_suffix(".source.wav"), samples, rate)
    return encode(wav, path)


def make_speech(path: Path, words: str = SPOKEN) -> Path:
    """``words`` spoken by espeak-ng (a WAV at its own rate, 22,050 Hz)."""
    subprocess.run(["espeak-ng", "-w", str(path), words], check=True)
    return path
