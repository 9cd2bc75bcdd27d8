/**
 * An audio field with `segments` or `transcript` questions on it: the player, with the active
 * question's segments (else the first's) as a band over the waveform and, for `segments`, one
 * lane per label under it. The keys of docs/audio.md work with the player focused.
 */
import { useContext, type KeyboardEvent } from "react";
import type { Json } from "../../../api/types";
import type { FieldSpec, SegmentsSpec, TranscriptSpec } from "../../../editor/interface";
import { optionText, titleOf } from "../../../editor/interface";
import { AudioPlayer } from "../../fields/audio/AudioPlayer";
import { labelColour } from "../../palette";
import { isTypingTarget } from "../../types";
import { WidgetContext } from "../../widgetShared";
import { audioLinkOf, useSegmentsContext } from "./context";
import { segmentsKey, type SegmentsContext } from "./keys";
import { SegmentTrack } from "./SegmentTrack";

export type TimeQuestion = SegmentsSpec | TranscriptSpec;

interface Bound {
  value: Json | undefined;
  onChange: SegmentsContext["onChange"];
  active: boolean;
  activate: () => void;
}

export function SegmentsAudio({ field, value, questions, bind }: { field: FieldSpec; value: Json | undefined; questions: TimeQuestion[]; bind: (q: TimeQuestion) => Bound }) {
  const shared = useContext(WidgetContext);
  const link = audioLinkOf(shared, field.name);
  const owner = questions.find((q) => bind(q).active) ?? questions[0];
  if (!owner) return <AudioPlayer field={field} value={value} link={link} />;
  // Not keyed by the owner: switching questions keeps the player (and its playback).
  return <OwnedAudio field={field} value={value} question={owner} binding={bind(owner)} />;
}

/** The colour index of a label: its place among the question's labels. */
export function colourIndex(question: TimeQuestion, label: string): number {
  return question.kind === "segments" ? Math.max(0, question.labels.findIndex((o) => o.value === label)) : 0;
}

function OwnedAudio({ field, value, question, binding }: { field: FieldSpec; value: Json | undefined; question: TimeQuestion; binding: Bound }) {
  const ctx = useSegmentsContext(question, binding.value, binding.onChange);
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.defaultPrevented || isTypingTarget(event.target)) return;
    if (!segmentsKey(ctx, event, false)) return;
    event.preventDefault();
    event.stopPropagation();
  };
  const colourOf = (label: string) => colourIndex(question, label);
  const labels = question.kind === "segments" ? question.labels : [];
  const band = <SegmentTrack ctx={ctx} lane={null} colourOf={colourOf} showLabel={labels.length > 1} className="seg-band" activate={binding.activate} />;
  const lanes =
    labels.length > 0 ? (
      <div className="seg-lanes" data-segments-lanes={question.name}>
        {labels.map((option, index) => (
          <div key={option.value} className="seg-lane" data-lane={option.value}>
            <span className="seg-lane-name" style={{ borderColor: labelColour(index).edge }}>
              {index < 9 ? <kbd>{index + 1}</kbd> : null} {optionText(option)}
            </span>
            <SegmentTrack ctx={ctx} lane={option.value} colourOf={colourOf} showLabel={false} className="seg-track" activate={binding.activate} />
          </div>
        ))}
      </div>
    ) : null;
  return (
    <div className="segments-audio" onKeyDown={onKeyDown} data-segments-of={question.name} aria-label={`${titleOf(field)} with the segments of ${titleOf(question)}`}>
      <AudioPlayer field={field} value={value} link={ctx.link} overlay={band} below={lanes} />
    </div>
  );
}
