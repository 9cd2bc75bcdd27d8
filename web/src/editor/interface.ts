/**
 * A project's interface (fields and questions) as the browser uses it. The server stores
 * the declaration without its defaults (`model_dump(exclude_unset=True)`); `parseInterface`
 * fills in every default the server applies (docs/kinds.md), so widgets never guess.
 */
import type { Json, JsonObject } from "../api/types";
import { parseDeclaredChecks, type DeclaredCheck } from "./checks";
import { parseConsistencyChecks, type ConsistencyCheck } from "./consistency";

export interface Option {
  value: string;
  label: string;
  hint: string;
}

interface Common {
  name: string;
  label: string;
}

export interface TextFieldSpec extends Common {
  kind: "text" | "markdown";
}
export interface TextListFieldSpec extends Common {
  kind: "text_list";
  markdown: boolean;
}
export interface ChatFieldSpec extends Common {
  kind: "chat";
  roles: string[] | null;
}
/** `kind: image`: a media reference, or `{src, width, height}` (src signed for the browser). */
export interface ImageFieldSpec extends Common {
  kind: "image";
}
/** `kind: video`: a media reference, or `{src, frames, fps, ...}` (docs/video.md). */
export interface VideoFieldSpec extends Common {
  kind: "video";
}
/** `kind: audio`: a media reference, or `{src, duration, sample_rate, channels}` (docs/audio.md). */
export interface AudioFieldSpec extends Common {
  kind: "audio";
}
export interface UnknownFieldSpec extends Common {
  kind: "unknown";
  declared: string;
}
export type FieldSpec =
  | TextFieldSpec
  | TextListFieldSpec
  | ChatFieldSpec
  | ImageFieldSpec
  | VideoFieldSpec
  | AudioFieldSpec
  | UnknownFieldSpec;

interface QuestionCommon extends Common {
  required: boolean;
  description: string;
  /** The anchor of a guideline section shown beside the question (docs/guidelines.md). */
  guideline?: string;
}
export interface ChoiceSpec extends QuestionCommon {
  kind: "choice";
  options: Option[];
  multiple: boolean;
  minChoices: number;
  maxChoices: number | null;
}
export interface RatingSpec extends QuestionCommon {
  kind: "rating";
  min: number;
  max: number;
  step: number;
  style: "stars" | "scale";
  labels: Record<string, string>;
}
export interface TextRule {
  pattern: string;
  message: string;
  mustMatch: boolean;
  /** warn: a failure is shown, and never stops the submit (docs/checks.md). */
  level?: "block" | "warn";
}
export interface TextQuestionSpec extends QuestionCommon {
  kind: "text";
  minLength: number;
  maxLength: number | null;
  placeholder: string;
  multiline: boolean;
  rules: TextRule[];
  checks: string[];
  /** The declared checks of `checks` (objects: docs/checks.md). */
  declared?: DeclaredCheck[];
}
export interface SpansSpec extends QuestionCommon {
  kind: "spans";
  target: string;
  labels: Option[];
  overlap: boolean;
  minSpans: number;
}
export interface PairwiseSpec extends QuestionCommon {
  kind: "pairwise";
  target: string | null;
  allowTie: boolean;
  maxStrength: number;
  strengthRequired: boolean;
}
export interface RankingSpec extends QuestionCommon {
  kind: "ranking";
  target: string | null;
  options: Option[] | null;
  ties: boolean;
}
export interface Criterion {
  name: string;
  label: string;
  description: string;
  type: "pass_fail" | "score";
  min: number;
  max: number;
  weight: number;
}
export interface RubricSpec extends QuestionCommon {
  kind: "rubric";
  target: string | null;
  criteria: Criterion[];
}
export interface TurnsSpec extends QuestionCommon {
  kind: "turns";
  target: string;
  roles: string[];
  rating: { min: number; max: number } | null;
  labels: Option[] | null;
  multiple: boolean;
  allTurns: boolean;
}
/** One per-object attribute of a shape question (docs/kinds.md, "Shapes on images"). */
export interface ShapeAttribute {
  name: string;
  label: string;
  type: "choice" | "multi_choice" | "number" | "text";
  /** The values of a choice / multi_choice attribute ([] for number and text). */
  options: Option[];
  /** Bounds of a number attribute (null: unbounded). */
  min: number | null;
  max: number | null;
  required: boolean;
  /** Longest value of a text attribute. */
  maxLength: number;
}
/** What every shape question (boxes, polygons, polylines, points, keypoints, masks) shares. */
interface ShapeCommon extends QuestionCommon {
  /** The image field the shapes are drawn on. */
  target: string;
  labels: Option[];
  attributes: ShapeAttribute[];
  minObjects: number;
  maxObjects: number;
}
export interface BoxesSpec extends ShapeCommon {
  kind: "boxes";
  /** Boxes may carry `rotation` (degrees, clockwise about the centre). */
  rotation: boolean;
}
export interface PolygonsSpec extends ShapeCommon {
  kind: "polygons";
  /** An outline that crosses itself: refused, accepted with a warning, or accepted. */
  selfIntersection: "refuse" | "warn" | "allow";
  maxPoints: number;
}
export interface PolylinesSpec extends ShapeCommon {
  kind: "polylines";
  maxPoints: number;
  /** Two lines match (agreement) when their mean distance is at most this many pixels. */
  radius: number;
}
export interface PointsSpec extends ShapeCommon {
  kind: "points";
  /** Two points match (agreement) when at most this many pixels apart. */
  radius: number;
}
export interface Skeleton {
  /** Point names, in the order an object's `points` lists them. */
  points: string[];
  /** Pairs of indices into `points`, drawn as lines. */
  edges: [number, number][];
}
export interface KeypointsSpec extends ShapeCommon {
  kind: "keypoints";
  skeleton: Skeleton;
  /** Per-point OKS falloff (null: COCO's for 17 points, else 0.1 each). */
  sigmas: number[] | null;
}
export interface MasksSpec extends ShapeCommon {
  kind: "masks";
}
export interface ImageClassSpec extends QuestionCommon {
  kind: "image_class";
  target: string;
  options: Option[];
  multiple: boolean;
  minChoices: number;
  maxChoices: number | null;
}
/** `kind: events`: labelled frame segments on a video field (docs/kinds.md, "events"). */
export interface EventsSpec extends QuestionCommon {
  kind: "events";
  /** The video field the events are marked on. */
  target: string;
  labels: Option[];
  attributes: ShapeAttribute[];
  /** Two events of one label may share a frame ("allow") or not ("refuse"). */
  overlap: "allow" | "refuse";
  minFrames: number;
  minEvents: number;
  maxEvents: number;
}
/** One attribute of a tracks question: a shape attribute, fixed for the track or `mutable` (per keyframe). */
export interface TrackAttribute extends ShapeAttribute {
  mutable: boolean;
}
/** `kind: tracks`: objects followed through a video's frames by keyframes (docs/video.md, "Tracks"). */
export interface TracksSpec extends QuestionCommon {
  kind: "tracks";
  /** The video field the tracks are drawn on. */
  target: string;
  shape: "box" | "polygon" | "point" | "keypoints";
  /** Boxes may carry `rotation` (degrees, clockwise about the centre). */
  rotation: boolean;
  labels: Option[];
  skeleton: Skeleton;
  attributes: TrackAttribute[];
  maxTracks: number;
  maxKeyframes: number;
  maxPoints: number;
}
/** What `segments` and `transcript` share: time segments on an audio field (docs/audio.md). */
interface TimeSegmentsCommon extends QuestionCommon {
  /** The audio field the segments are marked on. */
  target: string;
  /** Who may speak (null: no speaker is asked). */
  speakers: Option[] | null;
  speakerRequired: boolean;
  overlap: "allow" | "refuse";
  /** Seconds. */
  minDuration: number;
  minSegments: number;
  maxSegments: number;
}
/** `kind: segments`: labelled time segments on an audio field. */
export interface SegmentsSpec extends TimeSegmentsCommon {
  kind: "segments";
  labels: Option[];
  attributes: ShapeAttribute[];
}
/** `kind: transcript`: time segments with a text each, checked by the text rules. */
export interface TranscriptSpec extends TimeSegmentsCommon {
  kind: "transcript";
  minLength: number;
  maxLength: number | null;
  rules: TextRule[];
  checks: string[];
  /** The declared checks of `checks`, run on each segment's text (docs/checks.md). */
  declared?: DeclaredCheck[];
}
export type ShapeSpec =
  | BoxesSpec
  | PolygonsSpec
  | PolylinesSpec
  | PointsSpec
  | KeypointsSpec
  | MasksSpec;
export interface UnknownQuestionSpec extends QuestionCommon {
  kind: "unknown";
  declared: string;
}
export type QuestionSpec =
  | ChoiceSpec
  | RatingSpec
  | TextQuestionSpec
  | SpansSpec
  | PairwiseSpec
  | RankingSpec
  | RubricSpec
  | TurnsSpec
  | BoxesSpec
  | PolygonsSpec
  | PolylinesSpec
  | PointsSpec
  | KeypointsSpec
  | MasksSpec
  | ImageClassSpec
  | EventsSpec
  | SegmentsSpec
  | TranscriptSpec
  | TracksSpec
  | UnknownQuestionSpec;

export interface Interface {
  fields: FieldSpec[];
  questions: QuestionSpec[];
  /** Consistency checks across questions (docs/checks.md). */
  checks?: ConsistencyCheck[];
}

type Raw = { [key: string]: Json | undefined };

const str = (raw: Raw, key: string, fallback = ""): string => {
  const value = raw[key];
  return typeof value === "string" ? value : fallback;
};
const num = (raw: Raw, key: string, fallback: number): number => {
  const value = raw[key];
  return typeof value === "number" ? value : fallback;
};
const numOrNull = (raw: Raw, key: string): number | null => {
  const value = raw[key];
  return typeof value === "number" ? value : null;
};
const bool = (raw: Raw, key: string, fallback: boolean): boolean => {
  const value = raw[key];
  return typeof value === "boolean" ? value : fallback;
};
const obj = (value: Json | undefined): Raw | null =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? value : null;
const strings = (value: Json | undefined): string[] | null =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : null;

export function parseOptions(value: Json | undefined): Option[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): Option[] => {
    if (typeof item === "string") return [{ value: item, label: "", hint: "" }];
    const raw = obj(item);
    if (!raw) return [];
    return [{ value: str(raw, "value"), label: str(raw, "label"), hint: str(raw, "hint") }];
  });
}

/** What an option shows: its label, else its value. */
export function optionText(option: Option): string {
  return option.label || option.value;
}

/** What a field or question shows as its title: its label, else its name. */
export function titleOf(item: { name: string; label: string }): string {
  return item.label || item.name;
}

function parseField(raw: Raw): FieldSpec {
  const common = { name: str(raw, "name"), label: str(raw, "label") };
  const kind = str(raw, "kind");
  switch (kind) {
    case "text":
    case "markdown":
      return { ...common, kind };
    case "text_list":
      return { ...common, kind, markdown: bool(raw, "markdown", false) };
    case "chat":
      return { ...common, kind, roles: strings(raw.roles) };
    case "image":
    case "video":
    case "audio":
      return { ...common, kind };
    default:
      return { ...common, kind: "unknown", declared: kind };
  }
}

function parseCriterion(raw: Raw): Criterion {
  return {
    name: str(raw, "name"),
    label: str(raw, "label"),
    description: str(raw, "description"),
    type: str(raw, "type", "score") === "pass_fail" ? "pass_fail" : "score",
    min: num(raw, "min", 1),
    max: num(raw, "max", 5),
    weight: num(raw, "weight", 1),
  };
}

function parseAttribute(raw: Raw): ShapeAttribute {
  const type = str(raw, "type", "text");
  return {
    name: str(raw, "name"),
    label: str(raw, "label"),
    type: type === "choice" || type === "multi_choice" || type === "number" ? type : "text",
    options: parseOptions(raw.options),
    min: numOrNull(raw, "min"),
    max: numOrNull(raw, "max"),
    required: bool(raw, "required", false),
    maxLength: num(raw, "max_length", 1000),
  };
}

const selfIntersection = (value: string): PolygonsSpec["selfIntersection"] => (value === "allow" || value === "warn" ? value : "refuse");

function parseShape(raw: Raw, common: QuestionCommon): ShapeSpec | null {
  const shape = {
    ...common,
    target: str(raw, "target"),
    labels: parseOptions(raw.labels),
    attributes: (Array.isArray(raw.attributes) ? raw.attributes : []).flatMap((item) => {
      const attribute = obj(item);
      return attribute ? [parseAttribute(attribute)] : [];
    }),
    minObjects: num(raw, "min_objects", 0),
    maxObjects: num(raw, "max_objects", 10000),
  };
  const kind = str(raw, "kind");
  switch (kind) {
    case "boxes":
      return { ...shape, kind, rotation: bool(raw, "rotation", false) };
    case "polygons":
      return {
        ...shape,
        kind,
        selfIntersection: selfIntersection(str(raw, "self_intersection", "refuse")),
        maxPoints: num(raw, "max_points", 10000),
      };
    case "polylines":
      return { ...shape, kind, maxPoints: num(raw, "max_points", 10000), radius: num(raw, "radius", 10) };
    case "points":
      return { ...shape, kind, radius: num(raw, "radius", 10) };
    case "keypoints": {
      const skeleton = obj(raw.skeleton) ?? {};
      const edges = (Array.isArray(skeleton.edges) ? skeleton.edges : []).flatMap((edge) =>
        Array.isArray(edge) && edge.length === 2 && typeof edge[0] === "number" && typeof edge[1] === "number"
          ? [[edge[0], edge[1]] as [number, number]]
          : [],
      );
      const sigmas = Array.isArray(raw.sigmas)
        ? raw.sigmas.filter((v): v is number => typeof v === "number")
        : null;
      return { ...shape, kind, skeleton: { points: strings(skeleton.points) ?? [], edges }, sigmas };
    }
    case "masks":
      return { ...shape, kind };
    default:
      return null;
  }
}

function parseRules(raw: Raw): TextRule[] {
  return (Array.isArray(raw.rules) ? raw.rules : []).flatMap((item) => {
    const rule = obj(item);
    return rule ? [{ pattern: str(rule, "pattern"), message: str(rule, "message"), mustMatch: bool(rule, "must_match", true), level: str(rule, "level") === "warn" ? ("warn" as const) : ("block" as const) }] : [];
  });
}

/** The keys `segments` and `transcript` share, with the server's defaults. */
function parseTimeSegments(raw: Raw, common: QuestionCommon, overlap: "allow" | "refuse"): TimeSegmentsCommon {
  const given = str(raw, "overlap", overlap);
  return {
    ...common,
    target: str(raw, "target"),
    speakers: Array.isArray(raw.speakers) ? parseOptions(raw.speakers) : null,
    speakerRequired: bool(raw, "speaker_required", false),
    overlap: given === "allow" || given === "refuse" ? given : overlap,
    minDuration: num(raw, "min_duration", 0.01),
    minSegments: num(raw, "min_segments", 0),
    maxSegments: num(raw, "max_segments", 10000),
  };
}

function parseQuestion(raw: Raw): QuestionSpec {
  const common = {
    name: str(raw, "name"),
    label: str(raw, "label"),
    required: bool(raw, "required", false),
    description: str(raw, "description"),
    guideline: str(raw, "guideline") || undefined,
  };
  const shape = parseShape(raw, common);
  if (shape) return shape;
  const kind = str(raw, "kind");
  switch (kind) {
    case "image_class":
      return {
        ...common,
        kind,
        target: str(raw, "target"),
        options: parseOptions(raw.options),
        multiple: bool(raw, "multiple", false),
        minChoices: num(raw, "min_choices", 1),
        maxChoices: numOrNull(raw, "max_choices"),
      };
    case "events":
      return {
        ...common,
        kind,
        target: str(raw, "target"),
        labels: parseOptions(raw.labels),
        attributes: (Array.isArray(raw.attributes) ? raw.attributes : []).flatMap((item) => {
          const attribute = obj(item);
          return attribute ? [parseAttribute(attribute)] : [];
        }),
        overlap: str(raw, "overlap", "refuse") === "allow" ? "allow" : "refuse",
        minFrames: num(raw, "min_frames", 1),
        minEvents: num(raw, "min_events", 0),
        maxEvents: num(raw, "max_events", 10000),
      };
    case "tracks": {
      const shape = str(raw, "shape", "box");
      const skeleton = obj(raw.skeleton) ?? {};
      return {
        ...common,
        kind,
        target: str(raw, "target"),
        shape: shape === "polygon" || shape === "point" || shape === "keypoints" ? shape : "box",
        rotation: bool(raw, "rotation", false),
        labels: parseOptions(raw.labels),
        skeleton: {
          points: strings(skeleton.points) ?? [],
          edges: (Array.isArray(skeleton.edges) ? skeleton.edges : []).flatMap((edge) =>
            Array.isArray(edge) && edge.length === 2 && typeof edge[0] === "number" && typeof edge[1] === "number" ? [[edge[0], edge[1]] as [number, number]] : [],
          ),
        },
        attributes: (Array.isArray(raw.attributes) ? raw.attributes : []).flatMap((item) => {
          const attribute = obj(item);
          return attribute ? [{ ...parseAttribute(attribute), mutable: bool(attribute, "mutable", false) }] : [];
        }),
        maxTracks: num(raw, "max_tracks", 1000),
        maxKeyframes: num(raw, "max_keyframes", 100000),
        maxPoints: num(raw, "max_points", 10000),
      };
    }
    case "segments":
      return {
        ...parseTimeSegments(raw, common, "allow"),
        kind,
        labels: parseOptions(raw.labels),
        attributes: (Array.isArray(raw.attributes) ? raw.attributes : []).flatMap((item) => {
          const attribute = obj(item);
          return attribute ? [parseAttribute(attribute)] : [];
        }),
      };
    case "transcript":
      return {
        ...parseTimeSegments(raw, common, "allow"),
        kind,
        minLength: num(raw, "min_length", 0),
        maxLength: numOrNull(raw, "max_length"),
        rules: parseRules(raw),
        checks: strings(raw.checks) ?? [],
        declared: parseDeclaredChecks(raw.checks),
      };
    case "choice":
      return {
        ...common,
        kind,
        options: parseOptions(raw.options),
        multiple: bool(raw, "multiple", false),
        minChoices: num(raw, "min_choices", 1),
        maxChoices: numOrNull(raw, "max_choices"),
      };
    case "rating": {
      const labels: Record<string, string> = {};
      for (const [key, value] of Object.entries(obj(raw.labels) ?? {})) {
        if (typeof value === "string") labels[key] = value;
      }
      return {
        ...common,
        kind,
        min: num(raw, "min", 1),
        max: num(raw, "max", 5),
        step: num(raw, "step", 1),
        style: str(raw, "style", "stars") === "scale" ? "scale" : "stars",
        labels,
      };
    }
    case "text":
      return {
        ...common,
        kind,
        minLength: num(raw, "min_length", 0),
        maxLength: numOrNull(raw, "max_length"),
        placeholder: str(raw, "placeholder"),
        multiline: bool(raw, "multiline", true),
        rules: (Array.isArray(raw.rules) ? raw.rules : []).flatMap((item) => {
          const rule = obj(item);
          return rule
            ? [{ pattern: str(rule, "pattern"), message: str(rule, "message"), mustMatch: bool(rule, "must_match", true), level: str(rule, "level") === "warn" ? ("warn" as const) : ("block" as const) }]
            : [];
        }),
        checks: strings(raw.checks) ?? [],
        declared: parseDeclaredChecks(raw.checks),
      };
    case "spans":
      return {
        ...common,
        kind,
        target: str(raw, "target"),
        labels: parseOptions(raw.labels),
        overlap: bool(raw, "overlap", false),
        minSpans: num(raw, "min_spans", 0),
      };
    case "pairwise":
      return {
        ...common,
        kind,
        target: str(raw, "target") || null,
        allowTie: bool(raw, "allow_tie", true),
        maxStrength: num(raw, "max_strength", 3),
        strengthRequired: bool(raw, "strength_required", false),
      };
    case "ranking":
      return {
        ...common,
        kind,
        target: str(raw, "target") || null,
        options: Array.isArray(raw.options) ? parseOptions(raw.options) : null,
        ties: bool(raw, "ties", false),
      };
    case "rubric":
      return {
        ...common,
        kind,
        target: str(raw, "target") || null,
        criteria: (Array.isArray(raw.criteria) ? raw.criteria : []).flatMap((item) => {
          const criterion = obj(item);
          return criterion ? [parseCriterion(criterion)] : [];
        }),
      };
    case "turns": {
      const rating = obj(raw.rating);
      return {
        ...common,
        kind,
        target: str(raw, "target"),
        roles: strings(raw.roles) ?? ["assistant"],
        rating: rating ? { min: num(rating, "min", 1), max: num(rating, "max", 5) } : null,
        labels: Array.isArray(raw.labels) ? parseOptions(raw.labels) : null,
        multiple: bool(raw, "multiple", false),
        allTurns: bool(raw, "all_turns", false),
      };
    }
    default:
      return { ...common, kind: "unknown", declared: kind };
  }
}

export function parseInterface(raw: JsonObject): Interface {
  const list = (value: Json | undefined): Raw[] =>
    Array.isArray(value) ? value.map(obj).filter((item): item is Raw => item !== null) : [];
  return { fields: list(raw.fields).map(parseField), questions: list(raw.questions).map(parseQuestion), checks: parseConsistencyChecks(raw.checks) };
}
