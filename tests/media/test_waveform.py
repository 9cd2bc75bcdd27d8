"""Waveform peaks and mel spectrograms (`accord.media.waveform`) of generated tones, and the
audio probe (`accord.media.audio`): formats, metadata, refusals."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
import pytest

from accord.media.audio import AudioLimits, BadAudio, decoded, probe_path
from accord.media.waveform import BINS, FLOOR_DB, _mel, mel_filters, write_waveform
from tests.media.audio_samples import RATE, have_tools, make_speech, make_tone, tone

pytestmark = pytest.mark.skipif(not have_tools(), reason="needs ffmpeg and espeak-ng")


def waveform(samples: np.ndarray, rate: int, block: int = 4096) -> tuple[dict, bytes, bytes]:
    """The manifest, peaks and spectrogram of a mono signal fed in blocks of ``block``."""
    peaks, spectrogram = io.BytesIO(), io.BytesIO()
    blocks = (samples[i : i + block].astype(np.float32) for i in range(0, len(samples), block))
    manifest = write_waveform(blocks, rate, 1, peaks, spectrogram, gather=1)
    return manifest, peaks.getvalue(), spectrogram.getvalue()


def mel_bin(frequency: float, max_hz: float) -> int:
    """The mel bin whose centre is nearest ``frequency`` (the filters of the module)."""
    centres = np.linspace(0.0, float(_mel(max_hz)), BINS + 2)[1:-1]
    return int(np.argmin(np.abs(centres - _mel(frequency))))


@pytest.mark.parametrize("seconds", [1.0, 1.234, 0.005])
def test_peaks_of_a_tone(seconds: float) -> None:
    samples = tone(seconds, amplitude=0.5)[:, 0]
    manifest, peaks, _ = waveform(samples, RATE)
    count = math.ceil(len(samples) * 100 / RATE)
    assert count == math.ceil(round(seconds * RATE) / RATE * 100)
    assert manifest["peaks"] == {"rate": 100, "count": count}
    assert len(peaks) == 2 * count
    pairs = np.frombuffer(peaks, dtype=np.int8).reshape(count, 2)
    whole = pairs[: len(samples) // (RATE // 100)]  # buckets holding whole periods
    assert np.all(whole[:, 0] == -64) and np.all(whole[:, 1] == 64)  # 0.5 * 127, rounded
    assert manifest["duration"] == round(len(samples) / RATE, 6)


def test_peaks_follow_the_buckets_exactly_whatever_the_blocks() -> None:
    """Bucket i holds samples [i*sr/100, (i+1)*sr/100), also when sr/100 is not whole."""
    rate = 22_050  # 220.5 samples a bucket
    rng = np.random.default_rng(7)
    samples = rng.uniform(-1, 1, rate * 2 + 333).astype(np.float32)
    results = [waveform(samples, rate, block) for block in (1, 97, 4096, len(samples))]
    first = results[0]
    for other in results[1:]:
        assert other[0] == first[0] and other[1] == first[1] and other[2] == first[2]
    pairs = np.frombuffer(first[1], dtype=np.int8).reshape(-1, 2)
    for i in (0, 1, 2, 77, len(pairs) - 1):
        start, end = math.ceil(i * rate / 100), min(math.ceil((i + 1) * rate / 100), len(samples))
        chunk = samples[start:end]
        assert pairs[i, 0] == np.clip(np.round(chunk.min() * 127), -127, 127)
        assert pairs[i, 1] == np.clip(np.round(chunk.max() * 127), -127, 127)


@pytest.mark.parametrize("rate", [16_000, 44_100, 48_000])
def test_a_1khz_tone_peaks_in_its_mel_bin(rate: int) -> None:
    samples = tone(2.0, frequency=1000.0, amplitude=1.0, rate=rate)[:, 0]
    manifest, _, spectrogram = waveform(samples, rate)
    spec = manifest["spectrogram"]
    assert spec["column_rate"] == 50 and spec["bins"] == BINS and spec["scale"] == "mel"
    assert spec["floor_db"] == FLOOR_DB and spec["max_hz"] == rate / 2
    assert spec["columns"] == 100 and len(spectrogram) == 100 * BINS
    columns = np.frombuffer(spectrogram, dtype=np.uint8).reshape(spec["columns"], BINS)
    inside = columns[2:-2]  # whole windows of tone
    expected = mel_bin(1000.0, rate / 2)
    assert set(np.argmax(inside, axis=1).tolist()) == {expected}
    assert inside[:, expected].min() >= 250  # a full-scale sine reads about 0 dB
    assert inside[:, : expected - 8].max() < inside[:, expected].min() - 60


def test_silence_is_the_floor_and_the_filters_cover_every_bin() -> None:
    _, _, spectrogram = waveform(np.zeros(RATE, dtype=np.float32), RATE)
    assert set(spectrogram) == {0}
    filters = mel_filters(48_000, 2048, BINS, 24_000)
    assert filters.shape == (1025, BINS) and np.all(filters.sum(axis=0) > 0)


@pytest.mark.parametrize(
    ("name", "container", "codec"),
    [
        ("tone.wav", "wav", "pcm_s16le"),
        ("tone.mp3", "mp3", "mp3"),
        ("tone.ogg", "ogg", "opus"),
        ("tone.flac", "flac", "flac"),
        ("tone.m4a", "mp4", "aac"),
        ("tone.webm", "matroska", "opus"),
    ],
)
def test_probe_reads_each_format(tmp_path: Path, name: str, container: str, codec: str) -> None:
    path = make_tone(tmp_path / name, 1.5, channels=2)
    info = probe_path(path, name)
    assert (info.container, info.codec, info.channels) == (container, codec, 2)
    assert info.sample_rate in (16_000, 48_000)  # Opus decodes at 48 kHz
    assert info.duration == pytest.approx(1.5, abs=0.08)  # encoders pad a frame


@pytest.mark.parametrize("channels", [2, 8, 12])
def test_decoding_mixes_the_channels(tmp_path: Path, channels: int) -> None:
    """The mean of the channels (0.8, 0.4, 0.27, ...); 8 and more channels without a named
    layout once crashed PyAV's planar conversion (the process died)."""
    path = make_tone(tmp_path / "many.wav", 0.5, channels=channels, amplitude=0.8)
    with path.open("rb") as file:
        found = decoded(file, "many.wav")
        signal = np.concatenate(list(found.blocks))
    assert (found.sample_rate, found.channels, len(signal)) == (RATE, channels, RATE // 2)
    expected = 0.8 * sum(1 / (c + 1) for c in range(channels)) / channels
    assert float(np.abs(signal).max()) == pytest.approx(expected, abs=0.002)


def test_speech_probes(tmp_path: Path) -> None:
    info = probe_path(make_speech(tmp_path / "speech.wav"), "speech.wav")
    assert info.sample_rate == 22_050 and info.channels == 1 and 1.0 < info.duration < 10.0


def test_refusals_say_what_and_what_to_do(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(BadAudio, match=r"empty\.wav: the file is empty \(0 bytes\)"):
        probe_path(empty, "empty.wav")
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(b"this is not a recording at all")
    with pytest.raises(BadAudio, match=r"not a WAV, FLAC.*ffmpeg -i input"):
        probe_path(junk, "junk.mp3")
    good = make_tone(tmp_path / "t.wav", 1.0).read_bytes()
    cut = tmp_path / "cut.wav"
    cut.write_bytes(good[:44])  # the header only: no samples
    with pytest.raises(BadAudio, match=r"cut\.wav: .*(no sound|cannot be read)"):
        probe_path(cut, "cut.wav")
    long = make_tone(tmp_path / "long.wav", 3.0)
    with pytest.raises(BadAudio, match="ACCORD_AUDIO_MAX_SECONDS"):
        probe_path(long, "long.wav", AudioLimits(max_seconds=2.0))
    with pytest.raises(BadAudio, match=r"3 channels; 1\.\.2 are accepted"):
        probe_path(
            make_tone(tmp_path / "c.wav", 0.2, channels=3), "c.wav", AudioLimits(max_channels=2)
        )
