/** The image assist (src/accord/api/assist.py): GrabCut on the server turns a rough box (and
 * a few clicks) on a task's image into a mask or a polygon. */
import { request } from "./http";

export interface AssistBody {
  /** The image field the box was drawn on. */
  field: string;
  /** grabcut: from a rough box; scissors: along the image's edges through `points`. */
  tool?: "grabcut" | "scissors";
  /** grabcut: a rough box, pixels of the EXIF-oriented image. */
  box?: { x: number; y: number; w: number; h: number };
  /** scissors: at least 3 points on the object's outline, in order around it. */
  points?: [number, number][];
  /** Points on the object, [x, y]. */
  foreground?: [number, number][];
  /** Points off the object. */
  background?: [number, number][];
  output: "mask" | "polygon";
  /** Polygon: simplification tolerance (px) and the most points. */
  tolerance?: number;
  max_points?: number;
}

export interface AssistResult {
  tool: string;
  /** output mask: COCO compressed RLE of the whole image. */
  rle: { size: [number, number]; counts: string } | null;
  /** output polygon. */
  points: [number, number][] | null;
  width: number;
  height: number;
  /** Seconds the server took. */
  seconds: number;
  budget_seconds: number;
}

export const assist = {
  /** Run the assist on a task's image (anyone who may annotate the task). 422 names the path
   * at fault (`box.w`, `foreground[2]`, `field`), `assist_too_slow` when past its budget. */
  run: (taskId: number, body: AssistBody, signal?: AbortSignal) =>
    request<AssistResult>("POST", `/tasks/${taskId}/assist`, { body, signal }),
};
