/**
 * An audio field (docs/audio.md, "In the browser"): the waveform (wavesurfer.js drawing the
 * waveform job's precomputed peaks; nothing is decoded in the browser), the spectrogram of the
 * visible window under it (spectrogram.ts), and the recording itself streamed by an <audio>
 * element from the signed link (Range requests: a two-hour file starts at once).
 *
 * Keys, the player focused: Space play / pause (also anywhere on the page but a text box or
 * another control, for the player used last), ← / → one second back / on, Shift+← / Shift+→
 * 0.1 s, `,` / `.` 10 ms, Home / End the start / end, `-` / `+` slower / faster (0.5× to 2×),
 * Z / Shift+Z zoom in / out. Mouse: click the waveform to go there, the scrubber under it to
 * seek anywhere, the wheel to scroll a zoomed waveform (Ctrl+wheel zooms). Zoomed, the
 * waveform turns the page as the playhead nears its right edge (follow.ts), but not while the
 * waveform is dragged or after a scroll by hand. The playhead, duration and zoom are shared
 * with the questions drawn with the player through `AudioLink`.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type PointerEvent, type ReactNode } from "react";
import { WaveSurfer } from "./waveSurfer";
import type { FieldSpec } from "../../../editor/interface";
import { titleOf } from "../../../editor/interface";
import { Kbd } from "../../../ui/Kbd";
import { isTypingTarget, type FieldProps } from "../../types";
import { useUiState } from "../../uiState";
import { usedPlayer, useSpaceKey } from "../spaceKey";
import { audioLink, timeAtX, type AudioLink, type View } from "./link";
import { audioSourceOf, clock, loadAudioManifest, loadPeaks, type AudioManifest, type AudioSource } from "./source";
import { Spectrogram } from "./SpectrogramView";
import { PlayheadFollower } from "./follow";
import "../../../styles/video.css"; // the players' frame
import "../../../styles/audio.css";

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 2];
export const WAVE_HEIGHT = 80;
export const SPECTROGRAM_HEIGHT = 96;
/** The closest zoom: this many pixels a second (the peaks have 100 values a second). */
const MAX_PX_PER_SEC = 1600;

interface Linked {
  /** Share the playhead, duration and view (the segments and transcript questions do). */
  link?: AudioLink;
  /** Drawn over the waveform and spectrogram, instead of the default click-to-seek layer. */
  overlay?: ReactNode;
  /** Drawn under the controls, inside the player (keys there reach the player's keys). */
  below?: ReactNode;
}

export function AudioPlayer({ field, value, link, overlay, below }: FieldProps<FieldSpec> & Linked) {
  const source = audioSourceOf(value);
  if (!source) return <p className="audio-problem muted">No recording to play in “{titleOf(field)}” (expected a link, or {"{src, ...}"}).</p>;
  if (source.state !== "ready" || !source.manifest || !source.peaks) {
    const pending = source.state === "pending";
    return (
      <div className="audio-problem-box" data-audio-field={field.name} data-waveform-state={pending ? "pending" : "failed"}>
        <p className={pending ? "audio-problem" : "audio-problem audio-failed"}>
          {pending
            ? "The waveform of this recording is being prepared (the waveform job). You can listen meanwhile; reload the task in a moment to mark it."
            : `This recording has no waveform: ${source.error ?? "its waveform data is missing"}. A manager can run the waveform job again once the file is fixed.`}
        </p>
        <audio controls preload="metadata" src={source.src} aria-label={`Recording ${titleOf(field)}`} />
      </div>
    );
  }
  return <WavePlayer field={field} source={source} link={link} overlay={overlay} below={below} />;
}

interface Loaded {
  manifest: AudioManifest;
  peaks: [Float32Array, Float32Array];
}

function WavePlayer({ field, source, link, overlay, below }: { field: FieldSpec; source: AudioSource } & Linked) {
  const root = useRef<HTMLDivElement>(null);
  const waveBox = useRef<HTMLDivElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const audio = useRef<HTMLAudioElement>(null);
  const surfer = useRef<WaveSurfer | null>(null);
  const [own] = useState(audioLink);
  const shared = link ?? own;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [drawn, setDrawn] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [zoom, setZoom] = useState(1);
  const [follower] = useState(() => new PlayheadFollower());
  const playing = useUiState(shared.playing);
  const duration = loaded?.manifest.duration ?? 0;

  useEffect(() => {
    const abort = new AbortController();
    const peaksUrl = source.peaks as string;
    loadAudioManifest(source.manifest as string, abort.signal)
      .then(async (manifest) => {
        const peaks = await loadPeaks(peaksUrl, manifest, abort.signal);
        shared.duration.set(manifest.duration);
        setLoaded({ manifest, peaks });
      })
      .catch((e: unknown) => abort.signal.aborted || setError(e instanceof Error ? e.message : String(e)));
    return () => abort.abort();
  }, [source.manifest, source.peaks, shared]);

  // The waveform: wavesurfer.js on the precomputed peaks, playing the <audio> element.
  useEffect(() => {
    const box = waveBox.current;
    const media = audio.current;
    if (!loaded || !box || !media) return;
    const total = loaded.manifest.duration;
    const w = WaveSurfer.create({
      container: box,
      height: WAVE_HEIGHT,
      waveColor: "#8a9bb3",
      progressColor: "#2f6bd1",
      cursorColor: "#d6336c",
      cursorWidth: 2,
      peaks: loaded.peaks,
      duration: total,
      media,
      interact: false,
      hideScrollbar: true,
      // Ours (follow.ts): wavesurfer's own follows the playhead even against a scroll by hand.
      autoScroll: false,
      autoCenter: false,
    });
    surfer.current = w;
    const updateView = () => shared.view.set((old) => sameView(old, viewOf(w, total)));
    // While it plays, the media drives the playhead; paused, the playhead is the link's (a
    // late media event of an earlier seek must not move it back).
    w.on("timeupdate", (t) => {
      if (!w.isPlaying()) return;
      shared.time.set(t);
      const to = follower.tick(viewOf(w, total), t, total);
      if (to !== null) w.setScrollTime(to);
    });
    w.on("play", () => {
      follower.resume();
      shared.playing.set(true);
    });
    const stopped = () => {
      shared.playing.set(false);
      shared.time.set(Math.round(w.getCurrentTime() * 1000) / 1000);
    };
    w.on("pause", stopped);
    w.on("finish", stopped);
    w.on("scroll", updateView);
    w.on("zoom", updateView);
    w.on("resize", updateView);
    w.on("ready", () => {
      updateView();
      const start = shared.time.get();
      if (start > 0) w.setTime(Math.min(start, total));
    });
    w.on("redrawcomplete", () => {
      // When the waveform was first drawn (ms since the navigation began: bench/audio_open.py).
      if (!root.current?.dataset.drawnAt) root.current?.setAttribute("data-drawn-at", performance.now().toFixed(1));
      setDrawn(true);
    });
    w.on("error", (e) => setMediaError(e.message || String(e)));
    return () => {
      w.destroy();
      surfer.current = null;
      shared.playing.set(false);
    };
  }, [loaded, shared, follower]);

  // Someone else set the playhead (a key, a question): seek there and keep it in view.
  useEffect(
    () =>
      shared.time.subscribe(() => {
        const w = surfer.current;
        if (!w) return;
        const t = shared.time.get();
        if (Math.abs(w.getCurrentTime() - t) > 0.0005) {
          w.setTime(t);
          follower.resume();
          reveal(w, shared.view.get(), t);
        }
      }),
    [shared, follower],
  );

  const seek = (t: number) => shared.time.set(Math.max(0, Math.min(duration, Math.round(t * 1000) / 1000)));
  const toggle = () => {
    const w = surfer.current;
    if (!w) return;
    if (w.isPlaying()) w.pause();
    else {
      if (w.getCurrentTime() >= duration - 0.001) w.setTime(0);
      void w.play().catch((e: unknown) => setMediaError(e instanceof Error ? e.message : String(e)));
    }
  };
  const playRange = (from: number, to: number) => {
    const w = surfer.current;
    if (!w) return;
    void w.play(from, to).catch((e: unknown) => setMediaError(e instanceof Error ? e.message : String(e)));
  };
  const changeSpeed = (to: number) => {
    surfer.current?.setPlaybackRate(to, true);
    setSpeed(to);
  };
  const stepSpeed = (by: number) => changeSpeed(SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, SPEEDS.indexOf(speed) + by))] ?? 1);
  const applyZoom = (factor: number) => {
    const w = surfer.current;
    if (!w || duration <= 0) return;
    const fit = w.getWidth() / duration;
    const most = Math.max(1, 2 ** Math.floor(Math.log2(MAX_PX_PER_SEC / Math.max(fit, 1e-9))));
    const next = Math.max(1, Math.min(most, factor));
    w.zoom(next <= 1 ? 0 : fit * next);
    setZoom(next);
    const span = duration / next;
    w.setScrollTime(Math.max(0, shared.time.get() - span / 2));
    shared.view.set((old) => sameView(old, viewOf(w, duration)));
  };
  const zoomBy = (by: 1 | -1) => applyZoom(by > 0 ? zoom * 2 : zoom / 2);

  const controls = useRef({ toggle, playRange, zoom: zoomBy });
  controls.current = { toggle, playRange, zoom: zoomBy };
  useEffect(() => {
    if (!loaded) return;
    shared.control.set({
      toggle: () => controls.current.toggle(),
      playRange: (a, b) => controls.current.playRange(a, b),
      zoom: (by) => controls.current.zoom(by),
    });
    return () => shared.control.set(null);
  }, [loaded, shared]);

  useSpaceKey(root, toggle, loaded !== null);

  // The root's data-time follows the playhead (for tests and tools) without a re-render.
  useEffect(() => {
    const write = () => root.current?.setAttribute("data-time", shared.time.get().toFixed(3));
    write();
    return shared.time.subscribe(write);
  }, [shared, loaded]);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey || isTypingTarget(event.target)) return;
    const key = event.key;
    const now = shared.time.get();
    if (key === "ArrowLeft") seek(now - (event.shiftKey ? 0.1 : 1));
    else if (key === "ArrowRight") seek(now + (event.shiftKey ? 0.1 : 1));
    else if (key === ",") seek(now - 0.01);
    else if (key === ".") seek(now + 0.01);
    else if (key === "Home") seek(0);
    else if (key === "End") seek(duration);
    else if (key === "-") stepSpeed(-1);
    else if (key === "+" || key === "=") stepSpeed(1);
    else if (key === "z") zoomBy(1);
    else if (key === "Z") zoomBy(-1);
    else return;
    event.preventDefault(); // the screen's own keys never see it
  };

  // The wheel: a native listener, not passive (React's is), so Ctrl+wheel zooms the waveform
  // and not the page.
  const onWheel = (event: WheelEvent) => {
    const w = surfer.current;
    if (!w) return;
    if (event.ctrlKey) {
      event.preventDefault();
      zoomBy(event.deltaY < 0 ? 1 : -1);
      return;
    }
    const by = Math.abs(event.deltaX) > Math.abs(event.deltaY) ? event.deltaX : event.shiftKey ? event.deltaY : 0;
    if (by !== 0 && zoom > 1) {
      follower.scrolledByHand();
      w.setScroll(w.getScroll() + by);
    }
  };
  const wheelHandler = useRef(onWheel);
  wheelHandler.current = onWheel;
  useEffect(() => {
    const box = stage.current;
    if (!box) return;
    const listener = (event: WheelEvent) => wheelHandler.current(event);
    // A drag on the waveform (seeking, drawing a segment) holds the view until the button is up.
    const down = () => follower.pointer(true);
    const up = () => follower.pointer(false);
    box.addEventListener("wheel", listener, { passive: false });
    box.addEventListener("pointerdown", down, { capture: true });
    window.addEventListener("pointerup", up);
    window.addEventListener("pointercancel", up);
    return () => {
      box.removeEventListener("wheel", listener);
      box.removeEventListener("pointerdown", down, { capture: true });
      window.removeEventListener("pointerup", up);
      window.removeEventListener("pointercancel", up);
    };
  }, [error, follower]);

  // The window shown, on the root (for tests and tools), without a re-render.
  useEffect(() => {
    const write = () => {
      const { start, end } = shared.view.get();
      root.current?.setAttribute("data-view", `${start.toFixed(3)}-${end.toFixed(3)}`);
    };
    write();
    return shared.view.subscribe(write);
  }, [shared, loaded]);

  if (error) return <p className="audio-problem audio-failed">The recording’s waveform could not be shown: {error}.</p>;
  return (
    <div
      ref={root}
      className="audio-player"
      tabIndex={0}
      onKeyDown={onKeyDown}
      onPointerDown={(e) => {
        usedPlayer(root.current);
        // A button (or the key label inside it): the player keeps the keyboard focus (a
        // focused button would lose it when it is disabled, e.g. zoom out at 1×).
        if (e.target instanceof Element && e.target.closest("button")) {
          e.preventDefault();
          root.current?.focus();
        }
      }}
      onFocus={() => usedPlayer(root.current)}
      data-audio-field={field.name}
      data-waveform-state="ready"
      data-drawn={drawn ? "true" : "false"}
      data-duration={duration || undefined}
      data-playing={playing ? "true" : "false"}
      data-speed={speed}
      data-zoom={zoom}
      aria-label={`Recording ${titleOf(field)}, ${clock(duration)} long`}
    >
      <audio ref={audio} preload="metadata" src={source.src} />
      {loaded ? null : <p className="muted small">Loading the waveform…</p>}
      <div ref={stage} className="audio-stage" style={{ height: WAVE_HEIGHT + SPECTROGRAM_HEIGHT }}>
        <div ref={waveBox} className="audio-wave" style={{ height: WAVE_HEIGHT }} />
        {loaded?.manifest.spectrogram && source.spectrogram ? (
          <Spectrogram info={loaded.manifest.spectrogram} url={source.spectrogram} view={shared.view} height={SPECTROGRAM_HEIGHT} />
        ) : (
          <div className="audio-spectrogram audio-spectrogram-none muted small" style={{ height: SPECTROGRAM_HEIGHT }}>
            No spectrogram for this recording.
          </div>
        )}
        <div className="audio-overlay">{overlay ?? <SeekLayer link={shared} />}</div>
      </div>
      <Scrubber link={shared} duration={duration} seek={seek} />
      <div className="audio-controls">
        <button type="button" onClick={toggle} aria-label={playing ? "Pause" : "Play"} data-audio-action="play" disabled={!loaded}>
          {playing ? "Pause" : "Play"} <Kbd keys="Space" />
        </button>
        <button type="button" onClick={() => seek(shared.time.get() - 1)} aria-label="Back one second" data-audio-action="back">
          ◀ 1 s <Kbd keys="←" />
        </button>
        <button type="button" onClick={() => seek(shared.time.get() + 1)} aria-label="On one second" data-audio-action="forward">
          <Kbd keys="→" /> 1 s ▶
        </button>
        <TimeText link={shared} duration={duration} />
        <label className="audio-speed">
          Speed{" "}
          <select value={speed} aria-label="Playback speed" onChange={(e) => changeSpeed(Number(e.currentTarget.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>{" "}
          <kbd>-</kbd> <kbd>+</kbd>
        </label>
        <span className="audio-zoom">
          <button type="button" onClick={() => zoomBy(-1)} aria-label="Zoom out" data-audio-action="zoom-out" disabled={zoom <= 1}>
            − <Kbd keys="Shift+Z" />
          </button>{" "}
          zoom {zoom}×{" "}
          <button type="button" onClick={() => zoomBy(1)} aria-label="Zoom in" data-audio-action="zoom-in">
            + <Kbd keys="Z" />
          </button>
        </span>
        {loaded ? (
          <span className="muted small">
            {loaded.manifest.sample_rate ? `${loaded.manifest.sample_rate} Hz · ` : ""}
            {loaded.manifest.channels} {loaded.manifest.channels === 1 ? "channel" : "channels"}
          </span>
        ) : null}
      </div>
      {mediaError ? <p className="audio-problem audio-failed small">The recording cannot be played: {mediaError}.</p> : null}
      {below}
    </div>
  );
}

/** The scrubber over the whole recording (the only part of the player that re-renders as it plays, with the time). */
function Scrubber({ link, duration, seek }: { link: AudioLink; duration: number; seek: (t: number) => void }) {
  const time = useUiState(link.time);
  return (
    <input
      className="audio-scrubber"
      type="range"
      min={0}
      max={duration}
      step={0.001}
      value={time}
      aria-label="Position"
      onChange={(e) => seek(Number(e.currentTarget.value))}
    />
  );
}

function TimeText({ link, duration }: { link: AudioLink; duration: number }) {
  const time = useUiState(link.time);
  return (
    <span className="audio-time" data-audio-time>
      {clock(time)} / {clock(duration)}
    </span>
  );
}

/** The window the waveform shows now. */
function viewOf(w: WaveSurfer, duration: number): View {
  const full = w.getWrapper().scrollWidth;
  const visible = w.getWidth();
  if (full <= 0 || visible <= 0 || full <= visible) return { start: 0, end: duration };
  const scroll = w.getScroll();
  return { start: (scroll / full) * duration, end: Math.min(duration, ((scroll + visible) / full) * duration) };
}

/** `next`, or `old` when it is the same window (so nothing re-renders). */
function sameView(old: View, next: View): View {
  return Math.abs(old.start - next.start) < 1e-6 && Math.abs(old.end - next.end) < 1e-6 ? old : next;
}

/** Scroll so that `t` is in view (centred) when it is outside it. */
function reveal(w: WaveSurfer, view: View, t: number): void {
  if (t >= view.start && t <= view.end) return;
  w.setScrollTime(Math.max(0, t - (view.end - view.start) / 2));
}

/** The default layer over the waveform: a click (or a drag) moves the playhead there. */
function SeekLayer({ link }: { link: AudioLink }) {
  const dragging = useRef<number | null>(null);
  const at = (e: PointerEvent<HTMLDivElement>) => {
    const rect = e.currentTarget.getBoundingClientRect();
    return Math.round(timeAtX(e.clientX - rect.left, rect.width, link.view.get(), link.duration.get()) * 1000) / 1000;
  };
  return (
    <div
      className="audio-seek-layer"
      data-audio-seek
      onPointerDown={(e) => {
        if (e.button !== 0) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        e.currentTarget.closest<HTMLElement>(".audio-player")?.focus({ preventScroll: true });
        dragging.current = e.pointerId;
        link.time.set(at(e));
      }}
      onPointerMove={(e) => {
        if (dragging.current === e.pointerId) link.time.set(at(e));
      }}
      onPointerUp={() => (dragging.current = null)}
      onPointerCancel={() => (dragging.current = null)}
    />
  );
}
