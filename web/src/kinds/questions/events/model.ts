/**
 * The events of an `events` answer (docs/kinds.md): frame segments with both ends included,
 * and the edits the timeline and the keys make to them. Pure functions over immutable lists;
 * each edit the widget commits is one undo step (the editor's history).
 */
import type { Json, JsonObject } from "../../../api/types";
import type { EventsSpec } from "../../../editor/interface";
import { isObject } from "../../types";

export interface VideoEvent {
  id: string;
  label: string;
  start: number;
  end: number;
  attributes: JsonObject | null;
}

export function eventsOf(value: Json | undefined): VideoEvent[] {
  if (!isObject(value) || !Array.isArray(value.events)) return [];
  return value.events.flatMap((item): VideoEvent[] => {
    if (!isObject(item) || typeof item.id !== "string" || typeof item.label !== "string") return [];
    if (typeof item.start !== "number" || typeof item.end !== "number") return [];
    return [{ id: item.id, label: item.label, start: item.start, end: item.end, attributes: isObject(item.attributes) ? item.attributes : null }];
  });
}

/** The answer for `events` (undefined when there are none: an empty answer). */
export function toAnswer(events: VideoEvent[]): Json | undefined {
  if (events.length === 0) return undefined;
  const ordered = [...events].sort((a, b) => a.start - b.start || a.end - b.end || a.id.localeCompare(b.id));
  return {
    events: ordered.map((e) => {
      const out: JsonObject = { id: e.id, label: e.label, start: e.start, end: e.end };
      if (e.attributes && Object.keys(e.attributes).length > 0) out.attributes = e.attributes;
      return out;
    }),
  };
}

/** An id not used yet: e1, e2, ... */
export function nextId(events: VideoEvent[]): string {
  const used = new Set(events.map((e) => e.id));
  let n = events.length + 1;
  while (used.has(`e${n}`)) n++;
  return `e${n}`;
}

/** The event of the same label `event` would share a frame with (refused overlap), if any. */
export function clash(question: EventsSpec, events: VideoEvent[], event: VideoEvent): VideoEvent | null {
  if (question.overlap === "allow") return null;
  return events.find((o) => o.id !== event.id && o.label === event.label && o.start <= event.end && event.start <= o.end) ?? null;
}

export type Edit = { events: VideoEvent[]; made: VideoEvent } | { error: string };

/** A new event from frame `a` to frame `b` (either order), refused with a reason if it
 * cannot be one (too short, or overlapping one of its label where that is refused). */
export function addEvent(question: EventsSpec, events: VideoEvent[], label: string, a: number, b: number): Edit {
  const start = Math.min(a, b);
  const end = Math.max(a, b);
  if (end - start + 1 < question.minFrames) {
    return { error: `an event spans at least ${question.minFrames} frames (this one ${end - start + 1}); mark a later end` };
  }
  if (events.length >= question.maxEvents) return { error: `this question takes at most ${question.maxEvents} events` };
  const made: VideoEvent = { id: nextId(events), label, start, end, attributes: null };
  const other = clash(question, events, made);
  if (other) return { error: `it would overlap the ${label} event at frames ${other.start}–${other.end}; events of one label may not overlap here` };
  return { events: [...events, made], made };
}

/** `id`'s `edge` moved to `frame`, kept within the video (`last` its last frame), at least
 * `minFrames` long, and short of its label's neighbours where overlaps are refused. */
export function moveEdge(question: EventsSpec, events: VideoEvent[], id: string, edge: "start" | "end", frame: number, last: number): VideoEvent[] {
  const event = events.find((e) => e.id === id);
  if (!event) return events;
  const span = Math.max(1, question.minFrames) - 1;
  let low = 0;
  let high = last;
  if (question.overlap === "refuse") {
    for (const o of events) {
      if (o.id === id || o.label !== event.label) continue;
      if (o.end < event.start) low = Math.max(low, o.end + 1);
      if (o.start > event.end) high = Math.min(high, o.start - 1);
    }
  }
  const moved =
    edge === "start"
      ? { ...event, start: Math.max(low, Math.min(frame, event.end - span)) }
      : { ...event, end: Math.min(high, Math.max(frame, event.start + span)) };
  return events.map((e) => (e.id === id ? moved : e));
}

export function removeEvent(events: VideoEvent[], id: string): VideoEvent[] {
  return events.filter((e) => e.id !== id);
}

export function relabel(question: EventsSpec, events: VideoEvent[], id: string, label: string): Edit {
  const event = events.find((e) => e.id === id);
  if (!event) return { error: "no event is selected" };
  const made = { ...event, label };
  const other = clash(question, events, made);
  if (other) return { error: `it would overlap the ${label} event at frames ${other.start}–${other.end}` };
  return { events: events.map((e) => (e.id === id ? made : e)), made };
}

export function setAttribute(events: VideoEvent[], id: string, name: string, value: Json | undefined): VideoEvent[] {
  return events.map((e) => {
    if (e.id !== id) return e;
    const attributes: JsonObject = { ...(e.attributes ?? {}) };
    if (value === undefined) delete attributes[name];
    else attributes[name] = value;
    return { ...e, attributes };
  });
}

/** The events in time order (Tab's order). */
export function inOrder(events: VideoEvent[]): VideoEvent[] {
  return [...events].sort((a, b) => a.start - b.start || a.end - b.end || a.id.localeCompare(b.id));
}

/** The event after (or before, `by` -1) the selected one in time order, wrapping around. */
export function cycle(events: VideoEvent[], selected: string | null, by: 1 | -1): string | null {
  const order = inOrder(events);
  if (order.length === 0) return null;
  const at = order.findIndex((e) => e.id === selected);
  if (at < 0) return (by === 1 ? order[0] : order[order.length - 1])?.id ?? null;
  return order[(at + by + order.length) % order.length]?.id ?? null;
}

/** The frame under `x` on a timeline `width` pixels wide showing `frames` frames. */
export function frameAtX(x: number, width: number, frames: number): number {
  if (width <= 0 || frames <= 0) return 0;
  return Math.max(0, Math.min(frames - 1, Math.floor((x / width) * frames)));
}

/** How a frame reads: its number and its time (from the manifest's times). */
export function frameText(frame: number, times: readonly number[]): string {
  const seconds = times[frame];
  return seconds === undefined ? `frame ${frame}` : `frame ${frame} · ${seconds.toFixed(3)} s`;
}
