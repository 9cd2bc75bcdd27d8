/**
 * The viewport: how image pixels map to canvas pixels (CSS pixels), zoom about a point, fit,
 * 1:1 and pan. screen = image * scale + offset. Pure.
 */
import type { Pt } from "./model";

export interface View {
  scale: number;
  ox: number;
  oy: number;
}

export const MIN_SCALE = 0.02;
export const MAX_SCALE = 40;

export const toScreen = (v: View, p: Pt): Pt => [p[0] * v.scale + v.ox, p[1] * v.scale + v.oy];
export const toImage = (v: View, s: Pt): Pt => [(s[0] - v.ox) / v.scale, (s[1] - v.oy) / v.scale];

/** The whole image in the canvas, centred, with a small margin. */
export function fitView(imageW: number, imageH: number, canvasW: number, canvasH: number): View {
  if (imageW <= 0 || imageH <= 0 || canvasW <= 0 || canvasH <= 0) return { scale: 1, ox: 0, oy: 0 };
  const scale = Math.min((canvasW - 8) / imageW, (canvasH - 8) / imageH);
  const s = Math.max(MIN_SCALE, Math.min(MAX_SCALE, scale));
  return { scale: s, ox: (canvasW - imageW * s) / 2, oy: (canvasH - imageH * s) / 2 };
}

/** Zoom by `factor` keeping the image point under the screen point (sx, sy) in place. */
export function zoomAt(v: View, factor: number, sx: number, sy: number): View {
  const scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, v.scale * factor));
  const k = scale / v.scale;
  return { scale, ox: sx - (sx - v.ox) * k, oy: sy - (sy - v.oy) * k };
}

/** 1:1 (one image pixel per CSS pixel) about a screen point. */
export function actualSize(v: View, sx: number, sy: number): View {
  return zoomAt(v, 1 / v.scale, sx, sy);
}

export function panBy(v: View, dx: number, dy: number): View {
  return { ...v, ox: v.ox + dx, oy: v.oy + dy };
}

/** The image rectangle [x0, y0, x1, y1] visible in a canvas of this size. */
export function visibleRect(v: View, canvasW: number, canvasH: number): [number, number, number, number] {
  const [x0, y0] = toImage(v, [0, 0]);
  const [x1, y1] = toImage(v, [canvasW, canvasH]);
  return [x0, y0, x1, y1];
}
