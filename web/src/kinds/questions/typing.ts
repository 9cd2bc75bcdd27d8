/**
 * How much of each text answer was typed and how much pasted (docs/originality.md), counted in
 * characters (code points) for the task on screen. The text widget counts; the annotate session
 * sends the counts beside the result when it submits (`takeTyping`) and starts afresh with
 * each task (`resetTyping`). Deleting text does not uncount it: the counts say how the text was
 * produced, not what is left of it.
 */
import type { Typing } from "../../api/originality";

let counts: Typing = {};
let pasting: string | null = null;

function entry(question: string): { typed: number; pasted: number } {
  counts[question] ??= { typed: 0, pasted: 0 };
  return counts[question];
}

/** A paste into `question`'s box: its characters count as pasted, and the change it makes as
 * none typed. */
export function notePaste(question: string, text: string): void {
  entry(question).pasted += Array.from(text).length;
  pasting = question;
}

/** The box of `question` changed from `before` to `after`. */
export function noteChange(question: string, before: string, after: string): void {
  if (pasting === question) {
    pasting = null;
    return;
  }
  const inserted = insertedLength(Array.from(before), Array.from(after));
  if (inserted > 0) entry(question).typed += inserted;
}

/** Characters one edit put in: what is left of `after` without the start and end it shares
 * with `before` (typing over a selection counts what was typed). */
export function insertedLength(before: string[], after: string[]): number {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start += 1;
  let end = 0;
  while (end < before.length - start && end < after.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end += 1;
  return after.length - start - end;
}

/** The counts so far (undefined when nothing was typed or pasted), and a fresh start. */
export function takeTyping(): Typing | undefined {
  const taken = counts;
  resetTyping();
  return Object.keys(taken).length ? taken : undefined;
}

export function resetTyping(): void {
  counts = {};
  pasting = null;
}
