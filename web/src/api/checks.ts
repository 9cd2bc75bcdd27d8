/** The server's verdicts on a text's declared checks (POST /projects/{id}/checks; docs/checks.md). */
import type { CheckVerdict } from "../editor/checks";
import { request } from "./http";

export interface CheckedText {
  question: string;
  verdicts: CheckVerdict[];
}

/** The longest text the endpoint checks; a longer one is checked when it is submitted. */
export const MAX_CHECK_CHARS = 100_000;

export const checkText = (projectId: number, question: string, text: string, signal?: AbortSignal) =>
  request<CheckedText>("POST", `/projects/${projectId}/checks`, { body: { question, text }, signal });
