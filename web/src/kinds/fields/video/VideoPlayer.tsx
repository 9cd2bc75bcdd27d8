/**
 * A video field: its frames drawn on a canvas, frame-exact: JPEGs decoded ahead (frames.ts) or
 * the video's packets decoded with WebCodecs (packets.ts), whichever the frames job made.
 *
 * Keys (docs/video.md): Space plays or pauses (anywhere but a text box or another control);
 * with the player focused, `,` / `.` or ← / → step one frame back / forward, Home / End go to
 * the first / last frame, G puts the cursor in the frame number box (Enter jumps there),
 * `-` / `+` change the speed. Playback follows the manifest's frame times (a variable frame
 * rate too) at 0.25× to 4×.
 */
import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import type { FieldSpec } from "../../../editor/interface";
import { titleOf } from "../../../editor/interface";
import { Kbd } from "../../../ui/Kbd";
import { isTypingTarget, type FieldProps } from "../../types";
import { useUiState } from "../../uiState";
import { frameAt, loadManifest, playerLink, videoSourceOf, type FrameSource, type Manifest, type PlayerLink } from "./frames";
import { openFrames } from "./source";
import { usedPlayer, useSpaceKey } from "../spaceKey";
import "../../../styles/video.css";

export const SPEEDS = [0.25, 0.5, 1, 1.5, 2, 4];
/** Paused, the frames decoded after and before the one shown (for steps). */
const PAUSED_AHEAD = 6;
const PAUSED_BEHIND = 3;
/** Playing, the seconds of frames decoded ahead of the clock (memory-bounded by the store). */
const PLAY_AHEAD_SECONDS = 0.6;
/** Playing, how often the controls' frame number, time and scrubber follow the frame. */
const LABEL_MS = 250;
/** How far back from the clock's frame playback looks for a decoded frame to show. */
const SEARCH_BACK = 64;


interface Linked {
  /** Share the frame shown and the manifest (the events timeline reads and seeks them). */
  link?: PlayerLink;
  /** Drawn under the controls, inside the player (keys there reach the player's keys). */
  below?: ReactNode;
  /** Drawn instead of the player's own canvas (it draws each frame from `link.shown`). */
  stage?: ReactNode;
}

export function VideoPlayer({ field, value, link, below, stage }: FieldProps<FieldSpec> & Linked) {
  const source = videoSourceOf(value);
  if (!source) return <p className="video-problem muted">No video to show in “{titleOf(field)}” (expected a link, or {"{src, ...}"}).</p>;
  if (source.state === "pending") {
    return (
      <p className="video-problem" data-frames-state="pending">
        The frames of this video are being prepared for frame-exact playback (the frames job). Reload the task in a moment.
      </p>
    );
  }
  if (source.state === "failed" || !source.manifest || !source.data) {
    return (
      <p className="video-problem video-failed" data-frames-state="failed">
        This video cannot be played frame by frame: {source.error ?? "its frames are missing"}. A manager can run the frames job again once the file is fixed.
      </p>
    );
  }
  return <FramePlayer field={field} manifestUrl={source.manifest} dataUrl={source.data} packetsUrl={source.packets} link={link} below={below} stage={stage} />;
}

interface Clock {
  wall: number; // performance.now() when playing started or the speed changed
  media: number; // the media time (s) then
}

function FramePlayer({ field, manifestUrl, dataUrl, packetsUrl, link, below, stage }: { field: FieldSpec; manifestUrl: string; dataUrl: string; packetsUrl: string | null } & Linked) {
  const root = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLInputElement>(null);
  const [store, setStore] = useState<FrameSource | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [own] = useState(playerLink);
  const shared = link ?? own;
  const frame = useUiState(shared.frame);
  const setFrame = shared.frame.set;
  const [drawn, setDrawn] = useState(-1);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [typed, setTyped] = useState("0");
  /** The frame number box has the focus (playing, it shows the frame unless being typed in). */
  const [typing, setTyping] = useState(false);
  /** Something was typed in the frame box since it took the focus (then it is not selected). */
  const edited = useRef(false);
  const clock = useRef<Clock>({ wall: 0, media: 0 });

  useEffect(() => {
    const abort = new AbortController();
    let made: FrameSource | null = null;
    loadManifest(manifestUrl, abort.signal)
      .then((manifest: Manifest) => openFrames(manifest, dataUrl, packetsUrl))
      .then((opened) => {
        const { manifest } = opened;
        if (abort.signal.aborted) return opened.close();
        made = opened;
        setStore(made);
        shared.manifest.set(manifest);
        if (shared.frame.get() >= manifest.frames) shared.frame.set(manifest.frames - 1);
      })
      .catch((e: unknown) => abort.signal.aborted || setError(e instanceof Error ? e.message : String(e)));
    return () => {
      abort.abort();
      made?.close();
    };
  }, [manifestUrl, dataUrl, packetsUrl, shared]);

  const last = store ? store.manifest.frames - 1 : 0;
  const times = store?.manifest.times ?? [0];

  // What is on screen: the frame drawn last (its pixels), and the frames playback skipped.
  const drawnRef = useRef(-1);
  const dropped = useRef(0);
  /** Playback never shows a frame before the one it started (or was sent) from. */
  const floor = useRef(0);
  const playingRef = useRef(false);
  playingRef.current = playing;
  const show = (target: FrameSource, f: number, bitmap: ImageBitmap) => {
    target.pin(bitmap);
    const c = canvas.current;
    if (c) {
      c.getContext("2d")?.drawImage(bitmap, 0, 0);
      c.dataset.frame = String(f); // set with the pixels (the browser tests compare them)
    }
    drawnRef.current = f;
    shared.shown?.set({ frame: f, bitmap });
    setDrawn(f);
  };

  // Paused: draw the frame asked for once decoded (at once when it was decoded ahead), then
  // decode the frames around it for the steps that follow. Only the frame asked for last is
  // drawn. A frame is asked for the moment it is set (a key, the frame box, the timeline:
  // `shared.frame`'s subscription below), before React renders the screen for it, so that
  // its bytes are fetched and decoded while the rest of the screen renders. While playing,
  // the playback loop below draws.
  const order = useRef({ store: null as FrameSource | null, asked: 0 });
  const request = (target: FrameSource, f: number) => {
    const o = order.current;
    if (o.store !== target) {
      Object.assign(o, { store: target, asked: 0 });
      drawnRef.current = -1;
    }
    const seq = ++o.asked;
    const live = () => o.store === target && seq === o.asked && !playingRef.current;
    const hit = drawnRef.current === f ? null : target.peek(f);
    if (hit) show(target, f, hit);
    else if (drawnRef.current !== f) {
      target
        .frame(f)
        .then((bitmap) => live() && show(target, f, bitmap))
        .catch((e: unknown) => live() && setError(e instanceof Error ? e.message : String(e)));
    }
    target.ahead(f, PAUSED_AHEAD, PAUSED_BEHIND, 1);
  };
  useEffect(() => {
    if (!store) return;
    return shared.frame.subscribe(() => {
      if (!playingRef.current && order.current.store === store) request(store, shared.frame.get());
    });
  }, [store, shared]);
  useEffect(() => {
    if (!store) return;
    if (playing) {
      // A jump made elsewhere while playing (the timeline): play on from there.
      const jumped = frame === shared.frame.get() && drawnRef.current >= 0 && frame !== drawnRef.current;
      if (jumped) {
        clock.current = { wall: performance.now(), media: times[frame] ?? 0 };
        drawnRef.current = -1;
        floor.current = frame;
        void store.frame(frame).catch(() => undefined);
      }
      return;
    }
    setTyped(String(frame)); // paused only: playing, it was a second render at every frame
    request(store, frame);
  }, [store, frame, playing, shared]);
  useEffect(() => () => void (order.current.store = null), []); // nothing drawn once gone
  useEffect(() => shared.playing?.set(playing), [shared, playing]);

  // Playback: at each screen refresh, the frame whose time the clock has reached. When it is
  // decoded it is drawn (one drawImage) and becomes the frame shown; when it is not, the
  // newest decoded frame between the one shown and it is, and the frames passed over count
  // as dropped (the clock never waits: the video stays in time). Frames ahead of the clock
  // are decoded meanwhile.
  useEffect(() => {
    if (!playing || !store) return;
    let handle = 0;
    const last = store.manifest.frames - 1;
    const tick = (now: number) => {
      const { wall, media } = clock.current;
      const seconds = media + ((now - wall) / 1000) * speed;
      const target = frameAt(store.manifest.times, seconds);
      const from = drawnRef.current;
      for (let f = target; f > from && f >= floor.current && f > target - SEARCH_BACK; f--) {
        const bitmap = store.peek(f);
        if (!bitmap) continue;
        if (from >= 0) dropped.current += f - from - 1;
        show(store, f, bitmap);
        setFrame(f);
        break;
      }
      store.ahead(target, Math.ceil(PLAY_AHEAD_SECONDS * store.manifest.fps * speed), 0, 2, true);
      if (drawnRef.current >= last) setPlaying(false);
      else handle = requestAnimationFrame(tick);
    };
    handle = requestAnimationFrame(tick);
    return () => cancelAnimationFrame(handle);
  }, [playing, speed, store, shared]);

  const go = (n: number) => {
    playingRef.current = false; // the frame set next is drawn as a paused one
    setPlaying(false);
    setFrame(Math.max(0, Math.min(last, Math.round(n))));
  };
  const toggle = () => {
    if (!store) return;
    if (playing) return setPlaying(false);
    const from = frame >= last ? 0 : frame;
    setFrame(from);
    clock.current = { wall: performance.now(), media: times[from] ?? 0 };
    drawnRef.current = -1; // playback's first refresh draws the frame it starts from
    floor.current = from;
    dropped.current = 0;
    setPlaying(true);
  };
  const changeSpeed = (to: number) => {
    clock.current = { wall: performance.now(), media: times[frame] ?? 0 };
    setSpeed(to);
  };
  const stepSpeed = (by: number) => changeSpeed(SPEEDS[Math.max(0, Math.min(SPEEDS.length - 1, SPEEDS.indexOf(speed) + by))] ?? 1);

  useSpaceKey(root, toggle, store !== null); // the player's element exists once the manifest is in

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey || isTypingTarget(event.target)) return;
    const key = event.key;
    if (key === "," || key === "ArrowLeft") go(frame - 1);
    else if (key === "." || key === "ArrowRight") go(frame + 1);
    else if (key === "Home") go(0);
    else if (key === "End") go(last);
    else if (key === "g" || key === "G") box.current?.select();
    else if (key === "-" && !stage) stepSpeed(-1); // over a stage (tracks), - and + zoom it
    else if ((key === "+" || key === "=") && !stage) stepSpeed(1);
    else return;
    event.preventDefault(); // the screen's own keys (g: guidelines) never see it
  };

  // What the controls say (the scrubber, the frame box, the time): while playing, the frame at
  // most every LABEL_MS (each change of their text is a layout and paint of the page, at every
  // frame); paused, the frame. `data-frame` is always the frame itself.
  const label = useRef({ frame: 0, at: -Infinity });
  const now = performance.now();
  if (!playing || now - label.current.at >= LABEL_MS) label.current = { frame, at: now };
  const said = playing ? label.current.frame : frame;

  if (error) return <p className="video-problem video-failed">The video’s frames could not be shown: {error}.</p>;
  if (!store) return <p className="video-problem muted">Loading the frames…</p>;
  const { manifest } = store;
  const seconds = times[said] ?? 0;
  return (
    <div
      ref={root}
      className="video-player"
      tabIndex={0}
      onKeyDown={onKeyDown}
      onPointerDown={(e) => {
        usedPlayer(root.current);
        if (e.target instanceof HTMLButtonElement) {
          e.preventDefault(); // the player keeps the keyboard focus (Space, , and .)
          root.current?.focus();
        }
      }}
      onFocus={() => usedPlayer(root.current)}
      data-video-field={field.name}
      data-frame={frame}
      data-drawn={drawn}
      data-frames={manifest.frames}
      data-playing={playing ? "true" : "false"}
      data-dropped={dropped.current}
      aria-label={`Video ${titleOf(field)}: frame ${said} of ${manifest.frames}`}
    >
      {stage ?? <canvas ref={canvas} className="video-canvas" width={manifest.width} height={manifest.height} />}
      <input
        className="video-scrubber"
        type="range"
        min={0}
        max={last}
        step={1}
        value={said}
        aria-label="Frame"
        onChange={(e) => go(Number(e.currentTarget.value))}
      />
      <div className="video-controls">
        <button type="button" onClick={toggle} aria-label={playing ? "Pause" : "Play"} data-video-action="play">
          {playing ? "Pause" : "Play"} <Kbd keys="Space" />
        </button>
        <button type="button" onClick={() => go(frame - 1)} aria-label="Previous frame" data-video-action="back" disabled={frame <= 0}>
          ◀ <Kbd keys="," />
        </button>
        <button type="button" onClick={() => go(frame + 1)} aria-label="Next frame" data-video-action="forward" disabled={frame >= last}>
          <Kbd keys="." /> ▶
        </button>
        <label className="video-jump">
          Frame{" "}
          <input
            ref={box}
            type="number"
            min={0}
            max={last}
            value={playing && !typing ? String(said) : typed}
            aria-label="Frame number"
            onFocus={(e) => {
              setTyping(true);
              setTyped(String(shared.frame.get()));
              edited.current = false;
              // Playing, the box said an older frame: the number put in replaces the selection
              // (G selects it all), so it is selected again once the number is the frame,
              // unless something was typed already (a quick typist, a busy machine).
              const input = e.currentTarget;
              if (playing) requestAnimationFrame(() => !edited.current && document.activeElement === input && input.select());
            }}
            onBlur={() => setTyping(false)}
            onChange={(e) => {
              edited.current = true;
              setTyped(e.currentTarget.value);
            }}
            onKeyDown={(e) => {
              if (e.key === "Enter" && typed.trim() !== "" && Number.isFinite(Number(typed))) {
                e.preventDefault();
                go(Number(typed));
                root.current?.focus();
              } else if (e.key === "Escape") root.current?.focus();
            }}
          />{" "}
          / {last} <Kbd keys="G" />
        </label>
        <span className="video-time" data-video-time>
          {seconds.toFixed(3)} s / {manifest.duration.toFixed(3)} s
        </span>
        <label className="video-speed">
          Speed{" "}
          <select value={speed} aria-label="Playback speed" onChange={(e) => changeSpeed(Number(e.currentTarget.value))}>
            {SPEEDS.map((s) => (
              <option key={s} value={s}>
                {s}×
              </option>
            ))}
          </select>
          {stage ? null : (
            <>
              {" "}
              <kbd>-</kbd> <kbd>+</kbd>
            </>
          )}
        </label>
        <span className="muted small">
          {manifest.width}×{manifest.height} · {manifest.fps.toFixed(2)} fps{manifest.variable_rate ? " (variable)" : ""}
        </span>
      </div>
      {below}
    </div>
  );
}
