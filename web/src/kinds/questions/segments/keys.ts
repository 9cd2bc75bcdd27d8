/**
 * The keys of the `segments` and `transcript` questions (docs/audio.md, "In the browser"), the
 * same in the question's card and on its player:
 *
 * `[` marks a start at the playhead, `]` the end (making the segment with the chosen label;
 * with no start marked it moves the selected segment's end there), `{` / `}` move the
 * selected segment's start / end to the playhead, N makes a segment at the playhead (2 s, or
 * up to the next one), `/` splits the selected segment (else the one under the playhead) at
 * the playhead, 1–9 choose the label, Shift+1–9 the speaker (of the selected segment and of
 * the next ones), Delete removes the selected segment, Tab / Shift+Tab select the next /
 * previous one and go to its start, Enter goes to its start (a transcript: into its text
 * box), P plays it, Esc drops the mark and the selection. In the card the player's moves work
 * too: ← / → one second (Shift: 0.1 s), `,` / `.` 10 ms, Home / End.
 */
import type { Json } from "../../../api/types";
import type { PushOptions } from "../../../editor/history";
import type { Option, SegmentsSpec, TranscriptSpec } from "../../../editor/interface";
import { optionText } from "../../../editor/interface";
import type { AudioLink } from "../../fields/audio/link";
import { clock, ms } from "../../fields/audio/source";
import { digitOf } from "../../types";
import type { UiState } from "../../uiState";
import { addSegment, cycle, inOrder, moveEdge, removeSegment, segmentAt, splitAt, toAnswer, update, type Segment, type SegmentRules } from "./model";

export interface SegmentsUi {
  selected: string | null;
  /** The label new segments take (an index into the question's labels). */
  label: number;
  /** The speaker new segments take (an index into the question's speakers), if any. */
  speaker: number | null;
  /** The start marked with `[`, waiting for `]` (seconds). */
  mark: number | null;
}

export const initialSegmentsUi: SegmentsUi = { selected: null, label: 0, speaker: null, mark: null };

/** How long a segment made with N lasts, at most (s). */
export const NEW_LENGTH = 2;

export interface SegmentsContext {
  question: SegmentsSpec | TranscriptSpec;
  segments: Segment[];
  rules: SegmentRules;
  ui: UiState<SegmentsUi>;
  link: AudioLink;
  /** A drag's segments before they are committed (both the band and the lanes draw them). */
  preview: UiState<Segment[] | null>;
  onChange: (value: Json | undefined, options?: PushOptions) => void;
  announce: (message: string) => void;
  /** Put the keyboard in the selected segment's text box (a transcript). */
  focusText?: (id: string) => void;
}

interface KeyLike {
  key: string;
  code: string;
  shiftKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

export const labelsOf = (question: SegmentsSpec | TranscriptSpec): Option[] => (question.kind === "segments" ? question.labels : []);

/** The fields a new segment takes from the choices made (label, speaker, text); `lane`: the
 * label of the lane it was drawn on. */
export function newFields(ctx: SegmentsContext, lane: string | null = null): Partial<Segment> {
  const state = ctx.ui.get();
  const label = lane ?? labelsOf(ctx.question)[state.label]?.value ?? "";
  const speaker = state.speaker === null ? null : (ctx.question.speakers?.[state.speaker]?.value ?? null);
  return { label, speaker, text: ctx.question.kind === "transcript" ? "" : null };
}

/** Commit `segments` as the answer (one undo step). */
export function commit(ctx: SegmentsContext, segments: readonly Segment[]): void {
  ctx.onChange(toAnswer(segments, ctx.question.kind));
}

/** Handle `e`; true when it was one of these keys (the caller then stops it). */
export function segmentsKey(ctx: SegmentsContext, e: KeyLike, inCard: boolean): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const { segments, ui, link } = ctx;
  const state = ui.get();
  const now = ms(link.time.get());
  const duration = link.duration.get();
  const selected = segments.find((s) => s.id === state.selected) ?? null;
  const seek = (t: number) => link.time.set(ms(Math.max(0, Math.min(duration, t))));
  switch (e.key) {
    case "[":
      ui.set({ ...state, mark: now });
      ctx.announce(`start marked at ${clock(now)}; go on and press ] at the end`);
      return true;
    case "]":
      return markEnd(ctx, now);
    case "{":
    case "}":
      if (!selected) return ctx.announce("select a segment first (Tab)"), true;
      commit(ctx, moveEdge(ctx.rules, segments, selected.id, e.key === "{" ? "start" : "end", now));
      return true;
    case "n":
    case "N":
      return newAtPlayhead(ctx, now);
    case "/":
      return split(ctx, now);
    case "p":
    case "P":
      if (!selected) return ctx.announce("select a segment first (Tab)"), true;
      link.control.get()?.playRange(selected.start, selected.end);
      return true;
    case "Delete":
    case "Backspace":
      if (!selected) return false;
      commit(ctx, removeSegment(segments, selected.id));
      ui.set({ ...state, selected: null });
      ctx.announce("segment removed");
      return true;
    case "Tab": {
      if (segments.length === 0) return false;
      const next = cycle(segments, state.selected, e.shiftKey ? -1 : 1);
      ui.set({ ...state, selected: next });
      const s = segments.find((x) => x.id === next);
      if (s) {
        seek(s.start);
        ctx.announce(`${s.label || "segment"} ${clock(s.start)} to ${clock(s.end)} selected`);
      }
      return true;
    }
    case "Enter":
      if (!selected) return false;
      seek(selected.start);
      ctx.focusText?.(selected.id);
      return true;
    case "Escape":
      if (state.mark === null && state.selected === null) return false;
      ui.set({ ...state, mark: null, selected: null });
      return true;
  }
  if (inCard) {
    if (e.key === "ArrowLeft") return seek(now - (e.shiftKey ? 0.1 : 1)), true;
    if (e.key === "ArrowRight") return seek(now + (e.shiftKey ? 0.1 : 1)), true;
    if (e.key === ",") return seek(now - 0.01), true;
    if (e.key === ".") return seek(now + 0.01), true;
    if (e.key === "Home") return seek(0), true;
    if (e.key === "End") return seek(duration), true;
  }
  const digit = digitOf(e);
  if (digit === null || digit > 9) return false;
  return e.shiftKey ? chooseSpeaker(ctx, digit - 1) : chooseLabel(ctx, digit - 1);
}

function chooseLabel(ctx: SegmentsContext, index: number): boolean {
  const option = labelsOf(ctx.question)[index];
  if (!option) return false;
  const state = ctx.ui.get();
  ctx.ui.set({ ...state, label: index });
  ctx.announce(`new segments: ${optionText(option)}`);
  return true;
}

function chooseSpeaker(ctx: SegmentsContext, index: number): boolean {
  const option = ctx.question.speakers?.[index];
  if (!option) return false;
  const state = ctx.ui.get();
  ctx.ui.set({ ...state, speaker: index });
  if (state.selected) {
    const edit = update(ctx.rules, ctx.segments, state.selected, { speaker: option.value });
    if (!("error" in edit)) commit(ctx, edit.segments);
  }
  ctx.announce(`speaker: ${optionText(option)}`);
  return true;
}

function markEnd(ctx: SegmentsContext, now: number): boolean {
  const { segments, ui } = ctx;
  const state = ui.get();
  if (state.mark === null) {
    const selected = segments.find((s) => s.id === state.selected);
    if (!selected) {
      ctx.announce("press [ at the start first");
      return true;
    }
    commit(ctx, moveEdge(ctx.rules, segments, selected.id, "end", now));
    return true;
  }
  const edit = addSegment(ctx.rules, segments, state.mark, now, newFields(ctx));
  if ("error" in edit) {
    ctx.announce(`not marked: ${edit.error}`);
    return true;
  }
  commit(ctx, edit.segments);
  ui.set({ ...state, mark: null, selected: edit.made.id });
  ctx.announce(`${edit.made.label || "segment"} marked, ${clock(edit.made.start)} to ${clock(edit.made.end)}`);
  return true;
}

/** A segment from the playhead for NEW_LENGTH seconds, or up to the next segment of its label. */
export function newAtPlayhead(ctx: SegmentsContext, now: number): boolean {
  const fields = newFields(ctx);
  const duration = ctx.link.duration.get() || Infinity;
  let end = Math.min(duration, now + NEW_LENGTH);
  if (ctx.rules.overlap === "refuse") {
    for (const s of ctx.segments) if (s.label === fields.label && s.start >= now && s.start < end) end = s.start;
  }
  const edit = addSegment(ctx.rules, ctx.segments, now, end, fields);
  if ("error" in edit) {
    ctx.announce(`not made: ${edit.error}`);
    return true;
  }
  commit(ctx, edit.segments);
  ctx.ui.set({ ...ctx.ui.get(), selected: edit.made.id, mark: null });
  ctx.announce(`segment made, ${clock(edit.made.start)} to ${clock(edit.made.end)}`);
  ctx.focusText?.(edit.made.id);
  return true;
}

/** Split the selected segment, else the one under the playhead, at the playhead. */
export function split(ctx: SegmentsContext, now: number): boolean {
  const state = ctx.ui.get();
  const selected = ctx.segments.find((s) => s.id === state.selected && s.start < now && now < s.end);
  const id = selected?.id ?? segmentAt(inOrder(ctx.segments), now);
  if (!id) {
    ctx.announce("no segment under the playhead to split");
    return true;
  }
  const edit = splitAt(ctx.rules, ctx.segments, id, now);
  if ("error" in edit) {
    ctx.announce(`not split: ${edit.error}`);
    return true;
  }
  commit(ctx, edit.segments);
  ctx.ui.set({ ...state, selected: edit.made.id });
  ctx.announce(`split at ${clock(now)}`);
  ctx.focusText?.(edit.made.id);
  return true;
}
