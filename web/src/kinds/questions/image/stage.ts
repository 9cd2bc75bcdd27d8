/**
 * The image stage as the tools that take over its left button (the assist, the Smart tool)
 * use it: finding it, the checks before a tool starts, and pointer positions in screen and
 * image pixels.
 */
import type { ImageEditor } from "./editor";
import { clampPoint, type Pt } from "./model";
import { toImage } from "./view";

export function stageOf(ed: ImageEditor): HTMLElement | null {
  const named = document.querySelector<HTMLElement>(`[data-image-question="${CSS.escape(ed.question.name)}"] .image-stage`);
  return named ?? document.querySelector<HTMLElement>(".image-stage");
}

/** The stage a tool may start on, or null after telling the person why not. */
export function stageForTool(ed: ImageEditor): HTMLElement | null {
  if (!ed.width) {
    ed.say("the image has not loaded yet");
    return null;
  }
  const stage = stageOf(ed);
  if (!stage) ed.say("the image is not on the screen");
  return stage;
}

/** A pointer on the stage: where on the screen (stage pixels), where on the image (clamped to
 * it), and whether it is the tool's (the left button, not panning with Space). */
export function pointerSpace(ed: ImageEditor, stage: HTMLElement) {
  const screen = (e: MouseEvent): Pt => {
    const rect = stage.getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  };
  const image = (s: Pt): Pt => clampPoint(ed.view ? toImage(ed.view, s) : s, ed.width, ed.height);
  const mine = (e: MouseEvent): boolean => e.button === 0 && !ed.spaceHeld;
  return { screen, image, mine };
}

/** A tool's press on the stage: the question becomes the active one and its card takes the
 * keys (so that the tool's keys reach it next). */
export function takeKeys(ed: ImageEditor): void {
  ed.activate();
  const card = document.querySelector<HTMLElement>(`[data-question="${CSS.escape(ed.question.name)}"] [data-keys]`);
  card?.focus({ preventScroll: true });
}
