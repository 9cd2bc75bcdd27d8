/**
 * An audio field's value as the server reads it out (docs/audio.md, accord.media.audio_links),
 * and the waveform data made for it by the waveform job: the manifest, and `peaks.bin` (the
 * min and max of the mono mix, as int8 pairs, `peaks.rate` per second) turned into the two
 * arrays wavesurfer.js draws (maxima on top, minima below). Nothing here decodes audio: a
 * two-hour recording is 720,000 pairs, 1.4 MB, whatever its sample rate.
 */
import type { Json } from "../../../api/types";

export type WaveformState = "pending" | "ready" | "failed";

export interface AudioSource {
  /** The signed media link (the <audio> element streams it with Range requests). */
  src: string;
  duration: number | null;
  state: WaveformState;
  manifest: string | null;
  peaks: string | null;
  spectrogram: string | null;
  error: string | null;
}

export interface SpectrogramInfo {
  column_rate: number;
  bins: number;
  columns: number;
  max_hz: number;
  scale: string;
  floor_db: number;
}

export interface AudioManifest {
  version: number;
  duration: number;
  sample_rate: number;
  channels: number;
  peaks: { rate: number; count: number };
  spectrogram: SpectrogramInfo | null;
}

const text = (value: { [key: string]: Json | undefined }, key: string): string | null => {
  const v = value[key];
  return typeof v === "string" && v ? v : null;
};

/** The source of an audio value, or null when it is none (no src). */
export function audioSourceOf(value: Json | undefined): AudioSource | null {
  if (typeof value === "string" && value) {
    return {
      src: value,
      duration: null,
      state: "failed",
      manifest: null,
      peaks: null,
      spectrogram: null,
      error: "no waveform was made for this recording (a web address, or a reference the server does not prepare)",
    };
  }
  if (!value || typeof value !== "object" || Array.isArray(value) || typeof value.src !== "string" || !value.src) return null;
  const raw = text(value, "waveform_state");
  const state: WaveformState = raw === "ready" || raw === "failed" ? raw : "pending";
  const duration = typeof value.duration === "number" && value.duration > 0 ? value.duration : null;
  return {
    src: value.src,
    duration,
    state,
    manifest: text(value, "manifest"),
    peaks: text(value, "peaks"),
    spectrogram: text(value, "spectrogram"),
    error: text(value, "waveform_error") ?? text(value, "error"),
  };
}

/** A media link inside a chat turn (`audio` / `video`): a signed string or `{src}`. */
export function mediaSrcOf(value: Json | undefined): string | null {
  if (typeof value === "string" && value) return value;
  if (value && typeof value === "object" && !Array.isArray(value) && typeof value.src === "string" && value.src) return value.src;
  return null;
}

function check(manifest: unknown): AudioManifest {
  const m = manifest as Partial<AudioManifest> | null;
  if (!m || typeof m.duration !== "number" || !(m.duration > 0) || !m.peaks || typeof m.peaks.rate !== "number" || typeof m.peaks.count !== "number") {
    throw new Error("the waveform's manifest is not one this page can read (no duration or peaks)");
  }
  const s = m.spectrogram;
  const spectrogram = s && typeof s.bins === "number" && typeof s.column_rate === "number" && typeof s.columns === "number" ? s : null;
  return {
    version: m.version ?? 1,
    duration: m.duration,
    sample_rate: m.sample_rate ?? 0,
    channels: m.channels ?? 1,
    peaks: m.peaks,
    spectrogram,
  };
}

export async function loadAudioManifest(url: string, signal?: AbortSignal): Promise<AudioManifest> {
  const answer = await fetch(url, { signal, credentials: "same-origin" });
  if (!answer.ok) throw new Error(`the waveform's manifest could not be read (HTTP ${answer.status})`);
  return check(await answer.json());
}

/** `peaks.bin` (int8 min, max pairs) as [maxima, minima] in -1..1, wavesurfer's two channels. */
export function decodePeaks(bytes: ArrayBuffer, count: number): [Float32Array, Float32Array] {
  const view = new Int8Array(bytes);
  const n = Math.min(count, view.length >> 1);
  const top = new Float32Array(n);
  const bottom = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    bottom[i] = (view[2 * i] as number) / 127;
    top[i] = (view[2 * i + 1] as number) / 127;
  }
  return [top, bottom];
}

export async function loadPeaks(url: string, manifest: AudioManifest, signal?: AbortSignal): Promise<[Float32Array, Float32Array]> {
  const answer = await fetch(url, { signal, credentials: "same-origin" });
  if (!answer.ok) throw new Error(`the waveform's peaks could not be read (HTTP ${answer.status})`);
  return decodePeaks(await answer.arrayBuffer(), manifest.peaks.count);
}

/** Seconds snapped to the millisecond (answers hold multiples of 0.001). */
export function ms(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** "83.250 s" below a minute, else "1:23.250" (hours too: "1:02:03.004"). */
export function clock(seconds: number): string {
  const whole = Math.max(0, Math.round(seconds * 1000));
  const msPart = String(whole % 1000).padStart(3, "0");
  const s = Math.floor(whole / 1000);
  if (s < 60) return `${s}.${msPart} s`;
  const sec = String(s % 60).padStart(2, "0");
  const min = Math.floor(s / 60);
  if (min < 60) return `${min}:${sec}.${msPart}`;
  return `${Math.floor(min / 60)}:${String(min % 60).padStart(2, "0")}:${sec}.${msPart}`;
}
