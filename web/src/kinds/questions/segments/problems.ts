/**
 * What the browser can say of a `segments` or `transcript` answer before submitting (the
 * editor's local problems): times off the millisecond, past the recording's end (when the
 * task's data gives its duration, as the server checks), too short, refused overlaps, missing
 * speakers. Paths are inside the answer (`segments[2].end`), in its (time) order.
 */
import type { Json, JsonObject } from "../../../api/types";
import type { SegmentsSpec, TranscriptSpec } from "../../../editor/interface";
import { audioSourceOf } from "../../fields/audio/source";
import { segmentProblems, segmentsOf, type SegmentProblem } from "./model";

export function timeSegmentProblems(question: SegmentsSpec | TranscriptSpec, value: Json | undefined, data: JsonObject): SegmentProblem[] {
  const duration = audioSourceOf(data[question.target])?.duration ?? null;
  const rules = { overlap: question.overlap, minDuration: question.minDuration, maxSegments: question.maxSegments, duration, speakerRequired: question.speakerRequired };
  return segmentProblems(rules, segmentsOf(value));
}
