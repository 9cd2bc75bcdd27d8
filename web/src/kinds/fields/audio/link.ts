/**
 * What an audio player shares with the questions drawn with it (segments, transcript): the
 * playhead (`time`, seconds; setting it seeks the player), whether it plays, the recording's
 * duration once the manifest is in, and the window of time the waveform shows (`view`, moved by
 * zooming and scrolling). These are `UiState`s: a widget that subscribes to one re-renders only
 * when it changes, so the segments' bars never re-render on playhead ticks (only the cursor
 * does).
 */
import { useSyncExternalStore } from "react";
import { UiState } from "../../uiState";

export interface View {
  start: number;
  end: number;
}

export interface AudioLink {
  time: UiState<number>;
  playing: UiState<boolean>;
  /** The recording's duration (s), 0 until its manifest is read. */
  duration: UiState<number>;
  view: UiState<View>;
  /** What the player does on request (null until it is drawn). */
  control: UiState<PlayerControl | null>;
}

export interface PlayerControl {
  /** Play or pause. */
  toggle: () => void;
  /** Play from `from` (s) and stop at `to`. */
  playRange: (from: number, to: number) => void;
  /** Zoom in (1) or out (-1), keeping the playhead in view. */
  zoom: (by: 1 | -1) => void;
}

export function audioLink(): AudioLink {
  return {
    time: new UiState(0),
    playing: new UiState(false),
    duration: new UiState(0),
    view: new UiState<View>({ start: 0, end: 0 }),
    control: new UiState<PlayerControl | null>(null),
  };
}

/** A value derived from a state, re-rendering only when the derived value changes (compare
 * with Object.is: return a primitive). */
export function useDerived<T, R>(state: UiState<T>, derive: (value: T) => R): R {
  return useSyncExternalStore(state.subscribe, () => derive(state.get()));
}

/** The x of `t` (s) in a box `width` px wide showing `view`. */
export function xOf(t: number, view: View, width: number): number {
  const span = view.end - view.start;
  return span > 0 ? ((t - view.start) / span) * width : 0;
}

/** The time under `x` px in a box `width` px wide showing `view`, within 0..duration. */
export function timeAtX(x: number, width: number, view: View, duration: number): number {
  if (width <= 0) return view.start;
  const t = view.start + (x / width) * (view.end - view.start);
  return Math.max(0, Math.min(duration, t));
}
