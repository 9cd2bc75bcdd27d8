/**
 * The Import page's video and audio datasets (pure; tested in mediaImports.test.ts): which
 * formats a project's interface takes, what each zip must hold, and the same import from a
 * terminal.
 *
 * A dataset zip is read by the server with the same schemas the exports use
 * (src/accord/actions/media_dataset_imports.py: `TrackSchema` for mot, `VideoSchema` for
 * cvat-video, `ytvis_schema` for ytvis and coco-video, `AudioSchema` for rttm, vtt, srt), so
 * the formats offered are the Export page's (`mediaOffersOf`) less the export-only events
 * formats; mot, rttm, vtt and srt take the same `question=` as their export.
 */
import type { MediaDatasetFormat } from "../../api";
import type { Interface } from "../../editor/interface";
import { mediaOffersOf, type MediaOffer, type MediaOffers } from "./mediaFormats";

export const MEDIA_DATASET_FORMATS: readonly MediaDatasetFormat[] = ["mot", "cvat-video", "ytvis", "coco-video", "rttm", "vtt", "srt"];

export const isMediaDatasetFormat = (format: unknown): format is MediaDatasetFormat =>
  typeof format === "string" && (MEDIA_DATASET_FORMATS as readonly string[]).includes(format);

/** The video and audio dataset formats the interface takes, in the page's order (those it can
 * export, less events_csv and events_json, which are export-only). */
export function mediaImportOffersOf(iface: Interface): MediaOffers {
  const { video, audio } = mediaOffersOf(iface);
  const imports = (offers: MediaOffer[]) => offers.filter((o) => isMediaDatasetFormat(o.format.value));
  return { video: imports(video), audio: imports(audio) };
}

/** The section's title: what kind of dataset the project takes. */
export function mediaImportTitle(offers: MediaOffers): string {
  if (offers.video.length && offers.audio.length) return "Import a video or audio dataset";
  return offers.video.length ? "Import a video dataset" : "Import an audio dataset";
}

const AT_TOP = "at the zip's top or in its one folder (a zip of the folder itself)";
const VIDEO_FILES = "with .mp4, .m4v, .mov, .webm or .mkv";
const AUDIO_SUFFIXES = ".mp3, .flac, .ogg, .opus, .m4a, .aac or .webm";
const AUDIO_FILES = `with or without .wav, ${AUDIO_SUFFIXES}`;

/** What the zip of each format must hold (docs/video.md, docs/audio.md; the server's readers). */
export const ZIP_LAYOUTS: Record<MediaDatasetFormat, string> = {
  mot:
    `One folder per sequence (MOT17's train/, or a single sequence folder), ${AT_TOP}: each with seqinfo.ini, gt/gt.txt and its picture, ` +
    "the numbered frames of img1/ (000001.jpg, …; encoded into an MP4 on the server) or a video file (MP4, MOV, MKV, WebM) named after the sequence " +
    "or alone in its folder. One task per sequence, named after it.",
  "cvat-video":
    `CVAT for video 1.1 XML files (a task's, job's or project's export), one per video, beside their videos, ${AT_TOP}. Each video is ` +
    `the XML's <source>, else the task's name or the XML file's name ${VIDEO_FILES}. One task per video, named after it.`,
  ytvis:
    `One YouTube-VIS JSON beside its videos, ${AT_TOP}: each video named after the JSON's video name ${VIDEO_FILES}, its length, width and ` +
    "height the JSON's. Videos given only as frame images are refused: make a video of them first. One task per video.",
  "coco-video":
    `One COCO per frame JSON (mmtracking's CocoVID, TAO) beside its videos, ${AT_TOP}: each video named after the JSON's video name ` +
    `${VIDEO_FILES}; each track an instance_id (or track_id) its frames share. One task per video.`,
  rttm:
    `The .rttm files with the recordings they name, ${AT_TOP}: each line's file id is a recording's path below that folder ${AUDIO_FILES} ` +
    "(talks/day1 is talks/day1.wav). One task per recording, its file id as the task's id.",
  vtt:
    `One .vtt file per recording with the recording under the same path, ${AT_TOP}: talks/day1.vtt goes with talks/day1.wav (or ${AUDIO_SUFFIXES}). ` +
    "One task per recording, its path without the suffix as the task's id.",
  srt:
    `One .srt file per recording with the recording under the same path, ${AT_TOP}: talks/day1.srt goes with talks/day1.wav (or ${AUDIO_SUFFIXES}). ` +
    "One task per recording, its path without the suffix as the task's id.",
};

/** The CLI's arguments for each format: it reads the unpacked folder, not the zip. */
const CLI_ARGS: Record<MediaDatasetFormat, string> = {
  mot: "MOT17/train --format mot",
  "cvat-video": "cvat-tasks/ --format cvat-video --media videos/",
  ytvis: "train.json --format ytvis --media videos/",
  "coco-video": "tracks.json --format coco-video --media videos/",
  rttm: "diarization.rttm --format rttm --media recordings/",
  vtt: "subtitles/ --format vtt --media recordings/",
  srt: "subtitles/ --format srt --media recordings/",
};

/** A value as one shell word: bare when it is safe, else in single quotes. */
function shellWord(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'"'"'`)}'`;
}

/** The same import from a terminal: `--question` when the project has several questions that
 * suit (the CLI refuses the import without it then), `--source` with a source name. */
export function mediaImportCommand(projectId: number, offer: MediaOffer, question: string | null, source: string): string {
  const parts = [`accord import ${projectId} ${CLI_ARGS[offer.format.value as MediaDatasetFormat]}`];
  if (question && offer.questions.length > 1) parts.push(`--question ${shellWord(question)}`);
  if (source.trim()) parts.push(`--source ${shellWord(source.trim())}`);
  parts.push("--wait");
  return parts.join(" ");
}

/** The section an import job of `format` is followed in: a video or audio dataset's
 * (when the page shows that section), an image dataset's, else the file's. */
export function importSourceOf(format: unknown, shown: { images: boolean; media: boolean }): "file" | "images" | "media" {
  if (shown.media && isMediaDatasetFormat(format)) return "media";
  if (shown.images && (format === "coco" || format === "yolo" || format === "voc")) return "images";
  return "file";
}
