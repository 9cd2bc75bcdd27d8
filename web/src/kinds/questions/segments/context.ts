/**
 * The state a `segments` or `transcript` question shares between its card and its audio
 * field's player (through `WidgetShared`, per task): the player's `AudioLink` (one per audio
 * field), the question's UI state (selection, chosen label and speaker, marked start) and a
 * drag's preview. Every change of the answer goes through `onChange` (one undo step).
 */
import { useContext, useMemo } from "react";
import type { Json } from "../../../api/types";
import type { SegmentsSpec, TranscriptSpec } from "../../../editor/interface";
import { audioLink, type AudioLink } from "../../fields/audio/link";
import { useUiState } from "../../uiState";
import { WidgetContext, type WidgetShared } from "../../widgetShared";
import { initialSegmentsUi, type SegmentsContext, type SegmentsUi } from "./keys";
import { segmentsOf, type Segment } from "./model";

/** Where a transcript card says how to put the keyboard in a segment's text box. */
export function focusSlot(shared: WidgetShared, question: string) {
  return shared.get<((id: string) => void) | null>(`segments-focus:${question}`, null);
}

/** The link of the player of audio field `field` (one per field and task). */
export function audioLinkOf(shared: WidgetShared, field: string): AudioLink {
  const made = shared.get<AudioLink | null>(`audio-link:${field}`, null);
  let link = made.get();
  if (!link) {
    link = audioLink();
    made.set(link);
  }
  return link;
}

export function useSegmentsContext(question: SegmentsSpec | TranscriptSpec, value: Json | undefined, onChange: SegmentsContext["onChange"]): SegmentsContext {
  const shared = useContext(WidgetContext);
  const link = audioLinkOf(shared, question.target);
  const duration = useUiState(link.duration);
  const ui = shared.get<SegmentsUi>(`segments:${question.name}`, initialSegmentsUi);
  useUiState(ui);
  const preview = shared.get<Segment[] | null>(`segments-preview:${question.name}`, null);
  const segments = useMemo(() => segmentsOf(value), [value]);
  const focus = focusSlot(shared, question.name);
  return {
    question,
    segments,
    rules: { overlap: question.overlap, minDuration: question.minDuration, maxSegments: question.maxSegments, duration: duration > 0 ? duration : null },
    ui,
    link,
    preview,
    onChange,
    announce: shared.announce,
    focusText: (id: string) => focus.get()?.(id),
  };
}
