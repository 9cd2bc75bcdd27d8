/**
 * The keys of a tracks question (docs/video.md, "Tracks in the browser"), the same in its
 * card and on its video. The player's: `,` `.` and ← → step a frame, Home / End, Space plays
 * (the player's own). Tracks: Shift+← / Shift+→ previous / next keyframe of the selected
 * track, K keyframe on / off at this frame, O outside (leaves the picture here, or comes back),
 * C occluded, P propagate (asks how many frames), X split the track here, Shift+M merge (once
 * on the first track, once on the second), Delete the selected track. The image editor's,
 * on the frame: N new track (a box: N at one corner, N at the other, at the crosshair), 1–9
 * label, Tab / Shift+Tab next / previous track in the picture, Esc, Enter and Backspace while
 * drawing, + - F Z zoom, R rotate, V keypoint visible; Alt+arrows move the selected shape, or
 * the crosshair when nothing is selected (Alt+Shift: 10 px), as the plain arrows do on images.
 */
import type { Json } from "../../../api/types";
import type { PushOptions } from "../../../editor/history";
import type { TracksSpec } from "../../../editor/interface";
import { optionText } from "../../../editor/interface";
import type { Manifest } from "../../fields/video/frames";
import { digitOf } from "../../types";
import type { UiState } from "../../uiState";
import type { ImageEditor } from "../image/editor";
import { handleKey, type KeyLike } from "../image/keys";
import {
  deleteKeyframe,
  editTrack,
  keyframeNear,
  mergeTracks,
  propagate,
  relabelTrack,
  removeTrack,
  splitTrack,
  stateAt,
  toAnswer,
  toggleKeyframe,
  toggleOccluded,
  toggleOutside,
  type Edit,
  type Track,
} from "./model";

export interface TracksUi {
  selected: string | null;
  /** The propagate box is open (P). */
  asking: boolean;
  /** Frames P propagates over. */
  propagate: number;
  /** The first track of a merge (Shift+M), waiting for the second. */
  mergeFrom: string | null;
  message: string;
}

export const initialTracksUi: TracksUi = { selected: null, asking: false, propagate: 10, mergeFrom: null, message: "" };

export interface TracksContext {
  question: TracksSpec;
  tracks: Track[];
  ui: UiState<TracksUi>;
  frame: UiState<number>;
  manifest: Manifest | null;
  editor: ImageEditor;
  readOnly: boolean;
  onChange: (value: Json | undefined, options?: PushOptions) => void;
  announce: (message: string) => void;
}

export const framesOf = (ctx: TracksContext): number | null => ctx.manifest?.frames ?? null;
const lastOf = (ctx: TracksContext): number => (ctx.manifest ? ctx.manifest.frames - 1 : ctx.frame.get());

export function say(ctx: TracksContext, message: string): void {
  ctx.ui.set({ ...ctx.ui.get(), message });
  if (message) ctx.announce(message);
}

export function seek(ctx: TracksContext, frame: number): void {
  ctx.frame.set(Math.max(0, Math.min(lastOf(ctx), Math.round(frame))));
}

/** Select a track (null: none), in the list and, where it is in the picture, on the frame. */
export function selectTrack(ctx: TracksContext, id: string | null): void {
  ctx.ui.set({ ...ctx.ui.get(), selected: id });
  const present = id !== null && ctx.editor.shapes.some((s) => s.id === id);
  if (ctx.editor.ui.selectedId !== (present ? id : null)) {
    ctx.editor.setUi({ selectedId: present ? id : null, vertex: -1 });
    ctx.editor.requestPaint(true);
  }
}

export function selectedTrack(ctx: TracksContext): Track | null {
  const id = ctx.ui.get().selected;
  return ctx.tracks.find((t) => t.id === id) ?? null;
}

/** Commit an edit (or say why it was refused); `message` says what was done. */
export function commit(ctx: TracksContext, edit: Edit, message: string): boolean {
  if (ctx.readOnly) return false;
  if ("error" in edit) {
    say(ctx, `not done: ${edit.error}`);
    return false;
  }
  ctx.onChange(toAnswer(edit.tracks));
  say(ctx, message);
  return true;
}

/** Run a one-track edit on the selected track at the current frame. */
export function onSelected(ctx: TracksContext, what: string, edit: (track: Track, frame: number) => Track | { error: string }): boolean {
  const track = selectedTrack(ctx);
  if (!track) {
    say(ctx, `select a track first (Tab, or click it) to ${what}`);
    return true;
  }
  const frame = ctx.frame.get();
  commit(ctx, editTrack(ctx.tracks, track.id, (t) => edit(t, frame)), `${what}: track ${track.id}, frame ${frame}`);
  return true;
}

export const actions = {
  keyframe: (ctx: TracksContext) => onSelected(ctx, "keyframe on / off", (t, f) => toggleKeyframe(t, f, framesOf(ctx))),
  deleteKeyframe: (ctx: TracksContext) => onSelected(ctx, "keyframe deleted", (t, f) => deleteKeyframe(t, f)),
  outside: (ctx: TracksContext) => onSelected(ctx, "outside on / off", (t, f) => toggleOutside(t, f, framesOf(ctx))),
  occluded: (ctx: TracksContext) => onSelected(ctx, "occluded on / off", (t, f) => toggleOccluded(t, f, framesOf(ctx))),
  propagate: (ctx: TracksContext, n: number) => onSelected(ctx, `propagated ${n} frames`, (t, f) => propagate(t, f, n, ctx.manifest ? lastOf(ctx) : null, framesOf(ctx))),
  split: (ctx: TracksContext): boolean => {
    const track = selectedTrack(ctx);
    if (!track) return say(ctx, "select a track first to split it"), true;
    const frame = ctx.frame.get();
    const edit = splitTrack(ctx.tracks, track.id, frame, framesOf(ctx));
    if (commit(ctx, edit, `track ${track.id} split at frame ${frame}`) && !("error" in edit)) {
      const second = edit.tracks[edit.tracks.findIndex((t) => t.id === track.id) + 1];
      if (second) selectTrack(ctx, second.id);
    }
    return true;
  },
  merge: (ctx: TracksContext, other?: string): boolean => {
    const track = selectedTrack(ctx);
    const state = ctx.ui.get();
    if (other === undefined) {
      if (!track) return say(ctx, "select the first track of the merge, then press Shift+M"), true;
      if (state.mergeFrom === null || state.mergeFrom === track.id) {
        ctx.ui.set({ ...state, mergeFrom: track.id });
        say(ctx, `merging into track ${track.id}: select the other track (Tab, or click it) and press Shift+M again; Esc cancels`);
        return true;
      }
      const into = state.mergeFrom;
      ctx.ui.set({ ...state, mergeFrom: null });
      if (commit(ctx, mergeTracks(ctx.tracks, into, track.id), `track ${track.id} merged into track ${into}`)) selectTrack(ctx, into);
      return true;
    }
    if (!track) return true;
    if (commit(ctx, mergeTracks(ctx.tracks, track.id, other), `track ${other} merged into track ${track.id}`)) selectTrack(ctx, track.id);
    return true;
  },
  remove: (ctx: TracksContext): boolean => {
    const track = selectedTrack(ctx);
    if (!track) return false;
    if (commit(ctx, { tracks: removeTrack(ctx.tracks, track.id) }, `track ${track.id} deleted`)) selectTrack(ctx, null);
    return true;
  },
  relabel: (ctx: TracksContext, index: number): boolean => {
    const option = ctx.question.labels[index];
    if (!option) return false;
    ctx.editor.setUi({ label: index });
    const track = selectedTrack(ctx);
    if (track && track.label !== option.value) commit(ctx, { tracks: relabelTrack(ctx.tracks, track.id, option.value) }, `track ${track.id}: ${optionText(option)}`);
    else if (!track) say(ctx, `new tracks: ${optionText(option)}`);
    return true;
  },
  jump: (ctx: TracksContext, direction: 1 | -1): boolean => {
    const track = selectedTrack(ctx);
    if (!track) return say(ctx, "select a track to jump between its keyframes"), true;
    const to = keyframeNear(track, ctx.frame.get(), direction);
    if (to === null) say(ctx, `track ${track.id} has no keyframe ${direction > 0 ? "after" : "before"} frame ${ctx.frame.get()}`);
    else seek(ctx, to);
    return true;
  },
  /** Tab: the next track in the picture, else the next of all. */
  cycle: (ctx: TracksContext, direction: 1 | -1): boolean => {
    if (ctx.tracks.length === 0) return false;
    const frame = ctx.frame.get();
    const frames = framesOf(ctx);
    const here = ctx.tracks.filter((t) => stateAt(t, frame, frames));
    const pool = here.length ? here : ctx.tracks;
    const at = pool.findIndex((t) => t.id === ctx.ui.get().selected);
    const next = pool[at < 0 ? (direction > 0 ? 0 : pool.length - 1) : (at + direction + pool.length) % pool.length] as Track;
    selectTrack(ctx, next.id);
    const shape = ctx.editor.shapes.find((s) => s.id === next.id);
    if (shape) ctx.editor.reveal(shape);
    say(ctx, `track ${next.id} (${next.label}) selected`);
    return true;
  },
};

const ARROW_STEP: Record<string, number> = { ArrowLeft: -1, ArrowRight: 1, ",": -1, ".": 1 };
/** The image editor's keys that mean something on a track's frame. */
const EDITOR_KEYS = new Set(["n", "N", "Enter", "Backspace", "+", "=", "-", "_", "f", "F", "z", "Z", "r", "R", "v", "V"]);

/** Handle `e`; true when it was a tracks key (the caller then stops it). */
export function tracksKey(ctx: TracksContext, e: KeyLike): boolean {
  const ed = ctx.editor;
  if (e.ctrlKey || e.metaKey) return handleKey(ed, e);
  const key = e.key;
  if (e.altKey) {
    // Alt+arrows: the image editor's plain arrows (move the selection or the crosshair).
    if (key.startsWith("Arrow")) return handleKey(ed, { ...e, altKey: false });
    return false;
  }
  const step = ARROW_STEP[key];
  if (step !== undefined) {
    if (e.shiftKey && key.startsWith("Arrow")) return actions.jump(ctx, step as 1 | -1);
    seek(ctx, ctx.frame.get() + step);
    return true;
  }
  if (key === "Home") return seek(ctx, 0), true;
  if (key === "End") return seek(ctx, lastOf(ctx)), true;
  if (ctx.readOnly) return key === "Tab" ? actions.cycle(ctx, e.shiftKey ? -1 : 1) : false;
  const lower = key.toLowerCase();
  if (lower === "m" && e.shiftKey) return actions.merge(ctx);
  if (e.shiftKey && lower !== "n" && key !== "Tab") return false;
  switch (lower) {
    case "k":
      return actions.keyframe(ctx);
    case "o":
      return actions.outside(ctx);
    case "c":
      return actions.occluded(ctx);
    case "p":
      if (!selectedTrack(ctx)) return say(ctx, "select a track first to propagate it"), true;
      ctx.ui.set({ ...ctx.ui.get(), asking: true });
      return true;
    case "x":
      if (ed.draft?.type === "keypoints") return handleKey(ed, e);
      return actions.split(ctx);
    case "delete":
      return actions.remove(ctx);
    case "backspace":
      if (ed.draft) return handleKey(ed, e);
      return actions.remove(ctx);
    case "tab":
      if (ed.draft) return true;
      return actions.cycle(ctx, e.shiftKey ? -1 : 1);
    case "escape": {
      if (handleKey(ed, e)) return true;
      const state = ctx.ui.get();
      if (state.selected === null && state.mergeFrom === null) return false;
      ctx.ui.set({ ...state, mergeFrom: null });
      selectTrack(ctx, null);
      return true;
    }
  }
  const digit = digitOf(e);
  if (digit !== null && digit <= 9) return actions.relabel(ctx, digit - 1);
  if (EDITOR_KEYS.has(key)) return handleKey(ed, e);
  return false;
}
