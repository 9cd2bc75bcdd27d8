"""A recording's waveform peaks and mel spectrogram, computed once for the browser's player
(docs/audio.md, "Waveform data").

Each recording a project's audio fields reference gets a folder in Accord's storage,
``media/waveforms/projects/{project_id}/{sha256 of the reference}/`` (`waveform_prefix`):

- ``peaks.bin``: ``count`` pairs of int8 ``(min, max)``, one per 1/``rate`` seconds of the
  mono mix (the mean of the channels), full scale ±127. Bucket i holds the samples
  ``[i*sr/rate, (i+1)*sr/rate)``, so ``count = ceil(samples * rate / sr)``.
- ``spectrogram.bin``: ``columns`` columns of ``bins`` uint8 each, one after the other (column
  c at byte offset ``c * bins``), bin 0 the lowest frequency. Column c is the power, on a mel
  scale (HTK mel, triangular filters) from 0 Hz to ``max_hz`` (the Nyquist frequency), of a
  Hann window of `fft_size` samples centred on the middle of its time span,
  ``[c/column_rate, (c+1)/column_rate)`` s (the signal is taken as silent beyond its ends);
  hop ``sr / column_rate``. Power is relative to full scale (a full-scale sine reads about
  0 dB in its bin); value ``= clip((dB - floor_db) / -floor_db, 0, 1) * 255``.
- ``manifest.json`` (written last: its presence means the data is ready), e.g.
  ``{"version": 1, "duration": 12.5, "sample_rate": 48000, "channels": 2,
  "peaks": {"rate": 100, "count": 1250}, "spectrogram": {"column_rate": 50, "bins": 128,
  "columns": 625, "max_hz": 24000.0, "scale": "mel", "floor_db": -100}}``;
- ``error.json`` instead, when the recording could not be decoded: ``{"error": "why"}``.

Both are computed block by block as the decoder gives the signal (`WaveformWriter`): memory
stays a few blocks whatever the recording's length.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any

import numpy as np
import orjson

from accord.media.audio import AudioLimits, bad, decoded
from accord.media.derived_links import failure_at, record_failure_at, source_digest
from accord.media.storage import Storage

WAVEFORMS = "media/waveforms/projects/"
MANIFEST = "manifest.json"
PEAKS = "peaks.bin"
SPECTROGRAM = "spectrogram.bin"
ERROR = "error.json"
VERSION = 1
PEAK_RATE = 100  # peak buckets a second
COLUMN_RATE = 50  # spectrogram columns a second
BINS = 128  # mel bins a column
FLOOR_DB = -100
COLUMNS_AT_ONCE = 512  # spectrogram columns transformed together
GATHER = 65_536  # samples fed at a time


def waveform_prefix(project_id: int, src: str) -> str:
    """The folder of the waveform data of the recording at ``src`` for the project."""
    digest = source_digest(src)
    return f"{WAVEFORMS}{int(project_id)}/{digest}/"


def manifest_key(project_id: int, src: str) -> str:
    return waveform_prefix(project_id, src) + MANIFEST


def peaks_key(project_id: int, src: str) -> str:
    return waveform_prefix(project_id, src) + PEAKS


def spectrogram_key(project_id: int, src: str) -> str:
    return waveform_prefix(project_id, src) + SPECTROGRAM


def error_key(project_id: int, src: str) -> str:
    return waveform_prefix(project_id, src) + ERROR


def fft_size(sample_rate: int, column_rate: int = COLUMN_RATE) -> int:
    """The window length: the power of two at least twice the hop."""
    return 1 << max(6, math.ceil(math.log2(2 * sample_rate / column_rate)))


def _mel(hz: np.ndarray | float) -> Any:
    return 2595.0 * np.log10(1.0 + np.asarray(hz) / 700.0)


def _hz(mel: np.ndarray) -> np.ndarray:
    return np.asarray(700.0 * (10.0 ** (mel / 2595.0) - 1.0))


def mel_filters(sample_rate: int, size: int, bins: int, max_hz: float) -> np.ndarray:
    """``(size // 2 + 1, bins)`` triangular filters, peak 1, on the HTK mel scale from 0 Hz
    to ``max_hz``. A filter narrower than the FFT's bins takes the bin nearest its centre."""
    freqs = np.fft.rfftfreq(size, 1.0 / sample_rate)
    edges = _hz(np.linspace(0.0, float(_mel(max_hz)), bins + 2))
    low, centre, high = edges[:-2], edges[1:-1], edges[2:]
    rising = (freqs[:, None] - low[None, :]) / (centre - low)[None, :]
    falling = (high[None, :] - freqs[:, None]) / (high - centre)[None, :]
    weights: np.ndarray = np.clip(np.minimum(rising, falling), 0.0, None)
    for b in np.flatnonzero(weights.sum(axis=0) == 0):
        weights[int(np.argmin(np.abs(freqs - centre[b]))), b] = 1.0
    return weights.astype(np.float32)


class _Peaks:
    """Min and max of each bucket, fed block by block."""

    def __init__(self, out: IO[bytes], sample_rate: int, rate: int) -> None:
        self.out = out
        self.sr = sample_rate
        self.rate = rate
        self.done = 0  # samples seen
        self.pending: tuple[int, float, float] | None = None  # the bucket still open
        self.count = 0

    def _start(self, bucket: np.ndarray) -> np.ndarray:
        """The first sample of each bucket: ceil(i * sr / rate)."""
        return np.asarray((bucket * self.sr + self.rate - 1) // self.rate)

    def feed(self, block: np.ndarray) -> None:
        n = block.shape[0]
        if n == 0:
            return
        first = self.done * self.rate // self.sr
        last = (self.done + n - 1) * self.rate // self.sr
        buckets = np.arange(first, last + 1, dtype=np.int64)
        starts = np.maximum(self._start(buckets) - self.done, 0)
        low = np.minimum.reduceat(block, starts)
        high = np.maximum.reduceat(block, starts)
        if self.pending is not None and self.pending[0] == first:
            low[0] = min(low[0], self.pending[1])
            high[0] = max(high[0], self.pending[2])
        elif self.pending is not None:
            self._write(np.array([self.pending[1]]), np.array([self.pending[2]]))
        self._write(low[:-1], high[:-1])
        self.pending = (int(last), float(low[-1]), float(high[-1]))
        self.done += n

    def _write(self, low: np.ndarray, high: np.ndarray) -> None:
        if low.shape[0] == 0:
            return
        pairs = np.empty((low.shape[0], 2), dtype=np.int8)
        pairs[:, 0] = np.clip(np.round(low * 127.0), -127, 127)
        pairs[:, 1] = np.clip(np.round(high * 127.0), -127, 127)
        self.out.write(pairs.tobytes())
        self.count += low.shape[0]

    def close(self) -> None:
        if self.pending is not None:
            self._write(np.array([self.pending[1]]), np.array([self.pending[2]]))
            self.pending = None


class _Spectrogram:
    """Mel spectrogram columns, fed block by block: the samples not yet needed by a column
    are dropped as the columns are written."""

    def __init__(self, out: IO[bytes], sample_rate: int, column_rate: int, bins: int) -> None:
        self.out = out
        self.sr = sample_rate
        self.column_rate = column_rate
        self.bins = bins
        self.size = fft_size(sample_rate, column_rate)
        self.max_hz = sample_rate / 2.0
        self.window = np.hanning(self.size + 2)[1:-1].astype(np.float32)  # no zero ends
        self.scale = float(self.window.sum() / 2.0)
        self.filters = mel_filters(sample_rate, self.size, bins, self.max_hz)
        self.half = self.size // 2
        self.buffer = np.zeros(self.half, dtype=np.float32)  # silence before the start
        self.offset = -self.half  # the sample index of buffer[0]
        self.columns = 0
        self.samples = 0

    def _window_start(self, column: np.ndarray) -> np.ndarray:
        """Each column's first window sample: the middle of its span, less half a window."""
        return np.asarray((((2 * column + 1) * self.sr) // (2 * self.column_rate)) - self.half)

    def feed(self, block: np.ndarray) -> None:
        self.samples += block.shape[0]
        self.buffer = np.concatenate([self.buffer, block.astype(np.float32, copy=False)])
        self._flush(final=False)

    def close(self) -> None:
        wanted = -(-self.samples * self.column_rate // self.sr)  # ceil
        last = int(self._window_start(np.array([max(wanted - 1, 0)]))[0]) + self.size
        missing = last - (self.offset + self.buffer.shape[0])
        if missing > 0:
            self.buffer = np.concatenate([self.buffer, np.zeros(missing, dtype=np.float32)])
        self._flush(final=True, wanted=wanted)

    def _flush(self, final: bool, wanted: int | None = None) -> None:
        end = self.offset + self.buffer.shape[0]
        while True:
            columns = np.arange(self.columns, self.columns + COLUMNS_AT_ONCE, dtype=np.int64)
            if wanted is not None:
                columns = columns[columns < wanted]
            starts = self._window_start(columns)
            columns = columns[starts + self.size <= end]
            if columns.shape[0] == 0:
                break
            self._write(starts[: columns.shape[0]] - self.offset)
            self.columns += columns.shape[0]
        keep = int(self._window_start(np.array([self.columns]))[0]) - self.offset
        if keep > 0 and not final:
            self.buffer = self.buffer[keep:]
            self.offset += keep

    def _write(self, starts: np.ndarray) -> None:
        frames = self.buffer[starts[:, None] + np.arange(self.size)[None, :]] * self.window
        spectrum = np.fft.rfft(frames, axis=1) / self.scale
        power = (spectrum.real**2 + spectrum.imag**2).astype(np.float32)
        mel = power @ self.filters
        db = 10.0 * np.log10(np.maximum(mel, 1e-30))
        value = np.clip((db - FLOOR_DB) / -FLOOR_DB, 0.0, 1.0) * 255.0
        self.out.write(np.round(value).astype(np.uint8).tobytes())


def _gathered(blocks: Iterable[np.ndarray], gather: int) -> Iterator[np.ndarray]:
    """The blocks joined into blocks of at least ``gather`` samples (a decoder's frames are a
    thousand or so: the work per block would cost more than the work per sample)."""
    waiting: list[np.ndarray] = []
    count = 0
    for block in blocks:
        waiting.append(block)
        count += block.shape[0]
        if count >= gather:
            yield np.concatenate(waiting)
            waiting, count = [], 0
    if waiting:
        yield np.concatenate(waiting)


def write_waveform(
    blocks: Iterable[np.ndarray],
    sample_rate: int,
    channels: int,
    peaks: IO[bytes],
    spectrogram: IO[bytes],
    progress: Callable[[float], None] | None = None,
    gather: int = GATHER,
) -> dict[str, Any]:
    """Write the peaks and the spectrogram of the mono signal in ``blocks`` (worked on
    ``gather`` samples or more at a time); the manifest."""
    peak = _Peaks(peaks, sample_rate, PEAK_RATE)
    spec = _Spectrogram(spectrogram, sample_rate, COLUMN_RATE, BINS)
    reported = 0.0
    for block in _gathered(blocks, gather):
        peak.feed(block)
        spec.feed(block)
        seconds = peak.done / sample_rate
        if progress is not None and seconds - reported >= 60.0:
            reported = seconds
            progress(seconds)
    peak.close()
    spec.close()
    return {
        "version": VERSION,
        "duration": round(peak.done / sample_rate, 6),
        "sample_rate": sample_rate,
        "channels": channels,
        "peaks": {"rate": PEAK_RATE, "count": peak.count},
        "spectrogram": {
            "column_rate": COLUMN_RATE,
            "bins": BINS,
            "columns": spec.columns,
            "max_hz": spec.max_hz,
            "scale": "mel",
            "floor_db": FLOOR_DB,
        },
    }


def make_waveform(
    storage: Storage,
    project_id: int,
    src: str,
    audio: IO[bytes],
    limits: AudioLimits,
    progress: Callable[[float], None] | None = None,
) -> dict[str, Any]:
    """Decode the recording in ``audio`` (binary, seekable) and store its peaks, spectrogram
    and manifest (an earlier error.json removed); the manifest. `BadAudio` if it cannot be
    decoded (nothing is left behind then: the caller records the error)."""
    found = decoded(audio, src, limits)
    peaks, spectrogram = peaks_key(project_id, src), spectrogram_key(project_id, src)
    with storage.writer(peaks) as peaks_out, storage.writer(spectrogram) as spec_out:
        manifest = write_waveform(
            found.blocks, found.sample_rate, found.channels, peaks_out, spec_out, progress
        )
    if not manifest["peaks"]["count"]:
        storage.delete(peaks)
        storage.delete(spectrogram)
        raise bad(src, "it holds no sound (no sample could be decoded)", "export it again")
    storage.delete(error_key(project_id, src))
    storage.write_bytes(manifest_key(project_id, src), orjson.dumps(manifest))
    return manifest


def record_failure(storage: Storage, project_id: int, src: str, message: str) -> None:
    record_failure_at(storage, error_key(project_id, src), message)


def failure_of(storage: Storage, project_id: int, src: str) -> str | None:
    """Why the waveform data of ``src`` could not be made, if that is what happened."""
    return failure_at(storage, error_key(project_id, src), "the recording could not be decoded")
