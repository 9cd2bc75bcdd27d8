/**
 * A screenshot of the app for a problem report, made in the page with `html-to-image` (it
 * draws the DOM into a canvas: no browser permission, no extension). The report dialog is
 * left out; so is the task's content unless the reporter allows it (the boxes that hold it
 * stay, empty). Made as a JPEG, smaller and smaller until it fits `maxBytes`.
 */
import { toJpeg } from "html-to-image";
import { TASK_CONTENT_SELECTOR } from "./capture";

export const DIALOG_ATTRIBUTE = "data-problem-report-dialog";
export const REDACTED_ATTRIBUTE = "data-report-redacted";
const ATTEMPTS: { quality: number; scale: number }[] = [
  { quality: 0.85, scale: 1 },
  { quality: 0.7, scale: 1 },
  { quality: 0.7, scale: 0.75 },
  { quality: 0.6, scale: 0.5 },
];
/** A grey pixel for images that cannot be drawn (another site's, when it refuses). */
const PLACEHOLDER = "data:image/gif;base64,R0lGODlhAQABAIAAAMzMzAAAACH5BAAAAAAALAAAAAABAAEAAAICRAEAOw==";

/** Whether `node` goes into the screenshot. */
export function keepNode(node: Node, includeTaskContent: boolean): boolean {
  if (node instanceof Element && node.hasAttribute(DIALOG_ATTRIBUTE)) return false;
  if (!includeTaskContent && node.parentElement?.closest(TASK_CONTENT_SELECTOR)) return false;
  return true;
}

export function dataUrlBytes(dataUrl: string): number {
  const comma = dataUrl.indexOf(",");
  const payload = comma < 0 ? dataUrl : dataUrl.slice(comma + 1);
  return Math.floor((payload.length * 3) / 4);
}

/** Marks the boxes whose content is left out (CSS hatches them and says so) while `run` runs. */
async function marked<T>(includeTaskContent: boolean, run: () => Promise<T>): Promise<T> {
  const boxes = includeTaskContent ? [] : Array.from(document.querySelectorAll<HTMLElement>(TASK_CONTENT_SELECTOR));
  boxes.forEach((box) => box.setAttribute(REDACTED_ATTRIBUTE, ""));
  try {
    return await run();
  } finally {
    boxes.forEach((box) => box.removeAttribute(REDACTED_ATTRIBUTE));
  }
}

export async function captureScreenshot(options: { includeTaskContent: boolean; maxBytes: number }): Promise<string> {
  return marked(options.includeTaskContent, () => capture(options));
}

async function capture(options: { includeTaskContent: boolean; maxBytes: number }): Promise<string> {
  const root = document.body;
  const width = root.scrollWidth;
  const height = root.scrollHeight;
  for (const attempt of ATTEMPTS) {
    const dataUrl = await toJpeg(root, {
      quality: attempt.quality,
      pixelRatio: 1,
      backgroundColor: "#ffffff",
      canvasWidth: Math.round(width * attempt.scale),
      canvasHeight: Math.round(height * attempt.scale),
      imagePlaceholder: PLACEHOLDER,
      filter: (node) => keepNode(node, options.includeTaskContent),
    });
    if (dataUrlBytes(dataUrl) <= options.maxBytes) return dataUrl;
  }
  throw new Error("the screenshot is too large even when made smaller; send the report without it");
}
