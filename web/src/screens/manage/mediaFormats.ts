/**
 * The video and audio export formats a project's interface can make, and the questions each
 * one-question format may hold: the browser's twin of the server's checks, so that the Export
 * page offers only what the server writes.
 *
 * - mot: `TrackSchema` (src/accord/formats/mot.py): tracks questions with shape box over a
 *   video field; one per file (`question=`).
 * - cvat-video: `VideoSchema` (src/accord/formats/video_tracks.py): tracks questions with shape
 *   box, polygon or point over the first video field such a question targets.
 * - ytvis, coco-video: `ytvis_schema` (src/accord/formats/ytvis.py): of those, box and polygon.
 * - events_csv, events_json: `check_events_format` (src/accord/jobs/export_events.py): any
 *   events question.
 * - rttm (segments), vtt and srt (transcript): `AudioSchema` (src/accord/formats/audio_tracks.py):
 *   questions of that kind over an audio field; one per file (`question=`).
 *
 * None of them takes consensus; the events formats take no final answer either (they list
 * every annotator's events).
 */
import type { MediaFormat } from "../../api";
import type { Interface, QuestionSpec, TracksSpec } from "../../editor/interface";

export interface FormatChoice {
  value: MediaFormat;
  label: string;
  what: string;
}

/** A format the interface can make, and, for a one-question format, the questions it may hold. */
export interface MediaOffer {
  format: FormatChoice;
  /** mot, rttm, vtt, srt: the suitable questions in the interface's order (else empty). */
  questions: QuestionSpec[];
}

export interface MediaOffers {
  video: MediaOffer[];
  audio: MediaOffer[];
}

/** The formats whose file holds one question, named with `question=`. */
export const QUESTION_FORMATS: readonly MediaFormat[] = ["mot", "rttm", "vtt", "srt"];

export const VIDEO_FORMATS: FormatChoice[] = [
  { value: "mot", label: "MOTChallenge", what: "a zip of SEQUENCE/gt/gt.txt per video: one tracks question with shape box" },
  { value: "cvat-video", label: "CVAT video XML", what: "a zip of one CVAT for video 1.1 XML per video: box, polygon and point tracks" },
  { value: "ytvis", label: "YouTube-VIS", what: "one JSON, a box or outline per frame of each track: box and polygon tracks" },
  { value: "coco-video", label: "COCO per frame", what: "one COCO JSON with an image per frame (mmtracking's CocoVID): box and polygon tracks" },
  { value: "events_csv", label: "Events CSV", what: "one row per event of each annotation, with its frames and seconds" },
  { value: "events_json", label: "Events JSON", what: "the same rows as a JSON array" },
];

export const AUDIO_FORMATS: FormatChoice[] = [
  { value: "rttm", label: "RTTM", what: "one diarisation file for every recording: a segments question" },
  { value: "vtt", label: "WebVTT", what: "a zip of one .vtt per recording: a transcript question" },
  { value: "srt", label: "SRT", what: "a zip of one .srt per recording: a transcript question" },
];

const EVENTS: readonly MediaFormat[] = ["events_csv", "events_json"];
const TRACK_SHAPES: readonly TracksSpec["shape"][] = ["box", "polygon", "point"];

export const isMediaFormat = (format: string): format is MediaFormat => [...VIDEO_FORMATS, ...AUDIO_FORMATS].some((f) => f.value === format);
export const takesQuestion = (format: string): boolean => (QUESTION_FORMATS as readonly string[]).includes(format);

function fieldsOf(iface: Interface, kind: "video" | "audio"): string[] {
  return iface.fields.filter((f) => f.kind === kind).map((f) => f.name);
}

function tracksOver(iface: Interface, videos: string[]): TracksSpec[] {
  return iface.questions.filter((q): q is TracksSpec => q.kind === "tracks" && videos.includes(q.target));
}

/** The tracks questions cvat-video (all shapes but keypoints) or ytvis and coco-video (boxes
 * and polygons) write: those over the first video field (in field order) that a box, polygon
 * or point tracks question targets. */
function videoTracks(iface: Interface, shapes: readonly TracksSpec["shape"][]): TracksSpec[] {
  const videos = fieldsOf(iface, "video");
  const found = tracksOver(iface, videos).filter((q) => TRACK_SHAPES.includes(q.shape));
  const target = videos.find((v) => found.some((q) => q.target === v));
  return found.filter((q) => q.target === target && shapes.includes(q.shape));
}

/** The questions ``format`` may hold (one-question formats) or writes (the others); empty
 * when the interface cannot make it. */
export function questionsFor(iface: Interface, format: MediaFormat): QuestionSpec[] {
  const audio = fieldsOf(iface, "audio");
  switch (format) {
    case "mot":
      return tracksOver(iface, fieldsOf(iface, "video")).filter((q) => q.shape === "box");
    case "cvat-video":
      return videoTracks(iface, TRACK_SHAPES);
    case "ytvis":
    case "coco-video":
      return videoTracks(iface, ["box", "polygon"]);
    case "events_csv":
    case "events_json":
      return iface.questions.filter((q) => q.kind === "events");
    case "rttm":
      return iface.questions.filter((q) => q.kind === "segments" && audio.includes(q.target));
    case "vtt":
    case "srt":
      return iface.questions.filter((q) => q.kind === "transcript" && audio.includes(q.target));
  }
}

/** The video and audio formats the interface can make, in the page's order. */
export function mediaOffersOf(iface: Interface): MediaOffers {
  const offer = (format: FormatChoice): MediaOffer[] => {
    const questions = questionsFor(iface, format.value);
    if (questions.length === 0) return [];
    return [{ format, questions: takesQuestion(format.value) ? questions : [] }];
  };
  return { video: VIDEO_FORMATS.flatMap(offer), audio: AUDIO_FORMATS.flatMap(offer) };
}

/** The question a one-question format's file holds: ``chosen`` when it suits, else the first
 * that does; null for the other formats (or when none suits). */
export function questionOf(offer: MediaOffer | undefined, chosen: string): string | null {
  const first = offer?.questions[0];
  if (!offer || !first) return null;
  return offer.questions.some((q) => q.name === chosen) ? chosen : first.name;
}

/** The question a one-question format may hold, in words (as the server's refusals say),
 * for one or several. */
export function suitableKind(format: MediaFormat, many: boolean): string {
  const question = many ? "questions" : "question";
  if (format === "mot") return `tracks ${question} with shape box over a video`;
  if (format === "rttm") return `segments ${question} over an audio field`;
  return `transcript ${question} over an audio field`;
}

/** How a question is listed: its name, with its label when it has another one. */
export function questionText(question: QuestionSpec): string {
  const label = question.label.trim();
  return label && label !== question.name ? `${label} (${question.name})` : question.name;
}

/** Why a video or audio format does not take ``content`` (null: it does, or the format is no
 * media format): the server's refusals (consensus for all, final for the events formats). */
export function mediaContentRefusal(content: "annotations" | "consensus" | "reviewed" | "final", format: string): string | null {
  if (!isMediaFormat(format)) return null;
  const events = EVENTS.includes(format);
  if (events && (content === "consensus" || content === "final"))
    return "not with the events formats, which list every annotator's events: take JSON Lines or CSV";
  if (content === "consensus") {
    const label = [...VIDEO_FORMATS, ...AUDIO_FORMATS].find((f) => f.value === format)?.label ?? format;
    const holds = AUDIO_FORMATS.some((f) => f.value === format) ? "one set of segments per recording" : "one set of tracks per video";
    return `not for ${label}, which holds ${holds}: take the gold standard`;
  }
  return null;
}
