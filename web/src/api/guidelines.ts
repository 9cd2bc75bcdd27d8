/** Versioned guidelines (docs/guidelines.md): versions, save, diff, restore, acknowledge. */
import { request } from "./http";
import { upload } from "./upload";

export interface GuidelineVersion {
  number: number;
  note: string;
  material: boolean;
  author: string | null;
  restored_from: number | null;
  created_at: string;
  text?: string | null;
}

export interface GuidelineSection {
  anchor: string;
  title: string;
  level: number;
}

export interface GuidelineLinkWarning {
  path: string;
  anchor: string;
  message: string;
}

export interface GuidelinesState {
  current_version: number;
  material_version: number;
  acknowledged: number | null;
  must_acknowledge: boolean;
  versions: GuidelineVersion[];
}

export interface GuidelineVersionDetail extends GuidelineVersion {
  text: string;
  sections: GuidelineSection[];
}

export interface GuidelineDiff {
  old: number;
  new: number;
  sections: { anchor: string | null; title: string }[];
  hunks: { old_start: number; new_start: number; lines: { op: " " | "-" | "+"; text: string }[] }[];
  text: string;
}

export interface GuidelineChange {
  version: number;
  note: string;
  material: boolean;
}

export interface GuidelineChanges {
  version: number;
  acknowledged: number | null;
  /** The diff starts here: the version acknowledged last, else the newest worked under. */
  since: number | null;
  material: number;
  must_acknowledge: boolean;
  changes: GuidelineChange[];
  diff: GuidelineDiff;
}

export interface GuidelinesSaved {
  version: GuidelineVersion;
  warnings: GuidelineLinkWarning[];
}

/** A stretch of the three-way merge: lines both sides agree on, or a conflict. */
export type GuidelineMergeChunk =
  | { kind: "same"; lines: string[] }
  | {
      kind: "conflict";
      /** The base line (1-based) where it starts. */
      line: number;
      anchor: string | null;
      title: string;
      base: string[];
      mine: string[];
      theirs: string[];
    };

/** The refused text merged with the current version (server: accord.formats.guideline_merge). */
export interface GuidelineMerge {
  clean: boolean;
  /** The merged text when clean, else null. */
  text: string | null;
  chunks: GuidelineMergeChunk[];
  conflicts: number;
}

/** `details` of 409 `guidelines_conflict`. */
export interface GuidelinesConflict {
  base_version: number;
  current_version: number;
  current_note: string;
  diff: Omit<GuidelineDiff, "old" | "new">;
  /** Null when the base version is unknown (nothing to merge from). */
  merge?: GuidelineMerge | null;
}

/** `details` of 409 `guidelines_unacknowledged` (the next-task answer). */
export interface GuidelinesUnacknowledged {
  version: number;
  acknowledged: number | null;
  since: number | null;
  material: number;
  changes: GuidelineChange[];
}

export interface GuidelineImage {
  name: string;
  url: string;
  markdown: string;
}

const base = (projectId: number) => `/projects/${projectId}/guidelines`;

export const guidelines = {
  state: (projectId: number) => request<GuidelinesState>("GET", base(projectId)),
  version: (projectId: number, number: number) =>
    request<GuidelineVersionDetail>("GET", `${base(projectId)}/versions/${number}`),
  /** 409 `guidelines_conflict` (details: `GuidelinesConflict`) when another save came first. */
  save: (projectId: number, body: { text: string; note: string; material: boolean; base_version: number }) =>
    request<GuidelinesSaved>("POST", base(projectId), { body }),
  restore: (projectId: number, body: { number: number; note: string; material: boolean; base_version: number }) =>
    request<GuidelinesSaved>("POST", `${base(projectId)}/restore`, { body }),
  diff: (projectId: number, old: number, newer?: number) =>
    request<GuidelineDiff>("GET", `${base(projectId)}/diff`, { query: { old, new: newer } }),
  changes: (projectId: number) => request<GuidelineChanges>("GET", `${base(projectId)}/changes`),
  acknowledge: (projectId: number, version: number) =>
    request<{ version: number }>("POST", `${base(projectId)}/acknowledge`, { body: { version } }),
  sections: (projectId: number) =>
    request<{ version: number; sections: GuidelineSection[]; warnings: GuidelineLinkWarning[] }>(
      "GET",
      `${base(projectId)}/sections`,
    ),
  uploadImage: (projectId: number, file: File) =>
    upload<GuidelineImage>(`${base(projectId)}/images`, file, {
      query: { filename: file.name },
      contentType: "application/octet-stream",
    }),
};
