/**
 * What a video or audio dataset zip held, read from an import's result and said in words as
 * `accord import` says it (src/accord/cli/mot.py, video_formats.py, audio_formats.py).
 * Pure; tested in mediaDatasetReport.test.ts.
 */
import type { Json, JsonObject, MediaDatasetReport } from "../../api";
import { isMediaDatasetFormat } from "./mediaImports";

const isObject = (value: Json | undefined): value is JsonObject => typeof value === "object" && value !== null && !Array.isArray(value);
const count = (value: Json | undefined): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);

const COUNTS = ["sequences", "videos", "recordings", "encoded", "rows", "ignored", "clipped", "outside", "tracks", "keyframes"] as const;

/** The counts of a media dataset (`media_dataset` of an import's report; `dataset` in older jobs),
 * or null when ``value`` is none (an image dataset's counts name `images` instead). */
export function mediaDatasetOf(value: Json | undefined, format: unknown): MediaDatasetReport | null {
  if (!isObject(value)) return null;
  if (count(value.sequences) === undefined && count(value.videos) === undefined && count(value.recordings) === undefined) return null;
  const report: MediaDatasetReport = { format: isMediaDatasetFormat(format) ? format : null, uploaded: count(value.uploaded) ?? 0, skipped: {} };
  for (const key of COUNTS) {
    const n = count(value[key]);
    if (n !== undefined) report[key] = n;
  }
  if (isObject(value.skipped))
    for (const [name, n] of Object.entries(value.skipped)) {
      const times = count(n);
      if (times !== undefined) report.skipped[name] = times;
    }
  return report;
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString()} ${n === 1 ? one : many}`;

/** The dataset's counts as sentences: what was uploaded and read first, then each thing left
 * out (in name order). */
export function mediaDatasetLines(report: MediaDatasetReport): string[] {
  const lines: string[] = [];
  const skipped = Object.entries(report.skipped).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (report.recordings !== undefined) {
    lines.push(`Uploaded ${plural(report.recordings, "recording")} (${report.uploaded.toLocaleString()} new to the project's media).`);
    for (const [name, n] of skipped)
      lines.push(
        report.format === "rttm"
          ? `Left out ${plural(n, "turn")} of “${name}”: neither a speaker nor a label of the question.`
          : report.format === "vtt" || report.format === "srt"
            ? `Dropped the voice “${name}” of ${plural(n, "cue")}: not a speaker of the question.`
            : `Left out ${n.toLocaleString()} of “${name}”: the question does not take it.`,
      );
    return lines;
  }
  const videos = report.sequences ?? report.videos ?? 0;
  const made = report.encoded ? `, ${report.encoded.toLocaleString()} made from frames` : "";
  const read = `${plural(report.tracks ?? 0, "track")}, ${plural(report.keyframes ?? 0, "keyframe")}`;
  const rows = report.rows !== undefined ? ` from ${plural(report.rows, "row")}` : "";
  lines.push(`Uploaded ${plural(videos, "video")} (${report.uploaded.toLocaleString()} new to the project's media${made}): ${read}${rows}.`);
  if (report.ignored) lines.push(`Left out ${plural(report.ignored, "row")} with conf 0 (ignored in MOT).`);
  if (report.clipped) lines.push(`Clipped ${plural(report.clipped, "box", "boxes")} reaching out of the picture.`);
  if (report.outside) lines.push(`Left out ${plural(report.outside, "box", "boxes")} wholly out of the picture.`);
  for (const [name, n] of skipped) {
    if (name.includes(": ")) lines.push(`Left out ${n.toLocaleString()} ${name}.`);
    else if (name.startsWith("attribute ")) lines.push(`Left out ${plural(n, "value")} of the ${name}: no question takes it.`);
    else lines.push(`Left out ${plural(n, "track")} of ${name}: no question takes it.`);
  }
  return lines;
}
