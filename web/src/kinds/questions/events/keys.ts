/**
 * The keys of an events question (docs/video.md, "Events"), the same in its card and on its
 * video: `[` marks the start at the current frame, `]` the end (making the event with the
 * chosen label; with no mark, it moves the selected event's end there), 1–9 choose the label,
 * Delete removes the selected event, Tab / Shift+Tab select the next / previous event, Enter
 * seeks to the selected event's start, Esc drops the mark and the selection, Z / Shift+Z zoom
 * the timeline in / out around the current frame. In the card,
 * `,` / `.` (or ← / →) step one frame and Home / End go to the first / last frame, as the
 * player's own keys do when it has the focus.
 */
import type { Json } from "../../../api/types";
import type { PushOptions } from "../../../editor/history";
import type { EventsSpec } from "../../../editor/interface";
import { optionText } from "../../../editor/interface";
import type { Manifest } from "../../fields/video/frames";
import { digitOf } from "../../types";
import type { UiState } from "../../uiState";
import { addEvent, cycle, frameText, moveEdge, removeEvent, toAnswer, type VideoEvent } from "./model";
import { clampZoom, follow, zoomed } from "./view";

export interface EventsUi {
  selected: string | null;
  /** The label new events take (an index into the question's labels). */
  label: number;
  /** The start marked with `[`, waiting for `]`. */
  mark: number | null;
  /** The timeline's zoom (1: the whole video) and the first frame it shows (`view.ts`). */
  zoom: number;
  viewStart: number;
}

export const initialEventsUi: EventsUi = { selected: null, label: 0, mark: null, zoom: 1, viewStart: 0 };

/** The timeline zoomed to `zoom` around the current frame (kept where it is across the
 * timeline when it is in view, else centred). */
export function zoomTimeline(ctx: EventsContext, zoom: number): void {
  const { ui, manifest } = ctx;
  if (!manifest) return;
  const state = ui.get();
  const frames = manifest.frames;
  const next = clampZoom(frames, zoom);
  if (next === state.zoom) return;
  const now = ctx.frame.get();
  const view = follow(frames, state.zoom, state.viewStart, now);
  const fraction = (now + 0.5 - view.start) / view.span;
  const made = zoomed(frames, next, now, fraction);
  ui.set({ ...state, zoom: next, viewStart: made.start });
  ctx.announce(next === 1 ? "timeline: the whole video" : `timeline zoom ${next}×: frames ${made.start}–${made.start + made.span - 1}`);
}

export interface EventsContext {
  question: EventsSpec;
  events: VideoEvent[];
  ui: UiState<EventsUi>;
  frame: UiState<number>;
  manifest: Manifest | null;
  onChange: (value: Json | undefined, options?: PushOptions) => void;
  announce: (message: string) => void;
}

interface KeyLike {
  key: string;
  code: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

/** Handle `e`; true when it was an events key (the caller then stops it). */
export function eventsKey(ctx: EventsContext, e: KeyLike, inCard: boolean): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const { question, events, ui, frame, manifest } = ctx;
  const state = ui.get();
  const now = frame.get();
  const last = manifest ? manifest.frames - 1 : now;
  const times = manifest?.times ?? [];
  const seek = (n: number) => frame.set(Math.max(0, Math.min(last, n)));
  switch (e.key) {
    case "[":
      ui.set({ ...state, mark: now });
      ctx.announce(`start marked at ${frameText(now, times)}; step on and press ] at the end`);
      return true;
    case "]":
      return markEnd(ctx, now, last);
    case "Delete":
    case "Backspace": {
      if (!state.selected) return false;
      ctx.onChange(toAnswer(removeEvent(events, state.selected)));
      ui.set({ ...state, selected: null });
      ctx.announce("event removed");
      return true;
    }
    case "Tab": {
      if (events.length === 0) return false;
      const selected = cycle(events, state.selected, e.shiftKey ? -1 : 1);
      ui.set({ ...state, selected });
      const event = events.find((x) => x.id === selected);
      if (event) ctx.announce(`${event.label} ${event.start}–${event.end} selected; Enter goes to its start`);
      return true;
    }
    case "Enter": {
      const event = events.find((x) => x.id === state.selected);
      if (!event) return false;
      seek(event.start);
      return true;
    }
    case "Escape":
      if (state.mark === null && state.selected === null) return false;
      ui.set({ ...state, mark: null, selected: null });
      return true;
    case "z":
      zoomTimeline(ctx, state.zoom * 2);
      return true;
    case "Z":
      zoomTimeline(ctx, state.zoom / 2);
      return true;
  }
  if (inCard) {
    if (e.key === "," || e.key === "ArrowLeft") return seek(now - 1), true;
    if (e.key === "." || e.key === "ArrowRight") return seek(now + 1), true;
    if (e.key === "Home") return seek(0), true;
    if (e.key === "End") return seek(last), true;
  }
  const digit = digitOf(e);
  const option = digit === null ? undefined : question.labels[digit - 1];
  if (digit === null || !option || digit > 9) return false;
  ui.set({ ...state, label: digit - 1 });
  ctx.announce(`new events: ${optionText(option)}`);
  return true;
}

function markEnd(ctx: EventsContext, now: number, last: number): boolean {
  const { question, events, ui } = ctx;
  const state = ui.get();
  if (state.mark === null) {
    const selected = events.find((x) => x.id === state.selected);
    if (!selected) {
      ctx.announce("press [ at the start first");
      return true;
    }
    ctx.onChange(toAnswer(moveEdge(question, events, selected.id, "end", now, last)));
    return true;
  }
  const label = question.labels[state.label] ?? question.labels[0];
  if (!label) return true;
  const edit = addEvent(question, events, label.value, state.mark, now);
  if ("error" in edit) {
    ctx.announce(`not marked: ${edit.error}`);
    return true;
  }
  ctx.onChange(toAnswer(edit.events));
  ui.set({ ...state, mark: null, selected: edit.made.id });
  ctx.announce(`${optionText(label)} marked, frames ${edit.made.start}–${edit.made.end}`);
  return true;
}
