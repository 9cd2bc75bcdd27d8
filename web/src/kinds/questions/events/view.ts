/**
 * The stretch of frames an events timeline shows: all of them at zoom 1, half at 2, and so
 * on down to `MIN_SPAN` frames, so that on a long video a frame is wide enough to place an
 * edge with the mouse. The view follows the current frame: when it leaves the view, the view
 * moves to centre it. Pure functions, shared by the timeline and the keys.
 */

/** The fewest frames a zoomed timeline shows. */
export const MIN_SPAN = 20;

export interface View {
  start: number;
  span: number;
}

/** How many frames the timeline shows at `zoom` (1: the whole video). */
export function spanOf(frames: number, zoom: number): number {
  if (frames <= MIN_SPAN) return Math.max(1, frames);
  return Math.max(MIN_SPAN, Math.ceil(frames / Math.max(1, zoom)));
}

/** The largest zoom (a power of two) that still shows `MIN_SPAN` frames or more. */
export function maxZoom(frames: number): number {
  let zoom = 1;
  while (frames / (zoom * 2) >= MIN_SPAN) zoom *= 2;
  return zoom;
}

export function clampZoom(frames: number, zoom: number): number {
  return Math.max(1, Math.min(maxZoom(frames), zoom));
}

function clampStart(start: number, span: number, frames: number): number {
  return Math.max(0, Math.min(Math.max(0, frames - span), Math.round(start)));
}

/** The view at `zoom` that was at `start`, moved (if needed) so that `frame` is in it. */
export function follow(frames: number, zoom: number, start: number, frame: number): View {
  const span = spanOf(frames, zoom);
  let at = clampStart(start, span, frames);
  if (frame < at || frame >= at + span) at = clampStart(frame - Math.floor(span / 2), span, frames);
  return { start: at, span };
}

/** The view at zoom `next`, keeping `anchor` (a frame) at the same place across the timeline
 * (`fraction` of its width from the left): the mouse's frame for the wheel, the current frame
 * for the keys and buttons. */
export function zoomed(frames: number, next: number, anchor: number, fraction: number): View {
  const span = spanOf(frames, next);
  const f = Math.max(0, Math.min(1, fraction));
  return { start: clampStart(anchor - f * span, span, frames), span };
}

/** The view moved by `frames`-many (`by`, negative: back), kept within the video. */
export function panned(frames: number, view: View, by: number): View {
  return { start: clampStart(view.start + by, view.span, frames), span: view.span };
}

/** The frame under `x` on a timeline `width` pixels wide showing `view`. */
export function frameInView(x: number, width: number, view: View): number {
  if (width <= 0 || view.span <= 0) return view.start;
  const f = view.start + Math.floor((x / width) * view.span);
  return Math.max(view.start, Math.min(view.start + view.span - 1, f));
}

/** Where frame `n`'s left edge is across the view, in percent (outside 0–100: out of view). */
export function percentOf(n: number, view: View): number {
  return ((n - view.start) / view.span) * 100;
}
